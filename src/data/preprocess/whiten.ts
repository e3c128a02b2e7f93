import type { FloatArray } from '../../core/dtype.js';
import { InvalidArgumentError, requireFinite, requireInteger } from '../../core/errors.js';
import { symmetricEigen } from '../../core/linalg/index.js';
import { accumulateUpperGram, covariance } from './covariance.js';
import { featureMeans } from './standardise.js';

/**
 * - `pca`: z = Λ^{-1/2} Uᵀ (x − μ), coordinates along the principal axes (largest variance first), optionally only
 *   the first k of them.
 * - `zca`: z = U Λ^{-1/2} Uᵀ (x − μ), the symmetric whitening closest to the input (Bell & Sejnowski 1997).
 * In both, Λ is the covariance's eigenvalues plus ε.
 */
export type WhiteningMethod = 'pca' | 'zca';
export const WHITENING_METHODS: readonly WhiteningMethod[] = ['pca', 'zca'];

export interface WhiteningOptions {
  readonly method: WhiteningMethod;
  /**
   * Added to every covariance eigenvalue before the inverse square root, so that directions of (almost) zero
   * variance are not blown up. Absolute, in squared input units. Default 1e-5; the Soudry–Hoffer CIFAR file's
   * value is not known.
   */
  readonly epsilon?: number;
  /** PCA only: keep the `components` leading principal directions (default all), reducing the dimension. */
  readonly components?: number;
}

export const DEFAULT_WHITENING_EPSILON = 1e-5;

/** A fitted whitening map z = W (x − μ), reusable on held-out data. */
export interface Whitening {
  readonly method: WhiteningMethod;
  readonly epsilon: number;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly mean: Float64Array;
  /** W, outputDim × inputDim row-major. Symmetric for ZCA. */
  readonly matrix: Float64Array;
  /** Covariance eigenvalues of the fitted data, descending (before adding ε). */
  readonly eigenvalues: Float64Array;
}

/**
 * Fits PCA or ZCA whitening to the rows of x (count × dim): float64 covariance (blocked, see {@link covariance}),
 * then its eigendecomposition by `symmetricEigen` (src/core/linalg).
 *
 * @example
 * ```ts
 * const w = fitWhitening(x, count, dim, { method: 'zca', epsilon: 1e-2 });
 * const z = applyWhitening(x, count, w);
 * ```
 */
export function fitWhitening(
  x: FloatArray,
  count: number,
  dim: number,
  options: WhiteningOptions,
  onStep?: (step: 'covariance' | 'eigendecomposition', seconds: number) => void,
): Whitening {
  const method = parseWhiteningMethod(options.method, 'whiten.method');
  const epsilon = requireFinite('whiten.epsilon', options.epsilon ?? DEFAULT_WHITENING_EPSILON, 0);
  if (method === 'zca' && options.components !== undefined) {
    throw new InvalidArgumentError(
      'whiten.components',
      'no value for ZCA (it keeps every direction)',
      options.components,
    );
  }
  const outputDim = requireInteger('whiten.components', options.components ?? dim, 1, dim);
  requireInteger('count', count, 2);
  let started = performance.now();
  const mean = featureMeans(x, count, dim);
  const c = covariance(x, count, dim, mean);
  onStep?.('covariance', (performance.now() - started) / 1000);
  started = performance.now();
  const { values, vectors } = symmetricEigen(c, dim, { vectors: true });
  onStep?.('eigendecomposition', (performance.now() - started) / 1000);
  const u = vectors!;
  const eigenvalues = values.slice().reverse();
  const largest = Math.max(eigenvalues[0], 0);
  const inverseRoot = new Float64Array(outputDim);
  for (let k = 0; k < outputDim; k++) {
    const shifted = eigenvalues[k] + epsilon;
    if (!(shifted > 1e-12 * largest) || shifted <= 0) {
      throw new InvalidArgumentError(
        'whiten.epsilon',
        `a value that makes every kept eigenvalue + ε clearly positive (eigenvalue ${k + 1} of ${dim} is ` +
          `${eigenvalues[k].toExponential(3)}, the largest ${largest.toExponential(3)}); or keep fewer PCA components`,
        epsilon,
      );
    }
    inverseRoot[k] = 1 / Math.sqrt(shifted);
  }
  // Column k of u (ascending order) is eigenvector dim − 1 − k in descending order.
  const column = (k: number): number => dim - 1 - k;
  let matrix: Float64Array;
  if (method === 'pca') {
    matrix = new Float64Array(outputDim * dim);
    for (let k = 0; k < outputDim; k++) {
      const c = column(k);
      for (let i = 0; i < dim; i++) matrix[k * dim + i] = u[i * dim + c] * inverseRoot[k];
    }
  } else {
    matrix = zcaMatrix(u, dim, inverseRoot);
  }
  return { method, epsilon, inputDim: dim, outputDim, mean, matrix, eigenvalues };
}

/** U diag(s) Uᵀ as the Gram matrix of the rows of V = U diag(√s), with the blocked kernel of the covariance. */
function zcaMatrix(u: Float64Array, dim: number, inverseRoot: Float64Array): Float64Array {
  const padded = Math.ceil(dim / 4) * 4;
  const v = new Float64Array(padded * dim);
  for (let i = 0; i < dim; i++) {
    for (let k = 0; k < dim; k++) v[i * dim + k] = u[i * dim + (dim - 1 - k)] * Math.sqrt(inverseRoot[k]);
  }
  const gram = new Float64Array(padded * padded);
  accumulateUpperGram(v, padded, dim, gram);
  const matrix = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      matrix[i * dim + j] = gram[i * padded + j];
      matrix[j * dim + i] = gram[i * padded + j];
    }
  }
  return matrix;
}

const ROWS_PER_BLOCK = 64;

export interface ApplyWhiteningOptions {
  /**
   * Overwrite x with the result (its first count × outputDim entries, returned as a subarray) instead of
   * allocating a new array. Safe because each block of rows is copied out before its outputs are written, and an
   * output row never extends past its input row.
   */
  readonly inPlace?: boolean;
}

/**
 * z = W (x − μ) for every row of x (count × inputDim), accumulated in float64 and stored in x's precision.
 * Blocked like the covariance: 64 centred rows in float64 times W, with a 4 × 4 register tile.
 */
export function applyWhitening(
  x: FloatArray,
  count: number,
  whitening: Whitening,
  options: ApplyWhiteningOptions = {},
): FloatArray {
  const { inputDim: dim, outputDim, mean, matrix } = whitening;
  if (x.length !== count * dim) {
    throw new InvalidArgumentError(
      'x',
      `${count} × ${dim} values for the fitted whitening`,
      `${x.length} values`,
    );
  }
  const out = options.inPlace
    ? x
    : new (x instanceof Float32Array ? Float32Array : Float64Array)(count * outputDim);
  const paddedOut = Math.ceil(outputDim / 4) * 4;
  const w = new Float64Array(paddedOut * dim);
  w.set(matrix);
  const block = new Float64Array(ROWS_PER_BLOCK * dim);
  const result = new Float64Array(ROWS_PER_BLOCK * paddedOut);
  for (let first = 0; first < count; first += ROWS_PER_BLOCK) {
    const rows = Math.min(ROWS_PER_BLOCK, count - first);
    const paddedRows = Math.ceil(rows / 4) * 4;
    for (let r = 0; r < rows; r++) {
      const source = (first + r) * dim;
      for (let j = 0; j < dim; j++) block[r * dim + j] = x[source + j] - mean[j];
    }
    block.fill(0, rows * dim, paddedRows * dim);
    multiplyByTranspose(block, paddedRows, w, paddedOut, dim, result);
    for (let r = 0; r < rows; r++) {
      const target = (first + r) * outputDim;
      for (let o = 0; o < outputDim; o++) out[target + o] = result[r * paddedOut + o];
    }
  }
  return options.inPlace ? out.subarray(0, count * outputDim) : out;
}

/** R = A Bᵀ for A (m × k) and B (n × k) row-major, m and n multiples of 4; R is m × n. */
function multiplyByTranspose(
  a: Float64Array,
  m: number,
  b: Float64Array,
  n: number,
  k: number,
  r: Float64Array,
): void {
  for (let i = 0; i < m; i += 4) {
    const a0 = i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    for (let j = 0; j < n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let c00 = 0;
      let c01 = 0;
      let c02 = 0;
      let c03 = 0;
      let c10 = 0;
      let c11 = 0;
      let c12 = 0;
      let c13 = 0;
      let c20 = 0;
      let c21 = 0;
      let c22 = 0;
      let c23 = 0;
      let c30 = 0;
      let c31 = 0;
      let c32 = 0;
      let c33 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p];
        const x1 = a[a1 + p];
        const x2 = a[a2 + p];
        const x3 = a[a3 + p];
        const y0 = b[b0 + p];
        const y1 = b[b1 + p];
        const y2 = b[b2 + p];
        const y3 = b[b3 + p];
        c00 += x0 * y0;
        c01 += x0 * y1;
        c02 += x0 * y2;
        c03 += x0 * y3;
        c10 += x1 * y0;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3;
        c20 += x2 * y0;
        c21 += x2 * y1;
        c22 += x2 * y2;
        c23 += x2 * y3;
        c30 += x3 * y0;
        c31 += x3 * y1;
        c32 += x3 * y2;
        c33 += x3 * y3;
      }
      let o = i * n + j;
      r[o] = c00;
      r[o + 1] = c01;
      r[o + 2] = c02;
      r[o + 3] = c03;
      o += n;
      r[o] = c10;
      r[o + 1] = c11;
      r[o + 2] = c12;
      r[o + 3] = c13;
      o += n;
      r[o] = c20;
      r[o + 1] = c21;
      r[o + 2] = c22;
      r[o + 3] = c23;
      o += n;
      r[o] = c30;
      r[o + 1] = c31;
      r[o + 2] = c32;
      r[o + 3] = c33;
    }
  }
}

export function parseWhiteningMethod(text: string, argument = 'whiten'): WhiteningMethod {
  if (text === 'pca' || text === 'zca') return text;
  throw new InvalidArgumentError(argument, 'pca or zca', text);
}
