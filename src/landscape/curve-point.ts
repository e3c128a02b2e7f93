import type { FloatArray } from '../core/dtype.js';
import type { Architecture } from '../model/architecture.js';
import { lossValue } from '../model/gradient.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';

/*
 * The paths between two parameter vectors θ_A = φ(0) and θ_B = φ(1), and the loss along them. The straight segment
 * (segment.ts) and the trained curves of Garipov et al. 2018 (curves.ts) both evaluate points through `curvePoint`,
 * so a linear curve and `lossAlongSegment` are one computation. This module holds no validation: its callers check
 * their arguments once, outside the loops that call it.
 */

/**
 * A path from `from` (t = 0) to `to` (t = 1), its ends held fixed:
 * - `linear`: φ(t) = (1 − t)·θ_A + t·θ_B;
 * - `bezier`: the quadratic Bézier curve φ(t) = (1 − t)²·θ_A + 2t(1 − t)·θ_c + t²·θ_B with control point θ_c;
 * - `polychain`: the polygonal chain θ_A → θ_b → θ_B through the bend θ_b at t = ½,
 *   φ(t) = 2(t·θ_b + (½ − t)·θ_A) for t ≤ ½ and 2((t − ½)·θ_B + (1 − t)·θ_b) for t > ½.
 * Each formula is exact at the ends in float64 (the other terms are multiplied by an exact 0), and defined for t
 * outside [0, 1] too.
 */
export type PathCurve =
  | { readonly kind: 'linear' }
  | { readonly kind: 'bezier'; readonly control: Float64Array }
  | { readonly kind: 'polychain'; readonly bend: Float64Array };

export type PathCurveKind = PathCurve['kind'];
export const PATH_CURVE_KINDS: readonly PathCurveKind[] = ['linear', 'bezier', 'polychain'];

/** φ(t), written into `out` (a new Float64Array when omitted) and returned. */
export function curvePoint(
  curve: PathCurve,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  t: number,
  out: Float64Array = new Float64Array(from.length),
): Float64Array {
  const size = from.length;
  switch (curve.kind) {
    case 'linear':
      for (let p = 0; p < size; p++) out[p] = (1 - t) * from[p] + t * to[p];
      break;
    case 'bezier': {
      const a = (1 - t) * (1 - t);
      const c = 2 * t * (1 - t);
      const b = t * t;
      const control = curve.control;
      for (let p = 0; p < size; p++) out[p] = a * from[p] + c * control[p] + b * to[p];
      break;
    }
    case 'polychain': {
      const bend = curve.bend;
      if (t <= 0.5) {
        for (let p = 0; p < size; p++) out[p] = 2 * (t * bend[p] + (0.5 - t) * from[p]);
      } else {
        for (let p = 0; p < size; p++) out[p] = 2 * ((t - 0.5) * to[p] + (1 - t) * bend[p]);
      }
      break;
    }
  }
  return out;
}

/**
 * dφ/dt at t, written into `out` and returned. The chain has a corner at t = ½; there (as in `curvePoint`, whose
 * first branch holds t = ½) the tangent of the first leg, 2(θ_b − θ_A), is returned.
 */
export function curveTangent(
  curve: PathCurve,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  t: number,
  out: Float64Array = new Float64Array(from.length),
): Float64Array {
  const size = from.length;
  switch (curve.kind) {
    case 'linear':
      for (let p = 0; p < size; p++) out[p] = to[p] - from[p];
      break;
    case 'bezier': {
      const control = curve.control;
      for (let p = 0; p < size; p++) {
        out[p] = -2 * (1 - t) * from[p] + 2 * (1 - 2 * t) * control[p] + 2 * t * to[p];
      }
      break;
    }
    case 'polychain': {
      const bend = curve.bend;
      if (t <= 0.5) {
        for (let p = 0; p < size; p++) out[p] = 2 * (bend[p] - from[p]);
      } else {
        for (let p = 0; p < size; p++) out[p] = 2 * (to[p] - bend[p]);
      }
      break;
    }
  }
  return out;
}

/**
 * ∂φ(t)/∂(free point), a scalar times the identity: 2t(1 − t) for the Bézier control point, 2t (t ≤ ½) or 2(1 − t)
 * for the chain's bend, 0 for the line (nothing free). By the chain rule ∇_free L(φ(t)) = weight(t)·∇L(φ(t)).
 */
export function freePointWeight(kind: PathCurveKind, t: number): number {
  switch (kind) {
    case 'linear':
      return 0;
    case 'bezier':
      return 2 * t * (1 - t);
    case 'polychain':
      return t <= 0.5 ? 2 * t : 2 * (1 - t);
  }
}

/** The loss at φ(t) for every t of `t` (one scratch point reused). */
export function lossesAlongCurve(
  architecture: Architecture,
  loss: LossKind,
  samples: Samples,
  curve: PathCurve,
  from: FloatArray,
  to: FloatArray,
  t: Float64Array,
): Float64Array {
  const values = new Float64Array(t.length);
  const theta = new Float64Array(from.length);
  for (let k = 0; k < t.length; k++) {
    values[k] = lossValue(architecture, loss, curvePoint(curve, from, to, t[k], theta), samples);
  }
  return values;
}
