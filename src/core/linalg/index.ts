/**
 * Dense float64 linear algebra for certificates: row-major Float64Array matrices, hand-written kernels with
 * documented tolerances.
 */
export * from './basic.js';
export * from './symmetric-eigen.js';
