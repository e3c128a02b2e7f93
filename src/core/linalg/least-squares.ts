import { InvalidArgumentError } from '../errors.js';
import { MACHINE_EPSILON, matvec, norm, requireDimension, requireMatrix } from './basic.js';
import { applyQ, applyQTransposed } from './qr.js';
import { jacobiSvd } from './svd.js';

export interface LeastSquaresOptions {
  /**
   * Singular values ≤ rcond·σ_max are treated as zero. Default max(rows, cols)·ε, numpy.linalg.lstsq's default
   * since numpy 1.14.
   */
  readonly rcond?: number;
}

export interface LeastSquares {
  /** The minimum-norm minimiser of ‖A·x − b‖. */
  readonly x: Float64Array;
  /** ‖A·x − b‖, recomputed from A and x. */
  readonly residualNorm: number;
  /** Number of singular values kept (above rcond·σ_max). */
  readonly rank: number;
  /** The cut-off rcond·σ_max actually used. */
  readonly cutoff: number;
}

/**
 * Minimum-norm least squares x = A⁺b for any rows × cols matrix: over- or under-determined, rank-deficient or
 * not, through the QR-preconditioned Jacobi SVD. Like numpy.linalg.lstsq with the same `rcond`.
 *
 * @example
 * ```ts
 * // Fit y = c₀ + c₁·t through (0, 1), (1, 3), (2, 5): x = [1, 2], residualNorm ≈ 0.
 * leastSquares(Float64Array.of(1, 0, 1, 1, 1, 2), 3, 2, Float64Array.of(1, 3, 5));
 * ```
 */
export function leastSquares(
  a: Float64Array,
  rows: number,
  cols: number,
  b: Float64Array,
  options: LeastSquaresOptions = {},
): LeastSquares {
  requireDimension('rows', rows);
  requireDimension('cols', cols);
  requireMatrix('a', a, rows, cols);
  requireMatrix('b', b, rows, 1);
  const rcond = options.rcond ?? Math.max(rows, cols) * MACHINE_EPSILON;
  if (!(rcond >= 0 && Number.isFinite(rcond))) {
    throw new InvalidArgumentError('rcond', 'a finite number ≥ 0', options.rcond);
  }
  const svd = jacobiSvd(a, rows, cols, true);
  const { k, scale, sigma, rotated, rotations, qr } = svd;
  let largest = 0;
  for (let i = 0; i < k; i++) largest = Math.max(largest, sigma[i]);
  const cutoff = rcond * largest;
  const x = new Float64Array(cols);
  let rank = 0;
  if (qr !== undefined && rotations !== undefined && largest > 0) {
    const kept: number[] = [];
    for (let i = 0; i < k; i++) if (sigma[i] > cutoff) kept.push(i);
    rank = kept.length;
    if (svd.tall) {
      // A·P = Q·R = (Q·Jᵀ)·Σ·Wᵀ with W's columns the normalised rows of F = J·R: x_P = W·Σ⁺·J·(Qᵀb)[0:k].
      const c = Float64Array.from(b);
      applyQTransposed(qr, c);
      const xPermuted = new Float64Array(cols);
      for (const i of kept) {
        let jc = 0;
        for (let j = 0; j < k; j++) jc += rotations[i * k + j] * c[j];
        const weight = jc / (sigma[i] * sigma[i]);
        for (let j = 0; j < k; j++) xPermuted[j] += weight * rotated[i * k + j];
      }
      for (let j = 0; j < cols; j++) x[qr.permutation[j]] = xPermuted[j] / scale;
    } else {
      // Aᵀ·P = Q·R, so A = P·Rᵀ·Qᵀ with Rᵀ = W·Σ·J: x = Q·[Jᵀ·Σ⁺·Wᵀ·Pᵀb; 0].
      const permuted = new Float64Array(rows);
      for (let i = 0; i < rows; i++) permuted[i] = b[qr.permutation[i]];
      const full = new Float64Array(cols);
      for (const i of kept) {
        let fb = 0;
        for (let j = 0; j < k; j++) fb += rotated[i * k + j] * permuted[j];
        const weight = fb / (sigma[i] * sigma[i]);
        for (let j = 0; j < k; j++) full[j] += weight * rotations[i * k + j];
      }
      applyQ(qr, full);
      for (let j = 0; j < cols; j++) x[j] = full[j] / scale;
    }
  }
  const fitted = matvec(a, rows, cols, x);
  for (let i = 0; i < rows; i++) fitted[i] -= b[i];
  return { x, residualNorm: norm(fitted), rank, cutoff: cutoff * scale };
}
