import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseTrainConfig, resolveTrainConfig } from '../../src/cli/config.js';
import { loadConfiguredData } from '../../src/cli/train-run.js';
import { deriveSeed, Rng } from '../../src/core/rng.js';
import { samplesFingerprint } from '../../src/data/fingerprint.js';
import { loadNpy } from '../../src/data/loaders/npy.js';
import { prepareDataset } from '../../src/data/preprocess/prepare.js';
import { readTrainResultFile, type TrainResultRecord } from '../../src/io/result-file.js';
import { idxBytes, npyBytes, temporaryDirectory } from '../data/fixtures.js';
import { FASHION, fashionMnistSkip } from '../support/fashion-mnist.js';
import { skippedForMissing } from '../support/required.js';
import { assertOneLineError, basin, ensureBuilt } from './helpers.js';

const dir = temporaryDirectory('file-source');
before(ensureBuilt);
after(() => dir.remove());

/** 40 random 4×4 byte images with classes 0–3 in turn, as NPY samples and labels. */
function writeNpySet(directory: string, seed: number): void {
  const rng = new Rng(seed);
  const pixels = Array.from({ length: 40 * 16 }, () => rng.integer(256));
  writeFileSync(join(directory, 'images.npy'), npyBytes('|u1', [40, 4, 4], pixels));
  writeFileSync(
    join(directory, 'labels.npy'),
    npyBytes(
      '<i8',
      [40],
      Array.from({ length: 40 }, (_, n) => n % 4),
    ),
  );
}

/** 24 random 6×6 byte images with classes 0–9, as an MNIST-style IDX directory. */
function writeIdxDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true });
  const rng = new Rng(5);
  const pixels = Array.from({ length: 24 * 36 }, () => rng.integer(256));
  writeFileSync(join(directory, 'train-images-idx3-ubyte'), idxBytes(0x08, [24, 6, 6], pixels));
  writeFileSync(
    join(directory, 'train-labels-idx1-ubyte'),
    idxBytes(
      0x08,
      [24],
      Array.from({ length: 24 }, (_, n) => n % 10),
    ),
  );
}

interface CertificateJson {
  readonly sampleCount: number;
  readonly lossValue: number;
  readonly architecture: string;
}

function certifyResult(resultFile: string): CertificateJson {
  const run = basin(['certify', resultFile, '--no-polish', '--probes', '0', '--json'], dir.path);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as CertificateJson;
}

const relativeEqual = (a: number, b: number, tolerance: number): boolean =>
  Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b), 1e-300);

describe('basin train --data file', () => {
  const configDirectory = join(dir.path, 'config');
  const outDirectory = join(dir.path, 'out');
  mkdirSync(configDirectory);
  mkdirSync(outDirectory);
  writeNpySet(configDirectory, 1);
  const idx = join(dir.path, 'idx');
  writeIdxDirectory(idx);

  it('trains on NPY files named relative to the config, records every choice, and certify rebuilds the data', async () => {
    const config = join(configDirectory, 'run.yaml');
    writeFileSync(
      config,
      [
        'seed: 3',
        'data:',
        '  source: file',
        '  path: images.npy',
        '  labelFile: labels.npy',
        '  binary: pos:0,1/neg:2,3',
        '  count: 30',
        '  downsample: 2',
        '  standardise: true',
        '  whiten: { method: pca, epsilon: 1.0e-3, components: 3 }',
        'model: { hidden: [5], bias: true }',
        'optimiser: { kind: lbfgs }',
        'stopping: { maxEpochs: 30 }',
      ].join('\n'),
    );
    const resultFile = join(outDirectory, 'npy-result.json');
    const trained = basin(
      [
        'train',
        '--config',
        config,
        '--out',
        resultFile,
        '--weights',
        join(outDirectory, 'npy-weights.json'),
        '--json',
      ],
      dir.path,
    );
    assert.equal(trained.status, 0, trained.stderr);
    const record = readTrainResultFile(resultFile);
    const data = record.config.data as Record<string, unknown>;
    // Paths are recorded absolute, so the result can be certified from any directory.
    assert.equal(data.path, join(configDirectory, 'images.npy'));
    assert.equal(data.labelFile, join(configDirectory, 'labels.npy'));
    assert.deepEqual(
      { ...data, path: undefined, labelFile: undefined },
      {
        source: 'file',
        path: undefined,
        labelFile: undefined,
        split: 'train',
        binary: 'pos:0,1/neg:2,3',
        labels: 'pm1',
        count: 30,
        downsample: 2,
        scale: true,
        standardise: true,
        whiten: { method: 'pca', epsilon: 1e-3, components: 3 },
      },
    );
    assert.equal(record.data.sampleCount, 30);
    assert.equal(record.data.inputDim, 3);
    assert.equal(record.data.labelEncoding, 'pm1');
    const provenance = record.data.provenance as {
      subset: { count: number; seed: number; from: number };
      steps: { step: string }[];
      fingerprint: string;
    };
    assert.deepEqual(provenance.subset, { count: 30, seed: deriveSeed(3, 'data'), from: 40 });
    assert.deepEqual(
      provenance.steps.map((s) => s.step),
      ['average-pool', 'scale-to-unit', 'standardise', 'whiten'],
    );

    // The same recipe spelled out by hand over the library gives the samples training saw, bit for bit.
    const images = await loadNpy({
      images: join(configDirectory, 'images.npy'),
      labels: join(configDirectory, 'labels.npy'),
    });
    const expected = prepareDataset(images, {
      split: { kind: 'classes', positive: [0, 1], negative: [2, 3] },
      subset: { count: 30, seed: deriveSeed(3, 'data') },
      downsample: 2,
      standardise: true,
      whiten: { method: 'pca', epsilon: 1e-3, components: 3 },
    }).dataset;
    assert.equal(provenance.fingerprint, samplesFingerprint(expected));
    const rebuilt = await loadConfiguredData(
      resolveTrainConfig(parseTrainConfig(record.config, { file: undefined, flags: new Map() }), undefined),
    );
    assert.deepEqual(Array.from(rebuilt.x), Array.from(expected.x));
    assert.deepEqual(Array.from(rebuilt.y), Array.from(expected.y));

    const certificate = certifyResult(resultFile);
    assert.equal(certificate.sampleCount, 30);
    assert.equal(certificate.architecture, '3-5-1');
    assert.ok(
      relativeEqual(certificate.lossValue, record.result.finalLoss, 1e-12),
      `${certificate.lossValue} vs ${record.result.finalLoss}`,
    );

    // Other pixels in the same file: certify refuses rather than certify the network on data it never saw.
    writeNpySet(configDirectory, 2);
    assertOneLineError(
      ['certify', resultFile, '--no-polish', '--probes', '0'],
      dir.path,
      /npy-result\.json: the training data rebuilt from .*images\.npy, .*labels\.npy differ from the data this network was trained on \(fingerprint sha256:/,
    );
    writeNpySet(configDirectory, 1);
  });

  it('takes an IDX directory and the preprocessing from flags', () => {
    const resultFile = join(outDirectory, 'idx-result.json');
    const trained = basin(
      [
        'train',
        '--data',
        'file',
        '--data-path',
        idx,
        '--binary',
        'low-high:2',
        '--samples',
        '20',
        '--data-seed',
        '7',
        '--no-scale',
        '--whiten',
        'zca',
        '--whiten-epsilon',
        '0.01',
        '--hidden',
        '4',
        '--epochs',
        '20',
        '--out',
        resultFile,
        '--weights',
        join(outDirectory, 'idx-weights.json'),
        '--json',
      ],
      dir.path,
    );
    assert.equal(trained.status, 0, trained.stderr);
    const record: TrainResultRecord = readTrainResultFile(resultFile);
    const data = record.config.data as Record<string, unknown>;
    assert.equal(data.path, idx);
    assert.equal(data.binary, 'low-high:2');
    assert.equal(data.scale, false);
    assert.deepEqual(data.whiten, { method: 'zca', epsilon: 0.01 });
    assert.equal(record.data.sampleCount, 20);
    assert.equal(record.data.inputDim, 36);
    const provenance = record.data.provenance as {
      source: { format: string; samples: number };
      subset: { seed: number };
      steps: { step: string; method?: string }[];
    };
    assert.equal(provenance.source.format, 'idx');
    assert.equal(provenance.source.samples, 24);
    assert.equal(provenance.subset.seed, 7);
    assert.deepEqual(
      provenance.steps.map((s) => s.step),
      ['whiten'],
      'no scaling with --no-scale',
    );
    const certificate = certifyResult(resultFile);
    assert.equal(certificate.sampleCount, 20);
    assert.ok(relativeEqual(certificate.lossValue, record.result.finalLoss, 1e-12));
  });

  it('names the flag or config field of a bad choice, before or while loading', () => {
    const base = [
      'train',
      '--data',
      'file',
      '--data-path',
      idx,
      '--epochs',
      '1',
      '--out',
      join(dir.path, 'x.json'),
    ];
    assertOneLineError(
      [...base, '--binary', 'odd'],
      dir.path,
      /^basin: --binary: expected parity, low-high, .*pos:LIST\/neg:LIST.*, got "odd" \(config field data\.binary\)$/,
    );
    assertOneLineError(
      [...base, '--binary', 'pos:1,2/neg:2,3'],
      dir.path,
      /^basin: --binary: expected disjoint positive and negative class lists, got "pos:1,2\/neg:2,3"/,
    );
    assertOneLineError(
      [...base, '--whiten', 'zca', '--components', '3'],
      dir.path,
      /^basin: --components: expected no value for ZCA .*, got 3 \(config field data\.whiten\.components\)$/,
    );
    assertOneLineError(
      [...base, '--whiten', 'pca', '--whiten-epsilon', '-1'],
      dir.path,
      /^basin: --whiten-epsilon: expected a finite number ≥ 0, got -1 \(config field data\.whiten\.epsilon\)$/,
    );
    assertOneLineError(
      [...base, '--split', 'validation'],
      dir.path,
      /^basin: --split: expected one of "train", "test", "all", got "validation" \(config field data\.split\)$/,
    );
    // Checks that need the data run while loading, and still name the flag.
    assertOneLineError(
      [...base, '--samples', '500'],
      dir.path,
      /^basin: --samples: expected at most the 24 eligible samples, got 500 \(config field data\.count\)$/,
    );
    assertOneLineError(
      [...base, '--whiten', 'pca', '--components', '99'],
      dir.path,
      /^basin: --components: expected an integer in \[1, 36\], got 99 \(config field data\.whiten\.components\)$/,
    );
    assertOneLineError(
      [...base, '--downsample', '4'],
      dir.path,
      /^basin: --downsample: expected a factor that divides the image size 6×6, got 4 \(config field data\.downsample\)$/,
    );
    assertOneLineError(
      ['train', '--data', 'file', '--epochs', '1'],
      dir.path,
      /^basin: data\.path: expected a file or directory path, got nothing \(the field is required\)$/,
    );
    assertOneLineError(
      ['train', '--data', 'file', '--data-path', join(dir.path, 'missing.npy'), '--epochs', '1'],
      dir.path,
      /missing\.npy: cannot read the dataset \(ENOENT: no such file\)$/,
    );
    const config = join(dir.path, 'seed-only.yaml');
    writeFileSync(config, `data: { source: file, path: ${idx}, seed: 4 }\n`);
    assertOneLineError(
      ['train', '--config', config],
      dir.path,
      /seed-only\.yaml: data\.seed: expected no value without data\.count \(the seed picks the subset\), got 4$/,
    );
    const big = join(dir.path, 'big-subset.yaml');
    writeFileSync(big, `data: { source: file, path: ${idx}, count: 99 }\n`);
    assertOneLineError(
      ['train', '--config', big],
      dir.path,
      /big-subset\.yaml: data\.count: expected at most the 24 eligible samples, got 99$/,
    );
  });
});

describe('basin train --data file on Fashion-MNIST', () => {
  it('trains on a PCA-whitened parity subset and certify rebuilds it from the result file', (t) => {
    if (skippedForMissing(t, fashionMnistSkip('train-images-idx3-ubyte.gz'))) return;
    const resultFile = join(dir.path, 'fashion-result.json');
    const trained = basin(
      [
        'train',
        '--data',
        'file',
        '--data-path',
        FASHION,
        '--samples',
        '300',
        '--whiten',
        'pca',
        '--whiten-epsilon',
        '1e-3',
        '--components',
        '20',
        '--hidden',
        '8',
        '--bias',
        '--lr',
        '0.01',
        '--epochs',
        '100',
        '--out',
        resultFile,
        '--weights',
        join(dir.path, 'fashion-weights.json'),
        '--json',
      ],
      dir.path,
    );
    assert.equal(trained.status, 0, trained.stderr);
    const record = readTrainResultFile(resultFile);
    assert.equal(record.data.sampleCount, 300);
    assert.equal(record.data.inputDim, 20);
    const provenance = record.data.provenance as {
      source: { samples: number; files: string[] };
      split: { kind: string };
    };
    assert.equal(provenance.source.samples, 60000, 'the training files');
    assert.equal(provenance.split.kind, 'parity');
    assert.ok(
      record.result.finalMce !== null && record.result.finalMce < 0.2,
      `MCE ${record.result.finalMce}`,
    );
    const certificate = certifyResult(resultFile);
    assert.equal(certificate.sampleCount, 300);
    assert.ok(relativeEqual(certificate.lossValue, record.result.finalLoss, 1e-12));
  });
});
