/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { skippedForMissing } from '../support/required.js';
import { WebGpuDeviceFailed } from '../support/webgpu.js';
import { e2eSkipReason, type Harness, startHarness } from './browser.js';

/*
 * The explorer's WebGPU engine in Chromium (--enable-unsafe-webgpu; without a GPU the adapter is SwiftShader): the
 * worker trains full-batch Adam on it and the result reaches the same views as a CPU run. Needs dist/web
 * (`npm run build:web`). Skipped, with the reason, when Chromium or the build is missing or the worker finds no
 * adapter (failures under CI=true); a worker whose adapter refused its device always fails.
 */
const skip = e2eSkipReason();
if (skip) console.log(`# explorer WebGPU e2e skipped: ${skip}`);

// XOR with batch size ≥ N: full-batch Adam at a constant learning rate, what the WebGPU engine runs. 60 steps
// leave the loss well above float32's resolution, so the GPU's and the CPU's runs can be compared.
const FULL_BATCH = '#data=xor&widths=8&opt=adam&lr=0.02&batch=5000&epochs=60';

interface Trained {
  readonly engine: string;
  readonly finalLoss: number;
  readonly status: string;
}

async function train(page: Page, hash: string): Promise<Trained> {
  await page.goto('about:blank');
  await page.goto(harnessUrl + hash);
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForSelector('#engine[data-gpu]', { timeout: 60_000 });
  await page.click('#train');
  await page.waitForSelector('#train-status[data-final-loss]', { timeout: 120_000 });
  return page.evaluate(() => {
    const status = document.getElementById('train-status')!;
    return {
      engine: status.dataset.engine ?? '',
      finalLoss: Number(status.dataset.finalLoss),
      status: status.textContent ?? '',
    };
  });
}

/** The loss curve's SVG path as (x, y) screen points. */
async function curvePoints(page: Page): Promise<[number, number][]> {
  const d = await page.evaluate(
    () => document.querySelector('#loss-chart .mark-line path')?.getAttribute('d') ?? '',
  );
  return [...d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

let harnessUrl = '';

describe('explorer: training on WebGPU in a real browser', { skip }, () => {
  let harness: Harness;
  let page: Page;
  let gpu: string | null = null;
  let note = '';
  const errors: string[] = [];

  /** True when `t` was skipped for want of an adapter in the worker; see test/support/webgpu.ts for the rules. */
  const skippedWithoutGpu = (t: TestContext): boolean => {
    if (gpu === 'failed') throw new WebGpuDeviceFailed(note);
    return skippedForMissing(t, gpu === 'none' && `the worker found no WebGPU adapter: ${note}`);
  };

  before(async () => {
    harness = await startHarness({ webgpu: true });
    harnessUrl = harness.server.url;
    page = await harness.browser.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(harnessUrl + FULL_BATCH);
    await page.waitForSelector('#engine[data-gpu]', { timeout: 60_000 });
    gpu = await page.getAttribute('#engine', 'data-gpu');
    note = (await page.textContent('#engine-note')) ?? '';
  });
  after(async () => {
    await harness?.close();
  });

  it('offers the WebGPU engine with the worker’s adapter, marked software when it is', async (t) => {
    t.diagnostic(`engine note: ${note}`);
    if (skippedWithoutGpu(t)) return;
    assert.match(note, /^WebGPU adapter: /);
    assert.equal(
      await page.$eval('#engine option[value=webgpu]', (o) => (o as HTMLOptionElement).disabled),
      false,
    );
    if (gpu === 'software') assert.match(note, /software/);
    assert.equal(await page.inputValue('#engine'), 'cpu', 'the CPU stays the default');
  });

  it('trains XOR with full-batch Adam on WebGPU: the loss falls, the run finishes, and it matches the CPU run', async (t) => {
    if (skippedWithoutGpu(t)) return;
    const started = Date.now();
    const onGpu = await train(page, `${FULL_BATCH}&engine=webgpu`);
    const seconds = (Date.now() - started) / 1000;
    t.diagnostic(`${onGpu.status} (${seconds.toFixed(1)} s including page load)`);
    assert.equal(onGpu.engine, 'webgpu');
    assert.match(onGpu.status, /on WebGPU \(/);
    const points = await curvePoints(page);
    assert.ok(points.length > 20, `curve has ${points.length} points`);
    // SVG y grows downwards: the last point lies lower than the first because the loss fell.
    assert.ok(points[points.length - 1][1] > points[0][1] + 5, 'loss decreased');
    const onCpu = await train(page, `${FULL_BATCH}&engine=cpu`);
    assert.equal(onCpu.engine, 'cpu');
    const difference = Math.abs(onGpu.finalLoss - onCpu.finalLoss) / onCpu.finalLoss;
    t.diagnostic(
      `final loss: WebGPU ${onGpu.finalLoss}, CPU ${onCpu.finalLoss}, relative difference ${difference.toExponential(2)}`,
    );
    // The same seeded run in float32 and in float64: 60 Adam steps keep them within float32 drift (5.7e-7 measured
    // on SwiftShader); a wrong step or a ReLU kink crossed differently would show as a far larger gap.
    assert.ok(difference < 1e-4, `WebGPU and CPU final losses differ by ${difference}`);
  });

  it('the WebGPU-trained point flows into the certificate', async (t) => {
    if (skippedWithoutGpu(t)) return;
    await train(page, `${FULL_BATCH}&engine=webgpu`);
    await page.click('#certify');
    await page.waitForSelector('#certificate[data-verdict]', { timeout: 120_000 });
    t.diagnostic(`verdict: ${await page.getAttribute('#certificate', 'data-verdict')}`);
  });

  it('settings the engine cannot run train on the CPU with a visible note', async () => {
    const minibatch = await train(
      page,
      '#data=xor&widths=8&opt=adam&lr=0.05&batch=1&epochs=50&engine=webgpu',
    );
    assert.equal(minibatch.engine, 'cpu');
    assert.match(minibatch.status, /on the CPU .*WebGPU not used: .*batch size 1 < N = \d+/);
    const sgd = await train(page, '#data=xor&widths=8&opt=sgd&lr=0.05&batch=5000&epochs=50&engine=webgpu');
    assert.equal(sgd.engine, 'cpu');
    assert.match(sgd.status, /WebGPU not used: the WebGPU engine runs Adam only \(method is sgd\)/);
  });

  it('raised no uncaught page errors', () => {
    assert.deepEqual(errors, []);
  });
});
