import { deriveSeed } from '../core/rng.js';
import { gaussianRandomLabels } from '../data/gaussian.js';
import { misclassificationError } from '../data/labels.js';
import { mlp, parameterCount } from '../model/architecture.js';
import { forward } from '../model/forward.js';
import { initialise, type Initialisation } from '../model/init.js';
import { kinkMargin } from '../model/kinks.js';
import { requireInteger, requireFinite, InvalidArgumentError } from '../core/errors.js';
import { referenceObjective } from '../train/objective.js';
import { type OptimiserConfig, type OptimiserKind, validateOptimiser } from '../train/optimiser.js';
import { gammaForDecay, type Schedule } from '../train/schedule.js';
import type { StopReason } from '../train/stopping.js';
import { train } from '../train/train.js';

/**
 * Soudry & Hoffer (2017), Figure 5.2: convergence to differentiable local minima. One hidden ReLU layer with
 * d0 = d1 = d, N = ⌊d²/5⌋ Gaussian inputs x ~ N(0, I) with random ±1 labels, MSE = (1/N)‖e‖², float64; train for
 * `holdEpochs` epochs at a constant learning rate, then `decayEpochs` epochs with an exponentially decreasing one.
 * The paper reports, for every d and each of 30 repeats, a final MSE in [1e-31, 1e-7] and a final
 * min_{i,n}|wᵢᵀx⁽ⁿ⁾| in [1e-3, 1]. Its optimiser, learning rate, initialisation and d values are unknown
 * (papers.md §1.5 [X]); they are options here, with defaults that were measured to reach the paper's ranges (see
 * docs/training.md).
 */
export interface Fig52Options {
  readonly dimensions: readonly number[];
  readonly repeats: number;
  readonly seed: number;
  readonly optimiser: OptimiserConfig;
  readonly learningRate: number;
  readonly holdEpochs: number;
  readonly decayEpochs: number;
  /** The learning rate at the end of the decay phase, as a fraction of `learningRate`. */
  readonly decayFactor: number;
  readonly init: Initialisation;
  /** The theory has no biases; the authors' code has them in both layers. */
  readonly bias: boolean;
  readonly onRun?: (run: Fig52Run) => void;
  readonly signal?: AbortSignal;
}

/**
 * The defaults of `basin reproduce fig5.2` and of its sweep preset; every one is a choice where the paper is silent
 * ([X] in papers.md §1.5), measured to reach the paper's ranges (docs/training.md).
 */
export const FIG52_DEFAULTS = {
  full: { dimensions: [10, 20, 30, 40, 50], repeats: 30 },
  quick: { dimensions: [10, 20, 30], repeats: 3 },
  optimiser: 'adam' as OptimiserKind,
  learningRate: 1e-2,
  holdEpochs: 1000,
  decayEpochs: 1000,
  decayFactor: 1e-3,
  init: 'pytorch',
  seed: 0,
};

export const FIG52_PAPER_RANGES = {
  mse: [1e-31, 1e-7],
  minAbsPreActivation: [1e-3, 1],
} as const;

export type RangePosition = 'below' | 'within' | 'above';

export interface Fig52Run {
  readonly d: number;
  readonly sampleCount: number;
  readonly parameterCount: number;
  readonly repeat: number;
  readonly dataSeed: number;
  readonly initSeed: number;
  readonly finalMse: number;
  readonly finalMce: number;
  readonly gradientNorm: number;
  readonly minAbsPreActivation: number;
  /** Pre-activations within 1e-9 of the kink at the end. */
  readonly nearKinkCount: number;
  readonly epochs: number;
  readonly stopReason: StopReason;
  readonly wallSeconds: number;
  readonly msePosition: RangePosition;
  readonly preActivationPosition: RangePosition;
}

export function fig52SampleCount(d: number): number {
  return Math.floor((d * d) / 5);
}

export function fig52Schedule(
  options: Pick<Fig52Options, 'learningRate' | 'holdEpochs' | 'decayEpochs' | 'decayFactor'>,
): Schedule {
  return {
    kind: 'hold-then-exponential',
    learningRate: options.learningRate,
    holdEpochs: options.holdEpochs,
    gamma: gammaForDecay(options.decayFactor, options.decayEpochs),
  };
}

export function rangePosition(value: number, [low, high]: readonly [number, number]): RangePosition {
  return value < low ? 'below' : value > high ? 'above' : 'within';
}

/** Runs every (d, repeat) pair in order; each run is reproducible alone from `seed`, d and the repeat index. */
export function runFig52(options: Fig52Options): Fig52Run[] {
  validateFig52Options(options);
  const schedule = fig52Schedule(options);
  const relu = { kind: 'leaky-relu', slope: 0 } as const;
  const runs: Fig52Run[] = [];
  for (const d of options.dimensions) {
    const sampleCount = fig52SampleCount(d);
    const architecture = mlp(d, [d], 1, relu, options.bias);
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      if (options.signal?.aborted) return runs;
      const dataSeed = deriveSeed(options.seed, 'fig5.2', d, repeat, 'data');
      const initSeed = deriveSeed(options.seed, 'fig5.2', d, repeat, 'init');
      const data = gaussianRandomLabels({
        count: sampleCount,
        inputDim: d,
        seed: dataSeed,
        labelEncoding: 'pm1',
      });
      const result = train({
        objective: referenceObjective(architecture, 'mse', data),
        initialTheta: initialise(architecture, options.init, initSeed, 'float64'),
        optimiser: options.optimiser,
        schedule,
        stopping: { maxEpochs: options.holdEpochs + options.decayEpochs },
        shuffleSeed: deriveSeed(options.seed, 'fig5.2', d, repeat, 'shuffle'),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const cache = forward(architecture, result.theta, data);
      const margin = kinkMargin(cache);
      const run: Fig52Run = {
        d,
        sampleCount,
        parameterCount: parameterCount(architecture),
        repeat,
        dataSeed,
        initSeed,
        finalMse: result.finalLoss,
        finalMce: misclassificationError(cache.output, data.y, 'pm1'),
        gradientNorm: result.gradientNorm,
        minAbsPreActivation: margin.minAbsPreActivation,
        nearKinkCount: margin.nearKinkCount,
        epochs: result.epochs,
        stopReason: result.stopReason,
        wallSeconds: result.wallSeconds,
        msePosition: rangePosition(result.finalLoss, FIG52_PAPER_RANGES.mse),
        preActivationPosition: rangePosition(
          margin.minAbsPreActivation,
          FIG52_PAPER_RANGES.minAbsPreActivation,
        ),
      };
      runs.push(run);
      options.onRun?.(run);
    }
  }
  return runs;
}

function validateFig52Options(options: Fig52Options): void {
  if (options.dimensions.length === 0) throw new InvalidArgumentError('dimensions', 'at least one d');
  options.dimensions.forEach((d, i) => {
    requireInteger(`dimensions[${i}]`, d, 3);
  });
  requireInteger('repeats', options.repeats, 1);
  requireInteger('holdEpochs', options.holdEpochs, 0);
  requireInteger('decayEpochs', options.decayEpochs, 1);
  requireFinite('learningRate', options.learningRate, Number.MIN_VALUE);
  requireFinite('decayFactor', options.decayFactor, Number.MIN_VALUE, 1);
  validateOptimiser(options.optimiser);
}

export interface Fig52Summary {
  readonly d: number;
  readonly runs: number;
  /** Runs whose final MSE is ≤ 1e-7, the paper's upper end (below its lower end counts: that is the float64 floor). */
  readonly mseReached: number;
  readonly mseWithin: number;
  readonly mseBelow: number;
  readonly preActivationWithin: number;
  readonly preActivationBelow: number;
  readonly medianMse: number;
  readonly medianMinAbsPreActivation: number;
  readonly smallestMinAbsPreActivation: number;
}

/** Per-d counts of runs inside, below and above the paper's ranges. */
export function summariseFig52(runs: readonly Fig52Run[]): Fig52Summary[] {
  const dimensions = [...new Set(runs.map((run) => run.d))];
  return dimensions.map((d) => {
    const group = runs.filter((run) => run.d === d);
    const count = (predicate: (run: Fig52Run) => boolean): number => group.filter(predicate).length;
    return {
      d,
      runs: group.length,
      mseReached: count((run) => run.msePosition !== 'above'),
      mseWithin: count((run) => run.msePosition === 'within'),
      mseBelow: count((run) => run.msePosition === 'below'),
      preActivationWithin: count((run) => run.preActivationPosition === 'within'),
      preActivationBelow: count((run) => run.preActivationPosition === 'below'),
      medianMse: median(group.map((run) => run.finalMse)),
      medianMinAbsPreActivation: median(group.map((run) => run.minAbsPreActivation)),
      smallestMinAbsPreActivation: Math.min(...group.map((run) => run.minAbsPreActivation)),
    };
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
