/**
 * The `backend` namespace of `basin`: interchangeable engines for losses, gradients, curvature products and
 * classification counts. In the browser entry: the `Backend` interface, the plain TypeScript `referenceBackend`
 * (float64 or float32), and the WebGPU engine (float32 loss, gradient and full-batch Adam through `navigator.gpu`
 * or, in Node, the optional `webgpu` package). `basin/node`'s `backend` adds ONNX Runtime and `chooseBackend`.
 *
 * @example
 * ```ts
 * import { backend, data, model } from 'basin';
 *
 * const set = data.toyDataset('xor');
 * const net = model.mlp(2, [4], 1, { kind: 'tanh' }, true);
 * const objective = backend.referenceBackend.objective(net, 'mse', set);
 * const { loss } = objective.evaluate(model.initialise(net, { kind: 'pytorch' }, 1));
 * objective.dispose();
 * console.log(backend.BACKEND_NAMES, loss); // ['reference', 'onnx'] …
 * ```
 */
export {
  AUTO_MIN_MULTIPLY_ADDS,
  type Backend,
  type BackendChoice,
  type BackendChoiceRecord,
  BACKEND_NAMES,
  type BackendName,
  type BackendObjective,
  type BackendRequest,
  type ChooseBackendOptions,
  type Problem,
} from './backend.js';
export { referenceBackend } from './reference-backend.js';
export {
  loopedRestartsObjective,
  type RestartsEvaluation,
  type RestartsObjective,
  summedObjective,
} from './restarts.js';
export type { CurvatureOperator, CurvaturePoint } from './curvature.js';
export { referenceCurvature } from './reference-curvature.js';
export {
  type ClassificationCheck,
  type ClassificationCount,
  referenceClassificationCheck,
} from './classification.js';
export * from './webgpu/index.js';
