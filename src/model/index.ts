/**
 * The `model` namespace of `basin`: multilayer perceptrons as plain data (an `Architecture` and a flat parameter
 * vector θ), their forward pass, loss, exact gradient, Hessian and Jacobian products, initialisation, slope noise,
 * and the weights file format (parsed from and written to strings; reading files is `basin/node`'s `files`).
 *
 * @example
 * ```ts
 * import { model } from 'basin';
 *
 * const net = model.mlp(2, [3], 1, { kind: 'leaky-relu', slope: 0 }, true); // 2-3-1 ReLU with biases
 * const theta = model.initialise(net, { kind: 'pytorch' }, 1);
 * const samples = model.makeSamples([0, 0, 0, 1, 1, 0, 1, 1], [-1, 1, 1, -1], 2);
 * const { loss, gradient } = model.lossAndGradient(net, 'mse', theta, samples);
 * console.log(model.describeArchitecture(net), model.parameterCount(net), loss, gradient.length); // 2-3-1 13 … 13
 * ```
 */
export {
  type Activation,
  type ActivationKind,
  ACTIVATION_KINDS,
  formatActivation,
  parseActivation,
} from './activation.js';
export {
  type Architecture,
  describeArchitecture,
  type HiddenLayer,
  type LayerLayout,
  mlp,
  multiplyAddsPerRow,
  parameterCount,
  parameterLayout,
  type ParameterLayout,
  validateArchitecture,
} from './architecture.js';
export { makeSamples, type Samples, samplesAs, selectSamples } from './samples.js';
export { LOSS_KINDS, type LossKind, lossScale, parseLoss } from './loss.js';
export { forward, type ForwardCache, predict } from './forward.js';
export { type LossAndGradient, lossAndGradient, lossValue } from './gradient.js';
export { denseHessian, hessianVectorProduct } from './hessian.js';
export { jacobianTransposeProduct, jacobianVectorProduct, outputJacobian } from './jacobian.js';
export { type KinkMargin, kinkMargin } from './kinks.js';
export {
  DEFAULT_SLOPE_NOISE,
  drawSlopeNoise,
  type SlopeNoise,
  validateSlopeNoise,
  withSlopeNoise,
} from './slope-noise.js';
export {
  DEFAULT_INITIALISATION,
  type Initialisation,
  initialise,
  INIT_KINDS,
  type InitKind,
} from './init.js';
export {
  type ArchitectureJson,
  architectureFromJson,
  architectureToJson,
  parseWeights,
  serialiseWeights,
  type SlopeNoiseRecord,
  WEIGHTS_FORMAT,
  WEIGHTS_VERSION,
  type WeightsFile,
} from '../io/weights-format.js';
