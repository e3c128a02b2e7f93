import type { FloatArray } from '../core/dtype.js';
import { InvalidArgumentError, requireAllFinite, requireFinite, requireInteger } from '../core/errors.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import { lossesAlongCurve } from './curve-point.js';

export interface SegmentOptions {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  /** θ at t = 0 (e.g. a bad minimum). */
  readonly from: FloatArray;
  /** θ at t = 1 (e.g. a good minimum). */
  readonly to: FloatArray;
  /** Number of evaluation intervals on [0, 1]; the grid always contains t = 0 and t = 1 exactly. Default 50. */
  readonly intervals?: number;
  /** How far to go past each end, as a fraction of the segment (0.25 evaluates t ∈ [−0.25, 1.25]). Default 0. */
  readonly extend?: number;
}

export interface SegmentProfile {
  /** Interpolation parameter: θ(t) = (1 − t)·from + t·to. */
  readonly t: Float64Array;
  readonly loss: Float64Array;
  /** Loss at t = 0 and t = 1. */
  readonly endpoints: readonly [number, number];
  /**
   * Height of the highest point on [0, 1] above the higher end: max_{t∈[0,1]} L(t) − max(L(0), L(1)) on the grid.
   * Positive means the straight path climbs over a barrier; ≤ 0 means the two points are linearly connected at this
   * resolution (the grid can miss a barrier narrower than its spacing).
   */
  readonly barrier: number;
}

/** The loss along the straight segment between two parameter vectors (Goodfellow et al. 2015's 1-D interpolation). */
export function lossAlongSegment(options: SegmentOptions): SegmentProfile {
  const { architecture, loss, samples, from, to } = options;
  const size = parameterCount(architecture);
  requireParameterVector('from', from, size);
  requireParameterVector('to', to, size);
  const intervals = requireInteger('intervals', options.intervals ?? 50, 1, 100_000);
  const extend = requireFinite('extend', options.extend ?? 0, 0, 100);
  // Extra grid points past each end keep the spacing of the [0, 1] grid so that t = 0 and t = 1 stay on it.
  const outside = Math.round(extend * intervals);
  const count = intervals + 1 + 2 * outside;
  const t = new Float64Array(count);
  // Exact end points: step/intervals is exact for 0 and 1, and (1 − t)·a + t·b is then a or b bit for bit.
  for (let k = 0; k < count; k++) t[k] = (k - outside) / intervals;
  const values = lossesAlongCurve(architecture, loss, samples, { kind: 'linear' }, from, to, t);
  const start = values[outside];
  const end = values[outside + intervals];
  let highest = -Infinity;
  for (let k = outside; k <= outside + intervals; k++) highest = Math.max(highest, values[k]);
  return { t, loss: values, endpoints: [start, end], barrier: highest - Math.max(start, end) };
}

/** Throws unless `theta` is a finite float vector with one entry per parameter, naming the argument. */
export function requireParameterVector(name: string, theta: FloatArray, size: number): void {
  if (!(theta instanceof Float64Array || theta instanceof Float32Array)) {
    throw new InvalidArgumentError(name, 'a Float64Array or Float32Array of parameters', theta);
  }
  if (theta.length !== size) {
    throw new InvalidArgumentError(name, `${size} parameters for this architecture`, theta.length);
  }
  requireAllFinite(name, theta);
}
