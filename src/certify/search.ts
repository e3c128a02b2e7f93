import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { deriveSeed, Rng } from '../core/rng.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import { forward } from '../model/forward.js';
import { DEFAULT_INITIALISATION, type Initialisation, initialise } from '../model/init.js';
import type { LossKind } from '../model/loss.js';
import { samplesAs, type Samples } from '../model/samples.js';
import { referenceObjective } from '../train/objective.js';
import type { OptimiserConfig } from '../train/optimiser.js';
import type { Schedule } from '../train/schedule.js';
import type { StoppingRule } from '../train/stopping.js';
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

export interface SearchOptions {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  /** Random restarts (default 20), each from `init` with its own seed. */
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
   * How end points are merged: `parameters` (default) compares canonical θ (hidden-unit permutations and positive
   * rescalings removed, symmetry.ts); `outputs` compares the network's outputs on the samples, which also merges
   * points that differ along flat directions (dead units, zero-loss manifolds).
   */
  readonly mergeBy?: 'parameters' | 'outputs';
  /** Merge when max|a − b| ≤ mergeTolerance·max(1, max|a|) (default 1e-6) and the verdicts agree. */
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
}

export interface SearchResult {
  readonly endPoints: readonly SearchEndPoint[];
  /** Distinct end points, lowest loss first. */
  readonly distinct: readonly DistinctEndPoint[];
  readonly bestLoss: number;
  readonly seconds: number;
}

/**
 * Multistart search: many starts, each trained (optionally), polished and certified; end points equal up to
 * symmetry are merged and listed with loss, verdict and count. The run is a pure function of the options.
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
  const restarts = requireInteger('restarts', options.restarts ?? 20, 0);
  const seed = requireInteger('seed', options.seed ?? 1, 0, 0xffffffff);
  const jitter = requireFinite('jitter', options.jitter ?? 0, 0);
  const mergeTolerance = requireFinite('mergeTolerance', options.mergeTolerance ?? 1e-6, 0);
  const mergeBy = options.mergeBy ?? 'parameters';
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
          objective: referenceObjective(architecture, loss, samples),
          initialTheta: theta,
          ...options.training,
          shuffleSeed: deriveSeed(seed, 'shuffle', index),
        }).theta,
      );
    }
    const certificate = certify(architecture, loss, theta, samples, certifyOptions);
    const endPoint: SearchEndPoint = {
      index,
      start: given ?? 'random',
      loss: certificate.lossValue,
      verdict: certificate.verdict,
      canonicalTheta: canonicalise(architecture, certificate.theta),
      certificate,
    };
    endPoints.push(endPoint);
    options.onEndPoint?.(endPoint, index + 1, total);
  }

  const keyOf = (endPoint: SearchEndPoint): Float64Array =>
    mergeBy === 'parameters'
      ? endPoint.canonicalTheta
      : Float64Array.from(forward(architecture, endPoint.certificate.theta, samples).output);
  const groups: { key: Float64Array; members: SearchEndPoint[] }[] = [];
  for (const endPoint of endPoints) {
    const key = keyOf(endPoint);
    const group = groups.find(
      (g) => g.members[0].verdict === endPoint.verdict && sameCanonicalPoint(g.key, key, mergeTolerance),
    );
    if (group) group.members.push(endPoint);
    else groups.push({ key, members: [endPoint] });
  }
  const distinct = groups
    .map(({ members }) => ({
      verdict: members[0].verdict,
      loss: Math.min(...members.map((m) => m.loss)),
      count: members.length,
      members: members.map((m) => m.index),
      theta: members[0].canonicalTheta,
      rule: members[0].certificate.decision.rule,
    }))
    .sort((a, b) => a.loss - b.loss || b.count - a.count);
  return {
    endPoints,
    distinct,
    bestLoss: distinct[0].loss,
    seconds: (performance.now() - started) / 1000,
  };
}
