import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.js';
import { imageGrid } from '../../data/loaders/image-grid.js';
import { parseImageLayout, parsePixelType } from '../../data/loaders/image-set.js';
import { parseDataSplit } from '../../data/loaders/idx.js';
import { type LoadImageSetOptions, loadImageSet, parseSourceFormat } from '../../data/loaders/load.js';
import { type ImageSetSummary, summariseImageSet } from '../../data/loaders/summary.js';
import { formatNumber, formatTable } from '../../report/format.js';

interface SourceOptions {
  format?: string;
  split: string;
  labels?: string;
  labelColumn?: string;
  pixelType?: string;
  shape?: string;
  layout?: string;
}

/** `basin data …`: look at real datasets before using them. */
export function register(program: Command): void {
  const data = program
    .command('data')
    .description('inspect and prepare real datasets (IDX, CIFAR-10 binary, NPY, CSV)');
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
