import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.js';
import { withDenseProducts } from '../../backend/select.js';
import { imageGrid } from '../../data/loaders/image-grid.js';
import {
  type ImageLayout,
  parseImageLayout,
  parsePixelType,
  type PixelType,
  type SourceFormat,
} from '../../data/loaders/image-set.js';
import { type DataSplit, parseDataSplit } from '../../data/loaders/idx.js';
import { type LoadImageSetOptions, loadImageSet, parseSourceFormat } from '../../data/loaders/load.js';
import { type ImageSetSummary, summariseImageSet } from '../../data/loaders/summary.js';
import { formatNumber, formatTable } from '../../report/format.js';
import { join } from 'node:path';
import { type LabelEncoding, parseLabelEncoding } from '../../data/labels.js';
import { type BinarySplit, parseBinarySplit } from '../../data/preprocess/binary-split.js';
import {
  type FittedPreprocessing,
  type PreprocessRecipe,
  prepareDataset,
} from '../../data/preprocess/prepare.js';
import { PREPARED_FILES, savePreparedDataset } from '../../data/preprocess/prepared-files.js';
import { namingConfigFields } from '../../data/sources/file.js';
import {
  type NamedFile,
  requireSeparateFiles,
  requireWritableDirectory,
  requireWritableTarget,
  writeOutputFile,
} from '../../io/output-file.js';
import {
  DEFAULT_WHITENING_EPSILON,
  parseWhiteningMethod,
  type WhiteningMethod,
} from '../../data/preprocess/whiten.js';
import { nonNegative, positiveInteger, seed32 } from '../../io/schema-primitives.js';
import { choiceOption, type FlagParser, flagOption, numberOption, parseDecimal } from '../flags.js';

interface SourceOptions {
  format?: SourceFormat;
  split: DataSplit;
  labels?: string;
  labelColumn?: string;
  pixelType?: PixelType;
  shape?: number[];
  layout?: ImageLayout;
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
    .addOption(numberOption('--per-class <n>', 'samples per class row in the grid', positiveInteger, 8))
    .addOption(numberOption('--zoom <n>', 'pixel magnification in the grid', positiveInteger, 2))
    .option('--json', 'print the summary as JSON')
    .action(
      async (
        path: string,
        options: SourceOptions & { grid?: string; perClass: number; zoom: number; json?: boolean },
        command: Command,
      ) => {
        for (const [option, flag] of [
          ['perClass', '--per-class'],
          ['zoom', '--zoom'],
        ] as const) {
          requireGivenWith(
            command,
            option,
            flag,
            options.grid !== undefined,
            'to be given with --grid (it shapes the grid)',
          );
        }
        if (options.grid !== undefined) requireWritableTarget(options.grid, '--grid');
        const started = performance.now();
        const set = await namingFlags(() => loadImageSet(path, sourceOptions(options)));
        const seconds = (performance.now() - started) / 1000;
        const summary = summariseImageSet(set);
        let gridNote: string | undefined;
        if (options.grid !== undefined) {
          requireSeparateFiles(inputsOf(set), [{ path: options.grid, argument: '--grid' }]);
          const grid = await namingFlags(() =>
            Promise.resolve(imageGrid(set, { perClass: options.perClass, zoom: options.zoom })),
          );
          writeOutputFile(options.grid, grid.png, 'the image grid');
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
    .addOption(
      flagOption(
        '--format <format>',
        'idx, cifar10, npy or csv (default: recognised from the files)',
        parseSourceFormat,
      ),
    )
    .addOption(
      flagOption(
        '--split <split>',
        'for directories: train, test or all (train then test)',
        parseDataSplit,
        'train',
      ),
    )
    .option('--labels <file>', 'label file for an NPY array or an IDX image file')
    .option('--label-column <name>', 'CSV: the column holding class labels (default label)')
    .addOption(
      flagOption('--pixel-type <type>', 'uint8, float32 or float64 (default: as stored)', parsePixelType),
    )
    .addOption(
      flagOption('--shape <shape>', 'NPY/CSV: shape of one sample, e.g. 28x28 or 3x32x32', parseShape),
    )
    .addOption(flagOption('--layout <layout>', 'NPY/CSV: flat, hw, chw or hwc', parseImageLayout));
}

function sourceOptions(options: SourceOptions): LoadImageSetOptions {
  return {
    split: options.split,
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.labels === undefined ? {} : { labels: options.labels }),
    ...(options.labelColumn === undefined ? {} : { labelColumn: options.labelColumn }),
    ...(options.pixelType === undefined ? {} : { pixelType: options.pixelType }),
    ...(options.shape === undefined ? {} : { sampleShape: options.shape }),
    ...(options.layout === undefined ? {} : { layout: options.layout }),
  };
}

/** A sample's shape, sizes joined by x (or ×, or commas): 28x28, 3x32x32. */
const parseShape: FlagParser<number[]> = (text, flag) => {
  const sizes = text.split(/[x×,]/).map(parseDecimal);
  if (sizes.some((s) => s === undefined || !Number.isInteger(s) || s < 1)) {
    throw new InvalidArgumentError(flag, 'positive sizes joined by x, e.g. 28x28 or 3x32x32', text);
  }
  return sizes as number[];
};

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
    .addOption(
      flagOption(
        '--binary <rule>',
        'parity, low-high, low-high:B or pos:LIST/neg:LIST',
        parseBinarySplit,
        parseBinarySplit('parity'),
        'parity',
      ),
    )
    .addOption(
      flagOption(
        '--encoding <encoding>',
        'labels: pm1 (±1, threshold 0) or 01 ({0,1}, threshold 0.5)',
        parseLabelEncoding,
        'pm1',
      ),
    )
    .addOption(
      numberOption('--subset <count>', 'keep this many samples, chosen with --seed', positiveInteger),
    )
    .addOption(numberOption('--seed <seed>', 'seed of the subset', seed32, 0))
    .addOption(
      numberOption('--downsample <factor>', 'average-pool images by this factor per side', positiveInteger),
    )
    .option('--no-scale', 'keep raw values instead of mapping them to [0, 1]')
    .option('--standardise', 'standardise every feature to mean 0, sd 1')
    .addOption(flagOption('--whiten <method>', 'pca or zca', parseWhiteningMethod))
    .addOption(
      numberOption(
        '--epsilon <value>',
        'whitening ε added to the covariance eigenvalues',
        nonNegative,
        DEFAULT_WHITENING_EPSILON,
      ),
    )
    .addOption(numberOption('--components <k>', 'PCA whitening: keep k leading components', positiveInteger))
    .addOption(choiceOption('--dtype <dtype>', 'storage of the prepared features', DTYPES, 'float64'))
    .option('--test', 'also prepare the test split with the statistics fitted on the training split')
    .action(async (path: string, options: SourceOptions & PrepareOptions, command: Command) => {
      requireGivenWith(
        command,
        'epsilon',
        '--epsilon',
        options.whiten !== undefined,
        'to be given with --whiten (it is the whitening ε)',
      );
      requireGivenWith(
        command,
        'seed',
        '--seed',
        options.subset !== undefined,
        'to be given with --subset (it seeds the subset)',
      );
      if (options.test === true && (await isFile(path))) {
        throw new InvalidArgumentError(
          '--test',
          'a dataset directory with a test split (IDX or CIFAR-10)',
          path,
        );
      }
      requireWritableDirectory(options.out, '--out');
      const recipe = prepareRecipe(options);
      const parts: [string, DataSplit][] = [['train', options.split]];
      if (options.test) parts.push(['test', 'test']);
      let fitted: FittedPreprocessing | undefined;
      // Whitening goes through the fast engine's products when it is installed (seconds instead of minutes).
      await withDenseProducts('auto', async (products) => {
        for (const [name, split] of parts) {
          const started = performance.now();
          const images = await namingFlags(() => loadImageSet(path, { ...sourceOptions(options), split }));
          const directory = join(options.out, name);
          requireSeparateFiles(
            inputsOf(images),
            Object.values(PREPARED_FILES).map((file) => ({ path: join(directory, file), argument: '--out' })),
          );
          const loadSeconds = (performance.now() - started) / 1000;
          // The subset picks training samples; the test split is kept whole.
          const partRecipe = name === 'test' ? { ...recipe, subset: undefined } : recipe;
          const prepared = await namingFlags(() =>
            Promise.resolve(
              prepareDataset(
                images,
                { ...partRecipe, reusePixels: true },
                fitted,
                products === undefined ? {} : { products },
              ),
            ),
          );
          fitted = prepared.fitted;
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

const DTYPES = ['float32', 'float64'] as const;

interface PrepareOptions {
  out: string;
  binary: BinarySplit;
  encoding: LabelEncoding;
  subset?: number;
  seed: number;
  downsample?: number;
  scale: boolean;
  standardise?: boolean;
  whiten?: WhiteningMethod;
  epsilon: number;
  components?: number;
  dtype: (typeof DTYPES)[number];
  test?: boolean;
}

/** The flags of `basin data` that set each `data.…` field of the library's argument names (see dataConfigField). */
const DATA_FLAGS: Readonly<Record<string, string>> = {
  binary: '--binary',
  count: '--subset',
  seed: '--seed',
  downsample: '--downsample',
  scale: '--no-scale',
  'whiten.method': '--whiten',
  'whiten.components': '--components',
  'whiten.epsilon': '--epsilon',
  layout: '--layout',
  shape: '--shape',
  format: '--format',
  labelFile: '--labels',
  labelColumn: '--label-column',
};

/** Refuses `flag` given on the command line (not by default) without `needed`, naming both. */
function requireGivenWith(
  command: Command,
  option: string,
  flag: string,
  needed: boolean,
  expected: string,
): void {
  if (command.getOptionValueSource(option) === 'cli' && !needed) {
    throw new InvalidArgumentError(flag, expected, `${flag} alone`);
  }
}

/** Runs `work`, naming the flag behind a data-dependent refusal (`--subset`, not `subset.count`). */
function namingFlags<T>(work: () => Promise<T>): Promise<T> {
  return namingConfigFields(work, (field) => DATA_FLAGS[field]);
}

/** The files a loaded set was read from, as inputs no output may replace. */
function inputsOf(set: { readonly files: readonly string[] }): NamedFile[] {
  return set.files.map((file) => ({ path: file, argument: '<path>' }));
}

/** Whether `path` is a file (a missing path is left to the loader, which says so). */
async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function prepareRecipe(options: PrepareOptions): PreprocessRecipe {
  if (options.components !== undefined && options.whiten !== 'pca') {
    throw new InvalidArgumentError(
      '--components',
      'to be given with --whiten pca (it keeps that many principal components)',
      options.whiten === undefined
        ? `${options.components} without --whiten`
        : `${options.components} with --whiten ${options.whiten}`,
    );
  }
  return {
    split: options.binary,
    labelEncoding: options.encoding,
    dtype: options.dtype,
    scaleToUnit: options.scale,
    standardise: options.standardise === true,
    ...(options.subset === undefined ? {} : { subset: { count: options.subset, seed: options.seed } }),
    ...(options.downsample === undefined ? {} : { downsample: options.downsample }),
    ...(options.whiten === undefined
      ? {}
      : {
          whiten: {
            method: options.whiten,
            epsilon: options.epsilon,
            ...(options.components === undefined ? {} : { components: options.components }),
          },
        }),
  };
}
