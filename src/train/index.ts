/**
 * The `train` namespace of `basin`: training loops over any `Objective` (the reference TypeScript loss, or a
 * backend's): full-batch gradient descent, SGD, Adam and L-BFGS, learning-rate schedules and stopping rules. A run
 * is a pure function of its options (seeded, bit-identical on a rerun).
 *
 * @example
 * ```ts
 * import { data, model, train } from 'basin';
 *
 * const set = data.gaussianRandomLabels({ count: 40, inputDim: 5, seed: 1 });
 * const net = model.mlp(5, [10], 1, { kind: 'leaky-relu', slope: 0 }, false);
 * const result = train.train({
 *   objective: train.referenceObjective(net, 'mse', set),
 *   initialTheta: model.initialise(net, { kind: 'pytorch' }, 2),
 *   optimiser: train.DEFAULT_OPTIMISERS.adam,
 *   schedule: { kind: 'constant', learningRate: 0.01 },
 *   stopping: { maxEpochs: 200 },
 *   shuffleSeed: 3,
 * });
 * console.log(result.stopReason, result.epochs, result.finalLoss); // 'max-epochs' 200 …
 * ```
 */
export { type Evaluation, type Objective, referenceObjective } from './objective.js';
export {
  batchSizeOf,
  DEFAULT_LEARNING_RATES,
  DEFAULT_OPTIMISERS,
  lockstepCompatible,
  type OptimiserConfig,
  optimiserFromSettings,
  type OptimiserKind,
  OPTIMISER_KINDS,
  optimiserSchema,
  validateOptimiser,
} from './optimiser.js';
export { norm2 } from './vector.js';
export {
  CIFAR_REGIME,
  gammaForDecay,
  learningRateAt,
  type Schedule,
  type ScheduleKind,
  SCHEDULE_KINDS,
  validateSchedule,
} from './schedule.js';
export { type StoppingRule, type StopReason, targetReached, validateStoppingRule } from './stopping.js';
export {
  type EpochProgress,
  fullBatchTrace,
  train,
  trainAsync,
  type TrainOptions,
  type TrainResult,
  type TrainTrace,
} from './train.js';
export { type LineSearchOptions, type LineSearchResult, strongWolfeLineSearch } from './line-search.js';
export { Lbfgs, type LbfgsIteration } from './lbfgs.js';
export { MinibatchSampler } from './minibatches.js';
