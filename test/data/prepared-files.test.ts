import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readNpyFloatArray, writeNpy } from '../../src/data/loaders/npy-array.js';
import { loadPreparedDataset, savePreparedDataset } from '../../src/data/preprocess/prepared-files.js';
import { basin, cliSkip } from '../cli/helpers.js';
import { skippedForMissing } from '../support/required.js';
import { cifarBytes, numpySkipReason, runPython, temporaryDirectory } from './fixtures.js';

const dir = temporaryDirectory('prepared');
after(() => dir.remove());

describe('NPY writing and prepared datasets', () => {
  it('writes .npy files that numpy reads back exactly, and reads them back itself', async (t) => {
    const values = Float32Array.from({ length: 6 * 7 }, (_, i) => Math.fround(Math.sin(i) * 100));
    const file = join(dir.path, 'values.npy');
    await writeNpy(file, values, [6, 7]);
    const back = await readNpyFloatArray(file);
    assert.deepEqual(back.shape, [6, 7]);
    assert.deepEqual(Array.from(back.values), Array.from(values));
    if (skippedForMissing(t, numpySkipReason())) return;
    const seen = runPython<{ shape: number[]; dtype: string; values: number[] }>(
      `import json, numpy as np\na = np.load("${file}")\nprint(json.dumps({'shape': list(a.shape), 'dtype': str(a.dtype), 'values': a.astype(float).ravel().tolist()}))`,
    );
    assert.deepEqual(seen.shape, [6, 7]);
    assert.equal(seen.dtype, 'float32');
    assert.deepEqual(seen.values, Array.from(values));
  });

  it('round-trips a dataset with its label encoding and provenance', async () => {
    const directory = join(dir.path, 'set');
    const dataset = {
      x: Float64Array.of(1, 2, 3, 4, 5, 6),
      y: Float64Array.of(1, 0),
      count: 2,
      inputDim: 3,
      outputDim: 1,
      labelEncoding: '01' as const,
      provenance: { generator: 'hand-made', seed: 4 },
    };
    await savePreparedDataset(directory, dataset);
    const back = await loadPreparedDataset(directory);
    assert.deepEqual(Array.from(back.x), Array.from(dataset.x));
    assert.deepEqual(Array.from(back.y), [1, 0]);
    assert.equal(back.inputDim, 3);
    assert.equal(back.labelEncoding, '01');
    assert.deepEqual(back.provenance, { generator: 'hand-made', seed: 4, preparedDirectory: directory });
    writeFileSync(join(directory, 'provenance.json'), '{ not json');
    await assert.rejects(() => loadPreparedDataset(directory), /provenance\.json: cannot be read as JSON/);
  });

  it(
    '`basin data prepare --test` fits on train and applies the same map to test',
    { skip: cliSkip },
    async () => {
      const source = join(dir.path, 'cifar');
      mkdirSync(source);
      for (let b = 1; b <= 5; b++) {
        writeFileSync(
          join(source, `data_batch_${b}.bin`),
          cifarBytes([b - 1, b + 4], (n, k) => (n * 97 + k * b) % 256),
        );
      }
      writeFileSync(
        join(source, 'test_batch.bin'),
        cifarBytes([0, 9, 5], (n, k) => (n * 13 + k) % 256),
      );
      const out = join(dir.path, 'prepared-cifar');
      // The real launcher in a child process: patching this process's stdout would swallow node:test's reports.
      const result = basin(
        [
          'data',
          'prepare',
          source,
          '--out',
          out,
          '--binary',
          'low-high',
          '--downsample',
          '4',
          '--whiten',
          'pca',
          '--components',
          '4',
          '--dtype',
          'float32',
          '--test',
        ],
        dir.path,
      );
      assert.equal(result.status, 0, result.stderr);
      const train = await loadPreparedDataset(join(out, 'train'));
      const test = await loadPreparedDataset(join(out, 'test'));
      assert.equal(train.count, 10);
      assert.equal(train.inputDim, 4);
      assert.ok(train.x instanceof Float32Array);
      assert.deepEqual(Array.from(train.y), [-1, 1, -1, 1, -1, 1, -1, 1, -1, 1]);
      assert.deepEqual(Array.from(test.y), [-1, 1, 1]);
      const steps = (test.provenance.steps as { step: string; fittedOn: string }[]).map(
        (s) => `${s.step}:${s.fittedOn ?? ''}`,
      );
      assert.deepEqual(steps, ['average-pool:', 'scale-to-unit:given', 'whiten:given']);
    },
  );
});
