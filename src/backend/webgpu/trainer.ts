import { BasinError } from '../../core/errors.js';
import type { Architecture } from '../../model/architecture.js';
import type { LossKind } from '../../model/loss.js';
import type { Samples } from '../../model/samples.js';
import { batchSizeOf, type OptimiserConfig } from '../../train/optimiser.js';
import type { Schedule } from '../../train/schedule.js';
import type { StoppingRule } from '../../train/stopping.js';
import { type EpochProgress, fullBatchTrace, type TrainResult } from '../../train/train.js';
import { norm2 } from '../../train/vector.js';
import type { BackendChoiceRecord } from '../backend.js';
import { acquireWebGpuDevice, type WebGpuAcquisition, type WebGpuMode } from './webgpu-device.js';
import { WebGpuEngine } from './webgpu-engine.js';

/*
 * WebGPU as a training engine of the run pipeline (src/run/pipeline.ts). The engine keeps θ and Adam's moments on
 * the GPU for the whole run and reads back only losses, so it runs what needs no round trip per step: full-batch Adam
 * at a constant learning rate for a fixed number of epochs, in float32 (WGSL has no float64). The host backends
 * (reference, ONNX Runtime) compute an Objective for basin's own loop; this one owns its loop, which is why it is a
 * separate kind of engine, weighed by the same `auto` (pipeline.ts).
 */

/** The settings of a run that decide whether the device loop can run it. */
export interface DeviceTrainingSettings {
  readonly optimiser: OptimiserConfig;
  readonly schedule: Schedule;
  readonly stopping: StoppingRule;
  readonly dtype: string;
  readonly sampleCount: number;
}

export interface DeviceTrainingOptions {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  readonly initialTheta: Float32Array;
  readonly optimiser: OptimiserConfig;
  readonly schedule: Schedule;
  readonly stopping: StoppingRule;
  /** Losses are read back every this many steps (default: the engine's); each read-back reports progress. */
  readonly readbackEvery?: number;
  /** Most trace points kept (as `train`'s trace limit). */
  readonly traceLimit?: number;
  readonly onEpoch?: (progress: EpochProgress) => void;
}

export interface DeviceTraining {
  readonly training: TrainResult;
  readonly record: BackendChoiceRecord;
}

/** A training loop that runs on a device: the run pipeline's `webgpu` engine. */
export interface DeviceTrainer {
  readonly name: 'webgpu';
  /** Why these settings cannot run on the device loop (device aside), naming the spec field; undefined when they can. */
  settingsProblem(settings: DeviceTrainingSettings): string | undefined;
  /** The device, or why there is none. A trainer that does not keep its device releases it after `train`. */
  device(): Promise<WebGpuAcquisition>;
  /** Whether a device is present and whether it is a software adapter (released again unless kept). */
  probe(): Promise<
    | { readonly available: true; readonly software: boolean }
    | { readonly available: false; readonly reason: string }
  >;
  /** Trains; throws BasinError naming the reason when no device is present. */
  train(options: DeviceTrainingOptions): Promise<DeviceTraining>;
}

export function webGpuSettingsProblem(settings: DeviceTrainingSettings): string | undefined {
  const { optimiser, schedule, stopping, dtype, sampleCount } = settings;
  if (optimiser.kind !== 'adam') return `optimiser.kind: webgpu trains with adam only, got ${optimiser.kind}`;
  const batch = batchSizeOf(optimiser);
  if (batch !== undefined && batch < sampleCount)
    return `optimiser.batchSize: webgpu trains full batch only, got ${batch} < ${sampleCount} samples`;
  if (schedule.kind !== 'constant')
    return `schedule.kind: webgpu trains at a constant learning rate, got ${schedule.kind}`;
  if (stopping.lossTarget !== undefined || stopping.gradientNormTarget !== undefined)
    return 'stopping: webgpu runs a fixed number of epochs (no lossTarget or gradientNormTarget)';
  if (dtype !== 'float32') return `model.dtype: webgpu computes in float32, got ${dtype}`;
  return undefined;
}

/**
 * The WebGPU trainer. `keepDevice`: acquire the device once and keep it (the explorer's worker, where acquiring
 * takes a user-visible moment); otherwise each `device()`/`train` acquires its own and releases it (Node, where a
 * held device keeps the process alive).
 */
export function webGpuTrainer(
  options: { readonly mode?: WebGpuMode; readonly keepDevice?: boolean } = {},
): DeviceTrainer {
  let kept: Promise<WebGpuAcquisition> | undefined;
  const acquire = (): Promise<WebGpuAcquisition> =>
    acquireWebGpuDevice(options.mode === undefined ? {} : { mode: options.mode });
  const device = (): Promise<WebGpuAcquisition> => {
    if (!options.keepDevice) return acquire();
    kept ??= acquire().then((acquired) => {
      if (acquired.available) {
        void acquired.device.lost.then(() => {
          kept = undefined;
        });
      }
      return acquired;
    });
    return kept;
  };
  return {
    name: 'webgpu',
    settingsProblem: webGpuSettingsProblem,
    device,
    async probe() {
      const acquired = await device();
      if (!acquired.available) return { available: false, reason: acquired.reason };
      if (!options.keepDevice) acquired.device.destroy();
      return { available: true, software: acquired.adapter.software };
    },
    async train(run) {
      const acquired = await device();
      if (!acquired.available) throw new BasinError(`webgpu: ${acquired.reason}`);
      try {
        return await trainOnDevice(run, acquired);
      } finally {
        if (!options.keepDevice) acquired.device.destroy();
      }
    },
  };
}

async function trainOnDevice(
  options: DeviceTrainingOptions,
  context: Extract<WebGpuAcquisition, { available: true }>,
): Promise<DeviceTraining> {
  const { architecture, loss, samples, optimiser, schedule, stopping } = options;
  const problem = webGpuSettingsProblem({
    optimiser,
    schedule,
    stopping,
    dtype: 'float32',
    sampleCount: samples.count,
  });
  if (problem !== undefined || optimiser.kind !== 'adam') throw new BasinError(problem ?? 'optimiser.kind');
  const started = performance.now();
  const engine = await WebGpuEngine.create(architecture, loss, samples, { context });
  try {
    const steps = stopping.maxEpochs;
    const run = await engine.trainAdam({
      theta0: options.initialTheta,
      steps,
      learningRate: schedule.learningRate,
      beta1: optimiser.beta1,
      beta2: optimiser.beta2,
      epsilon: optimiser.epsilon,
      ...(options.readbackEvery === undefined
        ? {}
        : { readbackEvery: Math.min(options.readbackEvery, steps) }),
      ...(options.onEpoch
        ? {
            onProgress: ({ step, loss: value }) =>
              options.onEpoch!({
                epoch: step - 1,
                epochsCompleted: step - 1,
                maxEpochs: steps,
                loss: value,
                learningRate: schedule.learningRate,
                elapsedSeconds: (performance.now() - started) / 1000,
              }),
          }
        : {}),
    });
    const closing = await engine.evaluate(run.theta);
    const gradientNorm = norm2(closing.gradient);
    const finite = Number.isFinite(closing.loss) && Number.isFinite(gradientNorm);
    const training: TrainResult = {
      theta: run.theta,
      epochs: steps,
      stopReason: finite ? 'max-epochs' : 'diverged',
      finalLoss: closing.loss,
      gradientNorm,
      trace: fullBatchTrace(run.losses, schedule.learningRate, options.traceLimit),
      evaluations: steps + 1,
      wallSeconds: (performance.now() - started) / 1000,
    };
    return {
      training,
      record: { backend: 'webgpu', requested: 'webgpu', reason: 'requested', adapter: engine.adapterSummary },
    };
  } finally {
    engine.dispose();
  }
}
