import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatTable1 } from '../../src/cli/commands/reproduce-table1.js';
import { Rng } from '../../src/core/rng.js';
import { misclassificationError } from '../../src/data/labels.js';
import { mlp, parameterCount } from '../../src/model/architecture.js';
import { predict } from '../../src/model/forward.js';
import { initialise } from '../../src/model/init.js';
import { makeSamples } from '../../src/model/samples.js';
import { oneHiddenLayerOutputs } from '../../src/backend/classification.js';
import { runTable1, TABLE1_PRESETS, type Table1Result } from '../../src/reproduce/table1.js';
import { cifarBytes, idxBytes, maxAbsDifference, temporaryDirectory } from '../data/fixtures.js';
import { FASHION, fashionMnistSkip } from '../support/fashion-mnist.js';
import { skippedForMissing } from '../support/required.js';

const dir = temporaryDirectory('table1');
after(() => dir.remove());

const relu = { kind: 'leaky-relu', slope: 0 } as const;

describe('Table 1 presets', () => {
  it('have the paper’s #params/N (printed truncated to 3 decimals) with biases in both layers: (d0 + 1)·d1 + d1 + 1', () => {
    for (const [id, count, ratio] of [
      ['mnist', 69955, 0.999],
      ['cifar', 49185, 0.983],
    ] as const) {
      const preset = TABLE1_PRESETS[id];
      const params = parameterCount(mlp(preset.inputDim, [preset.hidden], 1, relu, true));
      assert.equal(params, count);
      assert.equal(Math.trunc((params / preset.paper.sampleCount) * 1000) / 1000, ratio);
      assert.equal(preset.paper.paramsOverN, ratio);
    }
    assert.equal(parameterCount(mlp(3072, [32], 1, relu, true)), 98369);
    assert.equal(TABLE1_PRESETS['cifar-32'].paper.epochsToZero, 217);
  });
});

describe('fast one-hidden-layer outputs', () => {
  it('agree with the model’s forward pass (float64 and float32 weights, ReLU and leaky ReLU)', () => {
    const rng = new Rng(11);
    for (const [slope, dtype] of [
      [0, 'float64'],
      [0.1, 'float32'],
    ] as const) {
      const architecture = mlp(37, [9], 1, { kind: 'leaky-relu', slope }, true);
      const theta = initialise(architecture, { kind: 'pytorch' }, 5, dtype);
      const samples = makeSamples(
        rng.fillGaussian(new Float64Array(101 * 37)),
        new Float64Array(101),
        37,
        1,
        dtype,
      );
      const reference = predict(architecture, theta, samples);
      const tolerance = dtype === 'float64' ? 1e-12 : 1e-5;
      assert.ok(maxAbsDifference(oneHiddenLayerOutputs(architecture, theta, samples), reference) < tolerance);
    }
  });
});

describe('runTable1', () => {
  // Regression: 4×4 images were trained as the MNIST row without a word (the table then read "784-89-1").
  it('refuses images of another size than the row’s, naming the directory and the size expected', async () => {
    const small = join(dir.path, 'small-mnist');
    mkdirSync(small);
    const labels = [0, 1, 2, 3, 4, 5, 6, 7];
    writeFileSync(
      join(small, 'train-images-idx3-ubyte'),
      idxBytes(
        0x08,
        [8, 4, 4],
        Array.from({ length: 8 * 16 }, (_, k) => k % 256),
      ),
    );
    writeFileSync(join(small, 'train-labels-idx1-ubyte'), idxBytes(0x08, [8], labels));
    writeFileSync(
      join(small, 't10k-images-idx3-ubyte'),
      idxBytes(
        0x08,
        [8, 4, 4],
        Array.from({ length: 8 * 16 }, (_, k) => (k * 7) % 256),
      ),
    );
    writeFileSync(join(small, 't10k-labels-idx1-ubyte'), idxBytes(0x08, [8], labels));
    await assert.rejects(
      runTable1(['mnist'], { mnistDirectory: small, maxEpochs: 1, seed: 1, certify: false }),
      /small-mnist: MNIST images of 16 values each, expected 784 \(28×28\) for Table 1's mnist row$/,
    );
  });

  it('trains the MNIST row on a Fashion-MNIST subset to 0% training error and stops there', async (t) => {
    if (skippedForMissing(t, fashionMnistSkip('train-images-idx3-ubyte.gz'))) return;
    const [result] = (await runTable1(['mnist'], {
      mnistDirectory: FASHION,
      maxEpochs: 150,
      seed: 1,
      subset: 256,
    })) as Table1Result[];
    assert.equal(result.sampleCount, 256);
    assert.equal(result.architecture, '784-89-1');
    assert.equal(result.stopReason, 'zero-training-error');
    assert.equal(result.trainMce, 0);
    assert.equal(result.epochs, result.epochsToZero);
    assert.equal(result.testMce, null, 'MNIST uses train + test for training');
    assert.deepEqual((result.provenance.split as { kind: string }).kind, 'parity');
    assert.equal((result.provenance.source as { samples: number }).samples, 70000);
    // P = 69 955 ≫ N = 256: polishing reaches a zero-loss point, a global minimum proved by the loss alone.
    const certificate = result.certificate!;
    assert.equal(certificate.verdict, 'global');
    assert.equal(certificate.rule, 'zero-loss');
    assert.equal(certificate.strength, 'proved');
    assert.equal(certificate.misclassified, 0);
    assert.ok(certificate.loss <= 1e-20, `loss ${certificate.loss}`);
  });

  it('runs a CIFAR row end to end on small files in the CIFAR-10 format, with a test MCE and a cache', async () => {
    const cifar = join(dir.path, 'cifar');
    mkdirSync(cifar);
    const rng = new Rng(3);
    const batch = (count: number): Buffer =>
      cifarBytes(
        Array.from({ length: count }, () => rng.integer(10)),
        () => rng.integer(256),
      );
    for (let b = 1; b <= 5; b++) writeFileSync(join(cifar, `data_batch_${b}.bin`), batch(12));
    writeFileSync(join(cifar, 'test_batch.bin'), batch(20));
    const options = {
      cifarDirectory: cifar,
      maxEpochs: 400,
      seed: 2,
      dtype: 'float64' as const,
      backend: 'reference' as const,
      cacheDirectory: join(dir.path, 'cache'),
    };
    const begun = performance.now();
    const [skipped, first] = await runTable1(['mnist', 'cifar'], options);
    const wall = (performance.now() - begun) / 1000;
    assert.deepEqual(skipped, { row: 'mnist', skipped: 'no MNIST directory given or found' });
    const result = first as Table1Result;
    assert.equal(result.sampleCount, 60);
    assert.equal(result.testCount, 20);
    assert.ok(result.testMce !== null && result.testMce >= 0 && result.testMce <= 1);
    assert.equal((result.provenance.split as { boundary: number }).boundary, 5);
    // Random images with random labels: 49 185 parameters memorise 60 samples.
    assert.equal(result.trainMce, 0);
    assert.equal(result.certificate?.verdict, 'global');
    // Regression: the training time once included the certificate's.
    assert.ok(
      result.trainSeconds + result.certificate!.seconds <= wall,
      `${result.trainSeconds} s + ${result.certificate!.seconds} s > ${wall} s`,
    );
    assert.equal(result.certificate?.engine, 'reference', 'the requested backend computes the products');
    const [, again] = await runTable1(['mnist', 'cifar'], { ...options, certify: false });
    assert.equal((again as Table1Result).certificate, null);
    const cached = again as Table1Result;
    assert.equal(cached.epochs, result.epochs, 'same seeds, same cached data: same run');
    assert.ok('preparedDirectory' in cached.provenance);
    // A benchmark trains a fixed number of epochs: past the epoch of 0% training error, which is still recorded.
    const zeroAt = result.epochsToZero!;
    const [fixed] = await runTable1(['cifar'], {
      ...options,
      certify: false,
      stopAtZeroError: false,
      maxEpochs: zeroAt + 2,
    });
    assert.equal((fixed as Table1Result).epochs, zeroAt + 2);
    assert.equal((fixed as Table1Result).epochsToZero, zeroAt);
    assert.equal((fixed as Table1Result).stopReason, 'max-epochs');
    const table = formatTable1([skipped, result]);
    assert.match(table, /mnist\s+Table 1\s+784-89-1\s+70000\s+0\.999\s+0%/);
    assert.match(table, /mnist\s+basin\s+skipped: no MNIST directory/);
    assert.match(table, /cifar\s+basin \(float64, reference\)\s+3072-16-1\s+60\s+819\.750\s+0% \(0\)/);
  });

  it('reports the seconds of every stage, in order, each epoch and its error check apart', async () => {
    const cifar = join(dir.path, 'cifar-timed');
    mkdirSync(cifar);
    const rng = new Rng(5);
    const batch = (count: number): Buffer =>
      cifarBytes(
        Array.from({ length: count }, () => rng.integer(10)),
        () => rng.integer(256),
      );
    // 550 samples: more than a minibatch of 512, so the epochs run as in the full-size row.
    for (let b = 1; b <= 5; b++) writeFileSync(join(cifar, `data_batch_${b}.bin`), batch(110));
    writeFileSync(join(cifar, 'test_batch.bin'), batch(20));
    const stages: string[] = [];
    const [result] = (await runTable1(['cifar'], {
      cifarDirectory: cifar,
      maxEpochs: 2,
      seed: 1,
      dtype: 'float64',
      backend: 'reference',
      certify: false,
      onTiming: (row, stage, seconds) => {
        assert.equal(row, 'cifar');
        assert.ok(seconds >= 0 && Number.isFinite(seconds), `${stage}: ${seconds}`);
        stages.push(stage);
      },
    })) as Table1Result[];
    assert.equal(result.epochs, 2);
    assert.deepEqual(stages, [
      'read training files',
      'training set: gather',
      'training set: scale-to-unit',
      'read test files',
      'test set: gather',
      'test set: scale-to-unit',
      'backend setup',
      'epoch',
      'error check',
      'epoch',
      'error check',
      'final evaluation',
      'final error check',
      'test error check',
    ]);
  });

  it('measures the training MCE it reports on the returned weights (checked with the model forward pass)', () => {
    const architecture = mlp(5, [3], 1, relu, true);
    const theta = initialise(architecture, { kind: 'pytorch' }, 9, 'float64');
    const rng = new Rng(4);
    const samples = makeSamples(
      rng.fillGaussian(new Float64Array(40 * 5)),
      Float64Array.from({ length: 40 }, () => (rng.uniform() < 0.5 ? -1 : 1)),
      5,
    );
    assert.equal(
      misclassificationError(oneHiddenLayerOutputs(architecture, theta, samples), samples.y, 'pm1'),
      misclassificationError(predict(architecture, theta, samples), samples.y, 'pm1'),
    );
  });
});
