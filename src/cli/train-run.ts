import { isAbsolute, resolve } from 'node:path';
import type { FloatArray } from '../core/dtype.js';
import type { Dataset } from '../data/dataset.js';
import { misclassificationError } from '../data/labels.js';
import type { Architecture } from '../model/architecture.js';
import { forward } from '../model/forward.js';
import { lossFromCache } from '../model/gradient.js';
import { initialise } from '../model/init.js';
import { kinkMargin } from '../model/kinks.js';
import { withSlopeNoise } from '../model/slope-noise.js';
import type { Samples } from '../model/samples.js';
import { type BackendChoiceRecord, type BackendRequest, chooseBackend } from '../backend/select.js';
import { batchSizeOf } from '../train/optimiser.js';
import { type EpochProgress, trainAsync, type TrainResult } from '../train/train.js';
import {
  TRAIN_RESULT_FORMAT,
  TRAIN_RESULT_VERSION,
  type TrainOutcome,
  type TrainResultRecord,
  writeTrainResultFile,
} from '../io/result-file.js';
import { architectureToJson, type WeightsFile, writeWeightsFile } from '../io/weights-file.js';
import type { ResolvedTrainConfig } from './config.js';
import { dataSourceNamed } from './data-sources.js';
import { ConfigError } from './config.js';
import { packageVersion } from './package-version.js';
import { trainOnWebGpu, webGpuTrainingProblem } from './train-on-webgpu.js';

/** Pre-activations within this distance of a kink are counted in `nearKinkCount`. */
export const KINK_TOLERANCE = 1e-9;

export interface TrainRun {
  readonly record: TrainResultRecord;
  readonly weights: WeightsFile;
  readonly training: TrainResult;
  readonly dataset: Dataset;
}

/** Loads the configured data (the `data` section, through its registered source). */
export async function loadConfiguredData(resolved: ResolvedTrainConfig): Promise<Dataset> {
  const section = resolved.config.data as { source: string };
  const source = dataSourceNamed(section.source);
  if (source === undefined)
    throw new ConfigError(`data.source: unknown source ${JSON.stringify(section.source)}`);
  return source.load(section, {
    seed: resolved.seeds.data,
    dtype: resolved.config.model.dtype,
    baseDirectory: resolved.baseDirectory,
  });
}

/** The samples the network is trained on: the data, with the run's fixed slope noise when configured. */
export function trainingSamples(
  resolved: ResolvedTrainConfig,
  architecture: Architecture,
  data: Samples,
): Samples {
  return resolved.slopeNoise
    ? withSlopeNoise(data, architecture, resolved.slopeNoise, resolved.seeds.slopeNoise)
    : data;
}

/**
 * Everything `basin train` does between reading the config and writing files: load data, build the network,
 * initialise, train, measure. Files are written by `writeTrainRun`.
 */
export async function runTraining(
  resolved: ResolvedTrainConfig,
  hooks: { readonly onEpoch?: (progress: EpochProgress) => void; readonly signal?: AbortSignal } = {},
): Promise<TrainRun> {
  const dataset = await loadConfiguredData(resolved);
  const architecture = resolved.architecture(dataset.inputDim, dataset.outputDim);
  const samples = trainingSamples(resolved, architecture, dataset);
  const dtype = resolved.config.model.dtype;
  const initialTheta = initialise(architecture, resolved.init, resolved.seeds.init, dtype);
  const request = resolved.config.backend;
  const { training, backend } =
    request === 'webgpu'
      ? await trainWebGpuRun(resolved, architecture, samples, initialTheta, hooks)
      : await trainOnBackend(resolved, request, architecture, samples, initialTheta, hooks);
  const outcome = measure(architecture, training, dataset, samples);
  const weights: WeightsFile = {
    architecture,
    loss: resolved.loss,
    dtype,
    theta: training.theta,
    ...(resolved.slopeNoise
      ? { slopeNoise: { ...resolved.slopeNoise, seed: resolved.seeds.slopeNoise } }
      : {}),
    // The output paths are left out so that a rerun into other files writes an identical weights file.
    provenance: { trainConfig: { ...resolved.config, output: undefined }, data: dataset.provenance },
  };
  const record: TrainResultRecord = {
    format: TRAIN_RESULT_FORMAT,
    version: TRAIN_RESULT_VERSION,
    basinVersion: packageVersion(),
    createdAt: new Date().toISOString(),
    seed: resolved.config.seed,
    config: resolved.config,
    data: {
      provenance: dataset.provenance,
      sampleCount: dataset.count,
      inputDim: dataset.inputDim,
      outputDim: dataset.outputDim,
      labelEncoding: dataset.labelEncoding ?? null,
    },
    architecture: architectureToJson(architecture),
    parameterCount: training.theta.length,
    backend,
    result: outcome,
    trace: training.trace,
    weightsFile: resolved.config.output.weights ?? null,
  };
  return { record, weights, training, dataset };
}

type TrainHooks = Parameters<typeof runTraining>[1];

async function trainOnBackend(
  resolved: ResolvedTrainConfig,
  request: BackendRequest,
  architecture: Architecture,
  samples: Samples,
  initialTheta: FloatArray,
  hooks: TrainHooks,
): Promise<{ training: TrainResult; backend: BackendChoiceRecord }> {
  // Minibatch optimisers evaluate `batchSize` rows at a time: that is the work the automatic choice weighs.
  const batchSize = batchSizeOf(resolved.optimiser);
  const choice = chooseBackend(
    request,
    { architecture, loss: resolved.loss, samples },
    batchSize !== undefined && batchSize < samples.count ? { rowsPerEvaluation: batchSize } : {},
  );
  const objective = choice.backend.objective(architecture, resolved.loss, samples);
  try {
    const training = await trainAsync({
      objective,
      initialTheta,
      optimiser: resolved.optimiser,
      schedule: resolved.schedule,
      stopping: resolved.stopping,
      shuffleSeed: resolved.seeds.shuffle,
      ...(hooks?.onEpoch ? { onEpoch: hooks.onEpoch } : {}),
      ...(hooks?.signal ? { signal: hooks.signal } : {}),
    });
    return { training, backend: choice.record };
  } finally {
    objective.dispose();
  }
}

async function trainWebGpuRun(
  resolved: ResolvedTrainConfig,
  architecture: Architecture,
  samples: Samples,
  initialTheta: FloatArray,
  hooks: TrainHooks,
): Promise<{ training: TrainResult; backend: BackendChoiceRecord }> {
  const problem = webGpuTrainingProblem(
    resolved.optimiser,
    resolved.schedule,
    resolved.stopping,
    resolved.config.model.dtype,
    samples.count,
  );
  if (problem !== undefined) throw new ConfigError(`${problem} (backend webgpu)`);
  const { training, record } = await trainOnWebGpu({
    architecture,
    loss: resolved.loss,
    samples,
    initialTheta: initialTheta as Float32Array,
    optimiser: resolved.optimiser,
    schedule: resolved.schedule,
    stopping: resolved.stopping,
    ...(hooks?.onEpoch ? { onEpoch: hooks.onEpoch } : {}),
  });
  return { training, backend: record };
}

function measure(
  architecture: Architecture,
  training: TrainResult,
  dataset: Dataset,
  samples: Samples,
): TrainOutcome {
  const cache = forward(architecture, training.theta as FloatArray, samples);
  const margin = kinkMargin(cache, KINK_TOLERANCE);
  const hasKinks = Number.isFinite(margin.minAbsPreActivation);
  const classification = dataset.labelEncoding !== undefined && dataset.outputDim === 1;
  return {
    finalLoss: training.finalLoss,
    finalMse: lossFromCache(cache, 'mse'),
    finalMce: classification ? misclassificationError(cache.output, dataset.y, dataset.labelEncoding!) : null,
    gradientNorm: training.gradientNorm,
    minAbsPreActivation: hasKinks ? margin.minAbsPreActivation : null,
    nearKinkCount: hasKinks ? margin.nearKinkCount : null,
    kinkTolerance: KINK_TOLERANCE,
    epochs: training.epochs,
    stopReason: training.stopReason,
    evaluations: training.evaluations,
    wallSeconds: training.wallSeconds,
  };
}

/** Writes the result file and, when configured, the weights file; paths are relative to the working directory. */
export function writeTrainRun(
  run: TrainRun,
  resolved: ResolvedTrainConfig,
): { result: string; weights?: string } {
  const weightsPath = resolved.config.output.weights;
  if (weightsPath !== undefined) writeWeightsFile(absolute(weightsPath), run.weights);
  const resultPath = absolute(resolved.config.output.result);
  writeTrainResultFile(resultPath, run.record);
  return { result: resultPath, ...(weightsPath !== undefined ? { weights: absolute(weightsPath) } : {}) };
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}
