import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acquireWebGpuDevice } from '../../src/backend/webgpu/webgpu-device.js';
import { parseTrainConfig, resolveTrainConfig } from '../../src/cli/config.js';
import { RunSpecError } from '../../src/run/errors.js';
import { trainConfigured as runTraining } from '../../src/cli/train-run.js';
import { formatTrainSummary } from '../../src/cli/summary.js';
import { webGpuSkipReason } from '../support/webgpu.js';

const acquisition = await acquireWebGpuDevice();
if (acquisition.available) acquisition.device.destroy();
const skip = webGpuSkipReason(acquisition);
if (skip) process.stderr.write(`# skipping basin train --backend webgpu: ${skip}\n`);

function resolved(raw: Record<string, unknown>) {
  return resolveTrainConfig(parseTrainConfig(raw, { file: undefined, flags: new Map() }), undefined);
}

const base = {
  data: { source: 'gaussian', count: 40, inputDim: 6, seed: 3 },
  model: { hidden: [5], dtype: 'float32' },
  optimiser: { kind: 'adam' },
  schedule: { kind: 'constant', learningRate: 0.01 },
  stopping: { maxEpochs: 60 },
  seed: 7,
};

describe('basin train --backend webgpu', { skip }, () => {
  it('trains full-batch Adam on the GPU to the float32 reference run, and records the adapter', async () => {
    const gpu = await runTraining(resolved({ ...base, backend: 'webgpu' }));
    const cpu = await runTraining(resolved({ ...base, backend: 'reference' }));
    assert.equal(gpu.record.backend?.backend, 'webgpu');
    assert.equal(gpu.record.backend?.requested, 'webgpu');
    assert.ok((gpu.record.backend?.adapter ?? '').length > 0);
    assert.equal(cpu.record.backend?.backend, 'reference');
    assert.equal(gpu.run.training.epochs, 60);
    assert.equal(gpu.run.training.stopReason, 'max-epochs');
    // Same data, same initial θ, same Adam: the two float32 runs differ by rounding only.
    const a = gpu.run.training.theta;
    const b = cpu.run.training.theta;
    assert.equal(a.length, b.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst < 1e-4, `largest θ difference ${worst}`);
    assert.ok(
      Math.abs(gpu.record.result.finalMse - cpu.record.result.finalMse) <
        1e-5 * cpu.record.result.finalMse + 1e-7,
    );
    // The trace's first loss is the loss at the initial θ, as `train` traces full-batch runs.
    assert.ok(
      Math.abs(gpu.run.training.trace.loss[0] - cpu.run.training.trace.loss[0]) <
        1e-5 * cpu.run.training.trace.loss[0],
    );
    assert.ok(gpu.run.training.trace.loss.at(-1)! < gpu.run.training.trace.loss[0], 'Adam lowered the loss');
    assert.match(formatTrainSummary(gpu.record, { result: 'r.json' }), /webgpu \(/);
  });
});

describe('basin train --backend webgpu: what it cannot run is refused by name', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['sgd', { optimiser: { kind: 'sgd' } }, /^optimiser\.kind: webgpu trains with adam only, got sgd/],
    [
      'minibatches',
      { optimiser: { kind: 'adam', batchSize: 8 } },
      /^optimiser\.batchSize: webgpu trains full batch/,
    ],
    ['decay', { schedule: { kind: 'exponential', learningRate: 0.01, gamma: 0.9 } }, /^schedule\.kind: /],
    [
      'a loss target',
      { stopping: { maxEpochs: 5, lossTarget: 0.1 } },
      /^stopping: webgpu runs a fixed number/,
    ],
    ['float64', { model: { hidden: [5], dtype: 'float64' } }, /^model\.dtype: webgpu computes in float32/],
  ];
  for (const [what, change, pattern] of cases) {
    it(what, async () => {
      await assert.rejects(
        runTraining(resolved({ ...base, backend: 'webgpu', ...change })),
        (error: unknown) => {
          assert.ok(error instanceof RunSpecError);
          assert.match((error as Error).message, pattern);
          return true;
        },
      );
    });
  }
});
