import { type HorizontalLine, type SeriesPoint, seriesFigure } from '../../report/figure.js';
import { formatNumber } from '../../report/format.js';
import { cellTable } from '../../report/section.js';
import { verdictCounts } from '../../report/summary-table.js';
import { mlp, parameterCount } from '../../model/architecture.js';
import type { RunResult } from '../../sweep/run-result.js';
import { median } from '../../core/statistics.js';
import { validateSweepSpec } from '../../sweep/spec.js';
import type { CellSummary } from '../../sweep/summary.js';
import { FIG52_DEFAULTS, FIG52_PAPER_RANGES, fig52SampleCount, rangePosition } from '../fig5-2.js';
import { isPresetSweep, presetSweepName, type PresetVariant, type SweepPreset } from './preset.js';

/**
 * Soudry & Hoffer (2017), Figure 5.2 on the sweep engine, with a certificate of every end point: d0 = d1 = d,
 * N = ⌊d²/5⌋ Gaussian inputs with random ±1 labels, one hidden ReLU layer without biases, MSE, float64, 1000 epochs
 * at a constant learning rate then 1000 with an exponentially decreasing one. The same settings as the standalone
 * `basin reproduce fig5.2` (FIG52_DEFAULTS; optimiser, rate and initialisation are papers.md §1.5 [X] choices), but
 * seeds follow the sweep engine, so individual runs differ from the standalone command's.
 *
 * Certificates use the sweep defaults (no probes, no region analysis) with the dense Hessian up to 1000 parameters:
 * d ≤ 30 gets every eigenvalue, d = 40 and 50 (P = 1640, 2550) Lanczos extremes, because the dense spectrum would
 * cost about 14 s per run at d = 40 (docs/reports.md).
 */
export const fig52Preset: SweepPreset = {
  name: 'fig5.2',
  title: 'Soudry & Hoffer Figure 5.2: training ends at zero-error differentiable minima (certified)',
  ownCommand: true,
  spec(variant: PresetVariant) {
    const v = FIG52_DEFAULTS[variant];
    return validateSweepSpec({
      name: presetSweepName('fig5.2', variant),
      description:
        'Gaussian inputs, random ±1 labels, d0 = d1 = d, N = ⌊d²/5⌋, ReLU without biases, MSE; Adam 1000 epochs ' +
        'then 1000 epochs of exponential decay; each end point polished and certified. Success = MSE ≤ 1e-7.',
      seed: 52,
      repetitions: v.repeats,
      runner: 'train',
      success: { metric: 'mse', atMost: FIG52_PAPER_RANGES.mse[1] },
      base: {
        dataset: 'gaussian',
        labels: 'pm1',
        width: 'd0',
        activation: 'relu',
        bias: false,
        loss: 'mse',
        init: FIG52_DEFAULTS.init,
        optimiser: FIG52_DEFAULTS.optimiser,
        learningRate: FIG52_DEFAULTS.learningRate,
        epochs: FIG52_DEFAULTS.holdEpochs,
        decayEpochs: FIG52_DEFAULTS.decayEpochs,
        decayFactor: FIG52_DEFAULTS.decayFactor,
        dtype: 'float64',
        certify: true,
      },
      cells: v.dimensions.map((d) => ({ d0: d, N: fig52SampleCount(d) })),
    });
  },
  section(summary) {
    if (!isPresetSweep('fig5.2', summary.sweep.sweep)) return undefined;
    const cells = summary.cells.filter((cell) => cell.results.length > 0);
    const rows = cells.map(fig52Row);
    const band = (name: string, values: (row: Fig52Row) => readonly number[]): SeriesPoint[] =>
      rows.flatMap((row) => {
        const finite = values(row).filter((v) => Number.isFinite(v));
        if (finite.length === 0) return [];
        const floor = (v: number) => Math.max(v, LOG_FLOOR);
        return [
          {
            x: row.d,
            y: floor(median(finite)!),
            low: floor(Math.min(...finite)),
            high: floor(Math.max(...finite)),
            series: name,
          },
        ];
      });
    const lines = (range: readonly [number, number], what: string): HorizontalLine[] => [
      { y: range[0], label: `paper: ${what} ≥ ${formatNumber(range[0])}` },
      { y: range[1], label: `paper: ${what} ≤ ${formatNumber(range[1])}` },
    ];
    const zeroMse = rows.reduce((n, row) => n + row.mse.filter((v) => v === 0).length, 0);
    const paper = FIG52_PAPER_RANGES;
    return {
      title: fig52Preset.title,
      text: [
        'Paper (Soudry & Hoffer 2017, Fig. 5.2): for d0 = d1 = d and N = ⌊d²/5⌋ Gaussian samples with random labels, ' +
          `every one of 30 runs per d ends with a final MSE in [${formatNumber(paper.mse[0])}, ${formatNumber(paper.mse[1])}] ` +
          `and min_{i,n}|wᵢᵀxₙ| in [${formatNumber(paper.minAbsPreActivation[0])}, ${paper.minAbsPreActivation[1]}]: ` +
          'training converges to differentiable local minima (no pre-activation at a kink) with zero error.',
        'Measured: final MSE and min|wᵢᵀxₙ| of the trained end point; then each end point is polished (Levenberg–' +
          'Marquardt in float64) and certified. The verdict says what the polished point provably is; "global ' +
          '[zero-loss, proved]" means a loss ≤ 1e-20 relative to ‖y‖², and at such a point the Hessian has at least ' +
          'P − N zero eigenvalues (the manifold of zero-loss solutions), which the "zero eigenvalues" column shows. ' +
          "A final MSE below 1e-31 reaches the paper's range from below: the residuals are then at the float64 " +
          'rounding level (|eₙ| ≈ 1e-16), so the sub-optimal column counts only MSE > 1e-7.',
        'Our choices where the paper is silent: Adam (β = 0.9, 0.999), learning rate 0.01 decaying to 1e-5, ' +
          'PyTorch default initialisation, no biases (the theory), sweep seed 52.',
      ],
      figures: [
        seriesFigure({
          name: `${summary.sweep.sweep}-mse`,
          title: 'Final training MSE against d',
          caption:
            "Median over the runs of each d, bars from the smallest to the largest; dashed lines: the paper's range. " +
            `Log scale: an MSE of exactly 0 is drawn at ${formatNumber(LOG_FLOOR)}` +
            (zeroMse > 0 ? ` (${zeroMse} run(s)).` : ' (none here).'),
          xTitle: 'd = d0 = d1',
          yTitle: 'final training MSE',
          seriesTitle: 'trained end points',
          yLog: true,
          points: band('median (bars: min–max)', (row) => row.mse),
          horizontal: lines(paper.mse, 'MSE'),
        }),
        seriesFigure({
          name: `${summary.sweep.sweep}-kink-margin`,
          title: 'Final min|wᵢᵀxₙ| against d',
          caption:
            "Distance of the trained end point from the nearest kink: median over runs, bars from the smallest to the largest; dashed lines: the paper's range.",
          xTitle: 'd = d0 = d1',
          yTitle: 'min over units and samples of |wᵢᵀxₙ|',
          seriesTitle: 'trained end points',
          yLog: true,
          points: band('median (bars: min–max)', (row) => row.margin),
          horizontal: lines(paper.minAbsPreActivation, 'min|wᵢᵀxₙ|'),
        }),
      ],
      tables: [
        {
          caption:
            "The paper's ranges beside the measurement, per d: runs inside / below / above each range, the spread, and the certificates",
          headers: [
            'd',
            'N',
            'P',
            'runs',
            `final MSE in [${formatNumber(paper.mse[0])}, ${formatNumber(paper.mse[1])}] (in / below / above)`,
            'final MSE median [min, max]',
            `min|wᵢᵀxₙ| in [${formatNumber(paper.minAbsPreActivation[0])}, ${paper.minAbsPreActivation[1]}] (in / below / above)`,
            'min|wᵢᵀxₙ| median [min, max]',
            'polished MSE median',
            'certificates',
            'zero eigenvalues (median; P − N)',
          ],
          rows: rows.map((row) => [
            String(row.d),
            String(row.N),
            String(row.P),
            String(row.mse.length),
            positions(row.mse, paper.mse),
            spread(row.mse),
            positions(row.margin, paper.minAbsPreActivation),
            spread(row.margin),
            formatNumber(median(row.polishedMse)),
            verdictCounts(row.cell.verdicts, row.cell.certificateFailures),
            `${formatNumber(median(row.zeros))}; ${row.P - row.N}`,
          ]),
        },
        cellTable(summary),
      ],
      summary,
    };
  },
};

/** Where a log-scale figure draws an exact 0. */
const LOG_FLOOR = 1e-40;

interface Fig52Row {
  readonly cell: CellSummary;
  readonly d: number;
  readonly N: number;
  readonly P: number;
  readonly mse: readonly number[];
  readonly margin: readonly number[];
  readonly polishedMse: readonly number[];
  readonly zeros: readonly number[];
}

interface CertificateSummary {
  readonly mse?: number;
  readonly hessianZero?: number | null;
}

function fig52Row(cell: CellSummary): Fig52Row {
  const { d0, N, bias } = cell.cell.config as { d0: number; N: number; bias: boolean };
  const certificates = cell.results
    .map((r: RunResult) => (r.extra as { certificate?: CertificateSummary } | undefined)?.certificate)
    .filter((c): c is CertificateSummary => c !== undefined);
  const numbers = (values: readonly (number | null | undefined)[]): number[] =>
    values.filter((v): v is number => typeof v === 'number');
  return {
    cell,
    d: d0,
    N,
    P: parameterCount(mlp(d0, [d0], 1, { kind: 'leaky-relu', slope: 0 }, bias)),
    mse: cell.results.map((r) => r.mse),
    margin: numbers(cell.results.map((r) => r.kinkMargin)),
    polishedMse: numbers(certificates.map((c) => c.mse)),
    zeros: numbers(certificates.map((c) => c.hessianZero)),
  };
}

function positions(values: readonly number[], range: readonly [number, number]): string {
  const count = { below: 0, within: 0, above: 0 };
  for (const v of values) count[rangePosition(v, range)]++;
  return `${count.within} / ${count.below} / ${count.above}`;
}

function spread(values: readonly number[]): string {
  if (values.length === 0) return '–';
  return `${formatNumber(median(values))} [${formatNumber(Math.min(...values))}, ${formatNumber(Math.max(...values))}]`;
}
