import { InvalidArgumentError, requireAllFinite, requireInteger } from '../errors.js';
import { ConvergenceError, hypot, MACHINE_EPSILON } from './basic.js';
import { type DenseProducts, referenceProducts } from './products.js';
import { ascendingOrder, tridiagonalQl } from './tridiagonal.js';

export interface TridiagonalEigenDCOptions {
  /** Engine for the two products of every merge (default {@link referenceProducts}; Node callers pass ONNX). */
  readonly products?: DenseProducts;
  /**
   * Blocks of at most this many rows are solved directly by the QL iteration (default 48). Below ~32 the merges'
   * per-call overhead dominates; above ~64 the QL's scalar rotations (6m³ per block) do.
   */
  readonly baseSize?: number;
}

export interface TridiagonalEigen {
  /** All n eigenvalues, ascending. */
  readonly values: Float64Array;
  /** n × n row-major, eigenvectors as columns: vectors[i·n + k] is component i of eigenvector k. */
  readonly vectors: Float64Array;
}

const DEFAULT_BASE_SIZE = 48;

/**
 * Entries of one output chunk of the merge products. The rows of U go through the products in chunks rather than
 * all at once so that U and the product output need only small scratch, touched once and reused: on the project's
 * VMs first-touching fresh memory costs ~5 ms per MB, more than the products themselves at n = 3072.
 */
const CHUNK_ENTRIES = 1 << 20;

/** Rational steps allowed per secular root before every other step becomes a bisection. */
const RATIONAL_STEPS = 30;

/**
 * Upper bound on secular iterations: bisection alone halves a bracket of width ≤ 2 down to adjacent doubles
 * (subnormals included) in fewer than 2100 steps, so reaching this means the function evaluation produced NaN.
 */
const MAX_SECULAR_STEPS = 2200;

/**
 * All eigenvalues and eigenvectors of the symmetric tridiagonal matrix with diagonal `d` (length n) and
 * off-diagonal `e` (e[i] couples i and i+1; length n or n − 1, e[n−1] ignored), by Cuppen's divide and conquer in
 * the Gu–Eisenstat formulation of LAPACK's dstedc (dlaed0–dlaed4). The inputs are not modified.
 *
 * The matrix is torn at the middle into T = diag(T₁, T₂) + ρ·v·vᵀ, both halves are solved recursively (blocks of
 * at most `baseSize` rows by the QL iteration), and each merge solves D + ρ·z·zᵀ: deflation of negligible z_i and
 * of close pairs (by a Givens rotation), the secular equation for the rest, Löwner's formula for a ẑ of which the
 * computed eigenvalues are exact, and then the merged eigenvectors as two dense products (one per diagonal block)
 * through `products`. Eigenvalues are within a small multiple of ε·‖T‖ of exact ones and the eigenvectors are
 * orthogonal to a small multiple of nε, like dstedc. Almost all of the (4/3)n³-or-fewer flops are in the products,
 * fewer still when deflation is heavy (clustered spectra).
 *
 * Memory: two n × n arrays (the result and the gathered vectors of the top merge) plus O(n) and small chunks.
 *
 * @example
 * ```ts
 * const { values, vectors } = tridiagonalEigenDC(Float64Array.of(2, 2), Float64Array.of(1));
 * // values ≈ [1, 3]; column 0 of vectors ∝ (1, −1)/√2, column 1 ∝ (1, 1)/√2
 * ```
 */
export function tridiagonalEigenDC(
  d: Float64Array,
  e: Float64Array,
  options: TridiagonalEigenDCOptions = {},
): TridiagonalEigen {
  if (!(d instanceof Float64Array)) throw new InvalidArgumentError('d', 'a Float64Array', d);
  if (!(e instanceof Float64Array)) throw new InvalidArgumentError('e', 'a Float64Array', e);
  const n = d.length;
  if (n > 0 && e.length !== n && e.length !== n - 1) {
    throw new InvalidArgumentError('e', `${n - 1} or ${n} entries (d has ${n})`, `${e.length} entries`);
  }
  if (n === 0 && e.length > 1) throw new InvalidArgumentError('e', 'at most 1 entry (d is empty)', e.length);
  requireAllFinite('d', d);
  requireAllFinite('e', e.subarray(0, Math.max(0, n - 1)));
  const baseSize = requireInteger('baseSize', options.baseSize ?? DEFAULT_BASE_SIZE, 1);
  const products = options.products ?? referenceProducts;

  const w = new Workspace(n, products);
  // Scale by a power of two so that the largest entry is about 1: exact, and it keeps the secular equation's z²/δ
  // terms and the absolute deflation tolerance 8ε·max|d| away from overflow and underflow. The clamp keeps both
  // 2^±exponent finite for entries near the ends of the double range.
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(d[i]));
  for (let i = 0; i < n - 1; i++) largest = Math.max(largest, Math.abs(e[i]));
  const exponent = largest === 0 ? 0 : Math.min(1023, Math.max(-1022, Math.floor(Math.log2(largest)) + 1));
  const scale = 2 ** -exponent;
  const unscale = 2 ** exponent;
  for (let i = 0; i < n; i++) w.dv[i] = d[i] * scale;
  for (let i = 0; i < n - 1; i++) w.ev[i] = e[i] * scale;

  w.solve(0, n, baseSize);

  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = w.dv[i] * unscale;
  // w.q holds the eigenvectors as rows in ascending order; the result wants them as columns.
  transposeInPlace(w.q, n);
  return { values, vectors: w.q };
}

/**
 * Scratch of one decomposition. Each subproblem [lo, hi) of size m keeps its eigenvalues ascending in dv[lo..hi)
 * and its eigenvectors as the rows of an m × m row-major block at q[lo·n …]: the blocks of disjoint subproblems
 * never overlap (m² ≤ m·n), and a merge's output block overlaps only its children's, which it has gathered
 * into `gathered` before writing.
 */
class Workspace {
  readonly dv: Float64Array;
  readonly ev: Float64Array;
  readonly q: Float64Array;
  /** The merge's input vectors, by block: rows of length n1 (top), then rows of length n2 (bottom). */
  private readonly gathered: Float64Array;
  private readonly uChunk: Float64Array;
  private readonly outChunk: Float64Array;
  // Per-merge arrays indexed by the m columns of diag(Q₁, Q₂) (0…n1−1 from T₁, n1…m−1 from T₂).
  private readonly dc: Float64Array;
  private readonly zc: Float64Array;
  private readonly sortedCols: Int32Array;
  /** 1: nonzero only in the top n1 rows, 2: in both blocks (after a rotation mixed them), 3: only bottom rows. */
  private readonly shape: Uint8Array;
  private readonly topRow: Int32Array;
  private readonly bottomRow: Int32Array;
  private readonly rotationFrom: Int32Array;
  private readonly rotationTo: Int32Array;
  private readonly rotationCos: Float64Array;
  private readonly rotationSin: Float64Array;
  private readonly deflatedCols: Int32Array;
  // Per-merge arrays indexed by the k non-deflated columns, in ascending order of their d.
  private readonly keptCols: Int32Array;
  private readonly dl: Float64Array;
  private readonly zl: Float64Array;
  private readonly zHat: Float64Array;
  private readonly origin: Int32Array;
  private readonly tau: Float64Array;
  private readonly diff: Float64Array;
  private readonly delta: Float64Array;
  private readonly posTop: Int32Array;
  private readonly posBottom: Int32Array;
  private readonly destination: Int32Array;

  constructor(
    private readonly n: number,
    private readonly products: DenseProducts,
  ) {
    this.dv = new Float64Array(n);
    this.ev = new Float64Array(n);
    this.q = new Float64Array(n * n);
    // Allocated untouched: only the pages the merges use are ever faulted in.
    this.gathered = new Float64Array(n * n);
    const chunk = Math.min(Math.max(CHUNK_ENTRIES, n), n * n);
    this.uChunk = new Float64Array(2 * chunk);
    this.outChunk = new Float64Array(chunk);
    this.dc = new Float64Array(n);
    this.zc = new Float64Array(n);
    this.sortedCols = new Int32Array(n);
    this.shape = new Uint8Array(n);
    this.topRow = new Int32Array(n);
    this.bottomRow = new Int32Array(n);
    this.rotationFrom = new Int32Array(n);
    this.rotationTo = new Int32Array(n);
    this.rotationCos = new Float64Array(n);
    this.rotationSin = new Float64Array(n);
    this.deflatedCols = new Int32Array(n);
    this.keptCols = new Int32Array(n);
    this.dl = new Float64Array(n);
    this.zl = new Float64Array(n);
    this.zHat = new Float64Array(n);
    this.origin = new Int32Array(n);
    this.tau = new Float64Array(n);
    this.diff = new Float64Array(n);
    this.delta = new Float64Array(n);
    this.posTop = new Int32Array(n);
    this.posBottom = new Int32Array(n);
    this.destination = new Int32Array(n);
  }

  solve(lo: number, hi: number, baseSize: number): void {
    const m = hi - lo;
    if (m === 0) return;
    if (m <= baseSize) {
      this.solveBase(lo, m);
      return;
    }
    const mid = lo + (m >> 1);
    // Tear off β·(e_{mid−1} + sign(β)·e_mid)(…)ᵀ with |β| on both diagonal entries, as dlaed0 does.
    const beta = Math.abs(this.ev[mid - 1]);
    this.dv[mid - 1] -= beta;
    this.dv[mid] -= beta;
    this.solve(lo, mid, baseSize);
    this.solve(mid, hi, baseSize);
    this.merge(lo, mid, hi);
  }

  private solveBase(lo: number, m: number): void {
    const d = this.dv.slice(lo, lo + m);
    const e = new Float64Array(m);
    for (let i = 0; i < m - 1; i++) e[i] = this.ev[lo + i];
    const z = new Float64Array(m * m);
    for (let i = 0; i < m; i++) z[i * m + i] = 1;
    // With z = I, row k of z comes back as eigenvector k: the row layout this workspace keeps.
    tridiagonalQl(d, e, z, m);
    const order = ascendingOrder(d);
    const base = lo * this.n;
    for (let p = 0; p < m; p++) {
      const row = order[p];
      this.dv[lo + p] = d[row];
      this.q.set(z.subarray(row * m, row * m + m), base + p * m);
    }
  }

  /** Merges the solved halves [lo, mid) and [mid, hi) into the eigen-decomposition of [lo, hi). */
  private merge(lo: number, mid: number, hi: number): void {
    const { n, dc, zc, shape } = this;
    const n1 = mid - lo;
    const n2 = hi - mid;
    const m = n1 + n2;
    const top = this.q.subarray(lo * n, lo * n + n1 * n1);
    const bottom = this.q.subarray(mid * n, mid * n + n2 * n2);

    // z = Qᵀv/√2 (unit norm) with ρ = 2|β|: the last components of T₁'s eigenvectors and the first of T₂'s.
    const beta = this.ev[mid - 1];
    const sign = beta < 0 ? -1 : 1;
    const rho = 2 * Math.abs(beta);
    for (let i = 0; i < n1; i++) {
      dc[i] = this.dv[lo + i];
      zc[i] = top[i * n1 + n1 - 1] * Math.SQRT1_2;
      shape[i] = 1;
    }
    for (let i = 0; i < n2; i++) {
      dc[n1 + i] = this.dv[mid + i];
      zc[n1 + i] = sign * bottom[i * n2] * Math.SQRT1_2;
      shape[n1 + i] = 3;
    }
    mergeSorted(dc, n1, m, this.sortedCols);

    const { kept, deflated, rotations } = this.deflate(m, rho);
    const counts = this.placeRows(m, n1, kept, deflated);
    this.gather(m, n1, n2, top, bottom, rotations, counts);

    // Secular equation and Löwner's ẑ for the kept columns, in ascending order of d.
    const { dl, zl, zHat, keptCols } = this;
    for (let j = 0; j < kept; j++) {
      dl[j] = dc[keptCols[j]];
      zl[j] = zc[keptCols[j]];
      zHat[j] = 1;
    }
    for (let j = 0; j < kept; j++) this.solveRoot(kept, j, rho);
    for (let j = 0; j < kept; j++) {
      const product = -zHat[j];
      zHat[j] = (zl[j] < 0 ? -1 : 1) * Math.sqrt(product > 0 ? product : 0);
    }

    this.placeResults(lo, m, kept, deflated);
    this.writeKept(lo, m, n1, n2, kept, counts);
    this.writeDeflated(lo, m, n1, n2, deflated, counts);
  }

  /**
   * dlaed2's deflation over the columns in ascending order of d: a column whose ρ·|z_i| is below tol is already an
   * eigenvector; of two kept neighbours whose d differ so little that |t·c·s| ≤ tol, a Givens rotation zeroes one z
   * (whose column becomes an eigenvector) and moves its weight onto the other. tol = 8ε·max(|d|, |z|) as in dlaed2.
   */
  private deflate(m: number, rho: number): { kept: number; deflated: number; rotations: number } {
    const { dc, zc, shape, sortedCols, keptCols, deflatedCols } = this;
    let dMax = 0;
    let zMax = 0;
    for (let i = 0; i < m; i++) {
      dMax = Math.max(dMax, Math.abs(dc[i]));
      zMax = Math.max(zMax, Math.abs(zc[i]));
    }
    const tol = 8 * MACHINE_EPSILON * Math.max(dMax, zMax);
    let kept = 0;
    let deflated = 0;
    let rotations = 0;
    let previous = -1;
    for (let s = 0; s < m; s++) {
      const next = sortedCols[s];
      if (rho * Math.abs(zc[next]) <= tol) {
        deflatedCols[deflated++] = next;
        continue;
      }
      if (previous < 0) {
        previous = next;
        continue;
      }
      const r = hypot(zc[next], zc[previous]);
      const c = zc[next] / r;
      const sn = -zc[previous] / r;
      const t = dc[next] - dc[previous];
      if (Math.abs(t * c * sn) <= tol) {
        zc[next] = r;
        zc[previous] = 0;
        const merged = shape[next] === shape[previous] ? shape[next] : 2;
        shape[next] = merged;
        shape[previous] = merged;
        this.rotationFrom[rotations] = previous;
        this.rotationTo[rotations] = next;
        this.rotationCos[rotations] = c;
        this.rotationSin[rotations] = sn;
        rotations++;
        const dPrevious = dc[previous] * c * c + dc[next] * sn * sn;
        dc[next] = dc[previous] * sn * sn + dc[next] * c * c;
        dc[previous] = dPrevious;
        deflatedCols[deflated++] = previous;
      } else {
        keptCols[kept++] = previous;
      }
      previous = next;
    }
    if (previous >= 0) keptCols[kept++] = previous;
    return { kept, deflated, rotations };
  }

  /**
   * Storage rows in `gathered` for every column: kept columns with top parts first (shape 1 then 2), so that
   * they form one contiguous (c1 + c2) × n1 operand, then deflated ones; likewise (c2 + c3) × n2 for the bottom.
   */
  private placeRows(m: number, n1: number, kept: number, deflated: number): MergeCounts {
    const { shape, keptCols, deflatedCols, topRow, bottomRow, posTop, posBottom } = this;
    let c1 = 0;
    let c2 = 0;
    for (let j = 0; j < kept; j++) {
      const s = shape[keptCols[j]];
      if (s === 1) c1++;
      else if (s === 2) c2++;
    }
    const c3 = kept - c1 - c2;
    topRow.fill(-1, 0, m);
    bottomRow.fill(-1, 0, m);
    let next1 = 0;
    let next2 = 0;
    let next3 = 0;
    for (let j = 0; j < kept; j++) {
      const col = keptCols[j];
      const s = shape[col];
      if (s === 1) {
        posTop[j] = next1++;
        posBottom[j] = -1;
      } else if (s === 2) {
        posTop[j] = c1 + next2;
        posBottom[j] = next2++;
      } else {
        posTop[j] = -1;
        posBottom[j] = c2 + next3++;
      }
      topRow[col] = posTop[j];
      bottomRow[col] = posBottom[j];
    }
    let topRows = c1 + c2;
    let bottomRows = c2 + c3;
    for (let t = 0; t < deflated; t++) {
      const col = deflatedCols[t];
      if (shape[col] !== 3) topRow[col] = topRows++;
      if (shape[col] !== 1) bottomRow[col] = bottomRows++;
    }
    // At most m rows of n1 and m rows of n2: m² ≤ n² entries, so `gathered` always suffices.
    return { c1, c2, c3, bottomBase: topRows * n1 };
  }

  /** Copies the halves' eigenvectors into their storage rows, then applies the deflating rotations there. */
  private gather(
    m: number,
    n1: number,
    n2: number,
    top: Float64Array,
    bottom: Float64Array,
    rotations: number,
    counts: MergeCounts,
  ): void {
    const { gathered, topRow, bottomRow } = this;
    const base = counts.bottomBase;
    for (let col = 0; col < m; col++) {
      const tr = topRow[col];
      const br = bottomRow[col];
      if (col < n1) {
        gathered.set(top.subarray(col * n1, col * n1 + n1), tr * n1);
        if (br >= 0) gathered.fill(0, base + br * n2, base + br * n2 + n2);
      } else {
        const i = col - n1;
        gathered.set(bottom.subarray(i * n2, i * n2 + n2), base + br * n2);
        if (tr >= 0) gathered.fill(0, tr * n1, tr * n1 + n1);
      }
    }
    for (let r = 0; r < rotations; r++) {
      const from = this.rotationFrom[r];
      const to = this.rotationTo[r];
      const c = this.rotationCos[r];
      const s = this.rotationSin[r];
      // A part is stored for both columns whenever either is nonzero there (both carry the union of shapes).
      if (topRow[from] >= 0 && topRow[to] >= 0)
        rotate(gathered, topRow[from] * n1, topRow[to] * n1, n1, c, s);
      if (bottomRow[from] >= 0 && bottomRow[to] >= 0) {
        rotate(gathered, base + bottomRow[from] * n2, base + bottomRow[to] * n2, n2, c, s);
      }
    }
  }

  /**
   * Root j of 1/ρ + Σ z_i²/(d_i − λ) = 0 (dlaed4's problem: d ascending, ρ > 0, ‖z‖ ≤ 1), as λ = d_origin + τ
   * with the origin the nearer pole, so that every δ_i = (d_i − d_origin) − τ keeps full relative accuracy. Each
   * step interpolates the two bracketing poles with the origin's weight exact (Li's "middle way"), falls back to
   * Newton when that points the wrong way and to bisection when it leaves the bracket. Multiplies zHat by root j's
   * factor of Löwner's product.
   */
  private solveRoot(k: number, j: number, rho: number): void {
    const { dl, zl, delta, zHat } = this;
    const rhoInv = 1 / rho;
    let origin: number;
    let tau: number;
    let lo: number;
    let hi: number;
    if (k === 1) {
      origin = 0;
      tau = rho * zl[0] * zl[0];
      delta[0] = -tau;
    } else {
      if (j < k - 1) {
        const gap = dl[j + 1] - dl[j];
        const half = gap / 2;
        let c = rhoInv;
        for (let i = 0; i < k; i++) {
          if (i !== j && i !== j + 1) c += (zl[i] * zl[i]) / (dl[i] - dl[j] - half);
        }
        const zj2 = zl[j] * zl[j];
        const zn2 = zl[j + 1] * zl[j + 1];
        if (c - zj2 / half + zn2 / (gap - half) > 0) {
          // The root is in the lower half of (d_j, d_{j+1}): measure from d_j.
          origin = j;
          lo = 0;
          hi = half;
          const a = c * gap + zj2 + zn2;
          const b = zj2 * gap;
          const root = Math.sqrt(Math.abs(a * a - 4 * b * c));
          tau = a > 0 ? (2 * b) / (a + root) : (a - root) / (2 * c);
        } else {
          origin = j + 1;
          lo = -half;
          hi = 0;
          const a = c * gap - zj2 - zn2;
          const b = zn2 * gap;
          const root = Math.sqrt(Math.abs(a * a + 4 * b * c));
          tau = a < 0 ? (2 * b) / (a - root) : -(a + root) / (2 * c);
        }
      } else {
        // The largest root lies in (d_{k−1}, d_{k−1} + ρ‖z‖²].
        origin = k - 1;
        const half = rho / 2;
        const gap = dl[k - 1] - dl[k - 2];
        let c = rhoInv;
        for (let i = 0; i < k - 2; i++) c += (zl[i] * zl[i]) / (dl[i] - dl[k - 1] - half);
        const zp2 = zl[k - 2] * zl[k - 2];
        const zl2 = zl[k - 1] * zl[k - 1];
        if (c + zp2 / (-gap - half) - zl2 / half <= 0) {
          lo = half;
          hi = rho;
        } else {
          lo = 0;
          hi = half;
        }
        const a = -c * gap + zp2 + zl2;
        const b = zl2 * gap;
        const root = Math.sqrt(Math.abs(a * a + 4 * b * c));
        tau = a < 0 ? (2 * b) / (root - a) : (a + root) / (2 * c);
      }
      if (!(tau > lo && tau < hi)) tau = (lo + hi) / 2;
      tau = this.iterateRoot(k, j, origin, tau, lo, hi, rhoInv);
    }
    this.origin[j] = origin;
    this.tau[j] = tau;
    // Löwner: ẑ_i² ∝ −(d_i − λ_i)·Π_{j≠i} (d_i − λ_j)/(d_i − d_j), accumulated one root at a time.
    for (let i = 0; i < k; i++) zHat[i] *= i === j ? delta[i] : delta[i] / (dl[i] - dl[j]);
  }

  /** The safeguarded iteration of `solveRoot` from a starting τ inside (lo, hi); leaves δ in `delta`. */
  private iterateRoot(
    k: number,
    j: number,
    origin: number,
    tau: number,
    lo: number,
    hi: number,
    rhoInv: number,
  ): number {
    const { dl, zl, diff, delta } = this;
    const dOrigin = dl[origin];
    for (let i = 0; i < k; i++) diff[i] = dl[i] - dOrigin;
    const interior = j < k - 1;
    for (let step = 0; ; step++) {
      // Poles 0…j lie left of the root (δ < 0: ψ), poles j+1… right (δ > 0: φ).
      let psi = 0;
      let dPsi = 0;
      let errorSum = 0;
      for (let i = 0; i <= j; i++) {
        const di = diff[i] - tau;
        delta[i] = di;
        const t = zl[i] / di;
        psi += zl[i] * t;
        dPsi += t * t;
        errorSum -= psi;
      }
      let phi = 0;
      let dPhi = 0;
      for (let i = k - 1; i > j; i--) {
        const di = diff[i] - tau;
        delta[i] = di;
        const t = zl[i] / di;
        phi += zl[i] * t;
        dPhi += t * t;
        errorSum += phi;
      }
      const w = rhoInv + psi + phi;
      const dw = dPsi + dPhi;
      // A bound on the rounding error of w (dlaed4's ERRETM): the partial sums, 1/ρ, and δ's error through τ.
      const originTerm = Math.abs((zl[origin] * zl[origin]) / delta[origin]);
      const bound = 8 * (phi - psi) + errorSum + 2 * rhoInv + 3 * originTerm + Math.abs(tau) * dw;
      if (Math.abs(w) <= MACHINE_EPSILON * bound) return tau;
      if (w < 0) lo = tau;
      else hi = tau;
      if (step >= MAX_SECULAR_STEPS || !Number.isFinite(w)) {
        throw new ConvergenceError(`divide and conquer: secular root ${j} of ${k} did not converge`);
      }
      let eta: number;
      if (interior) {
        const dj = delta[j];
        const dn = delta[j + 1];
        const c =
          origin === j
            ? w - dn * dw - (dl[j] - dl[j + 1]) * (zl[j] / dj) ** 2
            : w - dj * dw - (dl[j + 1] - dl[j]) * (zl[j + 1] / dn) ** 2;
        const a = (dj + dn) * w - dj * dn * dw;
        const b = dj * dn * w;
        if (c === 0) {
          eta = a === 0 ? -w / dw : b / a;
        } else {
          const root = Math.sqrt(Math.abs(a * a - 4 * b * c));
          eta = a <= 0 ? (a - root) / (2 * c) : (2 * b) / (a + root);
        }
      } else {
        // Both nearest poles are on the left: interpolate ψ minus its last term and the last term separately.
        const dp = delta[k - 2];
        const dn = delta[k - 1];
        const lastTerm = (zl[k - 1] / dn) ** 2;
        const c = Math.abs(w - dp * (dPsi - lastTerm) - dn * lastTerm);
        const a = (dp + dn) * w - dp * dn * dw;
        const b = dp * dn * w;
        if (c === 0) {
          eta = hi - tau;
        } else {
          const root = Math.sqrt(Math.abs(a * a - 4 * b * c));
          eta = a >= 0 ? (a + root) / (2 * c) : (2 * b) / (a - root);
        }
      }
      // The step must move against the sign of w; if rounding made it not, take Newton's.
      if (!(w * eta < 0)) eta = -w / dw;
      let next = tau + eta;
      const bisect = step >= RATIONAL_STEPS && step % 2 === 1;
      if (bisect || !(next > lo && next < hi)) next = (lo + hi) / 2;
      // No double strictly between lo and hi: the last τ evaluated (whose δ are in `delta`) is as good as any.
      if (next === lo || next === hi || next === tau) return tau;
      tau = next;
    }
  }

  /** Positions of the merged eigenpairs in ascending order: kept roots and deflated columns interleaved. */
  private placeResults(lo: number, m: number, kept: number, deflated: number): void {
    const { dc, dl, deflatedCols, destination } = this;
    // Deflated values in ascending order (the rotations have moved some of them slightly).
    const order = deflatedCols.subarray(0, deflated);
    order.sort((a, b) => dc[a] - dc[b] || a - b);
    let r = 0;
    let t = 0;
    for (let p = 0; p < m; p++) {
      const root = r < kept ? dl[this.origin[r]] + this.tau[r] : Infinity;
      if (t < deflated && dc[order[t]] < root) {
        this.dv[lo + p] = dc[order[t]];
        destination[kept + t] = p;
        t++;
      } else {
        this.dv[lo + p] = root;
        destination[r] = p;
        r++;
      }
    }
  }

  /**
   * The kept eigenvectors: u_j = (ẑ_i/δ_ij)_i/‖·‖ for chunks of roots j, then rows of Q_blockdiag·U by the two
   * products, top rows against the (c1 + c2) columns with top parts, bottom rows against the (c2 + c3) others.
   */
  private writeKept(lo: number, m: number, n1: number, n2: number, kept: number, counts: MergeCounts): void {
    if (kept === 0) return;
    const { dl, zHat, posTop, posBottom, uChunk, outChunk, gathered, destination, q } = this;
    // δ's scratch is free once every root is solved.
    const vector = this.delta;
    const c12 = counts.c1 + counts.c2;
    const c23 = counts.c2 + counts.c3;
    const chunkRows = Math.max(1, Math.min(kept, Math.floor(outChunk.length / m)));
    const gTop = gathered.subarray(0, c12 * n1);
    const gBottom = gathered.subarray(counts.bottomBase, counts.bottomBase + c23 * n2);
    const base = lo * this.n;
    for (let j0 = 0; j0 < kept; j0 += chunkRows) {
      const rows = Math.min(chunkRows, kept - j0);
      const uTop = uChunk.subarray(0, rows * c12);
      const uBottom = uChunk.subarray(rows * c12, rows * (c12 + c23));
      for (let r = 0; r < rows; r++) {
        const j = j0 + r;
        const shift = dl[this.origin[j]];
        const tau = this.tau[j];
        let sum = 0;
        for (let i = 0; i < kept; i++) {
          const v = zHat[i] / (dl[i] - shift - tau);
          vector[i] = v;
          sum += v * v;
        }
        const scale = 1 / Math.sqrt(sum);
        const topAt = r * c12;
        const bottomAt = r * c23;
        for (let i = 0; i < kept; i++) {
          const v = vector[i] * scale;
          const pt = posTop[i];
          const pb = posBottom[i];
          if (pt >= 0) uTop[topAt + pt] = v;
          if (pb >= 0) uBottom[bottomAt + pb] = v;
        }
      }
      const outTop = outChunk.subarray(0, rows * n1);
      const outBottom = outChunk.subarray(rows * n1, rows * m);
      this.products.multiply(uTop, gTop, rows, c12, n1, outTop);
      this.products.multiply(uBottom, gBottom, rows, c23, n2, outBottom);
      for (let r = 0; r < rows; r++) {
        const at = base + destination[j0 + r] * m;
        q.set(outTop.subarray(r * n1, r * n1 + n1), at);
        q.set(outBottom.subarray(r * n2, r * n2 + n2), at + n1);
      }
    }
  }

  private writeDeflated(
    lo: number,
    m: number,
    n1: number,
    n2: number,
    deflated: number,
    counts: MergeCounts,
  ): void {
    const { deflatedCols, topRow, bottomRow, gathered, destination, q } = this;
    const base = lo * this.n;
    const kept = m - deflated;
    for (let t = 0; t < deflated; t++) {
      const col = deflatedCols[t];
      const at = base + destination[kept + t] * m;
      const tr = topRow[col];
      const br = bottomRow[col];
      if (tr >= 0) q.set(gathered.subarray(tr * n1, tr * n1 + n1), at);
      else q.fill(0, at, at + n1);
      const from = counts.bottomBase + br * n2;
      if (br >= 0) q.set(gathered.subarray(from, from + n2), at + n1);
      else q.fill(0, at + n1, at + m);
    }
  }
}

interface MergeCounts {
  readonly c1: number;
  readonly c2: number;
  readonly c3: number;
  /** Offset of the bottom rows in `gathered`. */
  readonly bottomBase: number;
}

/** Column order that sorts d ascending, given that d[0..n1) and d[n1..m) are each ascending. */
function mergeSorted(d: Float64Array, n1: number, m: number, out: Int32Array): void {
  let a = 0;
  let b = n1;
  for (let p = 0; p < m; p++) {
    if (b >= m || (a < n1 && d[a] <= d[b])) out[p] = a++;
    else out[p] = b++;
  }
}

/** x ← c·x + s·y, y ← c·y − s·x for the rows of length `length` at x and y (LAPACK's drot). */
function rotate(a: Float64Array, x: number, y: number, length: number, c: number, s: number): void {
  for (let i = 0; i < length; i++) {
    const xi = a[x + i];
    const yi = a[y + i];
    a[x + i] = c * xi + s * yi;
    a[y + i] = c * yi - s * xi;
  }
}

/** Transposes an n × n row-major matrix in place, in tiles so that both sides of each swap stay in cache. */
function transposeInPlace(a: Float64Array, n: number): void {
  const tile = 32;
  for (let i0 = 0; i0 < n; i0 += tile) {
    const i1 = Math.min(n, i0 + tile);
    for (let j0 = i0; j0 < n; j0 += tile) {
      const j1 = Math.min(n, j0 + tile);
      for (let i = i0; i < i1; i++) {
        for (let j = Math.max(j0, i + 1); j < j1; j++) {
          const t = a[i * n + j];
          a[i * n + j] = a[j * n + i];
          a[j * n + i] = t;
        }
      }
    }
  }
}
