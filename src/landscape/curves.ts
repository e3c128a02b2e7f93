import type { FloatArray } from '../core/dtype.js';
import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { CURVE_PEAK_T_TOLERANCE } from '../core/tolerances.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import { lossAndGradient, lossValue } from '../model/gradient.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import { DEFAULT_OPTIMISERS, updateRuleFor } from '../train/optimiser.js';
import { learningRateAt, type Schedule, validateSchedule } from '../train/schedule.js';
import {
  curvePoint,
  freePointWeight,
  lossesAlongCurve,
  PATH_CURVE_KINDS,
  type PathCurve,
} from './curve-point.js';
import { requireParameterVector } from './segment.js';

/*
 * Trained curves between two minima (Garipov et al. 2018, "Loss surfaces, mode connectivity and fast ensembling of
 * DNNs"): the ends θ_A = φ(0) and θ_B = φ(1) stay fixed and the free point (a Bézier control point or a chain's bend)
 * minimises the mean loss along the curve, ∫₀¹ L(φ(t)) dt, estimated at a few random t per step. The curves
 * themselves and the loss along them are in curve-point.ts.
 */

/** The loss and the two ends of a path. */
export interface CurveProblem {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  /** θ at t = 0. */
  readonly from: FloatArray;
  /** θ at t = 1. */
  readonly to: FloatArray;
}

export interface CurveProfileOptions extends CurveProblem {
  readonly curve: PathCurve;
  /** Grid points on [0, 1], both ends included (t = 0 and t = 1 exactly). Default 101. */
  readonly points?: number;
}

export interface CurveProfile {
  /** The grid, t_k = k/(points − 1). */
  readonly t: Float64Array;
  readonly loss: Float64Array;
  /** L(φ(0)) and L(φ(1)), bit for bit the loss at `from` and `to`. */
  readonly endpoints: readonly [number, number];
  /** The highest loss found on [0, 1]: the grid's, refined around its highest point (see `curveProfile`). */
  readonly maxLoss: number;
  /** Where `maxLoss` was found. */
  readonly peakT: number;
  readonly peakTheta: Float64Array;
  /** maxLoss − max(L(0), L(1)), as `lossAlongSegment`'s barrier but with the refined maximum. */
  readonly barrier: number;
  /** Loss evaluations spent, grid and refinement. */
  readonly evaluations: number;
}

const DEFAULT_PROFILE_POINTS = 101;
/** 1/φ for golden-section search. */
const INVERSE_GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * The loss along `curve` on a uniform grid of t, and its maximum on [0, 1].
 *
 * The maximum is the grid's highest value refined by golden-section search on the two grid intervals around the
 * highest grid point, down to a bracket of CURVE_PEAK_T_TOLERANCE in t. Guaranteed: `maxLoss` is the loss at the
 * returned point `peakTheta` on the curve (a lower bound on the true maximum) and is ≥ every grid value. Not
 * guaranteed: that it is the true maximum. Golden-section finds a local maximum of the bracket (exact for a peak that
 * is unimodal there), and a peak narrower than the grid spacing that lies away from the highest grid point is missed
 * as on any grid.
 */
export function curveProfile(options: CurveProfileOptions): CurveProfile {
  const size = checkProblem(options);
  requireCurve('curve', options.curve, size);
  const points = requireInteger('points', options.points ?? DEFAULT_PROFILE_POINTS, 2, 1_000_000);
  return profileOf(options, options.curve, points);
}

function profileOf(problem: CurveProblem, curve: PathCurve, points: number): CurveProfile {
  const { architecture, loss, samples, from, to } = problem;
  const intervals = points - 1;
  const t = new Float64Array(points);
  for (let k = 0; k < points; k++) t[k] = k / intervals;
  const values = lossesAlongCurve(architecture, loss, samples, curve, from, to, t);
  let top = 0;
  for (let k = 1; k < points; k++) if (values[k] > values[top]) top = k;

  const scratch = new Float64Array(from.length);
  let evaluations = points;
  let peakT = t[top];
  let maxLoss = values[top];
  const at = (s: number): number => {
    evaluations++;
    const value = lossValue(architecture, loss, curvePoint(curve, from, to, s, scratch), samples);
    if (value > maxLoss) {
      maxLoss = value;
      peakT = s;
    }
    return value;
  };
  let low = t[Math.max(0, top - 1)];
  let high = t[Math.min(intervals, top + 1)];
  let left = high - INVERSE_GOLDEN * (high - low);
  let right = low + INVERSE_GOLDEN * (high - low);
  let leftValue = at(left);
  let rightValue = at(right);
  while (high - low > CURVE_PEAK_T_TOLERANCE) {
    if (leftValue >= rightValue) {
      high = right;
      right = left;
      rightValue = leftValue;
      left = high - INVERSE_GOLDEN * (high - low);
      leftValue = at(left);
    } else {
      low = left;
      left = right;
      leftValue = rightValue;
      right = low + INVERSE_GOLDEN * (high - low);
      rightValue = at(right);
    }
  }
  const endpoints = [values[0], values[intervals]] as const;
  return {
    t,
    loss: values,
    endpoints,
    maxLoss,
    peakT,
    peakTheta: curvePoint(curve, from, to, peakT),
    barrier: maxLoss - Math.max(endpoints[0], endpoints[1]),
    evaluations,
  };
}

export interface CurveObjective {
  /** The mean of L(φ(t)) over the given t. */
  readonly objective: number;
  /** Its gradient with respect to the free point: the mean of weight(t)·∇L(φ(t)) (see `freePointWeight`). */
  readonly gradient: Float64Array;
}

/**
 * The curve objective at a fixed set of t, and its exact gradient with respect to the curve's free point (the
 * Bézier control point or the chain's bend). `trainCurve` calls it with a fresh random set each step.
 */
export function curveObjective(
  problem: CurveProblem,
  curve: PathCurve,
  t: ArrayLike<number>,
): CurveObjective {
  const size = checkProblem(problem);
  requireCurve('curve', curve, size);
  if (curve.kind === 'linear') throw new InvalidArgumentError('curve.kind', 'bezier or polychain', 'linear');
  if (t.length === 0) throw new InvalidArgumentError('t', 'at least one value', 0);
  for (let k = 0; k < t.length; k++) {
    if (!Number.isFinite(t[k])) throw new InvalidArgumentError(`t[${k}]`, 'a finite number', t[k]);
  }
  return objectiveOf(problem, curve, t, new Float64Array(size));
}

function objectiveOf(
  problem: CurveProblem,
  curve: PathCurve,
  t: ArrayLike<number>,
  scratch: Float64Array,
): CurveObjective {
  const { architecture, loss, samples, from, to } = problem;
  const gradient = new Float64Array(from.length);
  let objective = 0;
  for (let k = 0; k < t.length; k++) {
    const point = lossAndGradient(architecture, loss, curvePoint(curve, from, to, t[k], scratch), samples);
    const weight = freePointWeight(curve.kind, t[k]) / t.length;
    objective += point.loss / t.length;
    for (let p = 0; p < gradient.length; p++) gradient[p] += weight * point.gradient[p];
  }
  return { objective, gradient };
}

export interface CurveProgress {
  /** Steps done. */
  readonly step: number;
  readonly steps: number;
  /** The mean sampled objective since the previous report (see `TrainedCurve.history`). */
  readonly objective: number;
}

export interface TrainCurveOptions extends CurveProblem {
  readonly kind: 'bezier' | 'polychain';
  /** Adam steps. Default 1000. */
  readonly steps?: number;
  /** Adam's constant learning rate (default 0.01); give `schedule` instead for a decaying one. */
  readonly learningRate?: number;
  /** The learning rate per step (src/train/schedule.ts, step as epoch); excludes `learningRate`. */
  readonly schedule?: Schedule;
  /** t values per step, stratified: one uniform draw in each of [j/S, (j + 1)/S). Default 4. */
  readonly samplesPerStep?: number;
  /** Seed of the t draws; a run is a pure function of its options. */
  readonly seed: number;
  /** The free point to start from; default the midpoint (θ_A + θ_B)/2, where the curve is the straight segment. */
  readonly start?: Float64Array;
  /** Record the objective every this many steps (and after the last). Default ⌈steps/100⌉. */
  readonly historyEvery?: number;
  /** Grid points of the returned profile. Default 101. */
  readonly profilePoints?: number;
  /** Called at every history record. */
  readonly onProgress?: (progress: CurveProgress) => void;
}

export interface TrainedCurve {
  readonly curve: PathCurve;
  /**
   * The objective while training: at each recorded step, the mean of the sampled losses L(φ(t)) over the steps
   * since the previous record. An unbiased but noisy estimate of ∫₀¹ L(φ(t)) dt along a curve that was moving;
   * `profile` has the deterministic loss along the final curve.
   */
  readonly history: { readonly step: readonly number[]; readonly objective: readonly number[] };
  /** Steps done: `steps`, or fewer when a gradient was not finite (`stopReason`). */
  readonly steps: number;
  /** `non-finite`: a step's gradient had NaN or ±Infinity; the curve is the one before that step. */
  readonly stopReason: 'steps' | 'non-finite';
  readonly profile: CurveProfile;
}

/**
 * Trains the free point of a Bézier curve or polygonal chain between `from` and `to` to minimise the mean loss
 * along the curve, with Adam (basin's rule, default β and ε) on stochastic gradients: each step draws
 * `samplesPerStep` values of t and follows the mean of weight(t)·∇L(φ(t)).
 */
export function trainCurve(options: TrainCurveOptions): TrainedCurve {
  const size = checkProblem(options);
  const { kind, from, to } = options;
  if (kind !== 'bezier' && kind !== 'polychain') {
    throw new InvalidArgumentError('kind', 'bezier or polychain', kind);
  }
  const steps = requireInteger('steps', options.steps ?? 1000, 0, 100_000_000);
  if (options.learningRate !== undefined && options.schedule !== undefined) {
    throw new InvalidArgumentError('learningRate', 'no value when schedule is given', options.learningRate);
  }
  const schedule: Schedule =
    options.schedule === undefined
      ? {
          kind: 'constant',
          learningRate: requireFinite('learningRate', options.learningRate ?? 0.01, Number.MIN_VALUE),
        }
      : validateSchedule(options.schedule);
  const samplesPerStep = requireInteger('samplesPerStep', options.samplesPerStep ?? 4, 1, 1_000_000);
  const seed = requireInteger('seed', options.seed, 0, 0xffffffff);
  const historyEvery = requireInteger(
    'historyEvery',
    options.historyEvery ?? Math.max(1, Math.ceil(steps / 100)),
    1,
  );
  const profilePoints = requireInteger('profilePoints', options.profilePoints ?? DEFAULT_PROFILE_POINTS, 2);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new InvalidArgumentError('onProgress', 'a function', options.onProgress);
  }

  const free = new Float64Array(size);
  if (options.start !== undefined) {
    requireParameterVector('start', options.start, size);
    free.set(options.start);
  } else {
    for (let p = 0; p < size; p++) free[p] = (from[p] + to[p]) / 2;
  }
  const curve: PathCurve = kind === 'bezier' ? { kind, control: free } : { kind, bend: free };
  const rule = updateRuleFor(DEFAULT_OPTIMISERS.adam);
  const rng = new Rng(seed);
  const t = new Float64Array(samplesPerStep);
  const scratch = new Float64Array(size);
  const before = new Float64Array(size);
  const history = { step: [] as number[], objective: [] as number[] };
  let windowSum = 0;
  let windowSteps = 0;
  let done = 0;
  let stopReason: TrainedCurve['stopReason'] = 'steps';
  const record = (): void => {
    if (windowSteps === 0) return;
    const objective = windowSum / windowSteps;
    history.step.push(done);
    history.objective.push(objective);
    options.onProgress?.({ step: done, steps, objective });
    windowSum = 0;
    windowSteps = 0;
  };
  while (done < steps) {
    for (let j = 0; j < samplesPerStep; j++) t[j] = (j + rng.uniform()) / samplesPerStep;
    const { objective, gradient } = objectiveOf(options, curve, t, scratch);
    before.set(free);
    if (!Number.isFinite(objective) || !rule.applyIfFinite(free, gradient, learningRateAt(schedule, done))) {
      free.set(before);
      stopReason = 'non-finite';
      break;
    }
    done++;
    windowSum += objective;
    windowSteps++;
    if (done % historyEvery === 0) record();
  }
  record();
  const final: PathCurve = kind === 'bezier' ? { kind, control: free.slice() } : { kind, bend: free.slice() };
  return {
    curve: final,
    history,
    steps: done,
    stopReason,
    profile: profileOf(options, final, profilePoints),
  };
}

function checkProblem(problem: CurveProblem): number {
  const size = parameterCount(problem.architecture);
  requireParameterVector('from', problem.from, size);
  requireParameterVector('to', problem.to, size);
  return size;
}

/** Throws unless `curve` is a PathCurve whose free point (if any) has one finite entry per parameter. */
export function requireCurve(name: string, curve: PathCurve, size: number): void {
  const kind = (curve as { kind?: unknown } | undefined)?.kind;
  if (!PATH_CURVE_KINDS.includes(kind as PathCurve['kind'])) {
    throw new InvalidArgumentError(`${name}.kind`, PATH_CURVE_KINDS.join(', '), kind);
  }
  if (curve.kind === 'bezier') requireParameterVector(`${name}.control`, curve.control, size);
  if (curve.kind === 'polychain') requireParameterVector(`${name}.bend`, curve.bend, size);
}
