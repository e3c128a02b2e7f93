import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import * as z from 'zod';
import {
  type KhatriRaoSurveyCell,
  khatriRaoRankSurvey,
  type KhatriRaoSurveyShape,
} from '../../certify/khatri-rao.js';
import { positive, positiveInteger, seed32 } from '../../io/schema-primitives.js';
import { DEFAULT_SLOPE_NOISE, type SlopeNoise } from '../../model/slope-noise.js';
import { formatNumber, formatRate, formatTable } from '../../report/format.js';
import { formatInterval, formatProportion } from '../../report/summary-table.js';
import { proportion } from '../../core/statistics.js';
import { numberListOption, numberOption } from '../flags.js';

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

/** basin's default slope noise (DEFAULT_SLOPE_NOISE) is ε ~ N(1, 0.1²); the command keeps its distribution. */
const DEFAULT_NOISE_STD = DEFAULT_SLOPE_NOISE.distribution === 'gaussian' ? DEFAULT_SLOPE_NOISE.std : 0.1;

/** A negative slope ρ of leaky ReLU; ρ = 1 would make the unit linear, and A∘X rank-deficient by design. */
const negativeSlope = z
  .number({ error: 'a finite slope ρ ≠ 1' })
  .refine((rho) => rho !== 1, { error: 'a finite slope ρ ≠ 1' });

export interface KhatriRaoCommandOptions {
  readonly quick?: boolean;
  /** Draws per cell; the preset's when absent. */
  readonly draws?: number;
  readonly seed: number;
  readonly rho: readonly number[];
  readonly noiseStd: number;
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
        positiveInteger,
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
    .option('--out <file.json>', 'also write the cells and settings as JSON')
    .action((options: KhatriRaoCommandOptions) => {
      const report = runKhatriRaoReproduction(options, (line) => process.stderr.write(line));
      process.stdout.write(`${formatKhatriRaoTable(report.cells)}\n`);
      process.stdout.write(`\n${report.summary}\n`);
      if (options.out !== undefined) {
        writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
        process.stdout.write(`wrote ${options.out}\n`);
      }
    });
}

export interface KhatriRaoReport {
  readonly experiment: 'khatri-rao-rank';
  readonly target: string;
  readonly preset: 'full' | 'quick';
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
  const shapes: KhatriRaoSurveyShape[] = [];
  for (const [inputDim, width] of grid.pairs) {
    for (const ratio of grid.ratios) {
      shapes.push({ inputDim, width, count: Math.round(ratio * inputDim * width) });
    }
  }
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
