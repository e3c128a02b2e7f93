/** Preprocessing of loaded images into datasets: selection, pooling, scaling, standardisation, whitening. */
export * from './binary-split.js';
export * from './subset.js';
export * from './downsample.js';
export * from './scale.js';
export * from './standardise.js';
export * from './covariance.js';
export * from './affine-rows.js';
export * from './whiten.js';
export * from './prepare.js';
export * from './prepared-files.js';
