import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadCifar10Directory, loadCifar10Files } from '../../src/data/loaders/cifar.js';
import { cifarBytes, temporaryDirectory, formatError } from './fixtures.js';

const dir = temporaryDirectory('cifar');
after(() => dir.remove());

/** A pixel value that identifies its sample and position, so any misplaced byte shows. */
const pixel = (n: number, k: number): number => (n * 31 + k * 7) % 256;

describe('CIFAR-10 binary loader', () => {
  it('reads 3073-byte records: label byte, then 3072 pixels in channel-first order', async () => {
    const labels = [6, 9, 0];
    const file = dir.write('three.bin', cifarBytes(labels, pixel));
    const set = await loadCifar10Files([file]);
    assert.equal(set.count, 3);
    assert.deepEqual(set.sampleShape, [3, 32, 32]);
    assert.equal(set.layout, 'chw');
    assert.deepEqual(Array.from(set.labels!), labels);
    assert.equal(set.classNames![labels[0]], 'frog');
    for (const [n, k] of [
      [0, 0],
      [1, 1023],
      [2, 1024],
      [2, 3071],
    ]) {
      assert.equal(set.pixels[n * 3072 + k], pixel(n, k), `sample ${n} value ${k}`);
    }
  });

  it('loads train (batches 1–5), test and all from a directory into one float32 array', async () => {
    const root = join(dir.path, 'root');
    const batches = join(root, 'cifar-10-batches-bin');
    mkdirSync(batches, { recursive: true });
    for (let b = 1; b <= 5; b++)
      writeFileSync(
        join(batches, `data_batch_${b}.bin`),
        cifarBytes([b, b + 1], (n, k) => pixel(n + 10 * b, k)),
      );
    writeFileSync(
      join(batches, 'test_batch.bin'),
      cifarBytes([9], (n, k) => pixel(n + 99, k)),
    );
    const train = await loadCifar10Directory(root, 'train', { pixelType: 'float32' });
    assert.ok(train.pixels instanceof Float32Array);
    assert.equal(train.count, 10);
    assert.deepEqual(Array.from(train.labels!), [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    assert.equal(train.pixels[9 * 3072 + 5], pixel(1 + 50, 5));
    assert.equal((await loadCifar10Directory(batches, 'test')).count, 1);
    const all = await loadCifar10Directory(root, 'all');
    assert.equal(all.count, 11);
    assert.equal(all.labels![10], 9);
    assert.equal(all.files.length, 6);
  });

  it('rejects a file that is not a whole number of records, naming the truncated record offset', async () => {
    const file = dir.write('short.bin', cifarBytes([1, 2], pixel).subarray(0, 3073 + 100));
    const error = await formatError(() => loadCifar10Files([file]));
    assert.match(error.message, /short\.bin: truncated record at byte offset 3073: the file is 3173 bytes/);
  });

  it('rejects a label byte outside 0..9 with the record and offset', async () => {
    const bytes = cifarBytes([1, 2, 3], pixel);
    bytes[2 * 3073] = 10;
    const file = dir.write('mislabelled.bin', bytes);
    const error = await formatError(() => loadCifar10Files([file]));
    assert.match(
      error.message,
      /mislabelled\.bin: label 10 at byte offset 6146 \(record 2\) is outside the class range 0\.\.9/,
    );
  });

  it('rejects empty files and directories without the batch files', async () => {
    const empty = dir.write('empty.bin', Buffer.alloc(0));
    assert.match((await formatError(() => loadCifar10Files([empty]))).message, /empty\.bin: is empty/);
    const bare = join(dir.path, 'bare');
    mkdirSync(bare);
    assert.match(
      (await formatError(() => loadCifar10Directory(bare, 'train'))).message,
      /bare: does not hold the CIFAR-10 train files data_batch_1\.bin/,
    );
  });
});
