import type { BackendChoiceRecord } from '../backend/select.js';
import { WebGpuEngine } from '../backend/webgpu/webgpu-engine.js';
import type { LossKind } from '../model/loss.js';
import type { Architecture } from '../model/architecture.js';
import type { Samples } from '../model/samples.js';
import { batchSizeOf, type OptimiserConfig } from '../train/optimiser.js';
import type { Schedule } from '../train/schedule.js';
import type { StoppingRule } from '../train/stopping.js';
import { type EpochProgress, fullBatchTrace, type TrainResult } from '../train/train.js';
import { norm2 } from '../train/vector.js';
import { ConfigError } from './config.js';

export interface WebGpuTraining {
  readonly training: TrainResult;
  readonly record: BackendChoiceRecord;
}

export interface WebGpuTrainingOptions {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  readonly initialTheta: Float32Array;
  readonly optimiser: OptimiserConfig;
  readonly schedule: Schedule;
  readonly stopping: StoppingRule;
  readonly onEpoch?: (progress: EpochProgress) => void;
}

/**
 * Why `basin train --backend webgpu` cannot run this configuration, or `undefined`. The WebGPU engine keeps θ and
 * Adam's moments on the GPU for the whole run and reads back only losses (src/backend/webgpu), so it runs what it
 * can run without a round trip per step: full-batch Adam at a constant learning rate for a fixed number of epochs,
 * in float32 (WGSL has no float64).
 */
export function webGpuTrainingProblem(
  optimiser: OptimiserConfig,
  schedule: Schedule,
  stopping: StoppingRule,
  dtype: string,
  sampleCount: number,
): string | undefined {
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
 * Full-batch Adam on the GPU, returned in the shape of `train`'s result. The closing loss and gradient norm are
 * one more GPU evaluation at the final θ (the run's float64 measurements are made afterwards by the caller).
 */
export async function trainOnWebGpu(options: WebGpuTrainingOptions): Promise<WebGpuTraining> {
  const { architecture, loss, samples, optimiser, schedule, stopping } = options;
  const problem = webGpuTrainingProblem(optimiser, schedule, stopping, 'float32', samples.count);
  if (problem !== undefined || optimiser.kind !== 'adam') throw new ConfigError(problem ?? 'optimiser.kind');
  const started = performance.now();
  const engine = await WebGpuEngine.create(architecture, loss, samples);
  try {
    const steps = stopping.maxEpochs;
    const run = await engine.trainAdam({
      theta0: options.initialTheta,
      steps,
      learningRate: schedule.learningRate,
      beta1: optimiser.beta1,
      beta2: optimiser.beta2,
      epsilon: optimiser.epsilon,
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
      trace: fullBatchTrace(run.losses, schedule.learningRate),
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
