import { ConvergenceError, hypot, MACHINE_EPSILON } from './basic.js';

/** Shifts allowed per eigenvalue before the QL iteration gives up (EISPACK uses 30; typical is 1–3). */
const MAX_SWEEPS_PER_EIGENVALUE = 60;

/**
 * Eigenvalues of the symmetric tridiagonal matrix with diagonal `d` (length n) and off-diagonal `e` (e[i] couples
 * i and i+1; e[n−1] is ignored), by the implicit QL iteration with Wilkinson shifts (the `tqli` form of EISPACK's
 * tql2). `d` is overwritten with the eigenvalues, unsorted; `e` is destroyed.
 *
 * Every plane rotation that the iteration applies on the right of the eigenvector matrix S is also applied to rows
 * i, i+1 of `z` (n × width, row-major). Pass z = Qᵀ to obtain (Q·S)ᵀ, whose row k is eigenvector k of Q·T·Qᵀ;
 * pass a single column (width 1) holding e_{n−1} to get only the last components of the eigenvectors, which is all
 * Lanczos needs for its residual bounds. Rotating rows rather than columns keeps every inner loop contiguous.
 *
 * Deflation test: |e[m]| ≤ ε·max(|d[m]| + |d[m+1]|, ‖T‖), with ‖T‖ the largest absolute row sum of the input
 * (≥ ‖T‖₂). Setting such an e[m] to 0 perturbs T by at most ε·‖T‖, the backward error the Householder reduction
 * already has, so the accuracy claim (eigenvalues within a small multiple of ε·‖A‖) is unchanged. The norm floor is
 * what EISPACK's tql2 uses; without it (the neighbouring-diagonal test alone, as in `tqli`) the iteration stalls
 * inside a cluster of zero eigenvalues: there d[m], d[m+1] and e[m] are all rounding noise of size ε·‖T‖, and |e[m]|
 * never falls below ε times that (ConvergenceError on a Fig. 5.2 Hessian with 90 zero eigenvalues of 110).
 */
export function tridiagonalQl(
  d: Float64Array,
  e: Float64Array,
  z: Float64Array | undefined,
  width: number,
): void {
  const n = d.length;
  if (n === 0) return;
  e[n - 1] = 0;
  const matrixNorm = rowSumNorm(d, e);
  for (let l = 0; l < n; l++) {
    let sweeps = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= MACHINE_EPSILON * Math.max(dd, matrixNorm)) break;
      }
      if (m === l) break;
      if (sweeps++ === MAX_SWEEPS_PER_EIGENVALUE) {
        throw new ConvergenceError(
          `symmetric tridiagonal QL: eigenvalue ${l} of ${n} did not converge in ${MAX_SWEEPS_PER_EIGENVALUE} sweeps`,
        );
      }
      // Wilkinson shift: the eigenvalue of the leading 2 × 2 block closer to d[l].
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // The rotation underflowed: the matrix has split; restart the sweep on the smaller block.
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        if (z !== undefined) rotateRows(z, width, i, c, s);
      }
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/** max_i |e[i−1]| + |d[i]| + |e[i]|: the ∞-norm of the tridiagonal matrix, an upper bound on its 2-norm. */
function rowSumNorm(d: Float64Array, e: Float64Array): number {
  let largest = 0;
  for (let i = 0; i < d.length; i++) {
    const sum = Math.abs(d[i]) + Math.abs(e[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0);
    if (sum > largest) largest = sum;
  }
  return largest;
}

/** Rows i and i+1 of z (× width) ← [c −s; s c]-rotated: z_i ← c·z_i − s·z_{i+1}, z_{i+1} ← s·z_i + c·z_{i+1}. */
function rotateRows(z: Float64Array, width: number, i: number, c: number, s: number): void {
  const lower = i * width;
  const upper = lower + width;
  for (let k = 0; k < width; k++) {
    const zi = z[lower + k];
    const zNext = z[upper + k];
    z[upper + k] = s * zi + c * zNext;
    z[lower + k] = c * zi - s * zNext;
  }
}

/** Indices that sort `values` ascending (stable). */
export function ascendingOrder(values: Float64Array): Int32Array {
  const order = Int32Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => values[a] - values[b] || a - b);
  return order;
}

/**
 * The eigenpairs `tridiagonalQl` leaves behind, in ascending order: eigenvalue k of `d` (unsorted) with row k of
 * `z` (n × n) as its eigenvector, rearranged to sorted values and an n × n row-major matrix with the vectors as
 * columns.
 */
export function sortedEigenpairs(
  d: Float64Array,
  z: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const order = ascendingOrder(d);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const source = order[k];
    values[k] = d[source];
    const row = source * n;
    for (let i = 0; i < n; i++) vectors[i * n + k] = z[row + i];
  }
  return { values, vectors };
}
