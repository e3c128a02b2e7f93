/**
 * The `run` namespace of `basin`: one run spec for everything that defines a training run, and one pipeline that
 * trains, measures and (optionally) certifies it, the same way for `basin train`, sweep cells, the reproductions and
 * the explorer (docs/architecture.md).
 *
 * @example
 * ```ts
 * import { run } from 'basin';
 *
 * const spec = run.parseRunSpec({
 *   seed: 1,
 *   data: { source: 'xor' },
 *   model: { hidden: [2], bias: true },
 *   optimiser: { kind: 'adam' },
 *   schedule: { kind: 'constant', learningRate: 0.05 },
 *   stopping: { maxEpochs: 300 },
 * });
 * const trained = await run.runTraining(spec);
 * console.log(trained.backend.backend, trained.measures.finalMce); // 'reference' …
 * ```
 */
export {
  DEFAULT_CHOICES,
  parseRunSpec,
  resolveRunSpec,
  type ResolvedRun,
  RUN_BACKEND_REQUESTS,
  type RunBackendRequest,
  runSeeds,
  type RunSpec,
  type RunSpecInput,
  runSpecSchema,
  runSpecShape,
  SEED_STREAMS,
  type SeedStream,
  withDefaultChoices,
} from './spec.js';
export {
  AUTO_DEVICE_MIN_MULTIPLY_ADDS,
  deviceSettingsOf,
  type EndPointMeasures,
  finishRun,
  initialPoint,
  loadRunData,
  measureEndPoint,
  type PreparedRun,
  prepareRun,
  runEnvironment,
  type RunHooks,
  type RunOptions,
  runTraining,
  trainingSamples,
  type TrainingRun,
  trainPrepared,
} from './pipeline.js';
export { LOCKSTEP_MAX_RUNS, lockstepLimit, lockstepObstacle, runTrainingTogether } from './together.js';
export { browserEnvironment, referenceOnly, type RunEnvironment } from './environment.js';
export { RunSpecError } from './errors.js';
export {
  type CertifiedFields,
  type CertifySettings,
  certifyEndPoint,
  certifySettingSchema,
  certifySettingsSchema,
  SWEEP_CERTIFY_DEFAULTS,
} from './certify-end-point.js';
export { classifyEndPoint, END_POINT_CLASSES, type EndPointClass } from './end-point-class.js';
export {
  DATA_SOURCES,
  dataSectionSchema,
  dataSourceNamed,
  drawsFromRunSeed,
  providedSource,
} from '../data/sources/index.js';
export {
  type DataContext,
  type DataShape,
  type DataSource,
  defineDataSource,
} from '../data/sources/source.js';
