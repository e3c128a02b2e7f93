import { extname } from 'node:path';
import type { Command } from 'commander';
import { BasinError, InvalidArgumentError } from '../../core/errors.js';
import { requireMemory } from '../../core/limits.js';
import { type LabelEncoding, LABEL_ENCODINGS } from '../../data/labels.js';
import { requireSeparateFiles, requireWritableTarget, writeOutputFile } from '../../io/output-file.js';
import {
  negativeSlope,
  openUnitInterval,
  positiveInteger,
  positiveWorkCount,
  seed32,
} from '../../io/schema-primitives.js';
import {
  regionDrawBytes,
  regionVolumes,
  type RegionVolumeRecord,
  VOLUME_MAX_ENTRIES,
  type VolumeSize,
} from '../../landscape/volume.js';
import { formatTable } from '../../report/format.js';
import { volumeFigure, volumeReading, volumeTable } from '../../report/volume-section.js';
import { choiceOption, flagOption, listParser, numberOption } from '../flags.js';

/**
 * The default sizes: N = 2·d0 growing with d0 and d1 = 4, so d0·d1 = 2N, small enough for 10⁴ draws of all five
 * in 89 s on this project's shared 2-core machine (53 s of CPU; 2 000 draws with --search in 135 s; docs/landscape.md). A wider d1 makes samples with
 * every unit off (the main source of bad regions at ρ = 0) so rare that every estimate would be 0.
 */
export const DEFAULT_VOLUME_SIZES: readonly VolumeSize[] = [8, 16, 24, 32, 40].map((count) => ({
  count,
  inputDim: count / 2,
  width: 4,
}));

export const DEFAULT_VOLUME_DRAWS = 10_000;
export const DEFAULT_VOLUME_EPSILON = 0.1;

/** `16:8:4` → { count: 16, inputDim: 8, width: 4 }: positive integers in plain decimal. */
export function parseVolumeSize(text: string, flag: string): VolumeSize {
  const match = /^(\d+):(\d+):(\d+)$/.exec(text);
  const values = match === null ? [] : match.slice(1).map(Number);
  if (values.length !== 3 || !values.every((v) => Number.isSafeInteger(v) && v >= 1)) {
    throw new InvalidArgumentError(flag, 'sizes N:d0:d1 of positive integers, e.g. 16:8:4,32:16:4', text);
  }
  return { count: values[0], inputDim: values[1], width: values[2] };
}

export interface VolumeCommandOptions {
  readonly sizes: readonly VolumeSize[];
  readonly draws: number;
  readonly epsilon: number;
  readonly slope: number;
  readonly labels: LabelEncoding;
  readonly seed: number;
  readonly maxEntries: number;
  readonly search?: boolean;
  readonly json?: boolean;
  readonly out?: string;
  readonly figure?: string;
}

/** `basin landscape volume`: Monte Carlo region volumes (Soudry–Hoffer Theorem 6) with intervals. */
export function registerVolume(landscape: Command): void {
  landscape
    .command('volume')
    .description(
      'Monte Carlo angular volume of activation regions that can or provably do hold a sub-optimal differentiable local minimum (MCE > ε) or a zero-error one, per size, beside Soudry–Hoffer’s rate',
    )
    .addOption(
      flagOption(
        '--sizes <list>',
        'comma-separated sizes N:d0:d1',
        listParser(parseVolumeSize),
        [...DEFAULT_VOLUME_SIZES],
        DEFAULT_VOLUME_SIZES.map((s) => `${s.count}:${s.inputDim}:${s.width}`).join(','),
      ),
    )
    .addOption(
      numberOption('--draws <n>', 'draws (X, y, W) per size', positiveWorkCount, DEFAULT_VOLUME_DRAWS),
    )
    .addOption(
      numberOption(
        '--epsilon <ε>',
        'a region is bad when its minimum misclassifies more than this fraction',
        openUnitInterval,
        DEFAULT_VOLUME_EPSILON,
      ),
    )
    .addOption(
      numberOption('--slope <ρ>', 'leaky-ReLU slope ρ for negative inputs (0: ReLU)', negativeSlope, 0),
    )
    .addOption(
      choiceOption(
        '--labels <encoding>',
        'random labels ±1 (threshold 0) or {0,1} (threshold 0.5)',
        LABEL_ENCODINGS,
        'pm1',
      ),
    )
    .addOption(numberOption('--seed <n>', 'seed of the draws', seed32, 1))
    .addOption(
      numberOption(
        '--max-entries <n>',
        'largest A∘X (N·d0·d1 entries); each draw solves a least-squares problem of it by SVD',
        positiveInteger,
        VOLUME_MAX_ENTRIES,
      ),
    )
    .option(
      '--search',
      'tighter lower bounds: search all least-squares solutions for one inside the cones, every sign choice (slower)',
    )
    .option('--json', 'print the record as JSON instead of the table')
    .option('--out <file.json>', 'also write the record as JSON')
    .option('--figure <file>', 'also draw the fractions beside the theorem’s rate (.svg or .png)')
    .action(async (options: VolumeCommandOptions) => {
      await volumeCommand(options);
    });
}

export async function volumeCommand(options: VolumeCommandOptions): Promise<RegionVolumeRecord> {
  const outputs = [
    ...(options.out === undefined ? [] : [{ path: options.out, argument: '--out' }]),
    ...(options.figure === undefined ? [] : [{ path: options.figure, argument: '--figure' }]),
  ];
  if (options.figure !== undefined) {
    const extension = extname(options.figure).toLowerCase();
    if (extension !== '.svg' && extension !== '.png') {
      throw new InvalidArgumentError('--figure', 'a file name ending in .svg or .png', options.figure);
    }
  }
  for (const { count, inputDim, width } of options.sizes) {
    const entries = count * inputDim * width;
    if (entries > options.maxEntries) {
      throw new BasinError(
        `--sizes: ${count}:${inputDim}:${width} needs A∘X of ${count} × ${inputDim * width} = ${entries} entries, ` +
          `more than --max-entries ${options.maxEntries} (each draw solves a least-squares problem of it by SVD); ` +
          'choose smaller sizes, or raise --max-entries deliberately',
      );
    }
    requireMemory(
      '--sizes',
      `A∘X of ${count}:${inputDim}:${width} and its SVD`,
      regionDrawBytes({ count, inputDim, width }),
    );
  }
  requireSeparateFiles([], outputs);
  for (const { path, argument } of outputs) requireWritableTarget(path, argument);
  const started = performance.now();
  let lastLine = -Infinity;
  const record = regionVolumes({
    sizes: options.sizes,
    draws: options.draws,
    epsilon: options.epsilon,
    negativeSlope: options.slope,
    labelEncoding: options.labels,
    seed: options.seed,
    maxEntries: options.maxEntries,
    signSearch: options.search === true,
    onProgress: ({ sizeIndex, sizes, size, done, draws }) => {
      const now = performance.now();
      // One line a second at most, plus each size's last draw, so a log stays readable.
      if (done !== draws && now - lastLine < 1000) return;
      lastLine = now;
      process.stderr.write(
        `[${sizeIndex + 1}/${sizes}] N=${size.count} d0=${size.inputDim} d1=${size.width}: ${done}/${draws} draws, ` +
          `${((now - started) / 1000).toFixed(1)} s\n`,
      );
    },
  });
  const json = { ...record, elapsedSeconds: (performance.now() - started) / 1000 };
  if (options.out !== undefined) {
    writeOutputFile(options.out, `${JSON.stringify(json, null, 2)}\n`, 'the region-volume record');
  }
  if (options.figure !== undefined) {
    const { renderSvg, svgToPng } = await import('../../report/render.js');
    const svg = await renderSvg(volumeFigure(record));
    writeOutputFile(
      options.figure,
      options.figure.toLowerCase().endsWith('.png') ? svgToPng(svg) : svg,
      'the region-volume figure',
    );
  }
  if (options.json === true) process.stdout.write(`${JSON.stringify(json)}\n`);
  else {
    const table = volumeTable(record);
    process.stdout.write(`${table.caption}\n\n${formatTable(table.headers, table.rows)}\n\n`);
    process.stdout.write(`${volumeReading(record).join('\n')}\n`);
    for (const { path, argument } of outputs) process.stdout.write(`wrote ${path} (${argument})\n`);
  }
  return record;
}
