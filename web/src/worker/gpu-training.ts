import {
  acquireWebGpuDevice,
  type WebGpuAcquisition,
  type WebGpuAdapterRecord,
  WebGpuEngine,
  webGpuUnsupportedReason,
} from '../../../src/backend/webgpu/index.js';
import { referenceObjective } from '../../../src/train/objective.js';
import { fullBatchTrace } from '../../../src/train/train.js';
import { norm2 } from '../../../src/train/vector.js';
import type { StopReason } from '../../../src/train/stopping.js';
import type { ExplorerState } from '../state.js';
import type { Problem } from './problem.js';
import type { GpuInfo } from './protocol.js';
import { initialPoint } from './training.js';

/*
 * Training with basin's WebGPU engine (src/backend/webgpu) inside the worker, through WorkerNavigator.gpu. The engine
 * runs full-batch Adam at a constant learning rate in float32 with θ and Adam's moments on the GPU; the explorer's
 * other settings train on the CPU. The final θ comes back as float64, and its loss and gradient norm are the float64
 * reference's, so the certificate and the landscape views see the same point the CPU path would hand them.
 */

let device: Promise<WebGpuAcquisition> | undefined;

/** The worker's one device, acquired on first use and kept (a lost device is dropped and acquired again). */
function acquire(): Promise<WebGpuAcquisition> {
  device ??= acquireWebGpuDevice({ mode: 'auto' }).then((acquired) => {
    if (acquired.available) {
      void acquired.device.lost.then(() => {
        device = undefined;
      });
    }
    return acquired;
  });
  return device;
}

/** A short name for the adapter: SwiftShader reports only vendor and architecture ("google", "swiftshader"). */
export function adapterLabel(record: WebGpuAdapterRecord): string {
  const name =
    [record.vendor, record.architecture].filter((part) => part !== '').join(' ') ||
    record.device ||
    record.description ||
    'unnamed adapter';
  const detail = record.device && record.device !== name ? ` (${record.device})` : '';
  return `${name}${detail}${record.software ? ', software' : ''}`;
}

export async function gpuInfo(): Promise<GpuInfo> {
  const acquired = await acquire();
  if (!acquired.available) return { available: false, reason: acquired.reason };
  return { available: true, adapter: adapterLabel(acquired.adapter), software: acquired.adapter.software };
}

/** Why these settings cannot train on the WebGPU engine, or undefined when they can (device aside). */
export function gpuSettingsReason(problem: Problem, state: ExplorerState): string | undefined {
  const { kind, batchSize } = state.optimiser;
  if (kind !== 'adam') return `the WebGPU engine runs Adam only (method is ${kind})`;
  const count = problem.samples.count;
  if (batchSize < count) {
    return `the WebGPU engine runs full-batch Adam: batch size ${batchSize} < N = ${count} (set batch size ≥ N)`;
  }
  return webGpuUnsupportedReason(problem.architecture, problem.loss, problem.samples);
}

export interface GpuTrainResult {
  readonly theta: Float64Array;
  readonly epochs: number;
  readonly stopReason: StopReason;
  readonly finalLoss: number;
  readonly gradientNorm: number;
  readonly trace: { readonly epochs: number[]; readonly loss: number[] };
  readonly adapter: string;
}

/** Most trace points kept (every k-th step and the last), as `train`'s trace limit does for long runs. */
const TRACE_LIMIT = 4000;

/**
 * Full-batch Adam on the GPU from the playground's seeded starting point, `state.optimiser.epochs` steps (one step
 * per epoch, as the CPU's full-batch run). `onProgress` receives the latest loss after each read-back. Without a
 * device the reason comes back instead of a result.
 */
export async function trainOnGpu(
  problem: Problem,
  state: ExplorerState,
  onProgress: (epoch: number, loss: number) => void,
): Promise<GpuTrainResult | string> {
  const acquired = await acquire();
  if (!acquired.available) return acquired.reason;
  const steps = state.optimiser.epochs;
  const { initialTheta } = initialPoint(problem, state);
  const engine = await WebGpuEngine.create(problem.architecture, problem.loss, problem.samples, {
    context: acquired,
  });
  let run;
  try {
    run = await engine.trainAdam({
      theta0: Float32Array.from(initialTheta),
      steps,
      learningRate: state.optimiser.learningRate,
      // A read-back every 25 steps keeps the curve live without a GPU round trip per step.
      readbackEvery: Math.min(25, steps),
      onProgress: ({ step, loss }) => onProgress(step - 1, loss),
    });
  } finally {
    engine.dispose();
  }
  const theta = Float64Array.from(run.theta);
  const final = referenceObjective(problem.architecture, problem.loss, problem.samples).evaluate(theta);
  const { epochs, loss } = fullBatchTrace(run.losses, state.optimiser.learningRate, TRACE_LIMIT);
  return {
    theta,
    epochs: steps,
    stopReason: Number.isFinite(final.loss) ? 'max-epochs' : 'diverged',
    finalLoss: final.loss,
    gradientNorm: norm2(final.gradient),
    trace: { epochs, loss },
    adapter: adapterLabel(acquired.adapter),
  };
}
