import type { FloatArray } from '../../core/dtype.js';
import type { DenseProducts } from '../../core/linalg/products.js';
import { featureMeans } from './standardise.js';

/** Rows per block: a block's transposed copy (dim × 128 doubles, 3 MiB for CIFAR) stays in the L2/L3 cache. */
const ROWS_PER_BLOCK = 128;

/**
 * Population covariance (1/N) of the rows of a count × dim matrix, in float64 whatever `x` holds:
 * C = (1/N) Σₙ (xₙ − μ)(xₙ − μ)ᵀ, returned as a dense dim × dim row-major Float64Array.
 *
 * Blocked for speed: each block of 128 rows is centred and transposed into a float64 scratch buffer, and the upper
 * triangle of C is updated by a 4 × 4 register-tiled kernel (16 running sums, 8 loads per 16 multiply-adds);
 * the lower triangle is mirrored at the end. About 2.2 GMAC/s on one core of this project's machine, see
 * docs/data.md for the measured CIFAR-10 figure. With `products` (a fast engine, e.g. ONNX's MatMul on every core)
 * the same sums are formed as large float64 products instead, ~40× faster at CIFAR-10's size.
 */
export function covariance(
  x: FloatArray,
  count: number,
  dim: number,
  mean = featureMeans(x, count, dim),
  products?: DenseProducts,
): Float64Array {
  if (products !== undefined) return covarianceByProducts(x, count, dim, mean, products);
  // Pad the feature axis to a multiple of 4 so the kernel needs no edge cases; padded rows stay zero.
  const padded = Math.ceil(dim / 4) * 4;
  const accumulator = new Float64Array(padded * padded);
  const block = new Float64Array(padded * ROWS_PER_BLOCK);
  for (let first = 0; first < count; first += ROWS_PER_BLOCK) {
    const rows = Math.min(ROWS_PER_BLOCK, count - first);
    // Transposed: feature j's values for this block are contiguous at j·rows, which the kernel walks.
    centreTransposed(x, first, rows, dim, mean, block);
    for (let j = dim; j < padded; j++) block.fill(0, j * rows, (j + 1) * rows);
    accumulateUpperGram(block, padded, rows, accumulator);
  }
  const c = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const value = accumulator[i * padded + j] / count;
      c[i * dim + j] = value;
      c[j * dim + i] = value;
    }
  }
  return c;
}

/** Bytes of one block of centred rows in {@link covarianceByProducts} and whitening's product path. */
export const PRODUCT_BLOCK_BYTES = 192 * 2 ** 20;

/**
 * The covariance as float64 products on a fast engine (`products`): each block of rows is centred into a
 * feature-major scratch T (features × rows), and with the features split in halves T = [T₁; T₂] the three distinct
 * blocks T₁T₁ᵀ, T₁T₂ᵀ, T₂T₂ᵀ are accumulated, three quarters of the full product's work (C is symmetric). Blocks
 * are large (192 MiB) because every product's output is a fresh engine buffer; see `DenseProducts`.
 */
function covarianceByProducts(
  x: FloatArray,
  count: number,
  dim: number,
  mean: Float64Array,
  products: DenseProducts,
): Float64Array {
  const rowsPerBlock = Math.max(1, Math.min(count, Math.floor(PRODUCT_BLOCK_BYTES / (8 * dim))));
  const t = new Float64Array(dim * rowsPerBlock);
  const h = Math.ceil(dim / 2);
  const rest = dim - h;
  const upper = new Float64Array(h * h);
  const corner = new Float64Array(h * rest);
  const lower = new Float64Array(rest * rest);
  const c = new Float64Array(dim * dim);
  for (let first = 0; first < count; first += rowsPerBlock) {
    const rows = Math.min(rowsPerBlock, count - first);
    centreTransposed(x, first, rows, dim, mean, t);
    const t1 = t.subarray(0, h * rows);
    const t2 = t.subarray(h * rows, dim * rows);
    products.multiply(t1, t1, h, rows, h, upper, { transposeB: true });
    addBlock(c, dim, 0, 0, upper, h, h);
    if (rest > 0) {
      products.multiply(t1, t2, h, rows, rest, corner, { transposeB: true });
      addBlock(c, dim, 0, h, corner, h, rest);
      products.multiply(t2, t2, rest, rows, rest, lower, { transposeB: true });
      addBlock(c, dim, h, h, lower, rest, rest);
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      // The upper-left and lower-right blocks are symmetric products; averaging their two halves costs nothing
      // and keeps C exactly symmetric.
      const value = (j < h || i >= h ? 0.5 * (c[i * dim + j] + c[j * dim + i]) : c[i * dim + j]) / count;
      c[i * dim + j] = value;
      c[j * dim + i] = value;
    }
  }
  return c;
}

/** t (dim × rows, feature-major) ← rows first … first + rows − 1 of x, centred; 16 rows at a time for the cache. */
function centreTransposed(
  x: FloatArray,
  first: number,
  rows: number,
  dim: number,
  mean: Float64Array,
  t: Float64Array,
): void {
  for (let r0 = 0; r0 < rows; r0 += 16) {
    const r1 = Math.min(rows, r0 + 16);
    for (let j = 0; j < dim; j++) {
      const m = mean[j];
      const target = j * rows;
      for (let r = r0; r < r1; r++) t[target + r] = x[(first + r) * dim + j] - m;
    }
  }
}

/** c[top + i, left + j] += block[i, j] for the rows × cols block. */
function addBlock(
  c: Float64Array,
  dim: number,
  top: number,
  left: number,
  block: Float64Array,
  rows: number,
  cols: number,
): void {
  for (let i = 0; i < rows; i++) {
    const target = (top + i) * dim + left;
    const source = i * cols;
    for (let j = 0; j < cols; j++) c[target + j] += block[source + j];
  }
}

/**
 * C[i, j] += Σ_k T[i, k]·T[j, k] for i ≤ j (and some entries just below the diagonal, which callers ignore), where
 * T is d × b row-major and C is d × d; d must be a multiple of 4.
 */
export function accumulateUpperGram(t: Float64Array, d: number, b: number, c: Float64Array): void {
  for (let i = 0; i < d; i += 4) {
    const i0 = i * b;
    const i1 = i0 + b;
    const i2 = i1 + b;
    const i3 = i2 + b;
    for (let j = i; j < d; j += 4) {
      const j0 = j * b;
      const j1 = j0 + b;
      const j2 = j1 + b;
      const j3 = j2 + b;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let k = 0; k < b; k++) {
        const a0 = t[i0 + k];
        const a1 = t[i1 + k];
        const a2 = t[i2 + k];
        const a3 = t[i3 + k];
        const b0 = t[j0 + k];
        const b1 = t[j1 + k];
        const b2 = t[j2 + k];
        const b3 = t[j3 + k];
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
      }
      let r = i * d + j;
      c[r] += c00;
      c[r + 1] += c01;
      c[r + 2] += c02;
      c[r + 3] += c03;
      r += d;
      c[r] += c10;
      c[r + 1] += c11;
      c[r + 2] += c12;
      c[r + 3] += c13;
      r += d;
      c[r] += c20;
      c[r + 1] += c21;
      c[r + 2] += c22;
      c[r + 3] += c23;
      r += d;
      c[r] += c30;
      c[r + 1] += c31;
      c[r + 2] += c32;
      c[r + 3] += c33;
    }
  }
}
