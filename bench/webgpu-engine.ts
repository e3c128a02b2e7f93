/**
 * The WebGPU backend in the benchmark: one full-batch loss-and-gradient step per call, on the device that
 * `acquireWebGpuDevice` finds (BASIN_WEBGPU: a GPU, else Mesa's llvmpipe in software, whose figures are CPU figures).
 *
 * Run directly to time cases without the rest of the benchmark:
 *   node --import tsx bench/webgpu-engine.ts --cases=b,a [--products=tiled|direct]
 */
import { pathToFileURL } from 'node:url';

import { acquireWebGpuDevice } from '../src/backend/webgpu/webgpu-device.js';
import type { ProductKernel } from '../src/backend/webgpu/mlp-plan.js';
import { WebGpuEngine } from '../src/backend/webgpu/webgpu-engine.js';
import type { FloatArray } from '../src/core/dtype.js';
import { BasinError } from '../src/core/errors.js';
import { type Architecture, mlp } from '../src/model/architecture.js';
import { initialise } from '../src/model/init.js';
import type { Samples } from '../src/model/samples.js';
import { benchCase, type CaseId, stepFlops } from './cases.js';
import { benchSamples } from './data.js';
import { median, timeRepeatedlyAsync } from './timing.js';

/**
 * Prepares the case and returns its step: the full-batch forward and backward pass of every network in `thetas`
 * (K = 1 in cases (a) and (b)), the gradient left in the engine's GPU buffer and only the loss read back, which
 * also waits for the GPU to finish the step. Returns network 0's loss. K > 1 runs the networks one after the other,
 * each with its own loss read-back (no batching of restarts on the GPU yet).
 *
 * The device is acquired here and destroyed when the process exits; X and y are uploaded here, untimed.
 */
export async function webgpuBenchStep(
  architecture: Architecture,
  samples: Samples,
  thetas: readonly FloatArray[],
  options: { readonly products?: ProductKernel } = {},
): Promise<(() => Promise<number>) & { readonly adapter: string }> {
  const acquired = await acquireWebGpuDevice();
  if (!acquired.available) throw new BasinError(`webgpu: ${acquired.reason}`);
  const engine = await WebGpuEngine.create(architecture, 'mse', samples, { context: acquired, ...options });
  process.once('exit', () => {
    engine.dispose();
    acquired.device.destroy();
  });
  const thetas32 = thetas.map((theta) => Float32Array.from(theta));
  const step = async (): Promise<number> => {
    let first = NaN;
    for (const [k, theta] of thetas32.entries()) {
      const loss = await engine.evaluateLossOnDevice(theta);
      if (k === 0) first = loss;
    }
    return first;
  };
  // The adapter travels with the step so that results can say what ran it (llvmpipe figures are CPU figures).
  return Object.assign(step, { adapter: `${acquired.summary}; ${engine.products} products` });
}

async function main(argv: readonly string[]): Promise<void> {
  const casesArgument = argv.find((a) => a.startsWith('--cases='))?.slice('--cases='.length) ?? 'b,a';
  const products = argv.find((a) => a.startsWith('--products='))?.slice('--products='.length);
  if (products !== undefined && products !== 'tiled' && products !== 'direct') {
    throw new BasinError(`--products: tiled or direct, got ${products}`);
  }
  const seed = 1;
  for (const id of casesArgument.split(',') as CaseId[]) {
    const c = benchCase(id);
    if (c.kind !== 'step' || c.restarts !== 1)
      throw new BasinError(`case ${id}: only one-network step cases`);
    const samples = benchSamples(c.count, c.inputDim, seed, 'float32');
    const architecture = mlp(c.inputDim, [c.width], 1, { kind: 'leaky-relu', slope: 0 }, true);
    const theta = initialise(architecture, { kind: 'pytorch' }, seed + 1, 'float32');
    const setupStart = performance.now();
    const step = await webgpuBenchStep(
      architecture,
      samples,
      [theta],
      products === undefined ? {} : { products },
    );
    const setupMs = performance.now() - setupStart;
    let loss = NaN;
    const times = await timeRepeatedlyAsync(
      () =>
        step().then((value) => {
          loss = value;
        }),
      { warmup: 2, repetitions: 7, minSeconds: 1, maxSeconds: 20, maxRepetitions: 200 },
    );
    const ms = median(times);
    console.log(
      `case (${id}) N=${c.count} d0=${c.inputDim} d1=${c.width}: median ${ms.toPrecision(4)} ms per step over ${times.length} runs ` +
        `(min ${Math.min(...times).toPrecision(4)}, max ${Math.max(...times).toPrecision(4)}), ` +
        `${((stepFlops(c) / ms) * 1e-6).toPrecision(3)} GFLOP/s, setup ${setupMs.toFixed(0)} ms, loss ${loss.toPrecision(6)}; ` +
        `adapter: ${step.adapter}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
