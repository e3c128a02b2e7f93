import { Rng } from '../../src/core/rng.js';
import { pythonOracleSkip, runOracle, SCIPY_PACKAGES } from '../support/python.js';

/*
 * numpy/scipy as an independent oracle (test/support/python.ts): tests pass matrices as JSON on stdin to a short
 * script and read JSON back.
 */

/** The `skip` option for a numpy/scipy oracle test: false when they import (required under CI=true). */
export function numpySkipReason(): string | false {
  return pythonOracleSkip('import numpy, scipy', SCIPY_PACKAGES);
}

/** Runs `script` with `input` as JSON on stdin; the script prints one JSON value. */
export function runPython<T>(script: string, input: unknown = null): T {
  return runOracle<T>(script, { input });
}

/** A rows × cols matrix with i.i.d. N(0, 1) entries. */
export function gaussianMatrix(rng: Rng, rows: number, cols: number): Float64Array {
  return rng.fillGaussian(new Float64Array(rows * cols)) as Float64Array;
}

/** A random rows × cols matrix of rank exactly `rank` (a product of Gaussian factors). */
export function lowRankMatrix(rng: Rng, rows: number, cols: number, rank: number): Float64Array {
  const u = gaussianMatrix(rng, rows, rank);
  const v = gaussianMatrix(rng, rank, cols);
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let t = 0; t < rank; t++) {
      const uit = u[i * rank + t];
      for (let j = 0; j < cols; j++) a[i * cols + j] += uit * v[t * cols + j];
    }
  }
  return a;
}

/** A random n × n orthogonal matrix: the Q of Gram–Schmidt on a Gaussian matrix (rows orthonormal). */
export function randomOrthogonal(rng: Rng, n: number): Float64Array {
  const q = gaussianMatrix(rng, n, n);
  for (let i = 0; i < n; i++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < i; k++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += q[i * n + j] * q[k * n + j];
        for (let j = 0; j < n; j++) q[i * n + j] -= s * q[k * n + j];
      }
    }
    let size = 0;
    for (let j = 0; j < n; j++) size += q[i * n + j] ** 2;
    size = Math.sqrt(size);
    for (let j = 0; j < n; j++) q[i * n + j] /= size;
  }
  return q;
}

/** U·diag(s)·Vᵀ for square orthogonal U (rows × rows) and V (cols × cols); s has min(rows, cols) entries. */
export function withSingularValues(rng: Rng, rows: number, cols: number, s: ArrayLike<number>): Float64Array {
  const u = randomOrthogonal(rng, rows);
  const v = randomOrthogonal(rng, cols);
  const a = new Float64Array(rows * cols);
  for (let t = 0; t < s.length; t++) {
    for (let i = 0; i < rows; i++) {
      const f = u[i * rows + t] * s[t];
      for (let j = 0; j < cols; j++) a[i * cols + j] += f * v[j * cols + t];
    }
  }
  return a;
}

/** Q·diag(λ)·Qᵀ for a random orthogonal Q: a symmetric matrix with exactly known eigenvalues (up to rounding). */
export function withEigenvalues(rng: Rng, lambda: ArrayLike<number>): Float64Array {
  const n = lambda.length;
  const q = randomOrthogonal(rng, n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += q[i * n + t] * lambda[t] * q[j * n + t];
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
