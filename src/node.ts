/**
 * basin/node: the Node-only half of basin's API. Everything of the browser-safe entry (`basin`, src/index.ts), plus
 * what needs Node's file system, worker threads or native packages:
 *
 * - `files`: dataset loaders from disk (IDX, CIFAR-10, NPY, CSV), prepared datasets, weights and result files;
 * - `sweep`: sweeps of many seeded runs, their DuckDB result store and summaries;
 * - `report`: figures and HTML reports of stored sweeps;
 * - `reproduce`: the paper experiments (Figure 5.2, Table 1, the sweep presets);
 * - `backend`: the browser entry's `backend` plus ONNX Runtime, `chooseBackend` and `withDenseProducts`;
 * - `run`: the browser entry's `run` plus `nodeEnvironment` (files, ONNX Runtime) to pass to `runTraining`.
 *
 * @example
 * ```ts
 * import { backend, certify, data, files } from 'basin/node';
 *
 * const d1 = data.swirszczD1();
 * const problem = { architecture: d1.architecture, loss: d1.loss, samples: d1.dataset };
 * const certificate = backend.withCurvature('auto', problem, (curvature) =>
 *   certify.certify(d1.architecture, d1.loss, d1.points[0].theta, d1.dataset, { curvature }),
 * );
 * console.log(certificate.verdict, typeof files.loadImageSet); // 'local-min' 'function'
 * ```
 */
export * from './index.js';
// Shadows the browser entry's `backend` with its superset (an explicit export wins over `export *`).
export * as backend from './backend/node.js';
export * as run from './run/node.js';
export * as files from './io/index.js';
export * as sweep from './sweep/index.js';
export * as report from './report/index.js';
export * as reproduce from './reproduce/index.js';
