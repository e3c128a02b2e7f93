import type { FloatArray } from '../../core/dtype.js';
import { InvalidArgumentError, requireFinite, requireInteger } from '../../core/errors.js';
import { type DenseProducts, symmetricEigen, transpose } from '../../core/linalg/index.js';
import { affineRows } from './affine-rows.js';
import { accumulateUpperGram, covariance, PRODUCT_BLOCK_BYTES } from './covariance.js';
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

/** How whitening runs, apart from what it computes. */
export interface WhiteningEngine {
  /** Receives the seconds each fitting step took. */
  readonly onStep?: (step: 'covariance' | 'eigendecomposition', seconds: number) => void;
  /**
   * Float64 products on a fast engine (src/backend/onnx/dense-products.ts in Node) for the covariance, the
   * eigendecomposition, W and applying W; default: the TypeScript kernels (minutes instead of seconds at CIFAR-10's
   * 50 000 × 3072).
   */
  readonly products?: DenseProducts;
}

/**
 * Fits PCA or ZCA whitening to the rows of x (count × dim): float64 covariance (see {@link covariance}), then its
 * eigendecomposition by `symmetricEigen` (src/core/linalg).
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
  engine: WhiteningEngine = {},
): Whitening {
  const { onStep, products } = engine;
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
  const c = covariance(x, count, dim, mean, products);
  onStep?.('covariance', (performance.now() - started) / 1000);
  started = performance.now();
  const { values, vectors } = symmetricEigen(c, dim, {
    vectors: true,
    ...(products === undefined ? {} : { products }),
  });
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
    matrix = zcaMatrix(u, dim, inverseRoot, products);
  }
  return { method, epsilon, inputDim: dim, outputDim, mean, matrix, eigenvalues };
}

/**
 * U diag(s) Uᵀ as the Gram matrix of the rows of V = U diag(√s): one product V·Vᵀ on a fast engine, else the
 * blocked kernel of the covariance.
 */
function zcaMatrix(
  u: Float64Array,
  dim: number,
  inverseRoot: Float64Array,
  products: DenseProducts | undefined,
): Float64Array {
  // The kernel wants the rows padded to a multiple of 4 (zero rows); the product reads the first dim rows.
  const padded = Math.ceil(dim / 4) * 4;
  const v = new Float64Array(padded * dim);
  for (let i = 0; i < dim; i++) {
    for (let k = 0; k < dim; k++) v[i * dim + k] = u[i * dim + (dim - 1 - k)] * Math.sqrt(inverseRoot[k]);
  }
  const matrix = new Float64Array(dim * dim);
  if (products !== undefined) {
    const rows = v.subarray(0, dim * dim);
    products.multiply(rows, rows, dim, dim, dim, matrix, { transposeB: true });
    // Exactly symmetric, as the TypeScript kernel's mirrored triangle is.
    for (let i = 0; i < dim; i++) {
      for (let j = i + 1; j < dim; j++) {
        const value = 0.5 * (matrix[i * dim + j] + matrix[j * dim + i]);
        matrix[i * dim + j] = value;
        matrix[j * dim + i] = value;
      }
    }
    return matrix;
  }
  const gram = new Float64Array(padded * padded);
  accumulateUpperGram(v, padded, dim, gram);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      matrix[i * dim + j] = gram[i * padded + j];
      matrix[j * dim + i] = gram[i * padded + j];
    }
  }
  return matrix;
}

export interface ApplyWhiteningOptions {
  /**
   * Overwrite x with the result (its first count × outputDim entries, returned as a subarray) instead of
   * allocating a new array. Safe because each block of rows is copied out before its outputs are written, and an
   * output row never extends past its input row.
   */
  readonly inPlace?: boolean;
  /** Float64 products on a fast engine (see {@link WhiteningEngine}); default the TypeScript kernel. */
  readonly products?: DenseProducts;
}

/**
 * z = W (x − μ) for every row of x (count × inputDim), accumulated in float64 and stored in x's precision
 * (see {@link affineRows} for the blocked kernel).
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
  if (options.products !== undefined) {
    applyByProducts(x, count, whitening, out, options.products);
    return options.inPlace ? out.subarray(0, count * outputDim) : out;
  }
  affineRows(x, count, dim, matrix, outputDim, mean, (first, rows, result, stride) => {
    for (let r = 0; r < rows; r++) {
      const target = (first + r) * outputDim;
      for (let o = 0; o < outputDim; o++) out[target + o] = result[r * stride + o];
    }
  });
  return options.inPlace ? out.subarray(0, count * outputDim) : out;
}

/**
 * z = W (x − μ) as one float64 product per large block of rows, (X_block − μ)·Wᵀ, on a fast engine. In place is
 * safe for the same reason as in {@link affineRows}: a block is copied out before its outputs are written.
 */
function applyByProducts(
  x: FloatArray,
  count: number,
  whitening: Whitening,
  out: FloatArray,
  products: DenseProducts,
): void {
  const { inputDim: dim, outputDim, mean, matrix } = whitening;
  const rowsPerBlock = Math.max(1, Math.min(count, Math.floor(PRODUCT_BLOCK_BYTES / (8 * dim))));
  // Wᵀ stored once: a transposed operand would be transposed again by the engine in every block's product.
  const transposed = transpose(matrix, outputDim, dim);
  const block = new Float64Array(rowsPerBlock * dim);
  const result = new Float64Array(rowsPerBlock * outputDim);
  for (let first = 0; first < count; first += rowsPerBlock) {
    const rows = Math.min(rowsPerBlock, count - first);
    for (let r = 0; r < rows; r++) {
      const source = (first + r) * dim;
      for (let j = 0; j < dim; j++) block[r * dim + j] = x[source + j] - mean[j];
    }
    const z = result.subarray(0, rows * outputDim);
    products.multiply(block.subarray(0, rows * dim), transposed, rows, dim, outputDim, z);
    out.set(z, first * outputDim);
  }
}

export function parseWhiteningMethod(text: string, argument = 'whiten'): WhiteningMethod {
  if (text === 'pca' || text === 'zca') return text;
  throw new InvalidArgumentError(argument, 'pca or zca', text);
}
