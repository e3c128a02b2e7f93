import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileFormatError } from '../../src/core/errors.js';
import { loadImageSet, recogniseFile } from '../../src/data/loaders/load.js';
import { cifarBytes, gzip, idxBytes, npyBytes, temporaryDirectory } from './fixtures.js';

const dir = temporaryDirectory('load');
after(() => dir.remove());

function write(name: string, bytes: Buffer | string): string {
  const path = join(dir.path, name);
  writeFileSync(path, bytes);
  return path;
}

describe('loadImageSet format recognition', () => {
  const idx = write('train-images-idx3-ubyte.gz', gzip(idxBytes(0x08, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])));
  write('train-labels-idx1-ubyte.gz', gzip(idxBytes(0x08, [2], [0, 1])));
  const npy = write('anything.dat', npyBytes('<f4', [2, 3], [1, 2, 3, 4, 5, 6]));
  const csv = write('table.csv', 'label,x\n1,2\n');
  const cifar = write(
    'records',
    cifarBytes([3], () => 1),
  );

  it('recognises IDX (through gzip), NPY by magic, CSV by name and CIFAR by record size', async () => {
    assert.equal(await recogniseFile(idx), 'idx');
    assert.equal(await recogniseFile(npy), 'npy');
    assert.equal(await recogniseFile(csv), 'csv');
    assert.equal(await recogniseFile(cifar), 'cifar10');
  });

  it('loads an IDX image file with the label file named by the MNIST convention', async () => {
    const set = await loadImageSet(idx);
    assert.deepEqual(Array.from(set.labels!), [0, 1]);
  });

  it('loads an MNIST-style directory and a CIFAR directory', async () => {
    assert.equal((await loadImageSet(dir.path)).format, 'idx');
    const cifarDir = join(dir.path, 'cifar');
    mkdirSync(cifarDir);
    writeFileSync(
      join(cifarDir, 'test_batch.bin'),
      cifarBytes([1, 2], () => 0),
    );
    const set = await loadImageSet(cifarDir, { split: 'test' });
    assert.equal(set.format, 'cifar10');
    assert.equal(set.count, 2);
  });

  it('says when it cannot tell the format, and when a path does not exist', async () => {
    const odd = write('mystery.xyz', 'hello');
    await assert.rejects(
      () => loadImageSet(odd),
      (error: unknown) => {
        assert.ok(error instanceof FileFormatError);
        assert.match(error.message, /mystery\.xyz: format not recognised/);
        return true;
      },
    );
    await assert.rejects(
      () => loadImageSet(join(dir.path, 'missing')),
      /missing: cannot read the dataset \(ENOENT: no such file\)$/,
    );
  });
});
