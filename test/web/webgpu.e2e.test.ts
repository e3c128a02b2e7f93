/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { lossAndGradient } from '../../src/model/gradient.js';
import {
  float32Problem,
  type Float32Problem,
  type NetShape,
  referenceAdam,
  relativeError,
} from '../support/float32-problems.js';
import { webGpuSkipReason } from '../support/webgpu.js';
import { chromiumSkipReason, type Harness, startHarness } from './browser.js';
import type { PageAdapter, PageProblem } from './webgpu-page/protocol.js';

/*
 * basin's WebGpuEngine inside Chromium, through navigator.gpu, against the float64 reference computed here in Node
 * from the same float32 θ and data. The page (test/web/webgpu-page) is test-only: this file builds it with Vite into
 * a temporary folder, so it never enters dist/web. Chromium gets --enable-unsafe-webgpu and loads the page from
 * http://127.0.0.1 (WebGPU exists only on secure origins); without a GPU its adapter is SwiftShader, in software.
 */
const PAGE_SOURCE = fileURLToPath(new URL('./webgpu-page/', import.meta.url));

interface Setup {
  readonly harness: Harness;
  readonly page: Page;
  readonly adapter: PageAdapter & { available: true };
  readonly built: string;
}

async function setUp(): Promise<Setup | string> {
  const noChromium = chromiumSkipReason();
  if (noChromium) return noChromium;
  const built = mkdtempSync(join(tmpdir(), 'basin-webgpu-page-'));
  await build({
    configFile: false,
    root: PAGE_SOURCE,
    base: './',
    logLevel: 'warn',
    build: { outDir: built, emptyOutDir: true, chunkSizeWarningLimit: 2500 },
  });
  const harness = await startHarness({ directory: built, webgpu: true });
  const page = await harness.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(harness.server.url);
  await page.waitForSelector('body[data-ready=true]');
  const adapter = await page.evaluate(() => window.basinWebGpu.adapter());
  assert.deepEqual(errors, []);
  if (!adapter.available) {
    await harness.close();
    rmSync(built, { recursive: true, force: true });
    // Throws when the device request failed, or (CI=true) when Chromium has no adapter: see test/support/webgpu.ts.
    return webGpuSkipReason(adapter) || adapter.reason;
  }
  return { harness, page, adapter, built };
}

const setup = await setUp();
const skip = typeof setup === 'string' ? setup : false;
if (typeof setup === 'string') console.log(`# browser WebGPU e2e skipped: ${setup}`);
else console.log(`# browser WebGPU adapter: ${setup.adapter.summary}`);
after(async () => {
  if (typeof setup === 'string') return;
  await setup.harness.close();
  rmSync(setup.built, { recursive: true, force: true });
});

interface Problem extends Float32Problem {
  readonly page: PageProblem;
}

/** A random net and data set (test/support), also as the page receives it. */
function randomProblem(seed: number, shape: NetShape): Problem {
  const problem = float32Problem(seed, shape);
  return {
    ...problem,
    page: {
      architecture: problem.architecture as PageProblem['architecture'],
      loss: problem.loss,
      theta: Array.from(problem.theta),
      x: Array.from(problem.samples.x),
      y: Array.from(problem.samples.y),
    },
  };
}

const relu = { kind: 'leaky-relu', slope: 0 } as const;
const leaky = { kind: 'leaky-relu', slope: 0.1 } as const;

// Widths, inputs and sample counts that are not multiples of the kernels' 16- and 64-wide tiles; 70-66-3 takes the
// 4×4-per-invocation product kernels, the others the 1×1 ones.
const SHAPES: readonly NetShape[] = [
  { inputDim: 7, widths: [5], outputDim: 1, count: 33, activation: relu, bias: true, loss: 'mse' },
  { inputDim: 7, widths: [5, 4], outputDim: 2, count: 33, activation: leaky, bias: true, loss: 'mse' },
  { inputDim: 70, widths: [66], outputDim: 3, count: 130, activation: relu, bias: true, loss: 'mse' },
  { inputDim: 9, widths: [17, 6], outputDim: 1, count: 41, activation: leaky, bias: false, loss: 'sse' },
];

function label(shape: NetShape): string {
  const { activation: a } = shape;
  const activation = a.kind !== 'leaky-relu' ? a.kind : a.slope === 0 ? 'relu' : `leaky(${a.slope})`;
  return `${[shape.inputDim, ...shape.widths, shape.outputDim].join('-')} N=${shape.count} ${activation} bias=${shape.bias} ${shape.loss}`;
}

// As test/backend/webgpu.test.ts: float32 sums of at most a few hundred terms against float64, so 1e-5 relative to
// the vector's scale is a wide margin over float32 rounding, while any wrong term shows as an O(1) error.
const TOLERANCE = 1e-5;

describe('WebGpuEngine in Chromium (navigator.gpu) agrees with the float64 reference', { skip }, () => {
  const page = (): Page => (setup as Setup).page;

  it('finds an adapter through navigator.gpu, in the page and in a worker', (t) => {
    const { adapter, summary, inWorker } = (setup as Setup).adapter;
    t.diagnostic(`adapter: ${summary}; ${JSON.stringify(adapter)}; navigator.gpu in a worker: ${inWorker}`);
    assert.equal(adapter.source, 'browser');
    assert.equal(adapter.featureLevel, 'core');
  });

  for (const products of ['tiled', 'direct'] as const) {
    SHAPES.forEach((shape, i) => {
      it(`loss and gradient (${products} products): ${label(shape)}`, async (t) => {
        const problem = randomProblem(900 + i, shape);
        const gpu = await page().evaluate(([p, k]) => window.basinWebGpu.evaluate(p, k), [
          problem.page,
          products,
        ] as const);
        assert.equal(gpu.products, products);
        const reference = lossAndGradient(problem.architecture, problem.loss, problem.theta, problem.samples);
        const lossError = Math.abs(gpu.loss - reference.loss) / reference.loss;
        const gradientError = relativeError(gpu.gradient, reference.gradient);
        t.diagnostic(
          `loss ${gpu.loss}: relative error ${lossError.toExponential(2)}, gradient ${gradientError.toExponential(2)}`,
        );
        assert.ok(lossError <= TOLERANCE, `loss ${gpu.loss} vs ${reference.loss}`);
        assert.ok(gradientError <= TOLERANCE, `gradient relative error ${gradientError}`);
      });
    });
  }

  for (const [steps, shape, every] of [
    [25, SHAPES[1], 8],
    [20, SHAPES[2], 64],
  ] as const) {
    it(`trainAdam takes basin's Adam steps: ${steps} steps, ${label(shape)}, read back every ${every}`, async (t) => {
      const problem = randomProblem(950 + steps, shape);
      const learningRate = 1e-2;
      const gpu = await page().evaluate(([p, n, lr, k]) => window.basinWebGpu.trainAdam(p, n, lr, k), [
        problem.page,
        steps,
        learningRate,
        every,
      ] as const);
      // basin's Adam (adamRule, PyTorch's defaults) on the float64 reference objective.
      const { theta, losses } = referenceAdam(problem, steps, learningRate);
      assert.equal(gpu.losses.length, steps);
      assert.deepEqual(
        gpu.progress,
        Array.from({ length: Math.ceil(steps / every) }, (_, k) => Math.min(steps, (k + 1) * every)),
      );
      let moved = 0;
      let error = 0;
      for (let i = 0; i < theta.length; i++) {
        moved = Math.max(moved, Math.abs(theta[i] - problem.theta[i]));
        error = Math.max(error, Math.abs(gpu.theta[i] - theta[i]));
      }
      const lossError = Math.max(...gpu.losses.map((loss, s) => Math.abs(loss - losses[s]) / losses[s]));
      t.diagnostic(
        `loss ${losses[0].toPrecision(5)} → ${losses[steps - 1].toPrecision(5)}; θ moved up to ${moved.toExponential(2)}, max |θ_gpu − θ_ref| = ${error.toExponential(2)}, max loss relative error ${lossError.toExponential(2)}`,
      );
      assert.ok(moved >= 0.5 * learningRate, `Adam moved θ by only ${moved}`);
      // Adam moves each coordinate by about lr per step: the GPU must land within a small fraction of one step.
      assert.ok(error <= 1e-3 * learningRate, `θ differs from the reference by ${error}`);
      assert.ok(lossError <= TOLERANCE, `loss relative error ${lossError}`);
      assert.ok(losses[steps - 1] < losses[0], 'the loss fell');
    });
  }
});
