import { InvalidArgumentError } from '../errors.js';
import { maxAbs, requireDimension, requireMatrix, transpose } from './basic.js';
import { blockedSymmetricEigen } from './blocked-eigen.js';
import { accumulateReflections, blockedWorkspaceLength, tridiagonalise } from './householder.js';
import type { DenseProducts } from './products.js';
import { sortedEigenpairs, tridiagonalQl } from './tridiagonal.js';

export interface SymmetricEigenOptions {
  /** Also compute eigenvectors (default false: eigenvalues only, about 4× faster for large n). */
  readonly vectors?: boolean;
  /**
   * Largest accepted asymmetry max|a_ij − a_ji| relative to max|a_ij| (default 1e-10). Within it the matrix is
   * replaced by (A + Aᵀ)/2; beyond it the call throws, because a clearly asymmetric input is a caller's bug.
   */
  readonly symmetryTolerance?: number;
  /**
   * A fast product engine, for n in the thousands: Node callers pass `onnxDenseProducts()` (src/backend/onnx). From
   * n = {@link BLOCKED_EIGEN_MIN_ORDER} it switches to the blocked algorithm, which runs its O(n³) flops through it.
   * Without it every n takes the unblocked TypeScript path, whose results certificates were calibrated on, and which
   * is the quicker one in plain TypeScript: with `referenceProducts` the blocked path does about twice the flops
   * (whole-row matrix–vector products, a full back-transformation) at the same speed (n = 600: 3.5 s against 1.9 s).
   */
  readonly products?: DenseProducts;
}

/**
 * Smallest n for which `symmetricEigen` with `products` takes the blocked path: below it one panel would be most of
 * the matrix and the unblocked loops are as fast.
 */
export const BLOCKED_EIGEN_MIN_ORDER = 128;

export interface SymmetricEigen {
  /** All n eigenvalues, ascending. */
  readonly values: Float64Array;
  /** n × n row-major, eigenvectors as columns: vectors[i·n + k] is component i of eigenvector k. */
  readonly vectors: Float64Array | undefined;
}

/**
 * All eigenvalues (and optionally eigenvectors) of a dense symmetric n × n matrix, in float64: Householder
 * reduction to tridiagonal form, then the implicit QL iteration with Wilkinson shifts. Backward stable: each
 * computed eigenvalue is within a small multiple of ε·‖A‖₂ of an exact one, like LAPACK's dsyev.
 *
 * Cost O(n³): about (4/3)n³ flops for the values and about 9n³ with vectors. With `options.products` and
 * n ≥ {@link BLOCKED_EIGEN_MIN_ORDER}, the reduction and the back-transformation of the eigenvectors are blocked
 * (LAPACK's dsytrd and dormtr) and run their flops through that engine.
 *
 * @example
 * ```ts
 * const { values } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2); // [1, 3]
 * // Node, n in the thousands: symmetricEigen(c, n, { vectors: true, products: onnxDenseProducts() })
 * ```
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
  options: SymmetricEigenOptions = {},
): SymmetricEigen {
  requireDimension('n', n);
  requireMatrix('a', a, n, n);
  const wantVectors = options.vectors ?? false;
  const products = n >= BLOCKED_EIGEN_MIN_ORDER ? options.products : undefined;
  // The blocked reduction keeps its panel's vectors after the matrix, in the same buffer.
  const length = products === undefined ? n * n : blockedWorkspaceLength(n);
  const work = symmetrisedCopy(a, n, options.symmetryTolerance ?? 1e-10, length);
  if (products !== undefined) return blockedSymmetricEigen(work, n, wantVectors, products);
  const { d, e, beta } = tridiagonalise(work, n);
  if (!wantVectors) {
    tridiagonalQl(d, e, undefined, 0);
    return { values: d.sort(), vectors: undefined };
  }
  const z = transpose(accumulateReflections(work, beta, n), n, n);
  tridiagonalQl(d, e, z, n);
  return sortedEigenpairs(d, z, n);
}

/** (A + Aᵀ)/2 in the upper triangle and diagonal of the first n² entries of a new buffer of `length` entries. */
function symmetrisedCopy(a: Float64Array, n: number, tolerance: number, length: number): Float64Array {
  if (!(tolerance >= 0)) throw new InvalidArgumentError('symmetryTolerance', 'a number ≥ 0', tolerance);
  const scale = maxAbs(a);
  let worst = 0;
  let worstAt = [0, 0];
  const work = new Float64Array(length);
  for (let i = 0; i < n; i++) {
    work[i * n + i] = a[i * n + i];
    for (let j = i + 1; j < n; j++) {
      const upper = a[i * n + j];
      const lower = a[j * n + i];
      const gap = Math.abs(upper - lower);
      if (gap > worst) {
        worst = gap;
        worstAt = [i, j];
      }
      work[i * n + j] = 0.5 * (upper + lower);
    }
  }
  if (worst > tolerance * scale) {
    throw new InvalidArgumentError(
      'a',
      `a symmetric matrix (|a_ij − a_ji| ≤ ${tolerance}·max|a|)`,
      `|a[${worstAt[0]},${worstAt[1]}] − a[${worstAt[1]},${worstAt[0]}]| = ${worst.toPrecision(3)} with max|a| = ${scale.toPrecision(3)}`,
    );
  }
  return work;
}
