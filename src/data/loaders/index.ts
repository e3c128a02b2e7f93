/** Loaders for real datasets: IDX (MNIST, Fashion-MNIST), CIFAR-10 binary, NPY and CSV, into an `ImageSet`. */
export * from './image-set.js';
export * from './idx.js';
export * from './cifar.js';
export * from './npy.js';
export * from './csv.js';
export * from './load.js';
export * from './summary.js';
export * from './image-grid.js';
export * from './npy-array.js';
