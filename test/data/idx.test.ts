import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadIdxDirectory, loadIdxPair, loadIdxPairs } from '../../src/data/loaders/idx.js';
import { gzip, idxBytes, temporaryDirectory, formatError } from './fixtures.js';

const dir = temporaryDirectory('idx');
after(() => dir.remove());

const COUNT = 5;
const ROWS = 3;
const COLS = 4;
const pixels = Array.from({ length: COUNT * ROWS * COLS }, (_, i) => (i * 37) % 256);
const labels = [3, 0, 9, 1, 7];

const rawImages = dir.write('raw-images-idx3-ubyte', idxBytes(0x08, [COUNT, ROWS, COLS], pixels));
const rawLabels = dir.write('raw-labels-idx1-ubyte', idxBytes(0x08, [COUNT], labels));
const gzImages = dir.write('gz-images.gz', gzip(idxBytes(0x08, [COUNT, ROWS, COLS], pixels)));
const gzLabels = dir.write('gz-labels.gz', gzip(idxBytes(0x08, [COUNT], labels)));

/** Runs `load` and returns the FileFormatError it must throw. */
describe('IDX loader', () => {
  it('reads raw files: bytes, labels and shape exactly as written', async () => {
    const set = await loadIdxPair({ images: rawImages, labels: rawLabels });
    assert.equal(set.format, 'idx');
    assert.equal(set.count, COUNT);
    assert.deepEqual(set.sampleShape, [ROWS, COLS]);
    assert.equal(set.layout, 'hw');
    assert.ok(set.pixels instanceof Uint8Array);
    assert.deepEqual(Array.from(set.pixels), pixels);
    assert.deepEqual(Array.from(set.labels!), labels);
    assert.equal(set.storedAsBytes, true);
    assert.deepEqual(set.files, [rawImages, rawLabels]);
  });

  it('reads gzipped files (recognised by content) into float32 without rescaling', async () => {
    const set = await loadIdxPair({ images: gzImages, labels: gzLabels }, { pixelType: 'float32' });
    assert.ok(set.pixels instanceof Float32Array);
    assert.deepEqual(Array.from(set.pixels), pixels);
    assert.deepEqual(Array.from(set.labels!), labels);
  });

  it('concatenates pairs in order and reads float64 and int32 IDX types', async () => {
    const floats = pixels.map((v) => v / 7 - 3);
    const images = dir.write('f64-images', idxBytes(0x0e, [COUNT, ROWS, COLS], floats));
    const intLabels = dir.write('i32-labels', idxBytes(0x0c, [COUNT], labels));
    const set = await loadIdxPairs([
      { images, labels: intLabels },
      { images, labels: intLabels },
    ]);
    assert.ok(set.pixels instanceof Float64Array);
    assert.equal(set.count, 2 * COUNT);
    assert.deepEqual(Array.from(set.pixels), [...floats, ...floats]);
    assert.deepEqual(Array.from(set.labels!), [...labels, ...labels]);
  });

  it('finds the MNIST file names in a directory for each split', async () => {
    const mnist = temporaryDirectory('mnist');
    try {
      writeFileSync(
        join(mnist.path, 'train-images-idx3-ubyte.gz'),
        gzip(idxBytes(0x08, [COUNT, ROWS, COLS], pixels)),
      );
      writeFileSync(join(mnist.path, 'train-labels-idx1-ubyte.gz'), gzip(idxBytes(0x08, [COUNT], labels)));
      writeFileSync(
        join(mnist.path, 't10k-images-idx3-ubyte'),
        idxBytes(0x08, [1, ROWS, COLS], pixels.slice(0, 12)),
      );
      writeFileSync(join(mnist.path, 't10k-labels-idx1-ubyte'), idxBytes(0x08, [1], [4]));
      assert.equal((await loadIdxDirectory(mnist.path, 'train')).count, COUNT);
      assert.equal((await loadIdxDirectory(mnist.path, 'test')).count, 1);
      const all = await loadIdxDirectory(mnist.path, 'all');
      assert.equal(all.count, COUNT + 1);
      assert.equal(all.labels![COUNT], 4);
    } finally {
      mnist.remove();
    }
  });

  it('rejects a wrong magic number, naming the file and offset 0', async () => {
    const bad = idxBytes(0x08, [COUNT, ROWS, COLS], pixels);
    bad[0] = 0x1a;
    const path = dir.write('bad-magic', bad);
    const error = await formatError(() => loadIdxPair({ images: path, labels: rawLabels }));
    assert.match(error.message, /bad-magic: not an IDX file: magic number at byte offset 0 is 0x1a000803/);
  });

  it('rejects truncated raw image data with the offset where the file ends', async () => {
    const full = idxBytes(0x08, [COUNT, ROWS, COLS], pixels);
    const path = dir.write('short-images', full.subarray(0, full.length - 7));
    const error = await formatError(() => loadIdxPair({ images: path, labels: rawLabels }));
    // Header 16 bytes; 60 data bytes promised, 53 present.
    assert.match(
      error.message,
      /short-images: truncated at byte offset 69: image data needs 60 bytes from byte offset 16/,
    );
  });

  it('rejects a truncated gzip stream and corrupt gzip data without crashing', async () => {
    const compressed = gzip(idxBytes(0x08, [COUNT, ROWS, COLS], pixels));
    const cut = dir.write('cut.gz', compressed.subarray(0, compressed.length - 12));
    const cutError = await formatError(() => loadIdxPair({ images: cut, labels: rawLabels }));
    assert.match(cutError.message, /cut\.gz: .*(truncated|corrupt gzip data).* offset \d+/);
    const corrupt = Buffer.from(compressed);
    for (let i = 12; i < corrupt.length - 8; i++) corrupt[i] ^= 0x5a;
    const bad = dir.write('corrupt.gz', corrupt);
    const badError = await formatError(() => loadIdxPair({ images: bad, labels: rawLabels }));
    assert.match(badError.message, /corrupt\.gz: .*offset \d+/);
  });

  it('rejects a label outside 0..9 with its byte offset and sample', async () => {
    const path = dir.write('mislabelled', idxBytes(0x08, [COUNT], [3, 0, 12, 1, 7]));
    const error = await formatError(() => loadIdxPair({ images: rawImages, labels: path }));
    assert.match(
      error.message,
      /mislabelled: label 12 at byte offset 10 \(sample 2\) is outside the class range 0\.\.9/,
    );
  });

  it('rejects mismatched counts, trailing bytes and label files of the wrong rank', async () => {
    const fewer = dir.write('fewer-labels', idxBytes(0x08, [COUNT - 1], labels.slice(1)));
    assert.match(
      (await formatError(() => loadIdxPair({ images: rawImages, labels: fewer }))).message,
      /fewer-labels: holds 4 labels but .*raw-images-idx3-ubyte holds 5 images/,
    );
    const longer = dir.write(
      'long-images',
      Buffer.concat([idxBytes(0x08, [COUNT, ROWS, COLS], pixels), Buffer.from([1, 2])]),
    );
    assert.match(
      (await formatError(() => loadIdxPair({ images: longer, labels: rawLabels }))).message,
      /long-images: unexpected extra data at byte offset 76/,
    );
    assert.match(
      (await formatError(() => loadIdxPair({ images: rawImages, labels: rawImages }))).message,
      /an IDX label file has 1 dimension/,
    );
  });

  it('names a missing file', async () => {
    const error = await formatError(() => loadIdxPair({ images: join(dir.path, 'nope'), labels: rawLabels }));
    assert.match(error.message, /nope: cannot read the data file \(ENOENT: no such file\)$/);
  });
});
