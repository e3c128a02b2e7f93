import { type SeriesPoint, seriesFigure } from '../../report/figure.js';
import { formatRate } from '../../report/format.js';
import { CERTIFIED_HEADERS, certifiedColumns, formatInterval } from '../../report/summary-table.js';
import { cellTable } from '../../report/section.js';
import { validateSweepSpec } from '../../sweep/spec.js';
import { isPresetSweep, presetSweepName, type PresetVariant, type SweepPreset } from './preset.js';

/**
 * Soudry & Carmon (2016): one hidden leaky-ReLU layer without biases and a fixed multiplicative noise on every
 * activation slope; with d0·d1 ≥ N every differentiable local minimum has zero training error (papers.md §2.2 [S]).
 * The paper's experimental settings are unknown [X]: here ρ = 0.1, noise ε ~ N(1, 0.3²) or none, random ±1 labels,
 * Adam, and "zero error" = final MSE ≤ 1e-6.
 */
const VARIANTS = {
  quick: { N: 48, d0: 6, widths: [4, 6, 8, 12, 16], repetitions: 16, epochs: 3000 },
  full: { N: 96, d0: 8, widths: [6, 9, 12, 15, 18, 24, 36], repetitions: 50, epochs: 20000 },
} as const;

export const SOUDRY_CARMON_TOLERANCE = 1e-6;

export const soudryCarmonPreset: SweepPreset = {
  name: 'soudry-carmon',
  title: 'Soudry & Carmon: zero-error end points around d0·d1 = N, with and without slope noise',
  spec(variant: PresetVariant) {
    const v = VARIANTS[variant];
    return validateSweepSpec({
      name: presetSweepName('soudry-carmon', variant),
      description: `One hidden leaky-ReLU layer (ρ = 0.1, no biases), N = ${v.N}, d0 = ${v.d0}, d1 swept around N/d0. Success = final MSE ≤ ${SOUDRY_CARMON_TOLERANCE}.`,
      seed: 16,
      repetitions: v.repetitions,
      runner: 'train',
      success: { metric: 'mse', atMost: SOUDRY_CARMON_TOLERANCE },
      base: {
        dataset: 'gaussian',
        N: v.N,
        d0: v.d0,
        labels: 'pm1',
        activation: 'leaky-relu:0.1',
        bias: false,
        loss: 'mse',
        init: 'pytorch',
        optimiser: 'adam',
        learningRate: 0.01,
        epochs: v.epochs,
        lossTarget: 1e-12,
      },
      grid: { slopeNoise: [0, 0.3], width: [...v.widths] },
    });
  },
  section(summary) {
    if (!isPresetSweep('soudry-carmon', summary.sweep.sweep)) return undefined;
    const points: SeriesPoint[] = summary.cells
      .filter((cell) => cell.success.estimate !== null)
      .map((cell) => {
        const c = cell.cell.config as { N: number; d0: number; width: number; slopeNoise: number };
        return {
          x: (c.d0 * c.width) / c.N,
          y: cell.success.estimate!,
          low: cell.success.low,
          high: cell.success.high,
          series: c.slopeNoise > 0 ? `slope noise ε ~ N(1, ${c.slopeNoise}²)` : 'no noise',
        };
      });
    return {
      title: soudryCarmonPreset.title,
      text: [
        'Theory (Soudry & Carmon, one hidden layer): with fixed slope noise and d0·d1 ≥ N, every differentiable local ' +
          'minimum has zero training error for almost every dataset and noise. Each point is the fraction of runs ' +
          `ending with MSE ≤ ${SOUDRY_CARMON_TOLERANCE}, with its Wilson 95% interval; training stops early at MSE 1e-12.`,
        'A run above the threshold is not necessarily stuck: every end point is polished and certified, and the ' +
          '"sub-optimal minima (certified)" column counts only proved local minima above zero loss — the claim the ' +
          'theorem is about — while slow runs that polish to zero loss count as global.',
      ],
      figures: [
        seriesFigure({
          name: `${summary.sweep.sweep}-zero-error`,
          title: 'Fraction of zero-error end points against d0·d1 / N',
          caption: 'Right of the dashed line the theorem applies (d0·d1 ≥ N).',
          xTitle: 'd0·d1 / N',
          yTitle: 'fraction with zero error',
          seriesTitle: 'slopes',
          yDomain: [0, 1],
          points,
          references: [{ x: 1, label: 'd0·d1 = N' }],
        }),
      ],
      tables: [
        {
          caption:
            'Zero-error end points per cell, then what the certificates say of all end points: proved sub-optimal ' +
            'local minima, and runs left undecided (on a kink, inconclusive second-order test, or not converged within the budget)',
          headers: [
            'd1',
            'd0·d1 / N',
            'slope noise σ',
            'zero error',
            '95% interval',
            'runs',
            ...CERTIFIED_HEADERS,
          ],
          rows: summary.cells.map((cell) => {
            const c = cell.cell.config as { N: number; d0: number; width: number; slopeNoise: number };
            return [
              String(c.width),
              ((c.d0 * c.width) / c.N).toFixed(2),
              String(c.slopeNoise),
              formatRate(cell.success.successes, cell.success.trials),
              formatInterval(cell.success),
              String(cell.success.trials),
              ...certifiedColumns(cell),
            ];
          }),
        },
        cellTable(summary),
      ],
      summary,
    };
  },
};
