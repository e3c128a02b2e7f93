/**
 * basin: measure and certify the training loss landscape of multilayer neural networks.
 *
 * This is the browser-safe entry point: it loads no Node built-in, no native package and no file system, so a
 * bundler can ship it to a web page (the explorer in web/ imports it). Its API is grouped by concept into
 * namespaces, each documented in its own index.ts:
 *
 * - `model`: architectures, θ, forward pass, loss, gradient, Hessian and Jacobian products, initialisation,
 *   slope noise, the weights format;
 * - `data`: datasets in memory: generators, labels, image sets and their preprocessing;
 * - `train`: objectives, optimisers, schedules, stopping rules and the training loop;
 * - `certify`: certificates of local minimality, polishing, spectra, multistart search;
 * - `landscape`: loss slices, segments and input-space activation regions;
 * - `linalg`: the dense linear algebra behind certificates;
 * - `backend`: the backend interface, the reference backend and the WebGPU engine;
 * - `run`: the run spec and the pipeline that trains, measures and certifies it (docs/architecture.md).
 *
 * Reading and writing files, the sweep engine and its DuckDB store, ONNX Runtime, reports and the paper
 * reproductions are Node-only: `import { files, sweep, … } from 'basin/node'` (src/node.ts), which re-exports
 * everything here too.
 *
 * @example
 * ```ts
 * import { certify, data } from 'basin';
 *
 * const d1 = data.swirszczD1();
 * const certificate = certify.certify(d1.architecture, d1.loss, d1.points[0].theta, d1.dataset);
 * console.log(certificate.verdict); // 'local-min'
 * ```
 */
export * as model from './model/index.js';
export * as data from './data/index.js';
export * as train from './train/index.js';
export * as certify from './certify/index.js';
export * as landscape from './landscape/index.js';
export * as linalg from './core/linalg/index.js';
export * as backend from './backend/index.js';
export * as run from './run/index.js';

// The few names nearly every caller needs: the error classes basin throws and its seeded random numbers.
export { BasinError, FileFormatError, InvalidArgumentError } from './core/errors.js';
export { ConvergenceError } from './core/linalg/basic.js';
export { deriveSeed, Rng } from './core/rng.js';
export type { DType, FloatArray } from './core/dtype.js';
