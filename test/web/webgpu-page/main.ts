/// <reference lib="dom" />
/// <reference types="@webgpu/types" />
/*
 * A test-only page (never part of the explorer's bundle): test/web/webgpu.e2e.test.ts builds it with Vite into a
 * temporary folder, serves it from http://127.0.0.1 (WebGPU needs a secure origin) and calls these functions with
 * page.evaluate. Problems arrive as plain arrays from Node, which computes the float64 reference from the same values.
 */
import {
  acquireWebGpuDevice,
  type ProductKernel,
  type WebGpuAcquisition,
  WebGpuEngine,
} from '../../../src/backend/webgpu/index.js';
import type { Architecture } from '../../../src/model/architecture.js';
import type { LossKind } from '../../../src/model/loss.js';
import { makeSamples } from '../../../src/model/samples.js';
import type { PageAdapter, PageAdamRun, PageApi, PageEvaluation, PageProblem } from './protocol.js';

let acquisition: Promise<WebGpuAcquisition> | undefined;

function device(): Promise<WebGpuAcquisition> {
  acquisition ??= acquireWebGpuDevice({ mode: 'auto' });
  return acquisition;
}

async function withEngine<T>(
  problem: PageProblem,
  products: ProductKernel | undefined,
  body: (engine: WebGpuEngine) => Promise<T>,
): Promise<T> {
  const context = await device();
  if (!context.available) throw new Error(`no WebGPU device: ${context.reason}`);
  const samples = makeSamples(
    Float64Array.from(problem.x),
    Float64Array.from(problem.y),
    problem.architecture.inputDim,
    problem.architecture.outputDim,
  );
  const engine = await WebGpuEngine.create(
    problem.architecture as Architecture,
    problem.loss as LossKind,
    samples,
    products === undefined ? { context } : { context, products },
  );
  try {
    return await body(engine);
  } finally {
    engine.dispose();
  }
}

const api: PageApi = {
  async adapter(): Promise<PageAdapter> {
    const context = await device();
    if (!context.available) return { available: false, reason: context.reason, cause: context.cause };
    return {
      available: true,
      summary: context.summary,
      adapter: { ...context.adapter },
      inWorker: await workerHasGpu(),
    };
  },
  evaluate(problem: PageProblem, products?: ProductKernel): Promise<PageEvaluation> {
    return withEngine(problem, products, async (engine) => {
      const { loss, gradient } = await engine.evaluate(Float32Array.from(problem.theta));
      return { loss, gradient: Array.from(gradient), products: engine.products };
    });
  },
  trainAdam(
    problem: PageProblem,
    steps: number,
    learningRate: number,
    readbackEvery: number,
    products?: ProductKernel,
  ): Promise<PageAdamRun> {
    return withEngine(problem, products, async (engine) => {
      const progress: number[] = [];
      const run = await engine.trainAdam({
        theta0: Float32Array.from(problem.theta),
        steps,
        learningRate,
        readbackEvery,
        onProgress: ({ step }) => progress.push(step),
      });
      return { theta: Array.from(run.theta), losses: run.losses, progress, products: engine.products };
    });
  },
};

/** Whether a dedicated worker sees navigator.gpu too (WorkerNavigator.gpu), for the diagnostic. */
function workerHasGpu(): Promise<boolean> {
  const source = 'postMessage(typeof navigator.gpu === "object" && navigator.gpu !== null)';
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  return new Promise((resolve) => {
    worker.onmessage = (event: MessageEvent<boolean>) => {
      resolve(event.data);
      worker.terminate();
      URL.revokeObjectURL(url);
    };
    worker.onerror = () => resolve(false);
  });
}

window.basinWebGpu = api;
document.body.dataset.ready = 'true';
