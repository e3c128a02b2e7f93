import type { Backend, BackendChoiceRecord } from '../backend/backend.js';
import type { DeviceTrainingSettings } from '../backend/webgpu/trainer.js';
import { allocate, type FloatArray } from '../core/dtype.js';
import { InvalidArgumentError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { misclassificationError } from '../data/labels.js';
import { dataSourceNamed, type DataSource } from '../data/sources/index.js';
import type { DataShape } from '../data/sources/source.js';
import { saturatedNetwork } from '../data/swirszcz.js';
import { type Architecture, multiplyAddsPerRow } from '../model/architecture.js';
import { forward } from '../model/forward.js';
import { lossFromCache } from '../model/gradient.js';
import { initialise } from '../model/init.js';
import { kinkMargin } from '../model/kinks.js';
import type { Samples } from '../model/samples.js';
import { withSlopeNoise } from '../model/slope-noise.js';
import { batchSizeOf } from '../train/optimiser.js';
import { type EpochProgress, type TrainOptions, trainAsync, type TrainResult } from '../train/train.js';
import { type CertifiedFields, certifyEndPoint } from './certify-end-point.js';
import { browserEnvironment, type RunEnvironment } from './environment.js';
import { resolveRunSpec, type ResolvedRun, runSeeds, type RunSpec } from './spec.js';
import { CONSTANT_OUTPUT_TOLERANCE, KINK_TOLERANCE } from '../core/tolerances.js';
import { RunSpecError } from './errors.js';
import { requireDataFits } from '../model/memory.js';
import { requireRunFits } from './size.js';

/*
 * The one way a run is trained and measured: `runTraining(spec)` loads the data, builds the network, initialises,
 * chooses the engine, trains, measures the end point and (when the spec asks) certifies it. `basin train`, sweep
 * cells, `reproduce fig5.2`, `reproduce table1` and the explorer's worker all call it (or, for batched restarts,
 * `runTrainingTogether` in together.ts, built from the same stages). The stages are exported so that a caller with
 * extra needs (table1's per-epoch error check on the chosen backend) uses them rather than restating them.
 */

export interface RunHooks {
  readonly onEpoch?: (progress: EpochProgress) => void;
  /** A stopping rule that needs θ (see `TrainOptions.shouldStop`); host backends only. */
  readonly shouldStop?: TrainOptions['shouldStop'];
  readonly signal?: AbortSignal;
  /** The host backend chosen for the run, before training: what a caller builds on it (a classification check). */
  readonly onHostBackend?: (backend: Backend, run: PreparedRun) => void;
}

export interface RunOptions {
  /** Where the run runs (data sources, engines); the browser's by default, `nodeEnvironment` on Node. */
  readonly environment?: RunEnvironment;
  readonly hooks?: RunHooks;
  /** Samples already loaded for `spec.data` (table1's prepared rows); the section is then only recorded. */
  readonly dataset?: Dataset;
  /** What relative paths in the data section resolve against (Node: the config file's directory). */
  readonly baseDirectory?: string;
  /** Threads per host backend (sweeps give one per worker); the backend's own choice by default. */
  readonly threads?: number;
  /** Most trace points kept (10 000 by default; sweeps keep 2). */
  readonly traceLimit?: number;
}

/** A run ready to train: its settings resolved, data loaded, network built, θ initialised. */
export interface PreparedRun {
  readonly resolved: ResolvedRun;
  readonly dataset: Dataset;
  readonly architecture: Architecture;
  /** The samples trained on: the data with the run's fixed slope noise when the spec has some. */
  readonly samples: Samples;
  readonly initialTheta: FloatArray;
}

/** What the pipeline measures at an end point, in float64 on the training samples. */
export interface EndPointMeasures {
  readonly finalLoss: number;
  readonly finalMse: number;
  /** The misclassification error, for one output with a label encoding; else null. */
  readonly finalMce: number | null;
  readonly gradientNorm: number;
  /** min |pre-activation| over kinked units and samples; null without kinked activations. */
  readonly minAbsPreActivation: number | null;
  readonly nearKinkCount: number | null;
  readonly kinkTolerance: number;
  /** The network's output is the same for every sample (to 1e-12 relative): a dead or collapsed network. */
  readonly constantOutput: boolean;
}

export interface TrainingRun extends PreparedRun {
  readonly training: TrainResult;
  readonly backend: BackendChoiceRecord;
  readonly measures: EndPointMeasures;
  /** The end point's certificate columns and record, when the spec asks to certify. */
  readonly certificate?: CertifiedFields;
}

let defaultEnvironment: RunEnvironment | undefined;
/** The environment a run's options name, or the browser's (created once). */
export function runEnvironment(options: RunOptions): RunEnvironment {
  return options.environment ?? (defaultEnvironment ??= browserEnvironment());
}

/**
 * Trains the run `spec` describes and measures its end point.
 *
 * @example
 * ```ts
 * const spec = parseRunSpec({ data: { source: 'xor' }, model: { hidden: [2], bias: true }, stopping: { maxEpochs: 500 } });
 * const run = await runTraining(spec);
 * console.log(run.measures.finalMse, run.backend.backend);
 * ```
 */
export async function runTraining(spec: RunSpec, options: RunOptions = {}): Promise<TrainingRun> {
  const prepared = await prepareRun(spec, options);
  const { training, backend } = await trainPrepared(prepared, options);
  return finishRun(prepared, training, backend);
}

/** Measures (and certifies, when the spec asks) a trained point of a prepared run. */
export function finishRun(
  prepared: PreparedRun,
  training: TrainResult,
  backend: BackendChoiceRecord,
): TrainingRun {
  const measures = measureEndPoint(prepared, training);
  const settings = prepared.resolved.certify;
  const certificate =
    settings === undefined
      ? undefined
      : certifyEndPoint(
          {
            architecture: prepared.architecture,
            loss: prepared.resolved.loss,
            theta: training.theta,
            samples: prepared.samples,
            labelEncoding: prepared.dataset.labelEncoding,
          },
          settings,
        );
  return { ...prepared, training, backend, measures, ...(certificate === undefined ? {} : { certificate }) };
}

/** The spec's data source in the environment; an error naming `data.source` when the environment has none. */
function runDataSource(spec: RunSpec, options: RunOptions): DataSource {
  const environment = runEnvironment(options);
  const section = spec.data as { source: string };
  const source = dataSourceNamed(section.source, environment.sources);
  if (source === undefined) {
    throw new InvalidArgumentError(
      'data.source',
      `one of ${environment.sources.map((known) => known.name).join(', ')} (in the ${environment.name} environment)`,
      section.source,
    );
  }
  return source;
}

/** The data's size as the spec declares it, when its source can tell without loading (generated data). */
export function declaredDataShape(spec: RunSpec, options: RunOptions = {}): DataShape | undefined {
  return runDataSource(spec, options).shape?.(spec.data as Record<string, unknown>);
}

/** Loads the spec's data through its source in the environment. */
export async function loadRunData(spec: RunSpec, options: RunOptions = {}): Promise<Dataset> {
  const section = spec.data as { source: string };
  const source = runDataSource(spec, options);
  const shape = source.shape?.(section);
  if (shape !== undefined) requireDataFits(shape, spec.model.dtype);
  return source.load(section, {
    seed: runSeeds(spec).data,
    dtype: spec.model.dtype,
    baseDirectory: options.baseDirectory ?? '.',
  });
}

/** Resolves the spec, loads (or takes) the data, builds the network and its starting point. */
export async function prepareRun(spec: RunSpec, options: RunOptions = {}): Promise<PreparedRun> {
  const resolved = resolveRunSpec(spec);
  // Sizes the spec declares are checked before the data are generated; those only a file tells, once loaded.
  const declared = options.dataset === undefined ? declaredDataShape(spec, options) : undefined;
  if (declared !== undefined) requireRunFits(resolved, declared);
  const dataset = options.dataset ?? (await loadRunData(spec, options));
  requireRunFits(resolved, dataset);
  const architecture = resolved.architecture(dataset.inputDim, dataset.outputDim);
  const samples = trainingSamples(resolved, architecture, dataset);
  return {
    resolved,
    dataset,
    architecture,
    samples,
    initialTheta: initialPoint(resolved, architecture, samples),
  };
}

/** The samples a run trains on: the data, with the run's fixed slope noise when it has some. */
export function trainingSamples(resolved: ResolvedRun, architecture: Architecture, data: Samples): Samples {
  return resolved.slopeNoise
    ? withSlopeNoise(data, architecture, resolved.slopeNoise, resolved.seeds.slopeNoise)
    : data;
}

/** The run's starting point from its init seed, in the spec's precision. */
export function initialPoint(
  resolved: ResolvedRun,
  architecture: Architecture,
  samples: Samples,
): FloatArray {
  const { init, seeds } = resolved;
  const dtype = resolved.spec.model.dtype;
  if (init.kind !== 'saturated') return initialise(architecture, init, seeds.init, dtype);
  const theta = saturatedNetwork({ architecture, samples, seed: seeds.init });
  if (dtype === 'float64') return theta;
  const narrowed = allocate(dtype, theta.length);
  narrowed.set(theta);
  return narrowed;
}

/**
 * Chooses the engine and trains. `webgpu` runs the environment's device loop; `auto` weighs it first (settings it
 * runs, a hardware adapter, enough work: see `deviceDeclines`), then the host backends by the environment's rule.
 */
export async function trainPrepared(
  prepared: PreparedRun,
  options: RunOptions = {},
): Promise<{ training: TrainResult; backend: BackendChoiceRecord }> {
  const environment = runEnvironment(options);
  const request = prepared.resolved.spec.backend;
  if (request === 'webgpu') return trainOnDevice(prepared, options, 'requested');
  let declined: string | undefined;
  if (request === 'auto') {
    declined = await deviceDeclines(prepared, environment);
    if (declined === undefined) return trainOnDevice(prepared, options, 'auto');
  }
  return trainOnHost(prepared, options, declined);
}

/**
 * Below this many multiply-adds per epoch, `auto` leaves a run on the host even when a GPU could run it. Not yet
 * measured on a GPU (docs/gpu.md: no GPU machine has run basin); set a thousand times above ONNX Runtime's crossover
 * so that only runs far too large for the CPU try it.
 */
export const AUTO_DEVICE_MIN_MULTIPLY_ADDS = 1e7;

/** What a device trainer weighs of a run (its precision unless `dtype` says which copy the device would get). */
export function deviceSettingsOf(
  resolved: ResolvedRun,
  sampleCount: number,
  dtype: string = resolved.spec.model.dtype,
): DeviceTrainingSettings {
  const { optimiser, schedule, stopping } = resolved;
  return { optimiser, schedule, stopping, dtype, sampleCount };
}

/** Why `auto` keeps this run off the device loop, or undefined when it takes it. */
async function deviceDeclines(
  prepared: PreparedRun,
  environment: RunEnvironment,
): Promise<string | undefined> {
  const device = environment.device;
  if (device === undefined) return `no device trainer in the ${environment.name} environment`;
  const { resolved, samples, architecture } = prepared;
  const settings = device.settingsProblem(deviceSettingsOf(resolved, samples.count));
  if (settings !== undefined) return `webgpu: ${settings}`;
  const work = samples.count * multiplyAddsPerRow(architecture);
  if (work < AUTO_DEVICE_MIN_MULTIPLY_ADDS) {
    return `webgpu: ${work} multiply-adds per epoch < ${AUTO_DEVICE_MIN_MULTIPLY_ADDS}`;
  }
  const adapter = await device.probe();
  if (!adapter.available) return `webgpu: ${adapter.reason}`;
  return adapter.software ? 'webgpu: a software adapter (slower than the CPU)' : undefined;
}

async function trainOnDevice(
  prepared: PreparedRun,
  options: RunOptions,
  requested: 'requested' | 'auto',
): Promise<{ training: TrainResult; backend: BackendChoiceRecord }> {
  const device = runEnvironment(options).device;
  const { resolved, samples, architecture } = prepared;
  if (device === undefined) {
    throw new InvalidArgumentError(
      'backend',
      `an engine of the ${runEnvironment(options).name} environment`,
      'webgpu',
    );
  }
  const problem = device.settingsProblem(deviceSettingsOf(resolved, samples.count));
  if (problem !== undefined) throw new RunSpecError(`${problem} (backend webgpu)`);
  const { training, record } = await device.train({
    architecture,
    loss: resolved.loss,
    samples,
    initialTheta: prepared.initialTheta as Float32Array,
    optimiser: resolved.optimiser,
    schedule: resolved.schedule,
    stopping: resolved.stopping,
    ...(options.traceLimit === undefined ? {} : { traceLimit: options.traceLimit }),
    ...(options.hooks?.onEpoch ? { onEpoch: options.hooks.onEpoch } : {}),
  });
  const reason =
    requested === 'auto' ? 'auto: settings the device loop runs, on a hardware adapter' : 'requested';
  return { training, backend: { ...record, requested: requested === 'auto' ? 'auto' : 'webgpu', reason } };
}

async function trainOnHost(
  prepared: PreparedRun,
  options: RunOptions,
  deviceDeclined: string | undefined,
): Promise<{ training: TrainResult; backend: BackendChoiceRecord }> {
  const { resolved, samples, architecture } = prepared;
  const request = resolved.spec.backend as Exclude<RunSpec['backend'], 'webgpu'>;
  // Minibatch optimisers evaluate `batchSize` rows at a time: that is the work the automatic choice weighs.
  const batchSize = batchSizeOf(resolved.optimiser);
  const choice = runEnvironment(options).chooseHost(
    request,
    { architecture, loss: resolved.loss, samples },
    {
      ...(batchSize !== undefined && batchSize < samples.count ? { rowsPerEvaluation: batchSize } : {}),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    },
  );
  const hooks = options.hooks ?? {};
  hooks.onHostBackend?.(choice.backend, prepared);
  const objective = choice.backend.objective(architecture, resolved.loss, samples);
  try {
    const training = await trainAsync({
      objective,
      initialTheta: prepared.initialTheta,
      optimiser: resolved.optimiser,
      schedule: resolved.schedule,
      stopping: resolved.stopping,
      shuffleSeed: resolved.seeds.shuffle,
      ...(hooks.onEpoch ? { onEpoch: hooks.onEpoch } : {}),
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(options.traceLimit === undefined ? {} : { traceLimit: options.traceLimit }),
    });
    const record =
      deviceDeclined === undefined || request !== 'auto'
        ? choice.record
        : { ...choice.record, reason: `${choice.record.reason}; ${deviceDeclined}` };
    return { training, backend: record };
  } finally {
    objective.dispose();
  }
}

/** The end point's float64 measurements on the training samples (the loss and gradient norm are training's). */
export function measureEndPoint(
  prepared: Pick<PreparedRun, 'architecture' | 'dataset' | 'samples'>,
  training: Pick<TrainResult, 'theta' | 'finalLoss' | 'gradientNorm'>,
): EndPointMeasures {
  const { architecture, dataset, samples } = prepared;
  const cache = forward(architecture, training.theta, samples);
  const margin = kinkMargin(cache, KINK_TOLERANCE);
  const hasKinks = Number.isFinite(margin.minAbsPreActivation);
  const classification = dataset.labelEncoding !== undefined && dataset.outputDim === 1;
  let low = Infinity;
  let high = -Infinity;
  for (const value of cache.output) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  return {
    finalLoss: training.finalLoss,
    finalMse: lossFromCache(cache, 'mse'),
    finalMce: classification ? misclassificationError(cache.output, dataset.y, dataset.labelEncoding!) : null,
    gradientNorm: training.gradientNorm,
    minAbsPreActivation: hasKinks ? margin.minAbsPreActivation : null,
    nearKinkCount: hasKinks ? margin.nearKinkCount : null,
    kinkTolerance: KINK_TOLERANCE,
    constantOutput: high - low <= CONSTANT_OUTPUT_TOLERANCE * Math.max(1, Math.abs(high)),
  };
}
