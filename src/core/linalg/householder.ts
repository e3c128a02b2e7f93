import { InvalidArgumentError } from '../errors.js';
import { norm } from './basic.js';
import type { DenseProducts } from './products.js';

/*
 * Householder reduction of a symmetric matrix to tridiagonal form, Qᵀ·A·Q = T with Q = H₀·H₁·…·H_{n−3} and
 * H_k = I − β_k·v_k·v_kᵀ, and the products with Q that turn eigenvectors of T into eigenvectors of A. Two forms:
 *
 * - unblocked (`tridiagonalise`, `accumulateReflections`): plain TypeScript over the upper triangle, for the small
 *   matrices of certificates, whose results must not move;
 * - blocked (`blockedTridiagonalise`, `applyReflections`, LAPACK's dsytrd/dlatrd and dormtr/dlarft/dlarfb): the
 *   flops go through a `DenseProducts` engine, as matrix–vector products inside each panel and as one matrix
 *   product per panel, so that a fast engine does the work at n in the thousands.
 */

/**
 * Householder reduction Qᵀ·A·Q = T using only the upper triangle of `work`, so every loop runs along rows. Step k
 * maps row k beyond the diagonal onto α·e₁; its Householder vector v is left in that row (columns k+1…n−1) with
 * β = 2/vᵀv in beta[k] (0 when the row was already reduced), for `accumulateReflections`.
 */
export function tridiagonalise(
  work: Float64Array,
  n: number,
): { d: Float64Array; e: Float64Array; beta: Float64Array } {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const beta = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    d[k] = work[k * n + k];
    const start = k * n + k + 1;
    const v = work.subarray(start, start + n - k - 1);
    const x0 = v[0];
    if (norm(v.subarray(1)) === 0) {
      // Already tridiagonal in this row: H = I.
      e[k] = x0;
      continue;
    }
    const length = norm(v);
    const alpha = x0 >= 0 ? -length : length;
    v[0] = x0 - alpha;
    const b = 1 / (alpha * (alpha - x0));
    beta[k] = b;
    e[k] = alpha;
    updateTrailingBlock(work, n, k + 1, v, b, p);
  }
  if (n >= 2) {
    d[n - 2] = work[(n - 2) * n + n - 2];
    e[n - 2] = work[(n - 2) * n + n - 1];
  }
  if (n >= 1) d[n - 1] = work[(n - 1) * n + n - 1];
  return { d, e, beta };
}

/** B ← H·B·H for the trailing block B = work[s:, s:] (upper triangle), H = I − β·v·vᵀ. */
function updateTrailingBlock(
  work: Float64Array,
  n: number,
  s: number,
  v: Float64Array,
  b: number,
  scratch: Float64Array,
): void {
  const m = n - s;
  const p = scratch.subarray(0, m);
  p.fill(0);
  // p = β·B·v from the upper triangle: row i contributes to p_i (along the row) and to p_j (by symmetry).
  for (let i = 0; i < m; i++) {
    const row = (s + i) * n + s;
    const vi = v[i];
    let sum = work[row + i] * vi;
    for (let j = i + 1; j < m; j++) {
      const bij = work[row + j];
      sum += bij * v[j];
      p[j] += bij * vi;
    }
    p[i] += sum;
  }
  let pv = 0;
  for (let i = 0; i < m; i++) {
    p[i] *= b;
    pv += p[i] * v[i];
  }
  // w = p − (β/2)(pᵀv)·v, then B ← B − v·wᵀ − w·vᵀ.
  const half = 0.5 * b * pv;
  for (let i = 0; i < m; i++) p[i] -= half * v[i];
  for (let i = 0; i < m; i++) {
    const row = (s + i) * n + s;
    const vi = v[i];
    const wi = p[i];
    for (let j = i; j < m; j++) work[row + j] -= vi * p[j] + wi * v[j];
  }
}

/** Q = H₀·H₁·…·H_{n−3}, built backwards so that each step touches only the block it changes. */
export function accumulateReflections(work: Float64Array, beta: Float64Array, n: number): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const t = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    const b = beta[k];
    if (b === 0) continue;
    const s = k + 1;
    const v = work.subarray(k * n + s, k * n + n);
    const m = n - s;
    t.fill(0, 0, m);
    for (let i = 0; i < m; i++) {
      const vi = v[i];
      const row = (s + i) * n + s;
      for (let j = 0; j < m; j++) t[j] += vi * q[row + j];
    }
    for (let i = 0; i < m; i++) {
      const f = b * v[i];
      const row = (s + i) * n + s;
      for (let j = 0; j < m; j++) q[row + j] -= f * t[j];
    }
  }
  return q;
}

/** The reflectors of a reduction Qᵀ·A·Q = T, Q = H₀·H₁·…·H_{n−3}, H_k = I − β_k·v_k·v_kᵀ. */
export interface HouseholderTridiagonal {
  /** Diagonal of T (n entries). */
  readonly d: Float64Array;
  /** Off-diagonal of T: e[k] couples k and k+1; e[n−1] = 0. */
  readonly e: Float64Array;
  /** v_k for k = 0…n−3: components k+1…n−1 of reflector k (n−k−1 entries), all zero where H_k = I. */
  readonly vectors: readonly Float64Array[];
  /** β_k = 2/v_kᵀv_k, 0 where H_k = I. */
  readonly beta: Float64Array;
}

/**
 * Panel width of the blocked reduction. Each panel ends with a trailing update, a product with an (n−k)² output
 * and a pass over it in TypeScript, so wider panels mean fewer of those, while the corrections inside a panel grow
 * with the width. At n = 3072 with the ONNX engine on the shared 2-core machine, the time outside the matrix–vector
 * products (which do not depend on b) was 1.9–3.2 s for b = 64, 2.3–3.3 s for 96 and 128 (three runs each,
 * interleaved), 3.8 s for 32 and 4.1 s for 192.
 */
export const REDUCTION_BLOCK = 64;

/**
 * Reflectors per block of the back-transformation: wider blocks mean fewer passes over the eigenvectors, narrower
 * ones fewer wasted flops in the blocks' zero triangles and a smaller T. At n = 3072 with the ONNX engine (2 threads,
 * load 1.8, runs after the first): 64 reflectors 2.8–3.1 s, 128 1.6–1.9 s, 256 1.35–1.6 s, 384 1.3–1.45 s, 512
 * 1.45 s.
 */
export const BACK_TRANSFORMATION_BLOCK = 256;

/** Entries that `blockedTridiagonalise` needs in `a` for n and a block size: A itself and 2·blockSize vectors. */
export function blockedWorkspaceLength(n: number, blockSize: number = REDUCTION_BLOCK): number {
  return n * n + 2 * blockSize * n;
}

/**
 * Blocked Householder reduction Qᵀ·A·Q = T of the full symmetric n × n matrix held (both triangles) in the first n²
 * entries of `a`, which is destroyed; as LAPACK's dsytrd with dlatrd's panels. Each panel of `blockSize` columns is
 * reduced one column at a time against the trailing matrix as it stood at the panel's start, corrected by the
 * panel's reflectors v_i and their images w_i so far (A − V·Wᵀ − W·Vᵀ). Then one product updates the trailing matrix,
 * A₂₂ ← A₂₂ − V·Wᵀ − W·Vᵀ. Once at most 2·blockSize rows remain, the unblocked `tridiagonalise` finishes.
 *
 * Layout, chosen so that every product reads contiguous memory and large outputs are few: the trailing matrix is
 * kept compact (row stride m = n − k, rewritten at the start of `a` by each update), and the panel's v_i, w_i follow
 * it as rows. So one matrix–vector product with [A₂₂ rows; V and W rows] gives both A·v and the dot products of v
 * with the panel's vectors; one more, with those vectors, gives the corrections. When `a` is shorter than
 * {@link blockedWorkspaceLength} it is first copied into a buffer of that length.
 *
 * T agrees with the unblocked `tridiagonalise`'s within the usual backward error, a small multiple of n·ε·‖A‖.
 *
 * @example
 * ```ts
 * const a = Float64Array.of(4, 1, 2, 1, 3, 0, 2, 0, 1);
 * const { d, e } = blockedTridiagonalise(a, 3, referenceProducts, 1); // tridiag(e, d, e) has A's eigenvalues
 * ```
 */
export function blockedTridiagonalise(
  a: Float64Array,
  n: number,
  products: DenseProducts,
  blockSize: number = REDUCTION_BLOCK,
): HouseholderTridiagonal {
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new InvalidArgumentError('blockSize', 'an integer ≥ 1', blockSize);
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const beta = new Float64Array(Math.max(n - 2, 0));
  const vectors: Float64Array[] = [];
  const b = blockSize;
  let store = a;
  let start = 0;
  let m = n;
  if (m > 2 * b) {
    const length = blockedWorkspaceLength(n, b);
    if (a.length < length) {
      store = new Float64Array(length);
      store.set(a.subarray(0, n * n));
    }
    const scratch = panelScratch(n, b);
    for (; m > 2 * b; start += b, m -= b) {
      reducePanel(store, m, b, start, products, scratch, d, e, beta, vectors);
      updateTrailingMatrix(store, m, b, products, scratch);
    }
  }
  const tail = tridiagonalise(store, m);
  d.set(tail.d, start);
  e.set(tail.e, start);
  for (let k = 0; k < m - 2; k++) {
    beta[start + k] = tail.beta[k];
    // tridiagonalise leaves the row's own entries where H = I; a zero vector keeps such H out of the block products.
    vectors.push(tail.beta[k] === 0 ? new Float64Array(m - k - 1) : store.slice(k * m + k + 1, (k + 1) * m));
  }
  return { d, e, vectors, beta };
}

interface PanelScratch {
  /** Row j of the current matrix, A − Σ_{i<j} v_i·w_iᵀ + w_i·v_iᵀ. */
  readonly row: Float64Array;
  /** Σ_{i<j} v_i[j]·w_i + w_i[j]·v_i for the next row, accumulated while the previous column is reduced. */
  readonly rowCorrection: Float64Array;
  /** Output of the fused matrix–vector product: A₂₂·v on rows j+1…m−1, then the 2j dot products with v. */
  readonly image: Float64Array;
  /** 2 × 2j coefficients and their 2 × m combinations of the panel's vectors. */
  readonly coefficients: Float64Array;
  readonly combinations: Float64Array;
  /** The trailing update's operands and product. */
  readonly left: Float64Array;
  readonly right: Float64Array;
  readonly update: Float64Array;
}

function panelScratch(n: number, b: number): PanelScratch {
  const trailing = n - b;
  return {
    row: new Float64Array(n),
    rowCorrection: new Float64Array(n),
    image: new Float64Array(n + 2 * b),
    coefficients: new Float64Array(4 * b),
    combinations: new Float64Array(2 * n),
    left: new Float64Array(trailing * 2 * b),
    right: new Float64Array(trailing * 2 * b),
    update: new Float64Array(Math.min(UPDATE_ROWS_PER_WIDTH * b, trailing) * trailing),
  };
}

/**
 * Reduces rows 0…b−1 of the compact m × m trailing matrix at the start of `store` (global rows start…start+b−1),
 * leaving v_i and w_i = β_i·(A_i·v_i) − (β_i²/2)(v_iᵀA_i·v_i)·v_i as rows 2i and 2i+1 of the m-wide block that follows
 * it, with A_i = A − Σ_{l<i} v_l·w_lᵀ + w_l·v_lᵀ the matrix after the panel's earlier reflectors. A₂₂ is not written.
 */
function reducePanel(
  store: Float64Array,
  m: number,
  b: number,
  start: number,
  products: DenseProducts,
  scratch: PanelScratch,
  d: Float64Array,
  e: Float64Array,
  beta: Float64Array,
  vectors: Float64Array[],
): void {
  const { row, image, coefficients, combinations } = scratch;
  const rowCorrection = scratch.rowCorrection.subarray(0, m);
  const base = m * m;
  const pairs = store.subarray(base, base + 2 * b * m);
  pairs.fill(0);
  rowCorrection.fill(0);
  for (let j = 0; j < b; j++) {
    const k = start + j;
    const earlier = pairs.subarray(0, 2 * j * m);
    for (let p = j; p < m; p++) row[p] = store[j * m + p] - rowCorrection[p];
    d[k] = row[j];
    const v = pairs.subarray(2 * j * m, (2 * j + 1) * m);
    const w = pairs.subarray((2 * j + 1) * m, (2 * j + 2) * m);
    const x0 = row[j + 1];
    const last = j + 1 === b;
    if (norm(row.subarray(j + 2, m)) === 0) {
      // Already reduced: H = I, and v = w = 0 leave the panel's later columns and the update unchanged.
      e[k] = x0;
      vectors.push(new Float64Array(m - j - 1));
      if (!last && j > 0) {
        const c = coefficients.subarray(0, 2 * j);
        for (let i = 0; i < j; i++) {
          c[2 * i] = pairs[(2 * i + 1) * m + j + 1];
          c[2 * i + 1] = pairs[2 * i * m + j + 1];
        }
        products.multiply(c, earlier, 1, 2 * j, m, rowCorrection);
      }
      continue;
    }
    const length = norm(row.subarray(j + 1, m));
    const alpha = x0 >= 0 ? -length : length;
    v.set(row.subarray(j + 1, m), j + 1);
    v[j + 1] = x0 - alpha;
    const bk = 1 / (alpha * (alpha - x0));
    beta[k] = bk;
    e[k] = alpha;
    vectors.push(v.slice(j + 1, m));
    // One pass over rows j+1…m−1 of A₂₂ (v is zero before j+1, so whole rows can be read) and on into the 2j rows
    // of earlier v_i, w_i that follow them: y = A₂₂·v, then v_0ᵀv, w_0ᵀv, ….
    const rows = m - j - 1;
    const fused = image.subarray(0, rows + 2 * j);
    products.multiply(store.subarray((j + 1) * m, base + 2 * j * m), v, rows + 2 * j, m, 1, fused);
    const y = fused.subarray(0, rows);
    if (j > 0) {
      // Row 0: Σ_i v_i·(w_iᵀv) + w_i·(v_iᵀv), the correction of y; row 1: the next row's correction from the same
      // vectors. Both as (2 × 2j)·(2j × m), which reads the vectors in place.
      const width = 2 * j;
      const c = coefficients.subarray(0, 2 * width);
      const dots = fused.subarray(rows, rows + width);
      for (let i = 0; i < j; i++) {
        c[2 * i] = dots[2 * i + 1];
        c[2 * i + 1] = dots[2 * i];
        c[width + 2 * i] = last ? 0 : pairs[(2 * i + 1) * m + j + 1];
        c[width + 2 * i + 1] = last ? 0 : pairs[2 * i * m + j + 1];
      }
      const out = combinations.subarray(0, 2 * m);
      products.multiply(c, earlier, 2, width, m, out);
      for (let p = j + 1; p < m; p++) y[p - j - 1] -= out[p];
      rowCorrection.set(out.subarray(m, 2 * m));
    }
    let pv = 0;
    for (let p = j + 1; p < m; p++) {
      const wp = bk * y[p - j - 1];
      w[p] = wp;
      pv += wp * v[p];
    }
    const half = 0.5 * bk * pv;
    for (let p = j + 1; p < m; p++) w[p] -= half * v[p];
    if (!last) {
      // This column's own share of the next row's correction.
      const vNext = v[j + 1];
      const wNext = w[j + 1];
      for (let p = j + 1; p < m; p++) rowCorrection[p] += vNext * w[p] + wNext * v[p];
    }
  }
}

/**
 * Rows per product of the trailing update, in panel widths: the products cover the upper triangle in row blocks of
 * 4b (256 at b = 64), which computes about t·2b entries below the diagonal more than the triangle's t²/2.
 */
const UPDATE_ROWS_PER_WIDTH = 4;

/**
 * A₂₂ ← A₂₂ − V·Wᵀ − W·Vᵀ on the trailing (m−b) × (m−b) block of the compact m × m matrix at the start of
 * `store`, written compactly (stride m−b) at the start of `store`. The products cover the upper triangle in row
 * blocks (about half the flops of the full square); the lower triangle is mirrored from it, so the matrix stays
 * exactly symmetric for the next panel's matrix–vector products, which read whole rows.
 */
function updateTrailingMatrix(
  store: Float64Array,
  m: number,
  b: number,
  products: DenseProducts,
  scratch: PanelScratch,
): void {
  const base = m * m;
  const t = m - b;
  const width = 2 * b;
  const left = scratch.left.subarray(0, t * width);
  const right = scratch.right.subarray(0, t * width);
  // left (t × 2b) = [v₀ w₀ v₁ w₁ …] and right (t × 2b) = [w₀ v₀ w₁ v₁ …], both restricted to rows b…m−1, so that
  // left·rightᵀ = Σ_i v_i·w_iᵀ + w_i·v_iᵀ. Both are row-major so that any range of rows of the product, or of
  // columns, reads a contiguous block of them.
  for (let c = 0; c < width; c++) {
    const from = base + c * m + b;
    for (let i = 0; i < t; i++) left[i * width + c] = store[from + i];
  }
  for (let i = 0; i < t * width; i += 2) {
    right[i] = left[i + 1];
    right[i + 1] = left[i];
  }
  const rows = UPDATE_ROWS_PER_WIDTH * b;
  for (let first = 0; first < t; first += rows) {
    const last = Math.min(t, first + rows);
    const cols = t - first;
    const update = scratch.update.subarray(0, (last - first) * cols);
    products.multiply(
      left.subarray(first * width, last * width),
      right.subarray(first * width, t * width),
      last - first,
      width,
      cols,
      update,
      { transposeB: true },
    );
    // In place: entry (i, j) moves from (b+i)·m + b + j to i·t + j, never past an entry still to be read; entries
    // left of the diagonal are copied from rows above, already rewritten.
    for (let i = first; i < last; i++) {
      const from = (b + i) * m + b;
      const to = i * t;
      for (let j = 0; j < i; j++) store[to + j] = store[j * t + i];
      const row = (i - first) * cols - first;
      for (let j = i; j < t; j++) store[to + j] = store[from + j] - update[row + j];
    }
  }
}

/**
 * z ← Q·z for the n × width row-major `z`, with Q = H₀·H₁·…·H_{n−3} from a reduction: blocks of `blockSize`
 * reflectors, last block first, each applied as I − V·T·Vᵀ (LAPACK's dlarft for T, forward and columnwise, and
 * dlarfb): three products per block, Vᵀ·z, T·(Vᵀ·z) and V·(T·Vᵀ·z), the last with an (n−k) × width output. With
 * z = I it forms Q; with z the eigenvectors of T it gives those of A.
 *
 * @example
 * ```ts
 * const reduction = blockedTridiagonalise(Float64Array.of(4, 1, 2, 1, 3, 0, 2, 0, 1), 3, referenceProducts, 1);
 * const q = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
 * applyReflections(reduction, q, 3, referenceProducts); // q = Q, and Qᵀ·A·Q = tridiag(e, d, e)
 * ```
 */
export function applyReflections(
  reduction: HouseholderTridiagonal,
  z: Float64Array,
  width: number,
  products: DenseProducts,
  blockSize: number = BACK_TRANSFORMATION_BLOCK,
): void {
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new InvalidArgumentError('blockSize', 'an integer ≥ 1', blockSize);
  }
  const n = reduction.d.length;
  const count = reduction.vectors.length;
  if (count === 0 || width === 0) return;
  const b = Math.min(blockSize, count);
  const block = new Float64Array((n - 1) * b);
  const gram = new Float64Array(b * b);
  const t = new Float64Array(b * b);
  const projected = new Float64Array(b * width);
  const mixed = new Float64Array(b * width);
  const update = new Float64Array((n - 1) * width);
  for (let first = Math.floor((count - 1) / b) * b; first >= 0; first -= b) {
    const kb = Math.min(b, count - first);
    const rows = n - first - 1;
    // V: rows first+1…n−1, column c = v_{first+c}, which starts at row first+c+1.
    const v = block.subarray(0, rows * kb);
    v.fill(0);
    for (let c = 0; c < kb; c++) {
      const vector = reduction.vectors[first + c];
      for (let r = c; r < rows; r++) v[r * kb + c] = vector[r - c];
    }
    const g = gram.subarray(0, kb * kb);
    products.multiply(v, v, kb, rows, kb, g, { transposeA: true });
    const tk = t.subarray(0, kb * kb);
    triangularFactor(g, reduction.beta.subarray(first, first + kb), kb, tk);
    const target = z.subarray((first + 1) * width, n * width);
    const x = projected.subarray(0, kb * width);
    const y = mixed.subarray(0, kb * width);
    const p = update.subarray(0, rows * width);
    products.multiply(v, target, kb, rows, width, x, { transposeA: true });
    products.multiply(tk, x, kb, kb, width, y);
    products.multiply(v, y, rows, kb, width, p);
    for (let i = 0; i < p.length; i++) target[i] -= p[i];
  }
}

/**
 * The upper triangular T with H_0·H_1·…·H_{b−1} = I − V·T·Vᵀ, from the Gram matrix G = VᵀV: T_jj = β_j and
 * T[0:j, j] = −β_j·T[0:j, 0:j]·G[0:j, j] (LAPACK's dlarft, forward, columnwise).
 */
function triangularFactor(g: Float64Array, beta: Float64Array, b: number, t: Float64Array): void {
  t.fill(0);
  for (let j = 0; j < b; j++) {
    const bj = beta[j];
    t[j * b + j] = bj;
    if (bj === 0) continue;
    for (let i = 0; i < j; i++) {
      let s = 0;
      for (let l = i; l < j; l++) s += t[i * b + l] * g[l * b + j];
      t[i * b + j] = -bj * s;
    }
  }
}
