import { seriesFigure, type ReferenceLine } from '../../report/figure.js';
import { formatNumber } from '../../report/format.js';
import { cellTable } from '../../report/section.js';
import { validateSweepSpec } from '../../sweep/spec.js';
import type { CellSummary } from '../../sweep/summary.js';
import { mlp, parameterCount } from '../../model/architecture.js';
import { isPresetSweep, presetSweepName, type PresetVariant, type SweepPreset } from './preset.js';

/**
 * Soudry & Hoffer (2017), Figure 5.1: x ~ N(0, I_d0), random ±1 labels, one and two hidden ReLU layers of width
 * d = d0, MSE, N swept across the parameter count; the paper reports the final training MCE (mean ± std over 30
 * repetitions) vanishing where #params ≳ N. Optimiser and sizes are unknown (papers.md §1.5 [X]): Adam, full batch,
 * learning rate 0.01, biases in both layers (the authors' code), PyTorch's default initialisation.
 */
const VARIANTS = {
  quick: { dimensions: [6, 10], ratios: [4, 2, 1, 0.5, 0.25], repetitions: 10, epochs: 1000 },
  full: {
    dimensions: [5, 10, 20],
    ratios: [8, 4, 2, 1.5, 1, 0.75, 0.5, 0.25],
    repetitions: 30,
    epochs: 3000,
  },
} as const;

const relu = { kind: 'leaky-relu', slope: 0 } as const;

/** #params of the d-d…-1 ReLU net with biases. */
export function fig51Parameters(d: number, depth: number): number {
  return parameterCount(mlp(d, Array<number>(depth).fill(d), 1, relu, true));
}

/** Theorem 8's width d1* = 4⌈N/(2d0 − 2)⌉ that guarantees a zero-error DLM. */
export function theorem8Width(N: number, d0: number): number {
  return 4 * Math.ceil(N / (2 * d0 - 2));
}

/** The largest N for which width d0 reaches Theorem 8's d1*: ⌊d0/4⌋·(2d0 − 2). */
export function theorem8LargestN(d0: number): number {
  return Math.floor(d0 / 4) * (2 * d0 - 2);
}

export const fig51Preset: SweepPreset = {
  name: 'fig5.1',
  title: 'Soudry & Hoffer Figure 5.1: training error vanishes once #params ≳ N',
  spec(variant: PresetVariant) {
    const v = VARIANTS[variant];
    const cells = v.dimensions.flatMap((d) =>
      v.ratios.map((ratio) => ({ d0: d, N: Math.max(2, Math.round(fig51Parameters(d, 1) / ratio)) })),
    );
    return validateSweepSpec({
      name: presetSweepName('fig5.1', variant),
      description:
        'Gaussian inputs, random ±1 labels, ReLU nets of width d = d0 with one and two hidden layers; N swept ' +
        'around the one-layer parameter count. Success = zero training MCE.',
      seed: 51,
      repetitions: v.repetitions,
      runner: 'train',
      base: {
        dataset: 'gaussian',
        labels: 'pm1',
        width: 'd0',
        activation: 'relu',
        bias: true,
        loss: 'mse',
        init: 'pytorch',
        optimiser: 'adam',
        learningRate: 0.01,
        epochs: v.epochs,
        lossTarget: 1e-10,
      },
      cells,
      grid: { depth: [1, 2] },
    });
  },
  section(summary) {
    if (!isPresetSweep('fig5.1', summary.sweep.sweep)) return undefined;
    const info = (cell: CellSummary) => {
      const { d0, N, depth } = cell.cell.config as { d0: number; N: number; depth: number };
      return { d0, N, depth, params: fig51Parameters(d0, depth) };
    };
    const label = (d0: number, depth: number): string =>
      `d = ${d0}, ${depth} hidden layer${depth > 1 ? 's' : ''}`;
    const points = summary.cells
      .filter((cell) => cell.mce.mean !== null)
      .map((cell) => {
        const { d0, N, depth, params } = info(cell);
        const spread = cell.mce.std ?? 0;
        const m = cell.mce.mean!;
        return {
          N,
          ratio: params / N,
          y: m,
          low: Math.max(0, m - spread),
          high: m + spread,
          series: label(d0, depth),
        };
      });
    const dimensions = [...new Set(summary.cells.map((cell) => info(cell).d0))];
    const references: ReferenceLine[] = dimensions.flatMap((d) => [
      { x: fig51Parameters(d, 1), label: `#params = N (d=${d}, 1 layer)` },
      { x: theorem8LargestN(d), label: `Thm 8: d1* ≤ ${d} (d=${d})` },
    ]);
    const byGroup = new Map<string, { above: number[]; below: number[] }>();
    for (const cell of summary.cells) {
      const { d0, N, depth, params } = info(cell);
      const group = byGroup.get(label(d0, depth)) ?? { above: [], below: [] };
      if (cell.mce.mean !== null) (params >= N ? group.above : group.below).push(cell.mce.mean);
      byGroup.set(label(d0, depth), group);
    }
    const average = (values: number[]): string =>
      values.length === 0 ? '–' : formatNumber(values.reduce((a, b) => a + b, 0) / values.length);
    const table = cellTable(summary);
    return {
      title: fig51Preset.title,
      text: [
        'Paper (Soudry & Hoffer 2017, Fig. 5.1): with Gaussian inputs and random labels, the final training error "goes ' +
          'to zero when the number of non-redundant parameters (approximately d0·d1) is greater than the number of ' +
          'samples". Here each point is the mean ± std of the final training MCE over the runs of a cell.',
        'Theory lines: the dashed "#params = N" marks where a one-hidden-layer net of width d has as many parameters ' +
          'as samples; "Thm 8" marks the largest N for which width d reaches Theorem 8\'s d1* = 4⌈N/(2d0 − 2)⌉, so ' +
          'that a zero-error differentiable local minimum is guaranteed to exist.',
      ],
      figures: [
        seriesFigure({
          name: `${summary.sweep.sweep}-mce-vs-N`,
          title: 'Final training MCE against N',
          caption: 'Mean ± std over seeds; log-scale N. Error should be ≈ 0 left of each "#params = N" line.',
          xTitle: 'N (training samples)',
          yTitle: 'final training MCE',
          seriesTitle: 'network',
          xLog: true,
          points: points.map((p) => ({ x: p.N, y: p.y, low: p.low, high: p.high, series: p.series })),
          references,
        }),
        seriesFigure({
          name: `${summary.sweep.sweep}-mce-vs-ratio`,
          title: 'Final training MCE against #params / N',
          caption: 'Mean ± std over seeds. The paper: error vanishes to the right of #params / N ≈ 1.',
          xTitle: '#params / N',
          yTitle: 'final training MCE',
          seriesTitle: 'network',
          xLog: true,
          points: points.map((p) => ({ x: p.ratio, y: p.y, low: p.low, high: p.high, series: p.series })),
          references: [{ x: 1, label: '#params = N' }],
        }),
      ],
      tables: [
        {
          caption:
            "The paper's claim beside the measurement: mean final MCE over the cells on each side of #params = N",
          headers: ['network', 'paper: #params ≥ N', 'measured: #params ≥ N', 'measured: #params < N'],
          rows: [...byGroup].map(([name, g]) => [name, 'error ≈ 0', average(g.above), average(g.below)]),
        },
        {
          ...table,
          headers: [...table.headers, '#params', '#params / N', 'Thm 8 d1*'],
          rows: table.rows.map((row, i) => {
            const { d0, N, params } = info(summary.cells[i]);
            return [...row, String(params), formatNumber(params / N), String(theorem8Width(N, d0))];
          }),
        },
      ],
      summary,
    };
  },
};
