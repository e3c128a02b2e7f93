import { InvalidArgumentError } from '../errors.js';
import { requireDimension, requireMatrix } from './basic.js';

/**
 * Solves A·x = b for a symmetric positive-definite n × n matrix by the Cholesky factorisation A = L·Lᵀ. Only the
 * lower triangle of `a` is read. Throws an InvalidArgumentError naming the row whose pivot is not positive when
 * A is not (numerically) positive definite, rather than returning NaN.
 *
 * @example
 * ```ts
 * choleskySolve(Float64Array.of(4, 2, 2, 3), 2, Float64Array.of(2, 1)); // [0.5, 0]
 * ```
 */
export function choleskySolve(a: Float64Array, n: number, b: Float64Array): Float64Array {
  requireDimension('n', n);
  requireMatrix('a', a, n, n);
  requireMatrix('b', b, n, 1);
  const l = choleskyFactor(a, n);
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k];
    x[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** The lower-triangular L with A = L·Lᵀ (row-major n × n, zeros above the diagonal). */
export function choleskyFactor(a: Float64Array, n: number): Float64Array {
  requireDimension('n', n);
  requireMatrix('a', a, n, n);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let pivot = a[rowJ + j];
    for (let k = 0; k < j; k++) pivot -= l[rowJ + k] * l[rowJ + k];
    if (!(pivot > 0)) {
      throw new InvalidArgumentError(
        'a',
        'a symmetric positive-definite matrix',
        `pivot ${pivot.toPrecision(3)} ≤ 0 at row ${j}`,
      );
    }
    const diagonal = Math.sqrt(pivot);
    l[rowJ + j] = diagonal;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let s = a[rowI + j];
      for (let k = 0; k < j; k++) s -= l[rowI + k] * l[rowJ + k];
      l[rowI + j] = s / diagonal;
    }
  }
  return l;
}
