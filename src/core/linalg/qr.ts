import { norm } from './basic.js';

/**
 * Householder QR with column pivoting, A·P = Q·R, for a matrix given by its columns: `columns` is an m × length
 * row-major array whose row i is column i of A (so A is length × m). Working on columns stored as rows keeps every
 * inner loop contiguous. Used to precondition the Jacobi SVD (Drmač & Veselić 2008) and to reduce tall
 * least-squares problems to a square one.
 */
export interface PivotedQr {
  /** Rows of A (the length of each stored column). */
  readonly length: number;
  /** Columns of A. */
  readonly count: number;
  /**
   * After the factorisation: row i, entries 0…i−1 hold R[0…i−1, i] (column i of R above the diagonal), entry i
   * holds R[i, i], and entries i+1… hold the Householder vector vᵢ (with its leading component).
   */
  readonly work: Float64Array;
  /** Householder coefficients: Hᵢ = I − βᵢ·vᵢ·vᵢᵀ acting on entries i…length−1 (βᵢ = 0 means Hᵢ = I). */
  readonly beta: Float64Array;
  /** Leading components of the Householder vectors (entry i of vᵢ), since work[i, i] holds R[i, i]. */
  readonly head: Float64Array;
  /** Column i of A·P is column permutation[i] of A. */
  readonly permutation: Int32Array;
  /** Number of Householder steps taken: min(length, count). */
  readonly steps: number;
}

export function pivotedQr(columns: Float64Array, count: number, length: number): PivotedQr {
  const work = Float64Array.from(columns);
  const steps = Math.min(count, length);
  const beta = new Float64Array(steps);
  const head = new Float64Array(steps);
  const permutation = Int32Array.from({ length: count }, (_, i) => i);
  const swap = new Float64Array(length);
  for (let j = 0; j < steps; j++) {
    // Pivot: the column with the largest norm in rows j… (recomputed exactly each step: downdating formulas lose
    // accuracy precisely on the nearly dependent columns that rank decisions care about).
    let best = j;
    let bestNorm = -1;
    for (let i = j; i < count; i++) {
      const size = norm(work.subarray(i * length + j, (i + 1) * length));
      if (size > bestNorm) {
        bestNorm = size;
        best = i;
      }
    }
    if (best !== j) {
      swap.set(work.subarray(j * length, (j + 1) * length));
      work.copyWithin(j * length, best * length, (best + 1) * length);
      work.set(swap, best * length);
      const t = permutation[j];
      permutation[j] = permutation[best];
      permutation[best] = t;
    }
    const v = work.subarray(j * length + j, (j + 1) * length);
    const x0 = v[0];
    if (bestNorm === 0 || norm(v.subarray(1)) === 0) {
      head[j] = 1;
      continue;
    }
    const alpha = x0 >= 0 ? -bestNorm : bestNorm;
    const v0 = x0 - alpha;
    const b = 1 / (alpha * (alpha - x0));
    beta[j] = b;
    head[j] = v0;
    v[0] = v0;
    for (let i = j + 1; i < count; i++) {
      const target = work.subarray(i * length + j, (i + 1) * length);
      let s = 0;
      for (let k = 0; k < v.length; k++) s += v[k] * target[k];
      s *= b;
      if (s === 0) continue;
      for (let k = 0; k < v.length; k++) target[k] -= s * v[k];
    }
    v[0] = alpha;
  }
  return { length, count, work, beta, head, permutation, steps };
}

/** Applies Qᵀ = H_{s−1}·…·H₀ to a vector of the QR's length, in place. */
export function applyQTransposed(qr: PivotedQr, b: Float64Array): void {
  for (let j = 0; j < qr.steps; j++) applyReflection(qr, j, b);
}

/** Applies Q = H₀·…·H_{s−1} to a vector of the QR's length, in place. */
export function applyQ(qr: PivotedQr, b: Float64Array): void {
  for (let j = qr.steps - 1; j >= 0; j--) applyReflection(qr, j, b);
}

function applyReflection(qr: PivotedQr, j: number, b: Float64Array): void {
  const beta = qr.beta[j];
  if (beta === 0) return;
  const { length, work } = qr;
  const base = j * length;
  let s = qr.head[j] * b[j];
  for (let k = j + 1; k < length; k++) s += work[base + k] * b[k];
  s *= beta;
  b[j] -= s * qr.head[j];
  for (let k = j + 1; k < length; k++) b[k] -= s * work[base + k];
}

/** R as a dense steps × count row-major upper-triangular (or trapezoidal) matrix. */
export function upperTriangle(qr: PivotedQr): Float64Array {
  const { steps, count, length, work } = qr;
  const r = new Float64Array(steps * count);
  for (let i = 0; i < count; i++) {
    const top = Math.min(i, steps - 1);
    for (let j = 0; j <= top; j++) r[j * count + i] = work[i * length + j];
  }
  return r;
}
