import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parseTrainConfig, resolveTrainConfig } from '../../src/cli/config.js';
import { formatTrainSummary } from '../../src/cli/summary.js';
import { trainConfigured as runTraining } from '../../src/cli/train-run.js';
import { readTrainResultFile, TRAIN_RESULT_VERSION } from '../../src/io/result-file.js';
import { assertOneLineError, basin, ensureBuilt, temporaryDirectory } from './helpers.js';
import { onnxSkipReason } from '../support/onnx.js';

before(ensureBuilt);

const onnxSkip = onnxSkipReason();

function resolved(raw: Record<string, unknown>) {
  return resolveTrainConfig(parseTrainConfig(raw, { file: undefined, flags: new Map() }), undefined);
}

const tiny = ['train', '--samples', '12', '--input-dim', '3', '--hidden', '4', '--epochs', '5'];

describe('basin train --backend: bad input', () => {
  const cwd = temporaryDirectory('train-backend-errors');

  it('an unknown name: one line naming the flag and the accepted values', () => {
    assertOneLineError(
      [...tiny, '--backend', 'gpu'],
      cwd,
      /^basin: --backend: expected one of "auto", "reference", "onnx", "webgpu", got "gpu" \(config field backend\)$/,
    );
  });

  it('an unknown name in the config file names the file and the field', () => {
    const file = join(cwd, 'bad.yaml');
    writeFileSync(file, 'backend: cuda\ndata:\n  source: gaussian\n  count: 8\n  inputDim: 2\n');
    assertOneLineError(
      ['train', '--config', file],
      cwd,
      /bad\.yaml: backend: expected one of .*auto.*webgpu.*got "cuda"/,
    );
  });
});

describe('basin train --backend: the choice is recorded', () => {
  const cwd = temporaryDirectory('train-backend');

  it('auto keeps the reference for a tiny problem and records why, in the file and the JSON result line', () => {
    const result = basin([...tiny, '--out', 'auto.json', '--json'], cwd);
    assert.equal(result.status, 0, result.stderr);
    const record = readTrainResultFile(join(cwd, 'auto.json'));
    assert.equal(record.version, TRAIN_RESULT_VERSION);
    assert.equal(record.config.backend, 'auto');
    assert.equal(record.backend?.backend, 'reference');
    assert.equal(record.backend?.requested, 'auto');
    assert.match(
      record.backend?.reason ?? '',
      /^auto: (onnx unavailable|\d+ multiply-adds per evaluation < 10000)/,
    );
    const last = JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!) as {
      event: string;
      backend: unknown;
    };
    assert.equal(last.event, 'result');
    assert.deepEqual(last.backend, record.backend);
  });

  it('reference from the config file', () => {
    const file = join(cwd, 'reference.yaml');
    writeFileSync(
      file,
      'backend: reference\ndata:\n  source: gaussian\n  count: 8\n  inputDim: 2\nstopping:\n  maxEpochs: 3\n',
    );
    const result = basin(['train', '--config', file, '--out', 'ref.json'], cwd);
    assert.equal(result.status, 0, result.stderr);
    const record = readTrainResultFile(join(cwd, 'ref.json'));
    assert.deepEqual(record.backend, { backend: 'reference', requested: 'reference', reason: 'requested' });
  });

  it('the summary line names the backend and the reason', () => {
    const record = JSON.parse(readFileSync(join(cwd, 'ref.json'), 'utf8')) as Parameters<
      typeof formatTrainSummary
    >[0];
    const text = formatTrainSummary(record, { result: 'ref.json' });
    assert.match(text, /epochs, stopped by max-epochs, .* s, seed 0, backend reference \(requested\)\n/);
    const onnx = formatTrainSummary(
      {
        ...record,
        backend: {
          backend: 'onnx',
          requested: 'auto',
          reason: 'auto: 20000 multiply-adds per evaluation ≥ 10000',
          runtimeVersion: '1.30.0',
        },
      },
      { result: 'x.json' },
    );
    assert.match(
      onnx,
      /backend onnx \(onnxruntime 1\.30\.0; auto: 20000 multiply-adds per evaluation ≥ 10000\)/,
    );
  });

  it(
    'onnx by name: recorded with its runtime version, same training to rounding, and certify still works',
    { skip: onnxSkip },
    () => {
      const args = [...tiny, '--optimiser', 'gd', '--lr', '0.05', '--epochs', '20'];
      assert.equal(basin([...args, '--backend', 'reference', '--out', 'r.json'], cwd).status, 0);
      const run = basin(
        [...args, '--backend', 'onnx', '--out', 'o.json', '--weights', 'o-weights.json'],
        cwd,
      );
      assert.equal(run.status, 0, run.stderr);
      const reference = readTrainResultFile(join(cwd, 'r.json'));
      const onnx = readTrainResultFile(join(cwd, 'o.json'));
      assert.equal(onnx.backend?.backend, 'onnx');
      assert.equal(onnx.backend?.reason, 'requested');
      assert.match(onnx.backend?.runtimeVersion ?? '', /^\d+\.\d+\.\d+/);
      const relative = Math.abs(onnx.result.finalMse - reference.result.finalMse) / reference.result.finalMse;
      assert.ok(relative < 1e-9, `float64 ONNX and reference MSE differ by ${relative}`);
      // The certificate is computed by the float64 reference whatever backend trained the point.
      const certified = basin(['certify', 'o.json', '--no-polish', '--json'], cwd);
      assert.equal(certified.status, 0, certified.stderr);
    },
  );
});

describe('basin train: the automatic choice weighs the rows per evaluation', { skip: onnxSkip }, () => {
  const data = { source: 'gaussian', count: 400, inputDim: 20 };

  it('full batch: onnx; minibatches of 8 rows: the reference', async () => {
    const full = await runTraining(
      resolved({ data, model: { hidden: [16] }, optimiser: { kind: 'gd' }, stopping: { maxEpochs: 2 } }),
    );
    assert.equal(full.record.backend?.backend, 'onnx');
    assert.match(
      full.record.backend?.reason ?? '',
      /^auto: 134400 multiply-adds per evaluation ≥ 10000; webgpu: optimiser.kind: webgpu trains with adam only, got gd$/,
    );
    const minibatch = await runTraining(
      resolved({
        data,
        model: { hidden: [16] },
        optimiser: { kind: 'sgd', batchSize: 8 },
        stopping: { maxEpochs: 1 },
      }),
    );
    assert.equal(minibatch.record.backend?.backend, 'reference');
    assert.match(
      minibatch.record.backend?.reason ?? '',
      /^auto: 2688 multiply-adds per evaluation < 10000; webgpu: optimiser.kind: webgpu trains with adam only, got sgd$/,
    );
  });

  it('float32 follows --dtype on either backend', async () => {
    const run = await runTraining(
      resolved({
        data,
        model: { hidden: [16], dtype: 'float32' },
        backend: 'onnx',
        stopping: { maxEpochs: 2 },
      }),
    );
    assert.ok(run.run.training.theta instanceof Float32Array);
    assert.equal(run.record.backend?.backend, 'onnx');
  });
});
