import { dot, norm } from '../core/linalg/index.js';
import { SPAN_DROP_TOLERANCE } from '../core/tolerances.js';

/**
 * An orthonormal basis of the span of a few vectors in ℝᴾ (symmetry tangents, kink normals), for projecting onto
 * that span or its complement. Modified Gram–Schmidt, applied twice ("twice is enough") so that the basis stays
 * orthogonal to working precision; a vector whose remainder falls below `dropTolerance` (default
 * SPAN_DROP_TOLERANCE) times its own norm adds nothing and is dropped, so the basis size is the numerical rank.
 */
export class Subspace {
  readonly basis: Float64Array[] = [];

  constructor(
    vectors: readonly Float64Array[],
    readonly dimension: number,
    dropTolerance = SPAN_DROP_TOLERANCE,
  ) {
    for (const vector of vectors) {
      const size = norm(vector);
      if (size === 0) continue;
      const remainder = Float64Array.from(vector);
      for (let pass = 0; pass < 2; pass++) {
        for (const q of this.basis) {
          const projection = dot(q, remainder);
          for (let i = 0; i < remainder.length; i++) remainder[i] -= projection * q[i];
        }
      }
      const left = norm(remainder);
      if (left <= dropTolerance * size) continue;
      for (let i = 0; i < remainder.length; i++) remainder[i] /= left;
      this.basis.push(remainder);
    }
  }

  get rank(): number {
    return this.basis.length;
  }

  /** v minus its component in the span, as a new vector. */
  complementOf(v: Float64Array): Float64Array {
    const out = Float64Array.from(v);
    for (const q of this.basis) {
      const projection = dot(q, out);
      for (let i = 0; i < out.length; i++) out[i] -= projection * q[i];
    }
    return out;
  }

  /** The component of v inside the span. */
  projectionOf(v: Float64Array): Float64Array {
    const out = new Float64Array(v.length);
    for (const q of this.basis) {
      const projection = dot(q, v);
      for (let i = 0; i < out.length; i++) out[i] += projection * q[i];
    }
    return out;
  }
}
