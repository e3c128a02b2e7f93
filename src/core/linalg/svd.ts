import { InvalidArgumentError } from '../errors.js';
import {
  identity,
  MACHINE_EPSILON,
  maxAbs,
  norm,
  requireDimension,
  requireMatrix,
  transpose,
} from './basic.js';
import { orthogonaliseRows } from './jacobi.js';
import { type PivotedQr, pivotedQr, upperTriangle } from './qr.js';

/**
 * The pieces of a singular value decomposition that the solvers here need, for A scaled by 1/scale. Let k =
 * min(rows, cols) and let "columns" be the columns of A when rows ≥ cols (tall) and of Aᵀ otherwise (wide). Then
 * columns·P = Q·R (pivoted Householder QR), and one-sided Jacobi on the rows of R gives J·R = F with orthogonal J
 * (k × k) and mutually orthogonal rows F (k × k) whose norms are the singular values σ (of A/scale).
 */
export interface JacobiSvd {
  readonly tall: boolean;
  readonly k: number;
  readonly scale: number;
  readonly qr: PivotedQr | undefined;
  readonly rotated: Float64Array;
  readonly rotations: Float64Array | undefined;
  /** Singular values of A/scale, in row order of `rotated` (not sorted). */
  readonly sigma: Float64Array;
}

/**
 * Pivoted QR, then one-sided Jacobi on R (QR-preconditioned Jacobi, Drmač & Veselić 2008): accurate down to the
 * smallest singular values, which matters for rank decisions. Cost about 2·rows·cols·k for the QR plus a few sweeps
 * of 4k³ flops.
 */
export function jacobiSvd(a: Float64Array, rows: number, cols: number, withVectors: boolean): JacobiSvd {
  const tall = rows >= cols;
  const k = Math.min(rows, cols);
  const scale = maxAbs(a);
  if (k === 0 || scale === 0) {
    return {
      tall,
      k,
      scale: scale === 0 ? 1 : scale,
      qr: undefined,
      rotated: new Float64Array(k * k),
      rotations: withVectors ? identity(k) : undefined,
      sigma: new Float64Array(k),
    };
  }
  // Scaling by the largest entry keeps squared norms far from overflow and underflow.
  const columns = tall ? transpose(a, rows, cols) : Float64Array.from(a);
  for (let i = 0; i < columns.length; i++) columns[i] /= scale;
  const qr = tall ? pivotedQr(columns, cols, rows) : pivotedQr(columns, rows, cols);
  const rotated = upperTriangle(qr);
  const rotations = withVectors ? identity(k) : undefined;
  orthogonaliseRows(rotated, k, k, rotations);
  const sigma = new Float64Array(k);
  for (let i = 0; i < k; i++) sigma[i] = norm(rotated.subarray(i * k, (i + 1) * k));
  return { tall, k, scale, qr, rotated, rotations, sigma };
}

/**
 * All min(rows, cols) singular values of a row-major rows × cols matrix, descending.
 *
 * @example
 * ```ts
 * singularValues(Float64Array.of(3, 0, 0, 4), 2, 2); // [4, 3]
 * ```
 */
export function singularValues(a: Float64Array, rows: number, cols: number): Float64Array {
  requireDimension('rows', rows);
  requireDimension('cols', cols);
  requireMatrix('a', a, rows, cols);
  const { sigma, scale } = jacobiSvd(a, rows, cols, false);
  return sigma.map((s) => s * scale).sort((x, y) => y - x);
}

export interface NumericalRank {
  readonly rank: number;
  /** Singular values above this count; the default is max(rows, cols)·σ_max·ε (numpy's matrix_rank). */
  readonly tolerance: number;
  /** All singular values, descending. */
  readonly singularValues: Float64Array;
}

/**
 * Numerical rank: the number of singular values strictly above `tolerance` (default max(rows, cols)·σ_max·ε, the
 * convention of numpy.linalg.matrix_rank and MATLAB's rank). The tolerance used is returned so a report can state it.
 */
export function numericalRank(
  a: Float64Array,
  rows: number,
  cols: number,
  tolerance?: number,
): NumericalRank {
  if (tolerance !== undefined && !(tolerance >= 0 && Number.isFinite(tolerance))) {
    throw new InvalidArgumentError('tolerance', 'a finite number ≥ 0', tolerance);
  }
  const values = singularValues(a, rows, cols);
  const largest = values.length > 0 ? values[0] : 0;
  const cutoff = tolerance ?? Math.max(rows, cols) * largest * MACHINE_EPSILON;
  let rank = 0;
  while (rank < values.length && values[rank] > cutoff) rank++;
  return { rank, tolerance: cutoff, singularValues: values };
}
