import { type NamedFile, requireSeparateFiles, requireWritableTarget } from '../io/output-file.js';
import { isAbsolute, resolve } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import type { EpochProgress } from '../train/train.js';
import {
  TRAIN_RESULT_FORMAT,
  TRAIN_RESULT_VERSION,
  type TrainResultRecord,
  writeTrainResultFile,
} from '../io/result-file.js';
import { architectureToJson, type WeightsFile, writeWeightsFile } from '../io/weights-file.js';
import { nodeEnvironment } from '../run/node-environment.js';
import { loadRunData, runTraining, type TrainingRun } from '../run/pipeline.js';
import type { ResolvedTrainConfig } from './config.js';
import { packageVersion } from './package-version.js';

/*
 * `basin train` between reading the config and writing files: the run pipeline (src/run/pipeline.ts) on Node's
 * environment, then the result and weights records that `basin certify` and the reports read.
 */

export interface TrainRun {
  readonly record: TrainResultRecord;
  readonly weights: WeightsFile;
  readonly run: TrainingRun;
}

/** Loads the configured data (the `data` section, through its source). */
export function loadConfiguredData(resolved: ResolvedTrainConfig): Promise<Dataset> {
  return loadRunData(resolved.spec, { environment: nodeEnvironment, baseDirectory: resolved.baseDirectory });
}

/** Trains the configured run and builds the records `writeTrainRun` writes. */
export async function trainConfigured(
  resolved: ResolvedTrainConfig,
  hooks: { readonly onEpoch?: (progress: EpochProgress) => void; readonly signal?: AbortSignal } = {},
): Promise<TrainRun> {
  const run = await runTraining(resolved.spec, {
    environment: nodeEnvironment,
    baseDirectory: resolved.baseDirectory,
    hooks,
  });
  const { dataset, training, measures } = run;
  const slopeNoise = resolved.run.slopeNoise;
  const weights: WeightsFile = {
    architecture: run.architecture,
    loss: resolved.run.loss,
    dtype: resolved.spec.model.dtype,
    theta: training.theta,
    ...(slopeNoise ? { slopeNoise: { ...slopeNoise, seed: resolved.run.seeds.slopeNoise } } : {}),
    // The output paths are left out so that a rerun into other files writes an identical weights file.
    provenance: { trainConfig: { ...resolved.config, output: undefined }, data: dataset.provenance },
  };
  const record: TrainResultRecord = {
    format: TRAIN_RESULT_FORMAT,
    version: TRAIN_RESULT_VERSION,
    basinVersion: packageVersion(),
    createdAt: new Date().toISOString(),
    seed: resolved.spec.seed,
    config: resolved.config,
    data: {
      provenance: dataset.provenance,
      sampleCount: dataset.count,
      inputDim: dataset.inputDim,
      outputDim: dataset.outputDim,
      labelEncoding: dataset.labelEncoding ?? null,
    },
    architecture: architectureToJson(run.architecture),
    parameterCount: training.theta.length,
    backend: run.backend,
    result: {
      finalLoss: measures.finalLoss,
      finalMse: measures.finalMse,
      finalMce: measures.finalMce,
      gradientNorm: measures.gradientNorm,
      minAbsPreActivation: measures.minAbsPreActivation,
      nearKinkCount: measures.nearKinkCount,
      kinkTolerance: measures.kinkTolerance,
      // constantOutput is left out: result files have never had it (TRAIN_RESULT_VERSION).
      epochs: training.epochs,
      stopReason: training.stopReason,
      evaluations: training.evaluations,
      wallSeconds: training.wallSeconds,
    },
    trace: training.trace,
    weightsFile: resolved.config.output.weights ?? null,
  };
  return { record, weights, run };
}

/** Writes the result file and, when configured, the weights file; paths are relative to the working directory. */
/**
 * Checks, before training, that the result and weights files can be written and clobber nothing the run reads
 * (the config, the data files) or each other. `flags` maps config fields to the flags that set them, for errors.
 */
export function requireTrainOutputs(
  resolved: ResolvedTrainConfig,
  configFile: string | undefined,
  flags: ReadonlyMap<string, string>,
): void {
  const named = (field: string, path: string): NamedFile => ({ path, argument: flags.get(field) ?? field });
  const section = resolved.spec.data as { source: string; path?: string; labelFile?: string };
  const inputs: NamedFile[] = [
    ...(configFile === undefined ? [] : [{ path: configFile, argument: '--config' }]),
    ...(section.source === 'file' && section.path !== undefined ? [named('data.path', section.path)] : []),
    ...(section.labelFile === undefined ? [] : [named('data.labelFile', section.labelFile)]),
  ];
  const output = resolved.config.output;
  const outputs = [
    named('output.result', absolute(output.result)),
    ...(output.weights === undefined ? [] : [named('output.weights', absolute(output.weights))]),
  ];
  requireSeparateFiles(inputs, outputs);
  for (const file of outputs) requireWritableTarget(file.path, file.argument);
}

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
