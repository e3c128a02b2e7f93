import { type SeriesPoint, seriesFigure } from '../../report/figure.js';
import { cellTable } from '../../report/section.js';
import { validateSweepSpec } from '../../sweep/spec.js';
import { isPresetSweep, presetSweepName, type PresetVariant, type SweepPreset } from './preset.js';

/**
 * Swirszcz et al. (v1 §3.2, Prop. 5): deep rectifier nets initialised with a shifted weight mean μ (LeCun σ = 1/√fan_in)
 * can start, and stay, in a "blind spot" where every unit of some layer is off on the data, so the net's output is
 * constant. Their Prop-4 dataset is unknown [X]; here x ~ N(0, I_10), random ±1 labels, N = 40, width 10, zero biases.
 * Measured: the fraction of runs whose trained output is constant over the data, against μ and depth.
 */
const VARIANTS = {
  quick: { means: [-0.3, -0.2, -0.1, 0, 0.1, 0.2], depths: [1, 2, 4, 8], repetitions: 20, epochs: 300 },
  full: {
    means: [-0.4, -0.3, -0.24, -0.2, -0.1, -0.07, 0, 0.07, 0.1, 0.2, 0.24],
    depths: [1, 2, 4, 8, 16, 32],
    repetitions: 100,
    epochs: 2000,
  },
} as const;

export const blindSpotPreset: SweepPreset = {
  name: 'blind-spot',
  title: 'Swirszcz et al.: shifted-mean initialisations and depth end in constant-output nets',
  spec(variant: PresetVariant) {
    const v = VARIANTS[variant];
    return validateSweepSpec({
      name: presetSweepName('blind-spot', variant),
      description:
        'Deep ReLU nets (width 10) on Gaussian inputs, LeCun initialisation with weight mean μ. Measured: constant outputs after training.',
      seed: 24,
      repetitions: v.repetitions,
      runner: 'train',
      base: {
        dataset: 'gaussian',
        N: 40,
        d0: 10,
        labels: 'pm1',
        width: 10,
        activation: 'relu',
        bias: true,
        loss: 'mse',
        init: 'lecun',
        initScale: 1,
        initBiasMean: 0,
        initBiasStd: 0,
        optimiser: 'adam',
        learningRate: 0.001,
        epochs: v.epochs,
      },
      grid: { depth: [...v.depths], initMean: [...v.means] },
    });
  },
  section(summary) {
    if (!isPresetSweep('blind-spot', summary.sweep.sweep)) return undefined;
    const points: SeriesPoint[] = summary.cells
      .filter((cell) => cell.constantOutput?.estimate !== null && cell.constantOutput !== null)
      .map((cell) => {
        const c = cell.cell.config as { initMean: number; depth: number };
        const p = cell.constantOutput!;
        return { x: c.initMean, y: p.estimate!, low: p.low, high: p.high, series: `depth ${c.depth}` };
      });
    return {
      title: blindSpotPreset.title,
      text: [
        'Paper (Swirszcz et al.): shifting the mean of the weight initialisation switches every unit off on the data ' +
          '(μ = 0.24 fails with ≥ 99% probability on their Prop-4 dataset), and with zero-mean initialisation the ' +
          'probability of a constant model grows with depth (Prop. 5). A constant output means some layer is dead on ' +
          'every sample: gradient training cannot leave it (Lemma 2). Dataset and sign conventions differ from the ' +
          "paper's (unknown); compare trends.",
      ],
      figures: [
        seriesFigure({
          name: `${summary.sweep.sweep}-constant`,
          title: 'Fraction of trained nets with constant output against the initial weight mean μ',
          caption: 'Wilson 95% intervals; one line per depth (hidden layers).',
          xTitle: 'weight-initialisation mean μ',
          yTitle: 'fraction constant output',
          seriesTitle: 'hidden layers',
          yDomain: [0, 1],
          points,
        }),
      ],
      tables: [cellTable(summary)],
      summary,
    };
  },
};
