import { writeOutputFile } from '../../io/output-file.js';
import type { Command } from 'commander';
import {
  type KhatriRaoSurveyCell,
  khatriRaoRankSurvey,
  type KhatriRaoSurveyShape,
} from '../../certify/khatri-rao.js';
import {
  negativeSlope,
  positive,
  positiveInteger,
  positiveWorkCount,
  seed32,
} from '../../io/schema-primitives.js';
import { DEFAULT_SLOPE_NOISE, type SlopeNoise } from '../../model/slope-noise.js';
import { formatNumber, formatRate, formatTable } from '../../report/format.js';
import { formatInterval, formatProportion } from '../../report/summary-table.js';
import { proportion } from '../../core/statistics.js';
import { BasinError, InvalidArgumentError } from '../../core/errors.js';
import { flagOption, listParser, numberListOption, numberOption } from '../flags.js';

/** The grids of `basin reproduce khatri-rao`: (d0, d1) pairs crossed with N = round(r·d0·d1). */
export const KHATRI_RAO_PRESETS = {
  full: {
    pairs: [
      [4, 4],
      [8, 4],
      [4, 8],
      [8, 8],
      [12, 10],
    ],
    ratios: [0.5, 0.9, 1, 1.1, 2],
    draws: 100,
  },
  quick: {
    pairs: [
      [4, 4],
      [8, 4],
      [4, 8],
    ],
    ratios: [0.9, 1, 1.1],
    draws: 50,
  },
} as const;

/**
 * The largest A∘X (N × d0·d1 entries) the command builds unless `--max-entries` raises it. Each draw runs a Jacobi
 * SVD of it, whose time grows with the cube of its size: 1.3 s for 400 × 200 (80 000 entries) and 22 s for
 * 1000 × 500 on this project's 2-core machine, for every draw, ρ and noise setting.
 */
export const KHATRI_RAO_MAX_ENTRIES = 1_000_000;

/** `20x10` → [d0, d1] = [20, 10]: positive integers written in plain decimal. */
export function parseShape(text: string, flag: string): [number, number] {
  const match = /^(\d+)x(\d+)$/.exec(text);
  const sizes = match === null ? [] : [Number(match[1]), Number(match[2])];
  if (sizes.length !== 2 || !sizes.every((size) => Number.isSafeInteger(size) && size >= 1)) {
    throw new InvalidArgumentError(flag, 'shapes d0xd1 of positive integers, e.g. 20x10,40x5', text);
  }
  return sizes as [number, number];
}

/** basin's default slope noise (DEFAULT_SLOPE_NOISE) is ε ~ N(1, 0.1²); the command keeps its distribution. */
const DEFAULT_NOISE_STD = DEFAULT_SLOPE_NOISE.distribution === 'gaussian' ? DEFAULT_SLOPE_NOISE.std : 0.1;

export interface KhatriRaoCommandOptions {
  readonly quick?: boolean;
  /** Draws per cell; the preset's when absent. */
  readonly draws?: number;
  readonly seed: number;
  readonly rho: readonly number[];
  readonly noiseStd: number;
  /** (d0, d1) pairs and ratios N/(d0·d1) in place of the preset's. */
  readonly shapes?: readonly (readonly [number, number])[];
  readonly ratios?: readonly number[];
  /** The largest A∘X allowed, in entries (KHATRI_RAO_MAX_ENTRIES when absent). */
  readonly maxEntries?: number;
  readonly out?: string;
}

/**
 * `basin reproduce khatri-rao`: reproduction target 8 (papers.md §4). For each (d0, d1, N), ρ and with/without
 * Soudry–Carmon slope noise, the fraction of Gaussian draws (X, W) with rank(A∘X) = min(N, d0d1).
 */
export function registerKhatriRao(reproduce: Command): void {
  reproduce
    .command('khatri-rao')
    .description(
      'how often rank(A∘X) = min(N, d0·d1) for Gaussian X, W, with ρ ∈ {0, 0.1}, with and without slope noise',
    )
    .option('--quick', `a smaller grid (${KHATRI_RAO_PRESETS.quick.draws} draws per cell), under a minute`)
    .addOption(
      numberOption(
        '--draws <n>',
        `draws per cell (default ${KHATRI_RAO_PRESETS.full.draws}, or ${KHATRI_RAO_PRESETS.quick.draws} with --quick)`,
        positiveWorkCount,
      ),
    )
    .addOption(numberOption('--seed <n>', 'seed of the draws', seed32, 1))
    .addOption(numberListOption('--rho <list>', 'comma-separated negative slopes ρ', negativeSlope, [0, 0.1]))
    .addOption(
      numberOption(
        '--noise-std <σ>',
        'std of the Gaussian slope noise ε ~ N(1, σ²) of the noisy variant',
        positive,
        DEFAULT_NOISE_STD,
      ),
    )
    .addOption(
      flagOption(
        '--shapes <list>',
        'comma-separated d0xd1 pairs in place of the preset grid, e.g. 20x10,40x5,10x40',
        listParser(parseShape),
      ),
    )
    .addOption(
      numberListOption(
        '--ratios <list>',
        `comma-separated N/(d0·d1) ratios, N = round(ratio·d0·d1) (default ${KHATRI_RAO_PRESETS.full.ratios.join(',')}, or ${KHATRI_RAO_PRESETS.quick.ratios.join(',')} with --quick)`,
        positive,
      ),
    )
    .addOption(
      numberOption(
        '--max-entries <n>',
        'largest A∘X (N·d0·d1 entries) to build; each draw runs an SVD of it, cubic in its size',
        positiveInteger,
        KHATRI_RAO_MAX_ENTRIES,
      ),
    )
    .option('--out <file.json>', 'also write the cells and settings as JSON')
    .action((options: KhatriRaoCommandOptions) => {
      const report = runKhatriRaoReproduction(options, (line) => process.stderr.write(line));
      process.stdout.write(`${formatKhatriRaoTable(report.cells)}\n`);
      process.stdout.write(`\n${report.summary}\n`);
      if (options.out !== undefined) {
        writeOutputFile(options.out, `${JSON.stringify(report, null, 2)}\n`, 'the khatri-rao record');
        process.stdout.write(`wrote ${options.out}\n`);
      }
    });
}

export interface KhatriRaoReport {
  readonly experiment: 'khatri-rao-rank';
  readonly target: string;
  readonly preset: 'full' | 'quick';
  /** The (d0, d1) pairs and N/(d0·d1) ratios surveyed: the preset's, or those of --shapes and --ratios. */
  readonly shapes: readonly (readonly [number, number])[];
  readonly ratios: readonly number[];
  readonly seed: number;
  readonly draws: number;
  readonly negativeSlopes: readonly number[];
  readonly slopeNoise: SlopeNoise;
  readonly rankTolerance: string;
  readonly cells: readonly (KhatriRaoSurveyCell & { fullRankInterval95: [number, number] })[];
  readonly summary: string;
  readonly elapsedSeconds: number;
}

/** Runs the survey that the options ask for and summarises it; `log` receives one progress line per cell. */
export function runKhatriRaoReproduction(
  options: KhatriRaoCommandOptions,
  log: (line: string) => void = () => {},
): KhatriRaoReport {
  const preset = options.quick ? 'quick' : 'full';
  const grid = KHATRI_RAO_PRESETS[preset];
  const draws = options.draws ?? grid.draws;
  const { seed } = options;
  const negativeSlopes = [...options.rho];
  const slopeNoise: SlopeNoise = { distribution: 'gaussian', mean: 1, std: options.noiseStd };
  const pairs = options.shapes ?? grid.pairs;
  const ratios = options.ratios ?? grid.ratios;
  const shapes = surveyShapes(pairs, ratios, options.maxEntries ?? KHATRI_RAO_MAX_ENTRIES);
  const started = performance.now();
  const cells = khatriRaoRankSurvey({
    shapes,
    negativeSlopes,
    slopeNoise,
    draws,
    seed,
    onCell: (cell, index, total) =>
      log(
        `[${index}/${total}] d0=${cell.inputDim} d1=${cell.width} N=${cell.count} ρ=${cell.negativeSlope}` +
          ` noise=${cell.slopeNoise ? 'yes' : 'no'}: ${cell.fullRank}/${cell.draws} full rank\n`,
      ),
  }).map((cell) => {
    const interval = proportion(cell.fullRank, cell.draws);
    return { ...cell, fullRankInterval95: [interval.low, interval.high] as [number, number] };
  });
  return {
    experiment: 'khatri-rao-rank',
    target: 'papers.md §4 target 8: rank(A∘X) = min(N, d0d1) for Gaussian X, W, A = a(WX)',
    preset,
    shapes: pairs,
    ratios,
    seed,
    draws,
    negativeSlopes,
    slopeNoise,
    rankTolerance: 'max(N, d0·d1)·σ_max·ε (numpy.linalg.matrix_rank default)',
    cells,
    summary: summarise(cells),
    elapsedSeconds: (performance.now() - started) / 1000,
  };
}

/**
 * The grid's (d0, d1, N) shapes, N = round(ratio·d0·d1), each checked before anything is allocated: N ≥ 1, and
 * A∘X (N × d0·d1) no larger than `maxEntries`.
 */
export function surveyShapes(
  pairs: readonly (readonly [number, number])[],
  ratios: readonly number[],
  maxEntries: number,
): KhatriRaoSurveyShape[] {
  const shapes: KhatriRaoSurveyShape[] = [];
  for (const [inputDim, width] of pairs) {
    for (const ratio of ratios) {
      const columns = inputDim * width;
      const count = Math.round(ratio * columns);
      if (count < 1) {
        throw new InvalidArgumentError(
          '--ratios',
          `ratios that give N = round(ratio·d0·d1) ≥ 1 at ${inputDim}x${width}`,
          ratio,
        );
      }
      const entries = count * columns;
      if (entries > maxEntries) {
        throw new BasinError(
          `--shapes: ${inputDim}x${width} at ratio ${ratio} (--ratios) needs A∘X of ${count} × ${columns} = ${entries} ` +
            `entries (${Math.ceil((8 * entries) / 2 ** 20)} MiB, one SVD per draw), more than --max-entries ${maxEntries}; ` +
            'choose smaller shapes or ratios, or raise --max-entries deliberately',
        );
      }
      shapes.push({ inputDim, width, count });
    }
  }
  return shapes;
}

/** One line per (ρ, noise) setting: full-rank draws over all shapes with d0d1 within ±10% of N. */
function summarise(cells: readonly KhatriRaoSurveyCell[]): string {
  const groups = new Map<string, { full: number; draws: number }>();
  for (const cell of cells) {
    const ratio = cell.count / (cell.inputDim * cell.width);
    if (ratio < 0.85 || ratio > 1.15) continue;
    const key = `ρ = ${cell.negativeSlope}, ${cell.slopeNoise ? 'with' : 'without'} slope noise`;
    const group = groups.get(key) ?? { full: 0, draws: 0 };
    group.full += cell.fullRank;
    group.draws += cell.draws;
    groups.set(key, group);
  }
  const lines = ['Full rank near d0·d1 = N (0.85 ≤ N/(d0·d1) ≤ 1.15), all shapes pooled:'];
  if (groups.size === 0) lines.push('  no cell has a ratio in that range');
  for (const [key, { full, draws }] of groups) {
    const p = proportion(full, draws);
    lines.push(`  ${key}: ${formatRate(full, draws, { ofTotal: true })}, 95% CI ${formatInterval(p)}`);
  }
  return lines.join('\n');
}

export function formatKhatriRaoTable(cells: readonly KhatriRaoSurveyCell[]): string {
  const rows = cells.map((cell) => {
    const p = proportion(cell.fullRank, cell.draws);
    return [
      String(cell.inputDim),
      String(cell.width),
      String(cell.count),
      formatNumber(cell.count / (cell.inputDim * cell.width)),
      String(cell.negativeSlope),
      cell.slopeNoise ? 'yes' : 'no',
      String(cell.draws),
      formatProportion(p),
      formatNumber(cell.meanDeficit),
      String(cell.minRank),
      String(cell.drawsWithZeroColumn),
      String(cell.drawsPatternLimited),
      String(cell.drawsShortOfBound),
    ];
  });
  return formatTable(
    [
      'd0',
      'd1',
      'N',
      'N/d0d1',
      'ρ',
      'noise',
      'draws',
      'full rank [95% CI]',
      'mean deficit',
      'min rank',
      'zero col',
      'pattern-limited',
      'below bound',
    ],
    rows,
  );
}
