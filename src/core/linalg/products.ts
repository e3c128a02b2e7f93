import { transpose } from './basic.js';
import { InvalidArgumentError } from '../errors.js';

/** Which operands of {@link DenseProducts.multiply} are read transposed. */
export interface ProductLayout {
  /** Read `a` as the transpose of a stored k × m matrix. */
  readonly transposeA?: boolean;
  /** Read `b` as the transpose of a stored n × k matrix. */
  readonly transposeB?: boolean;
}

/**
 * Dense float64 matrix products, the one operation that blocked factorisations hand to a fast engine. The linear
 * algebra in this folder stays browser-safe and engine-free: it takes a `DenseProducts` and defaults to
 * {@link referenceProducts}; Node callers pass the ONNX engine (src/backend/onnx/dense-products.ts), which runs the
 * same products multi-threaded through MLAS.
 */
export interface DenseProducts {
  /** Names the engine in records and benchmark output. */
  readonly engine: string;
  /**
   * out = op(A)·op(B) with op(A) m × k and op(B) k × n, all row-major; `out` (m·n entries) is overwritten. `a`
   * and `b` may be subarrays. `out` must not overlap `a` or `b`.
   */
  multiply(
    a: Float64Array,
    b: Float64Array,
    m: number,
    k: number,
    n: number,
    out: Float64Array,
    layout?: ProductLayout,
  ): void;
}

/** Throws unless the operands hold exactly the entries that `multiply`'s shapes say. */
export function checkProductShapes(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out: Float64Array,
): void {
  for (const [name, value] of [
    ['m', m],
    ['k', k],
    ['n', n],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError(name, 'an integer ≥ 0', value);
  }
  if (a.length !== m * k) throw new InvalidArgumentError('a', `${m * k} entries`, `${a.length} entries`);
  if (b.length !== k * n) throw new InvalidArgumentError('b', `${k * n} entries`, `${b.length} entries`);
  if (out.length !== m * n)
    throw new InvalidArgumentError('out', `${m * n} entries`, `${out.length} entries`);
}

/**
 * Products in plain TypeScript: op(A) and op(B) are first copied into row-major scratch (so the inner loop walks
 * contiguous rows), then out[i, :] += a[i, p]·b[p, :] row by row. Single-threaded, about 1 GFLOP/s here: fine for
 * the small products of small problems and as the engine of the browser.
 */
export const referenceProducts: DenseProducts = {
  engine: 'reference',
  multiply(a, b, m, k, n, out, layout = {}) {
    checkProductShapes(a, b, m, k, n, out);
    const left = layout.transposeA ? transpose(a, k, m) : a;
    const right = layout.transposeB ? transpose(b, n, k) : b;
    out.fill(0);
    for (let i = 0; i < m; i++) {
      const row = i * n;
      for (let p = 0; p < k; p++) {
        const factor = left[i * k + p];
        if (factor === 0) continue;
        const from = p * n;
        for (let j = 0; j < n; j++) out[row + j] += factor * right[from + j];
      }
    }
  },
};
