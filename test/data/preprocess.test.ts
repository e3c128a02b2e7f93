import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/errors.js';
import type { ImageSet } from '../../src/data/loaders/image-set.js';
import { parseBinarySplit, splitSide } from '../../src/data/preprocess/binary-split.js';
import { averagePool } from '../../src/data/preprocess/downsample.js';
import { prepareDataset } from '../../src/data/preprocess/prepare.js';
import { applyUnitScaling, fitUnitScaling } from '../../src/data/preprocess/scale.js';
import { applyStandardisation, fitStandardisation } from '../../src/data/preprocess/standardise.js';
import { seededSubset } from '../../src/data/preprocess/subset.js';

/** A small labelled byte-image set: `count` images of 2 channels × 4 × 4, value = f(n, index). */
function byteImages(count: number, labels: number[]): ImageSet {
  const pixels = new Uint8Array(count * 32);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 29 + 7) % 256;
  return {
    format: 'npy',
    files: ['memory'],
    pixels,
    count,
    sampleShape: [2, 4, 4],
    layout: 'chw',
    storedAsBytes: true,
    labels: Int32Array.from(labels),
    classCount: 10,
  };
}

describe('binary splits', () => {
  it('parity: even classes +1, odd −1 (the authors’ torchvision default)', () => {
    const split = parseBinarySplit('parity');
    assert.deepEqual(
      [0, 1, 2, 9].map((c) => splitSide(split, c)),
      [true, false, true, false],
    );
  });

  it('low-high: CIFAR classes 0–4 (airplane…deer) −1, 5–9 (dog…truck) +1', () => {
    const split = parseBinarySplit('low-high');
    assert.deepEqual(split, { kind: 'low-high', boundary: 5 });
    assert.deepEqual(
      [0, 4, 5, 9].map((c) => splitSide(split, c)),
      [false, false, true, true],
    );
    assert.deepEqual(parseBinarySplit('low-high:3'), { kind: 'low-high', boundary: 3 });
  });

  it('class lists drop the classes in neither list, and bad text is refused', () => {
    const split = parseBinarySplit('pos:1, 3/neg:0');
    assert.deepEqual(
      [0, 1, 2, 3].map((c) => splitSide(split, c)),
      [false, true, undefined, true],
    );
    assert.throws(() => parseBinarySplit('pos:1/neg:1'), /split: expected disjoint/);
    assert.throws(
      () => parseBinarySplit('halves'),
      (e: unknown) => e instanceof InvalidArgumentError && /^split: expected parity/.test(e.message),
    );
  });
});

describe('seeded subsets', () => {
  const from = Int32Array.from({ length: 100 }, (_, i) => 3 * i);
  it('are reproducible, sorted, distinct and drawn from the eligible rows', () => {
    const a = seededSubset(from, 20, 7);
    assert.deepEqual(Array.from(a), Array.from(seededSubset(from, 20, 7)));
    assert.notDeepEqual(Array.from(a), Array.from(seededSubset(from, 20, 8)));
    assert.equal(new Set(a).size, 20);
    for (let i = 1; i < a.length; i++) assert.ok(a[i - 1] < a[i]);
    assert.ok(a.every((v) => v % 3 === 0 && v < 300));
    assert.throws(
      () => seededSubset(from, 101, 1),
      /subset\.count: expected at most the 100 eligible samples/,
    );
  });

  it('draw every row with about equal frequency (uniform without replacement)', () => {
    const hits = new Array(100).fill(0);
    for (let seed = 0; seed < 500; seed++) for (const v of seededSubset(from, 10, seed)) hits[v / 3]++;
    // Each row is drawn with probability 1/10 per subset: 50 expected hits, sd ≈ 6.7.
    assert.ok(
      Math.min(...hits) > 20 && Math.max(...hits) < 80,
      `hits in [${Math.min(...hits)}, ${Math.max(...hits)}]`,
    );
  });
});

describe('average pooling', () => {
  it('averages non-overlapping windows (closed form on a 4×4 image)', () => {
    const x = Float64Array.from({ length: 16 }, (_, i) => i);
    const { x: pooled, sampleShape } = averagePool(x, 1, [4, 4], 'hw', 2);
    assert.deepEqual(sampleShape, [2, 2]);
    // Window (0,0) holds 0, 1, 4, 5.
    assert.deepEqual(Array.from(pooled), [2.5, 4.5, 10.5, 12.5]);
  });

  it('pools each channel alike in chw and hwc layouts', () => {
    const count = 2;
    const chw = Float32Array.from({ length: count * 3 * 4 * 4 }, (_, i) => (i * 13) % 17);
    const hwc = new Float32Array(chw.length);
    for (let n = 0; n < count; n++)
      for (let c = 0; c < 3; c++)
        for (let p = 0; p < 16; p++) hwc[n * 48 + p * 3 + c] = chw[n * 48 + c * 16 + p];
    const a = averagePool(chw, count, [3, 4, 4], 'chw', 2);
    const b = averagePool(hwc, count, [4, 4, 3], 'hwc', 2);
    assert.deepEqual(b.sampleShape, [2, 2, 3]);
    for (let n = 0; n < count; n++)
      for (let c = 0; c < 3; c++)
        for (let p = 0; p < 4; p++) assert.equal(a.x[n * 12 + c * 4 + p], b.x[n * 12 + p * 3 + c]);
  });

  it('refuses factors that do not divide the image and flat samples', () => {
    assert.throws(
      () => averagePool(new Float64Array(9), 1, [3, 3], 'hw', 2),
      /downsample: expected a factor that divides the image size 3×3/,
    );
    assert.throws(() => averagePool(new Float64Array(9), 1, [9], 'flat', 3), /downsample: expected images/);
  });
});

describe('scaling and standardisation', () => {
  it('maps bytes by ÷ 255 and other data by its own min and max', () => {
    const bytes = Float32Array.of(0, 51, 255);
    applyUnitScaling(bytes, fitUnitScaling(bytes, true));
    assert.deepEqual(Array.from(bytes), [0, Math.fround(0.2), 1]);
    const floats = Float64Array.of(-2, 0, 6);
    const map = fitUnitScaling(floats, false);
    applyUnitScaling(floats, map);
    assert.deepEqual(Array.from(floats), [0, 0.25, 1]);
    assert.deepEqual(map, { offset: -2, divisor: 8, rule: 'min-max' });
  });

  it('standardises each feature to mean 0 and sd 1, centring constant features only', () => {
    const count = 50;
    const x = new Float64Array(count * 3);
    for (let n = 0; n < count; n++) {
      x[n * 3] = 1000 + (n % 7);
      x[n * 3 + 1] = 4.5;
      x[n * 3 + 2] = n * n;
    }
    const fitted = fitStandardisation(x, count, 3);
    assert.equal(fitted.constantFeatures, 1);
    applyStandardisation(x, count, 3, fitted);
    for (const j of [0, 2]) {
      let mean = 0;
      let square = 0;
      for (let n = 0; n < count; n++) mean += x[n * 3 + j] / count;
      for (let n = 0; n < count; n++) square += (x[n * 3 + j] - mean) ** 2 / count;
      assert.ok(Math.abs(mean) < 1e-12 && Math.abs(square - 1) < 1e-12);
    }
    for (let n = 0; n < count; n++) assert.equal(x[n * 3 + 1], 0);
  });
});

describe('prepareDataset', () => {
  const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 5, 0];
  const images = byteImages(labels.length, labels);

  it('applies the recipe in order and records every choice in the provenance', () => {
    const { dataset, fitted } = prepareDataset(images, {
      split: { kind: 'classes', positive: [5, 6], negative: [0, 1] },
      labelEncoding: '01',
      downsample: 2,
      standardise: true,
      dtype: 'float32',
    });
    assert.equal(dataset.count, 6); // classes 0, 1, 5, 6, 5, 0
    assert.equal(dataset.inputDim, 8);
    assert.ok(dataset.x instanceof Float32Array);
    assert.deepEqual(Array.from(dataset.y), [0, 0, 1, 1, 1, 0]);
    assert.equal(dataset.labelEncoding, '01');
    assert.ok(fitted.scaling && fitted.standardisation && !fitted.whitening);
    const p = dataset.provenance as Record<string, unknown>;
    assert.deepEqual(p.source, {
      format: 'npy',
      files: ['memory'],
      samples: 12,
      sampleShape: [2, 4, 4],
      layout: 'chw',
    });
    assert.deepEqual(
      (p.steps as { step: string }[]).map((s) => s.step),
      ['average-pool', 'scale-to-unit', 'standardise'],
    );
    assert.equal(p.positives, 3);
    assert.equal(p.negatives, 3);
    assert.doesNotThrow(() => JSON.stringify(p));
  });

  it('reuses fitted statistics on held-out data (same input gives the same output)', () => {
    const recipe = {
      split: parseBinarySplit('low-high'),
      whiten: { method: 'pca' as const, epsilon: 0.1, components: 4 },
    };
    const train = prepareDataset(images, recipe);
    const again = prepareDataset(images, recipe, train.fitted);
    assert.deepEqual(Array.from(again.dataset.x), Array.from(train.dataset.x));
    const step = (again.dataset.provenance.steps as { step: string; fittedOn: string }[]).find(
      (s) => s.step === 'whiten',
    );
    assert.equal(step?.fittedOn, 'given');
    assert.deepEqual(
      Array.from(train.dataset.y),
      labels.map((c) => (c >= 5 ? 1 : -1)),
    );
  });

  it('transforms the loaded pixels in place only when asked and possible', () => {
    const floats: ImageSet = { ...images, pixels: Float32Array.from(images.pixels) };
    const shared = prepareDataset(floats, { split: { kind: 'parity' }, dtype: 'float32', reusePixels: true });
    assert.equal(shared.dataset.x, floats.pixels);
    const copied = prepareDataset(images, { split: { kind: 'parity' }, dtype: 'float32', reusePixels: true });
    assert.notEqual(copied.dataset.x.buffer, images.pixels.buffer);
    const subset = prepareDataset(floats, {
      split: { kind: 'parity' },
      subset: { count: 5, seed: 1 },
      reusePixels: true,
    });
    assert.equal(subset.dataset.count, 5);
    assert.notEqual(subset.dataset.x, floats.pixels);
  });

  it('refuses sets without labels and splits that select nothing', () => {
    assert.throws(
      () => prepareDataset({ ...images, labels: undefined }, { split: { kind: 'parity' } }),
      /images\.labels: expected class labels/,
    );
    assert.throws(
      () => prepareDataset(images, { split: { kind: 'classes', positive: [11], negative: [12] } }),
      /split: expected classes present in the data/,
    );
  });
});
