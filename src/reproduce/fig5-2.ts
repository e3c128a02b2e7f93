import { deriveSeed } from '../core/rng.js';
import type { Initialisation } from '../model/init.js';
import { requireInteger, requireFinite, InvalidArgumentError } from '../core/errors.js';
import { type OptimiserConfig, type OptimiserKind, validateOptimiser } from '../train/optimiser.js';
import { gammaForDecay, type Schedule } from '../train/schedule.js';
import type { StopReason } from '../train/stopping.js';
import type { RunEnvironment } from '../run/environment.js';
import { runTraining } from '../run/pipeline.js';
import { parseRunSpec, type RunBackendRequest, type RunSpec } from '../run/spec.js';

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
  /** The engine (the run spec's `backend`); `reference` by default, the engine the paper's ranges were measured on. */
  readonly backend?: RunBackendRequest;
  /** Where the runs run (the pipeline's default: the browser's, reference only). */
  readonly environment?: RunEnvironment;
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

/**
 * Runs every (d, repeat) pair in order through the run pipeline; each run is reproducible alone from `seed`, d and
 * the repeat index (its seeds are fixed in its spec, `fig52Spec`).
 */
export async function runFig52(options: Fig52Options): Promise<Fig52Run[]> {
  validateFig52Options(options);
  const runs: Fig52Run[] = [];
  for (const d of options.dimensions) {
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      if (options.signal?.aborted) return runs;
      const spec = fig52Spec(options, d, repeat);
      const trained = await runTraining(spec, {
        ...(options.environment ? { environment: options.environment } : {}),
        ...(options.signal ? { hooks: { signal: options.signal } } : {}),
      });
      const { measures, training } = trained;
      const minAbsPreActivation = measures.minAbsPreActivation ?? Infinity;
      const run: Fig52Run = {
        d,
        sampleCount: trained.samples.count,
        parameterCount: training.theta.length,
        repeat,
        dataSeed: trained.resolved.seeds.data,
        initSeed: trained.resolved.seeds.init,
        finalMse: training.finalLoss,
        finalMce: measures.finalMce ?? NaN,
        gradientNorm: training.gradientNorm,
        minAbsPreActivation,
        nearKinkCount: measures.nearKinkCount ?? 0,
        epochs: training.epochs,
        stopReason: training.stopReason,
        wallSeconds: training.wallSeconds,
        msePosition: rangePosition(training.finalLoss, FIG52_PAPER_RANGES.mse),
        preActivationPosition: rangePosition(minAbsPreActivation, FIG52_PAPER_RANGES.minAbsPreActivation),
      };
      runs.push(run);
      options.onRun?.(run);
    }
  }
  return runs;
}

/**
 * The run spec of Fig. 5.2's repeat `repeat` at width d: one hidden ReLU layer of d units on N = ⌊d²/5⌋ Gaussian
 * points in ℝᵈ with ±1 labels, MSE, float64, the options' optimiser and hold-then-decay schedule; its data, init and
 * shuffle seeds derive from (seed, d, repeat), so any one run replays alone (`basin train` with this spec).
 */
export function fig52Spec(options: Fig52Options, d: number, repeat: number): RunSpec {
  const seedOf = (stream: string): number => deriveSeed(options.seed, 'fig5.2', d, repeat, stream);
  return parseRunSpec({
    seed: options.seed,
    seeds: { data: seedOf('data'), init: seedOf('init'), shuffle: seedOf('shuffle') },
    data: { source: 'gaussian', count: fig52SampleCount(d), inputDim: d, labels: 'pm1' },
    model: { hidden: [d], activation: 'relu', bias: options.bias, loss: 'mse', dtype: 'float64' },
    init: options.init,
    optimiser: options.optimiser,
    schedule: fig52Schedule(options),
    stopping: { maxEpochs: options.holdEpochs + options.decayEpochs },
    backend: options.backend ?? 'reference',
  });
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
