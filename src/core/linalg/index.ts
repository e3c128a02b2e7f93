/**
 * Dense float64 linear algebra for certificates: row-major Float64Array matrices, hand-written kernels with
 * documented tolerances (see docs/linear-algebra.md).
 */
export * from './basic.js';
export * from './symmetric-eigen.js';
export * from './lanczos.js';
export { numericalRank, singularValues, type NumericalRank } from './svd.js';
export * from './least-squares.js';
export * from './cholesky.js';
export * from './products.js';
export * from './tridiagonal-dc.js';
