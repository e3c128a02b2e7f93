/**
 * The `backend` namespace of `basin/node`: everything in the browser entry's `backend` (the `Backend` interface,
 * the reference backend, the WebGPU engine) plus what needs Node: the ONNX Runtime CPU backend (the optional
 * `onnxruntime-node` package), its float64 dense products, and the choice between the backends (`chooseBackend`,
 * `withCurvature`, `withDenseProducts`).
 *
 * @example
 * ```ts
 * import { backend, data, model, train } from 'basin/node';
 *
 * const set = data.gaussianRandomLabels({ count: 200, inputDim: 20, seed: 1 });
 * const net = model.mlp(20, [20], 1, { kind: 'leaky-relu', slope: 0 }, false);
 * const { backend: chosen, record } = backend.chooseBackend('auto', { architecture: net, loss: 'mse', samples: set });
 * const objective = chosen.objective(net, 'mse', set);
 * const result = train.train({
 *   objective,
 *   initialTheta: model.initialise(net, { kind: 'pytorch' }, 2),
 *   optimiser: train.DEFAULT_OPTIMISERS.adam,
 *   schedule: { kind: 'constant', learningRate: 0.01 },
 *   stopping: { maxEpochs: 20 },
 *   shuffleSeed: 1,
 * });
 * objective.dispose();
 * console.log(record.backend, result.epochs); // 'onnx' (or 'reference' without onnxruntime-node) 20
 * ```
 */
export * from './index.js';
export {
  BACKEND_REQUESTS,
  chooseBackend,
  multiplyAddsPerEvaluation,
  parseBackendRequest,
  withCurvature,
  withDenseProducts,
} from './select.js';
export { onnxBackend, type OnnxBackendOptions } from './onnx/onnx-backend.js';
export { onnxRuntimeStatus, type RuntimeStatus } from './onnx/runtime.js';
export { type OnnxDenseProducts, onnxDenseProducts } from './onnx/dense-products.js';
export { onnxCurvature, type OnnxCurvatureOptions } from './onnx/onnx-curvature.js';
