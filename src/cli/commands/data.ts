import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.js';
import { withDenseProducts } from '../../backend/select.js';
import { imageGrid } from '../../data/loaders/image-grid.js';
import { parseImageLayout, parsePixelType } from '../../data/loaders/image-set.js';
import { parseDataSplit } from '../../data/loaders/idx.js';
import { type LoadImageSetOptions, loadImageSet, parseSourceFormat } from '../../data/loaders/load.js';
import { type ImageSetSummary, summariseImageSet } from '../../data/loaders/summary.js';
import { formatNumber, formatTable } from '../../report/format.js';
import { join } from 'node:path';
import { parseLabelEncoding } from '../../data/labels.js';
import { parseBinarySplit } from '../../data/preprocess/binary-split.js';
import {
  type FittedPreprocessing,
  type PreprocessRecipe,
  prepareDataset,
} from '../../data/preprocess/prepare.js';
import { savePreparedDataset } from '../../data/preprocess/prepared-files.js';
import { DEFAULT_WHITENING_EPSILON, parseWhiteningMethod } from '../../data/preprocess/whiten.js';

interface SourceOptions {
  format?: string;
  split: string;
  labels?: string;
  labelColumn?: string;
  pixelType?: string;
  shape?: string;
  layout?: string;
}

/** `basin data …`: look at real datasets, and preprocess them once into a saved binary task. */
export function register(program: Command): void {
  const data = program
    .command('data')
    .description('inspect and prepare real datasets (IDX, CIFAR-10 binary, NPY, CSV)');
  registerInspect(data);
  registerPrepare(data);
}

function registerInspect(data: Command): void {
  addSourceOptions(
    data
      .command('inspect')
      .description('shape, class counts and value ranges of a dataset, and a PNG grid of sample images')
      .argument(
        '<path>',
        'a directory (MNIST-style IDX files or CIFAR-10 batches) or one IDX, .bin, .npy or .csv file',
      ),
  )
    .option('--grid <png>', 'write a PNG grid of sample images (one row per class)')
    .option('--per-class <n>', 'samples per class row in the grid', '8')
    .option('--zoom <n>', 'pixel magnification in the grid', '2')
    .option('--json', 'print the summary as JSON')
    .action(
      async (
        path: string,
        options: SourceOptions & { grid?: string; perClass: string; zoom: string; json?: boolean },
      ) => {
        const started = performance.now();
        const set = await loadImageSet(path, sourceOptions(options));
        const seconds = (performance.now() - started) / 1000;
        const summary = summariseImageSet(set);
        let gridNote: string | undefined;
        if (options.grid !== undefined) {
          const grid = imageGrid(set, {
            perClass: parseCount('--per-class', options.perClass),
            zoom: parseCount('--zoom', options.zoom),
          });
          writeFileSync(options.grid, grid.png);
          gridNote = `${options.grid} (${grid.rows} rows × ${grid.columns} samples)`;
        }
        const peakMiB = process.resourceUsage().maxRSS / 1024;
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({ ...summary, grid: options.grid ?? null, loadSeconds: seconds, peakResidentMiB: peakMiB }, null, 2)}\n`,
          );
          return;
        }
        process.stdout.write(`${formatSummary(summary)}\n`);
        if (gridNote) process.stdout.write(`grid      ${gridNote}\n`);
        process.stdout.write(
          `loaded in ${seconds.toFixed(2)} s; peak resident memory ${peakMiB.toFixed(0)} MiB\n`,
        );
      },
    );
}

function addSourceOptions(command: Command): Command {
  return command
    .option('--format <format>', 'idx, cifar10, npy or csv (default: recognised from the files)')
    .option('--split <split>', 'for directories: train, test or all (train then test)', 'train')
    .option('--labels <file>', 'label file for an NPY array or an IDX image file')
    .option('--label-column <name>', 'CSV: the column holding class labels', 'label')
    .option('--pixel-type <type>', 'uint8, float32 or float64 (default: as stored)')
    .option('--shape <shape>', 'NPY/CSV: shape of one sample, e.g. 28x28 or 3x32x32')
    .option('--layout <layout>', 'NPY/CSV: flat, hw, chw or hwc');
}

function sourceOptions(options: SourceOptions): LoadImageSetOptions {
  return {
    split: parseDataSplit(options.split, '--split'),
    ...(options.format === undefined ? {} : { format: parseSourceFormat(options.format, '--format') }),
    ...(options.labels === undefined ? {} : { labels: options.labels }),
    ...(options.labelColumn === undefined ? {} : { labelColumn: options.labelColumn }),
    ...(options.pixelType === undefined
      ? {}
      : { pixelType: parsePixelType(options.pixelType, '--pixel-type') }),
    ...(options.shape === undefined ? {} : { sampleShape: parseShape(options.shape) }),
    ...(options.layout === undefined ? {} : { layout: parseImageLayout(options.layout, '--layout') }),
  };
}

function parseShape(text: string): number[] {
  const sizes = text.split(/[x×,]/).map(Number);
  if (sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new InvalidArgumentError('--shape', 'positive sizes joined by x, e.g. 28x28 or 3x32x32', text);
  }
  return sizes;
}

function parseCount(argument: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(argument, 'an integer ≥ 1', text);
  return value;
}

function formatSummary(summary: ImageSetSummary): string {
  const { values } = summary;
  const lines = [
    `format    ${summary.format}`,
    `files     ${summary.files.join('\n          ')}`,
    `samples   ${summary.count}`,
    `sample    ${summary.sampleShape.join('×')} (${summary.layout}), ${summary.features} features, ` +
      `${summary.pixelType}${summary.storedAsBytes ? ' (stored as bytes 0–255)' : ''}`,
    `values    min ${formatNumber(values.min)}, max ${formatNumber(values.max)}, ` +
      `mean ${formatNumber(values.mean)}, sd ${formatNumber(values.sd)}`,
  ];
  if (summary.classes === undefined) {
    lines.push('labels    none');
  } else {
    const named = summary.classes.some((c) => c.name !== undefined);
    const rows = summary.classes.map((c) => [
      String(c.index),
      ...(named ? [c.name ?? ''] : []),
      String(c.count),
    ]);
    const headers = ['class', ...(named ? ['name'] : []), 'samples'];
    lines.push(`classes   ${summary.classes.length}`, formatTable(headers, rows));
  }
  return lines.join('\n');
}

function registerPrepare(data: Command): void {
  addSourceOptions(
    data
      .command('prepare')
      .description('preprocess a dataset into a binary task and save it (x.npy, y.npy, provenance.json)')
      .argument('<path>', 'a dataset directory or file, as for inspect'),
  )
    .requiredOption('--out <directory>', 'where to write train/ (and test/ with --test)')
    .option('--binary <rule>', 'parity, low-high, low-high:B or pos:LIST/neg:LIST', 'parity')
    .option('--encoding <encoding>', 'labels: pm1 (±1, threshold 0) or 01 ({0,1}, threshold 0.5)', 'pm1')
    .option('--subset <count>', 'keep this many samples, chosen with --seed')
    .option('--seed <seed>', 'seed of the subset', '0')
    .option('--downsample <factor>', 'average-pool images by this factor per side')
    .option('--no-scale', 'keep raw values instead of mapping them to [0, 1]')
    .option('--standardise', 'standardise every feature to mean 0, sd 1')
    .option('--whiten <method>', 'pca or zca')
    .option(
      '--epsilon <value>',
      'whitening ε added to the covariance eigenvalues',
      String(DEFAULT_WHITENING_EPSILON),
    )
    .option('--components <k>', 'PCA whitening: keep k leading components')
    .option('--dtype <dtype>', 'float32 or float64', 'float64')
    .option('--test', 'also prepare the test split with the statistics fitted on the training split')
    .action(async (path: string, options: SourceOptions & PrepareOptions) => {
      const recipe = prepareRecipe(options);
      const parts: [string, string][] = [['train', options.split]];
      if (options.test) parts.push(['test', 'test']);
      let fitted: FittedPreprocessing | undefined;
      // Whitening goes through the fast engine's products when it is installed (seconds instead of minutes).
      await withDenseProducts('auto', async (products) => {
        for (const [name, split] of parts) {
          const started = performance.now();
          const images = await loadImageSet(path, {
            ...sourceOptions(options),
            split: parseDataSplit(split, '--split'),
          });
          const loadSeconds = (performance.now() - started) / 1000;
          // The subset picks training samples; the test split is kept whole.
          const partRecipe = name === 'test' ? { ...recipe, subset: undefined } : recipe;
          const prepared = prepareDataset(
            images,
            { ...partRecipe, reusePixels: true },
            fitted,
            products === undefined ? {} : { products },
          );
          fitted = prepared.fitted;
          const directory = join(options.out, name);
          await savePreparedDataset(directory, prepared.dataset);
          const { dataset } = prepared;
          process.stdout.write(
            `${name}: ${dataset.count} samples × ${dataset.inputDim} features → ${directory}\n`,
          );
          const rows = [
            ['load', loadSeconds.toFixed(2)],
            ...prepared.timings.map((t) => [t.step, t.seconds.toFixed(2)]),
          ];
          process.stdout.write(`${formatTable(['step', 'seconds'], rows)}\n`);
        }
      });
      process.stdout.write(
        `peak resident memory ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`,
      );
    });
}

interface PrepareOptions {
  out: string;
  binary: string;
  encoding: string;
  subset?: string;
  seed: string;
  downsample?: string;
  scale: boolean;
  standardise?: boolean;
  whiten?: string;
  epsilon: string;
  components?: string;
  dtype: string;
  test?: boolean;
}

function prepareRecipe(options: PrepareOptions): PreprocessRecipe {
  if (options.dtype !== 'float32' && options.dtype !== 'float64') {
    throw new InvalidArgumentError('--dtype', 'float32 or float64', options.dtype);
  }
  const epsilon = Number(options.epsilon);
  if (!(epsilon >= 0)) throw new InvalidArgumentError('--epsilon', 'a number ≥ 0', options.epsilon);
  return {
    split: parseBinarySplit(options.binary, '--binary'),
    labelEncoding: parseLabelEncoding(options.encoding, '--encoding'),
    dtype: options.dtype,
    scaleToUnit: options.scale,
    standardise: options.standardise === true,
    ...(options.subset === undefined
      ? {}
      : { subset: { count: parseCount('--subset', options.subset), seed: parseSeed(options.seed) } }),
    ...(options.downsample === undefined
      ? {}
      : { downsample: parseCount('--downsample', options.downsample) }),
    ...(options.whiten === undefined
      ? {}
      : {
          whiten: {
            method: parseWhiteningMethod(options.whiten, '--whiten'),
            epsilon,
            ...(options.components === undefined
              ? {}
              : { components: parseCount('--components', options.components) }),
          },
        }),
  };
}

function parseSeed(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new InvalidArgumentError('--seed', 'an integer in [0, 4294967295]', text);
  }
  return value;
}
