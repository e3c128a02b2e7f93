/**
 * The `linalg` namespace of `basin`: dense float64 linear algebra for certificates. Row-major Float64Array
 * matrices, hand-written kernels with documented tolerances (see docs/linear-algebra.md): symmetric
 * eigendecomposition, Lanczos extremes of an implicit operator, SVD-based numerical rank, least squares, Cholesky.
 * The library's own modules import these names from here too.
 *
 * @example
 * ```ts
 * import { linalg } from 'basin';
 *
 * const { values } = linalg.symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
 * console.log(Array.from(values)); // [1, 3] (ascending, up to rounding)
 * console.log(Array.from(linalg.choleskySolve(Float64Array.of(4, 2, 2, 3), 2, Float64Array.of(2, 1)))); // [0.5, 0]
 * console.log(linalg.numericalRank(Float64Array.of(1, 2, 2, 4), 2, 2).rank); // 1
 * ```
 */
export {
  ConvergenceError,
  dot,
  identity,
  MACHINE_EPSILON,
  matmul,
  matvec,
  matvecTransposed,
  norm,
  transpose,
} from './basic.js';
export { symmetricEigen, type SymmetricEigen, type SymmetricEigenOptions } from './symmetric-eigen.js';
export { type LanczosExtremes, lanczosExtremes, type LanczosOptions } from './lanczos.js';
export { numericalRank, type NumericalRank, singularValues } from './svd.js';
export { type LeastSquares, leastSquares, type LeastSquaresOptions } from './least-squares.js';
export { choleskyFactor, choleskySolve } from './cholesky.js';
export { solveAssignment } from './assignment.js';
export { type DenseProducts, referenceProducts } from './products.js';
