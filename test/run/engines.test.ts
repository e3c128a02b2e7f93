import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceTrainer } from '../../src/backend/webgpu/trainer.js';
import { webGpuSettingsProblem } from '../../src/backend/webgpu/trainer.js';
import { referenceOnly, type RunEnvironment } from '../../src/run/environment.js';
import { AUTO_DEVICE_MIN_MULTIPLY_ADDS, runTraining } from '../../src/run/pipeline.js';
import { parseRunSpec } from '../../src/run/spec.js';
import { DATA_SOURCES } from '../../src/data/sources/index.js';
import { RunSpecError } from '../../src/run/errors.js';

/*
 * `auto` weighs the device loop beside the host backends. A fake device trainer stands in for a GPU (none on the
 * project's machines): it records that it trained and returns θ₀ unchanged, so which engine ran is visible.
 */
function fakeDevice(software: boolean, calls: string[]): DeviceTrainer {
  return {
    name: 'webgpu',
    settingsProblem: webGpuSettingsProblem,
    device: () => Promise.reject(new Error('not used by the pipeline')),
    probe: () => Promise.resolve({ available: true, software }),
    train: (options) => {
      calls.push('train');
      return Promise.resolve({
        training: {
          theta: options.initialTheta,
          epochs: options.stopping.maxEpochs,
          stopReason: 'max-epochs',
          finalLoss: 1,
          gradientNorm: 1,
          trace: { lossKind: 'full-batch', stride: 1, epochs: [], loss: [], learningRate: [] },
          evaluations: 1,
          wallSeconds: 0,
        },
        record: { backend: 'webgpu', requested: 'webgpu', reason: 'requested', adapter: 'fake' },
      });
    },
  };
}

const environment = (device: DeviceTrainer): RunEnvironment => ({
  name: 'test',
  sources: DATA_SOURCES,
  chooseHost: referenceOnly,
  device,
});

// 2000 × (50·20 + 20) = 2 040 000 multiply-adds per epoch; × 5 with 250 inputs ≥ the device threshold.
const large = {
  data: { source: 'gaussian', count: 2000, inputDim: 250 },
  model: { hidden: [20], dtype: 'float32' },
  optimiser: { kind: 'adam' },
  schedule: { kind: 'constant', learningRate: 0.01 },
  stopping: { maxEpochs: 1 },
};

describe('auto weighs the device loop', () => {
  it('takes a hardware device for settings it runs and enough work', async () => {
    assert.ok(2000 * (250 * 20 + 20) >= AUTO_DEVICE_MIN_MULTIPLY_ADDS);
    const calls: string[] = [];
    const run = await runTraining(parseRunSpec(large), {
      environment: environment(fakeDevice(false, calls)),
    });
    assert.deepEqual(calls, ['train']);
    assert.equal(run.backend.backend, 'webgpu');
    assert.equal(run.backend.requested, 'auto');
  });

  it('declines, saying why: a software adapter, settings it cannot run, too little work', async () => {
    const calls: string[] = [];
    const software = await runTraining(parseRunSpec(large), {
      environment: environment(fakeDevice(true, calls)),
    });
    assert.equal(software.backend.backend, 'reference');
    assert.match(software.backend.reason, /webgpu: a software adapter/);
    const sgd = await runTraining(parseRunSpec({ ...large, optimiser: { kind: 'sgd' } }), {
      environment: environment(fakeDevice(false, calls)),
    });
    assert.match(sgd.backend.reason, /webgpu: optimiser.kind: webgpu trains with adam only/);
    const small = await runTraining(
      parseRunSpec({ ...large, data: { source: 'gaussian', count: 20, inputDim: 3 } }),
      { environment: environment(fakeDevice(false, calls)) },
    );
    assert.match(small.backend.reason, /webgpu: 1600 multiply-adds per epoch < 10000000/);
    assert.deepEqual(calls, [], 'the device never trained');
  });

  it('an explicit webgpu request with settings it cannot run is refused by field', async () => {
    await assert.rejects(
      runTraining(parseRunSpec({ ...large, backend: 'webgpu', model: { hidden: [4] } }), {
        environment: environment(fakeDevice(false, [])),
      }),
      (error: unknown) =>
        error instanceof RunSpecError &&
        /^model\.dtype: webgpu computes in float32/.test((error as Error).message),
    );
  });

  it('onnx outside Node is refused by name', async () => {
    await assert.rejects(
      runTraining(
        parseRunSpec({ ...large, backend: 'onnx', model: { hidden: [2] }, data: { source: 'xor' } }),
      ),
      /backend: expected reference, webgpu or auto here \(onnx runs in Node only/,
    );
  });
});

describe("basin/node's run namespace", () => {
  it("defaults to Node's environment: the file source parses and auto weighs ONNX Runtime", async () => {
    const { run } = await import('../../src/node.js');
    const file = run.parseRunSpec({
      data: { source: 'file', path: 'images', count: 5 },
      model: { hidden: [2] },
    });
    assert.equal((file.data as { source: string }).source, 'file');
    const spec = run.parseRunSpec({
      data: { source: 'gaussian', count: 400, inputDim: 20 },
      model: { hidden: [16] },
      stopping: { maxEpochs: 1 },
    });
    const trained = await run.runTraining(spec);
    // 400 × (20·16 + 16) = 134 400 multiply-adds: ONNX Runtime where it loads, else the reason it does not.
    assert.match(
      trained.backend.reason,
      /^auto: (134400 multiply-adds per evaluation ≥ 10000|onnx unavailable)/,
    );
  });
});
