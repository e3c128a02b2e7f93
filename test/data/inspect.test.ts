import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { loadCifar10Files } from '../../src/data/loaders/cifar.js';
import { imageGrid } from '../../src/data/loaders/image-grid.js';
import { summariseImageSet } from '../../src/data/loaders/summary.js';
import { basin, cliSkip } from '../cli/helpers.js';
import { cifarBytes, npyBytes, temporaryDirectory } from './fixtures.js';

const dir = temporaryDirectory('inspect');
after(() => dir.remove());

/** CIFAR records whose left half is pure red and right half pure blue; labels 0, 0, 1. */
const cifarFile = join(dir.path, 'halves.bin');
writeFileSync(
  cifarFile,
  cifarBytes([0, 0, 1], (_, k) => {
    const channel = Math.floor(k / 1024);
    const column = k % 32;
    return (channel === 0 && column < 16) || (channel === 2 && column >= 16) ? 255 : 0;
  }),
);

/**
 * Runs `basin data …` through the real launcher in a child process and returns what it printed; rejects with the
 * error line when the command fails. (Patching this process's stdout would swallow node:test's own reports.)
 */
async function runData(args: string[]): Promise<string> {
  const result = basin(['data', ...args], dir.path);
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

describe('inspecting datasets', () => {
  it('summarises shape, value statistics and class counts', async () => {
    const summary = summariseImageSet(await loadCifar10Files([cifarFile]));
    assert.equal(summary.count, 3);
    assert.equal(summary.features, 3072);
    assert.deepEqual(summary.values, {
      min: 0,
      max: 255,
      mean: 255 / 3,
      sd: Math.sqrt(255 ** 2 / 3 - (255 / 3) ** 2),
    });
    assert.deepEqual(summary.classes!.slice(0, 3), [
      { index: 0, name: 'airplane', count: 2 },
      { index: 1, name: 'automobile', count: 1 },
      { index: 2, name: 'bird', count: 0 },
    ]);
  });

  it('draws channel-first colour images in RGB, one row per class', async () => {
    const grid = imageGrid(await loadCifar10Files([cifarFile]), { perClass: 2, zoom: 1, maxClasses: 2 });
    assert.equal(grid.rows, 2);
    assert.equal(grid.columns, 2);
    assert.deepEqual(grid.samples, [0, 1, 2, -1]);
    const png = PNG.sync.read(grid.png);
    assert.equal(png.width, 2 * 33 + 1);
    const rgb = (x: number, y: number): number[] =>
      Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));
    assert.deepEqual(rgb(1 + 3, 1 + 10), [255, 0, 0]); // left half of sample 0: red
    assert.deepEqual(rgb(1 + 20, 1 + 10), [0, 0, 255]); // right half: blue
  });

  it('`basin data inspect` prints the summary and writes the grid PNG', { skip: cliSkip }, async () => {
    const gridFile = join(dir.path, 'grid.png');
    const text = await runData(['inspect', cifarFile, '--grid', gridFile, '--per-class', '3']);
    assert.match(text, /format\s+cifar10/);
    assert.match(text, /samples\s+3\n/);
    assert.match(text, /sample\s+3×32×32 \(chw\), 3072 features, uint8 \(stored as bytes 0–255\)/);
    assert.match(text, /0\s+airplane\s+2/);
    assert.match(text, /peak resident memory \d+ MiB/);
    assert.equal(PNG.sync.read(readFileSync(gridFile)).height, 10 * (64 + 1) + 1);
  });

  it('reads NPY with a label file and prints JSON', { skip: cliSkip }, async () => {
    const images = join(dir.path, 'x.npy');
    const labels = join(dir.path, 'y.npy');
    writeFileSync(images, npyBytes('<f4', [3, 2, 2], [0, 0.5, 1, 0.25, 1, 1, 1, 1, 0, 0, 0, 0]));
    writeFileSync(labels, npyBytes('<i8', [3], [1, 0, 1]));
    const json = JSON.parse(await runData(['inspect', images, '--labels', labels, '--json'])) as {
      pixelType: string;
      classes: { count: number }[];
      values: { max: number };
    };
    assert.equal(json.pixelType, 'float32');
    assert.deepEqual(
      json.classes.map((c) => c.count),
      [1, 2],
    );
    assert.equal(json.values.max, 1);
  });

  it('refuses bad option values with the option named', { skip: cliSkip }, async () => {
    await assert.rejects(
      () => runData(['inspect', cifarFile, '--split', 'validation']),
      /--split: expected train, test, all/,
    );
    await assert.rejects(
      () => runData(['inspect', cifarFile, '--pixel-type', 'int8']),
      /--pixel-type: expected uint8/,
    );
  });
});
