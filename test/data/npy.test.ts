import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { loadNpy } from '../../src/data/loaders/npy.js';
import { skippedForMissing } from '../support/required.js';
import { npyBytes, numpySkipReason, runPython, temporaryDirectory, formatError } from './fixtures.js';

const dir = temporaryDirectory('npy');
after(() => dir.remove());

const values = Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 5);

describe('NPY loader', () => {
  for (const [descr, expectedType] of [
    ['|u1', Uint8Array],
    ['<f4', Float32Array],
    ['<f8', Float64Array],
    ['>f8', Float64Array],
  ] as const) {
    it(`reads ${descr} arrays in C order with their shape`, async () => {
      const file = dir.write(`x${descr.replace(/[<>|]/, '_')}.npy`, npyBytes(descr, [2, 3, 4], values));
      const set = await loadNpy({ images: file });
      assert.ok(set.pixels instanceof expectedType, `${descr} → ${set.pixels.constructor.name}`);
      assert.deepEqual(Array.from(set.pixels), values);
      assert.equal(set.count, 2);
      assert.deepEqual(set.sampleShape, [3, 4]);
      assert.equal(set.layout, 'hw');
      assert.equal(set.labels, undefined);
    });
  }

  it('reads integer labels (int64) and checks them against the sample count and class range', async () => {
    const images = dir.write('images.npy', npyBytes('<f4', [4, 3], values.slice(0, 12)));
    const labels = dir.write('labels.npy', npyBytes('<i8', [4], [2, 0, 1, 2]));
    const set = await loadNpy({ images, labels, classCount: 3 });
    assert.equal(set.layout, 'flat');
    assert.deepEqual(Array.from(set.labels!), [2, 0, 1, 2]);
    assert.equal(set.classCount, 3);
    const badBytes = npyBytes('<i4', [4], [2, 0, 7, 2]);
    const bad = dir.write('bad-labels.npy', badBytes);
    const error = await formatError(() => loadNpy({ images, labels: bad, classCount: 3 }));
    const offset = badBytes.length - 16 + 2 * 4; // header, then label 2 of int32
    assert.equal(offset, 136);
    assert.match(
      error.message,
      /bad-labels\.npy: label 7 at byte offset 136 \(sample 2\) is outside the class range 0\.\.2/,
    );
    const fewer = dir.write('fewer.npy', npyBytes('<i4', [3], [0, 1, 2]));
    assert.match(
      (await formatError(() => loadNpy({ images, labels: fewer }))).message,
      /holds 3 labels but the sample file holds 4/,
    );
  });

  it('matches files written by numpy itself (every supported dtype, v1 and v2 headers)', async (t) => {
    if (skippedForMissing(t, numpySkipReason())) return;
    const written = runPython<{ name: string; values: number[]; shape: number[] }[]>(
      `
import json, sys, numpy as np
out = []
rng = np.random.default_rng(7)
for dtype in ['uint8', 'float32', 'float64', '>f4', 'int16']:
    a = (rng.random((3, 2, 5)) * 200).astype(dtype)
    name = f"${dir.path}/numpy-{dtype.replace('>', 'be')}.npy"
    np.save(name, a)
    out.append({'name': name, 'values': a.astype(np.float64).ravel().tolist(), 'shape': list(a.shape)})
big = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
name = "${dir.path}/numpy-v2.npy"
with open(name, 'wb') as f:
    np.lib.format.write_array(f, big, version=(2, 0))
out.append({'name': name, 'values': big.ravel().tolist(), 'shape': list(big.shape)})
print(json.dumps(out))
`,
    );
    for (const { name, values: expected, shape } of written) {
      const set = await loadNpy({ images: name, layout: 'hw' });
      assert.deepEqual([set.count, ...set.sampleShape], shape, name);
      assert.deepEqual(Array.from(set.pixels), expected, name);
    }
  });

  it('rejects Fortran order, unsupported dtypes, bad magic and malformed headers', async () => {
    const fortran = dir.write(
      'fortran.npy',
      npyBytes('<f8', [2, 3], values.slice(0, 6), { fortranOrder: true }),
    );
    assert.match(
      (await formatError(() => loadNpy({ images: fortran }))).message,
      /fortran\.npy: NPY header at byte offset 10: 'fortran_order' is True/,
    );
    const complex = dir.write(
      'complex.npy',
      npyBytes('<f8', [2, 3], [], {
        headerText: "{'descr': '<c16', 'fortran_order': False, 'shape': (2, 3), }",
      }),
    );
    assert.match(
      (await formatError(() => loadNpy({ images: complex }))).message,
      /dtype '<c16' is not supported/,
    );
    const structured = dir.write(
      'structured.npy',
      npyBytes('<f8', [2], [], {
        headerText: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
      }),
    );
    assert.match(
      (await formatError(() => loadNpy({ images: structured }))).message,
      /structured\.npy: NPY header at byte offset 10: .*structured dtypes/,
    );
    const magic = Buffer.from(npyBytes('<f8', [2, 3], values.slice(0, 6)));
    magic[1] = 0x4d;
    const badMagic = dir.write('magic.npy', magic);
    assert.match(
      (await formatError(() => loadNpy({ images: badMagic }))).message,
      /magic\.npy: not an NPY file: bytes at offset 0/,
    );
  });

  it('rejects truncated data and NaN values with the byte offset', async () => {
    const full = npyBytes('<f8', [2, 3], values.slice(0, 6));
    assert.equal(full.length - 48, 128, 'header bytes');
    const cut = dir.write('cut.npy', full.subarray(0, full.length - 5));
    assert.match(
      (await formatError(() => loadNpy({ images: cut }))).message,
      /cut\.npy: truncated at byte offset 171: array data needs 48 bytes from byte offset 128/,
    );
    const nan = dir.write('nan.npy', npyBytes('<f4', [2, 3], [0, 1, 2, NaN, 4, 5]));
    assert.match(
      (await formatError(() => loadNpy({ images: nan }))).message,
      /nan\.npy: array data: element 3 at byte offset 140 is NaN, expected a finite number/,
    );
    const oneAxis = dir.write('vector.npy', npyBytes('<f8', [6], values.slice(0, 6)));
    assert.match(
      (await formatError(() => loadNpy({ images: oneAxis }))).message,
      /needs shape \(N, …\) with ≥ 2 axes/,
    );
  });

  it('infers channel layout from 4-D shapes and asks for it when ambiguous', async () => {
    const chw = dir.write('chw.npy', npyBytes('|u1', [1, 3, 2, 2], values.slice(0, 12)));
    assert.equal((await loadNpy({ images: chw })).layout, 'chw');
    const hwc = dir.write('hwc.npy', npyBytes('|u1', [1, 2, 2, 3], values.slice(0, 12)));
    assert.equal((await loadNpy({ images: hwc })).layout, 'hwc');
    const odd = dir.write('odd.npy', npyBytes('|u1', [1, 2, 3, 2], values.slice(0, 12)));
    await assert.rejects(() => loadNpy({ images: odd }), InvalidArgumentError);
    assert.equal((await loadNpy({ images: odd, layout: 'chw' })).layout, 'chw');
  });
});
