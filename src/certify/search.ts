import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { proportion, type Proportion } from '../core/statistics.js';
import { deriveSeed, Rng } from '../core/rng.js';
import { SEARCH_MERGE_TOLERANCE } from '../core/tolerances.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import { forward } from '../model/forward.js';
import { DEFAULT_INITIALISATION, type Initialisation, initialise } from '../model/init.js';
import type { LossKind } from '../model/loss.js';
import { samplesAs, type Samples } from '../model/samples.js';
import { type Objective, referenceObjective } from '../train/objective.js';
import { type OptimiserConfig, validateOptimiser } from '../train/optimiser.js';
import { type Schedule, validateSchedule } from '../train/schedule.js';
import { type StoppingRule, validateStoppingRule } from '../train/stopping.js';
import { train } from '../train/train.js';
import { type Certificate, certify, type CertifyOptions } from './certificate.js';
import type { PolishOptions } from './polish.js';
import { canonicalise, sameCanonicalPoint } from './symmetry.js';
import type { Verdict } from './verdict.js';

/** Optional training before polishing (any optimiser of src/train); without it, polishing alone is the optimiser. */
export interface SearchTraining {
  readonly optimiser: OptimiserConfig;
  readonly schedule: Schedule;
  readonly stopping: StoppingRule;
}

/**
 * The descent a `not-critical` end point is handed back to before it is polished and certified again: full-batch
 * Adam (PyTorch's β₁, β₂, ε) at learning rate 1e-2 for 500 epochs. Adam's steps are about lr per coordinate whatever
 * the loss scale, and it does not care where the kinks are, which is what polishing (Levenberg–Marquardt with an
 * active set of kinks) trips over.
 */
export const DEFAULT_RETRY_DESCENT: SearchTraining = {
  optimiser: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  schedule: { kind: 'constant', learningRate: 1e-2 },
  stopping: { maxEpochs: 500 },
};

export interface SearchOptions {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  /** Random restarts (default `DEFAULT_RESTARTS`), each from `init` with its own seed. */
  readonly restarts?: number;
  readonly seed?: number;
  readonly init?: Initialisation;
  /** Given starting points (e.g. a paper's minima), each run once more per `jitter` draw. */
  readonly starts?: readonly Float64Array[];
  /** Standard deviation of the Gaussian noise added to each given start (default 0). */
  readonly jitter?: number;
  readonly training?: SearchTraining;
  readonly polish?: PolishOptions;
  /** Certificate options for each end point (probes default to 200 per radius here). */
  readonly certify?: Omit<CertifyOptions, 'polish'>;
  /**
   * A `not-critical` end point (the certificate shows first-order descent: polishing stalled or ran out of
   * iterations, e.g. at a kink) is handed back to descent from its polished point: first a step along the kink
   * test's descent witness when there is one, then `retryDescent` (twice as many epochs at each retry), then it is
   * polished and certified again, at most this many times (default `DEFAULT_RETRIES`; 0 keeps the first
   * certificate). A point still
   * `not-critical` after the last retry is kept and counted in `SearchResult.notCritical`, never dropped.
   */
  readonly retries?: number;
  /** The descent of each retry (default `DEFAULT_RETRY_DESCENT`). */
  readonly retryDescent?: SearchTraining;
  /**
   * How end points are merged: `outputs` (default) compares the network's outputs on the samples (function space),
   * which also merges points that differ along flat directions (dead units, families of minima);
   * `parameters` compares canonical θ (hidden-unit permutations and positive rescalings removed, symmetry.ts).
   */
  readonly mergeBy?: 'parameters' | 'outputs';
  /**
   * Merge when the verdicts agree and max|a − b| ≤ mergeTolerance·scale (default SEARCH_MERGE_TOLERANCE = 1e-6):
   * for `outputs` the scale is max(max|a|, max|y|) over the outputs a of the group's first member and the labels y;
   * for `parameters` it is max(1, max|a|) over its canonical θ.
   */
  readonly mergeTolerance?: number;
  readonly onEndPoint?: (endPoint: SearchEndPoint, done: number, total: number) => void;
}

export interface SearchEndPoint {
  readonly index: number;
  /** `random` restart, or given start number k. */
  readonly start: 'random' | number;
  readonly loss: number;
  readonly verdict: Verdict;
  readonly canonicalTheta: Float64Array;
  /** Times this run was handed back to descent because its certificate said `not-critical` (0 to `retries`). */
  readonly retries: number;
  /** The certificate of the last attempt (the first one when there were no retries). */
  readonly certificate: Certificate;
}

export interface DistinctEndPoint {
  readonly verdict: Verdict;
  readonly loss: number;
  /** How many runs ended here, and which. */
  readonly count: number;
  readonly members: readonly number[];
  /** Canonical θ of the first member. */
  readonly theta: Float64Array;
  /** The rule of the first member's certificate. */
  readonly rule: string;
  /** count out of all runs, with its Wilson 95% interval: how often one restart lands here. */
  readonly hitRate: Proportion;
  /** Members that were handed back to descent at least once before they ended here. */
  readonly retried: number;
}

export interface SearchResult {
  readonly endPoints: readonly SearchEndPoint[];
  /** Distinct end points, lowest loss first. */
  readonly distinct: readonly DistinctEndPoint[];
  readonly bestLoss: number;
  /**
   * Runs that ended at the best loss (within mergeTolerance·lossScale of `bestLoss`, with the best point's verdict),
   * out of all runs, with the Wilson 95% interval: with hit rate p, n restarts find it with probability 1 − (1 − p)ⁿ.
   */
  readonly bestHitRate: Proportion;
  /** Runs handed back to descent at least once. */
  readonly retried: number;
  /** Runs whose last certificate is still `not-critical` after all retries. */
  readonly notCritical: number;
  /** Runs whose last verdict no rule decides (strength `undecided`, e.g. a kink outside the exact test). */
  readonly undecided: number;
  readonly seconds: number;
}

/**
 * Retries when `retries` is not given. Each one descends twice as long as the last (500, 1000, … Adam epochs); on
 * Swirszcz D1–D3, 6 000 restarts (seeds 2 and 3, 1 000 each) needed at most 4.
 */
export const DEFAULT_RETRIES = 6;

/** Random restarts when `restarts` is not given; see docs/certification.md for the measurement behind it. */
export const DEFAULT_RESTARTS = 200;

/**
 * Multistart search: many starts, each trained (optionally), polished and certified, and handed back to descent
 * when the certificate shows descent; end points with the same outputs on the data (or, with `mergeBy:
 * 'parameters'`, equal up to symmetry) are merged and listed with loss, verdict, count and hit rate. The run is a
 * pure function of the options.
 *
 * @example
 * ```ts
 * const d1 = swirszczD1();
 * const result = multistartSearch({ architecture: d1.architecture, loss: d1.loss, samples: d1.dataset, restarts: 30 });
 * result.distinct[0].loss; // < 18: random starts find a better point than the paper's local minimum
 * ```
 */
export function multistartSearch(options: SearchOptions): SearchResult {
  const started = performance.now();
  const { architecture, loss } = options;
  const samples = samplesAs(options.samples, 'float64');
  const restarts = requireInteger('restarts', options.restarts ?? DEFAULT_RESTARTS, 0);
  const seed = requireInteger('seed', options.seed ?? 1, 0, 0xffffffff);
  const jitter = requireFinite('jitter', options.jitter ?? 0, 0);
  const mergeTolerance = requireFinite('mergeTolerance', options.mergeTolerance ?? SEARCH_MERGE_TOLERANCE, 0);
  const maxRetries = requireInteger('retries', options.retries ?? DEFAULT_RETRIES, 0);
  const retryDescent = options.retryDescent ?? DEFAULT_RETRY_DESCENT;
  validateOptimiser(retryDescent.optimiser, 'retryDescent.optimiser');
  validateSchedule(retryDescent.schedule, 'retryDescent.schedule');
  validateStoppingRule(retryDescent.stopping, 'retryDescent.stopping');
  const mergeBy = options.mergeBy ?? 'outputs';
  if (mergeBy !== 'parameters' && mergeBy !== 'outputs') {
    throw new InvalidArgumentError('mergeBy', 'parameters or outputs', mergeBy);
  }
  const size = parameterCount(architecture);
  const starts = options.starts ?? [];
  starts.forEach((start, k) => {
    if (start.length !== size)
      throw new InvalidArgumentError(`starts[${k}]`, `${size} parameters`, start.length);
  });
  const total = restarts + starts.length;
  if (total === 0) throw new InvalidArgumentError('restarts', 'at least one restart or given start', 0);
  const init = options.init ?? DEFAULT_INITIALISATION;
  const certifyOptions: CertifyOptions = {
    ...options.certify,
    probes: options.certify?.probes ?? { count: 200 },
    polish: options.polish ?? {},
  };

  const objective = referenceObjective(architecture, loss, samples);
  const endPoints: SearchEndPoint[] = [];
  for (let index = 0; index < total; index++) {
    const given = index < starts.length ? index : undefined;
    let theta: Float64Array;
    if (given !== undefined) {
      theta = Float64Array.from(starts[given]);
      if (jitter > 0) {
        const rng = new Rng(deriveSeed(seed, 'start', given));
        for (let p = 0; p < size; p++) theta[p] += jitter * rng.gaussian();
      }
    } else {
      theta = initialise(
        architecture,
        init,
        deriveSeed(seed, 'restart', index - starts.length),
      ) as Float64Array;
    }
    if (options.training) {
      theta = Float64Array.from(
        train({
          objective,
          initialTheta: theta,
          ...options.training,
          shuffleSeed: deriveSeed(seed, 'shuffle', index),
        }).theta,
      );
    }
    let certificate = certify(architecture, loss, theta, samples, certifyOptions);
    let retries = 0;
    while (certificate.verdict === 'not-critical' && retries < maxRetries) {
      retries++;
      const descended = train({
        objective,
        initialTheta: stepOffKink(objective, certificate),
        ...retryDescent,
        // Each retry descends twice as long as the one before: a point that is still moving needs more, not the same.
        stopping: {
          ...retryDescent.stopping,
          maxEpochs: retryDescent.stopping.maxEpochs * 2 ** (retries - 1),
        },
        shuffleSeed: deriveSeed(seed, 'retry', index, retries),
      }).theta;
      certificate = certify(architecture, loss, descended, samples, certifyOptions);
    }
    const endPoint: SearchEndPoint = {
      index,
      start: given ?? 'random',
      loss: certificate.lossValue,
      verdict: certificate.verdict,
      canonicalTheta: canonicalise(architecture, certificate.theta),
      retries,
      certificate,
    };
    endPoints.push(endPoint);
    options.onEndPoint?.(endPoint, index + 1, total);
  }

  // Outputs: the scale is that of the data's labels (or of the outputs, when larger), not 1, so that a net fitted
  // to labels of size 1e-3 is not merged with everything.
  const labelScale = maxAbs(samples.y);
  const distinct =
    mergeBy === 'parameters'
      ? mergeEndPoints(
          endPoints,
          (e) => e.canonicalTheta,
          (a, b) => sameCanonicalPoint(a, b, mergeTolerance),
        )
      : mergeEndPoints(
          endPoints,
          (e) => Float64Array.from(forward(architecture, e.certificate.theta, samples).output),
          (a, b) => maxDifference(a, b) <= mergeTolerance * Math.max(labelScale, maxAbs(a)),
        );
  const best = distinct[0];
  const bestTolerance = mergeTolerance * endPoints[best.members[0]].certificate.lossScale;
  const bestHits = endPoints.filter(
    (e) => e.verdict === best.verdict && e.loss <= best.loss + bestTolerance,
  ).length;
  return {
    endPoints,
    distinct,
    bestLoss: best.loss,
    bestHitRate: proportion(bestHits, total),
    retried: endPoints.filter((e) => e.retries > 0).length,
    notCritical: endPoints.filter((e) => e.verdict === 'not-critical').length,
    undecided: endPoints.filter((e) => e.certificate.decision.strength === 'undecided').length,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The certified point moved along the kink test's descent witness when it has one (a direction into a piece where
 * the one-sided slope is negative), else the point itself. Gradient-based descent alone cannot leave such a kink:
 * the gradient there is taken on one side (ReLU'(0) = 0), and on that side the point may be stationary. The step is
 * the longest of t₀, t₀/2, … (t₀ = 0.1·max(1, max|θ|)) that lowers the loss by at least half the slope's promise.
 */
function stepOffKink(objective: Objective, certificate: Certificate): Float64Array {
  const theta = certificate.theta;
  const witness = certificate.pieces.applicable ? certificate.pieces.witness : undefined;
  if (witness === undefined) return theta;
  const start = certificate.lossValue;
  let step = 0.1 * Math.max(1, maxAbs(theta));
  for (let halving = 0; halving < 60; halving++, step /= 2) {
    const trial = theta.map((value, p) => value + step * witness.direction[p]);
    if (objective.evaluate(trial).loss <= start + 0.5 * step * witness.slope) return trial;
  }
  return theta;
}

function maxAbs(values: ArrayLike<number>): number {
  let largest = 0;
  for (let k = 0; k < values.length; k++) largest = Math.max(largest, Math.abs(values[k]));
  return largest;
}

function maxDifference(a: Float64Array, b: Float64Array): number {
  let difference = 0;
  for (let k = 0; k < a.length; k++) difference = Math.max(difference, Math.abs(a[k] - b[k]));
  return difference;
}

/**
 * Groups end points whose verdicts agree and whose keys are `same` (compared with the key of the group's first
 * member); lowest loss first, then most members.
 */
function mergeEndPoints(
  endPoints: readonly SearchEndPoint[],
  keyOf: (endPoint: SearchEndPoint) => Float64Array,
  same: (representative: Float64Array, key: Float64Array) => boolean,
): DistinctEndPoint[] {
  const groups: { key: Float64Array; members: SearchEndPoint[] }[] = [];
  for (const endPoint of endPoints) {
    const key = keyOf(endPoint);
    const group = groups.find((g) => g.members[0].verdict === endPoint.verdict && same(g.key, key));
    if (group) group.members.push(endPoint);
    else groups.push({ key, members: [endPoint] });
  }
  return groups
    .map(({ members }) => ({
      verdict: members[0].verdict,
      loss: Math.min(...members.map((m) => m.loss)),
      count: members.length,
      members: members.map((m) => m.index),
      theta: members[0].canonicalTheta,
      rule: members[0].certificate.decision.rule,
      hitRate: proportion(members.length, endPoints.length),
      retried: members.filter((m) => m.retries > 0).length,
    }))
    .sort((a, b) => a.loss - b.loss || b.count - a.count);
}
