import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { checkRowGoals, formatRowTable, rowRecipe } from '../../bench/report.js';
import {
  basinRowStages,
  DEFAULT_ROW_EPOCHS,
  ROW_STAGES,
  rowCase,
  type RowMeasurement,
  type RowStage,
} from '../../bench/row.js';
import { measureRowInPython, probePython, type PythonProbe } from '../../bench/python-reference.js';
import { syntheticCifarRecords, writeSyntheticCifar10 } from '../../bench/synthetic-cifar.js';
import { loadCifar10Directory } from '../../src/data/loaders/cifar.js';
import { TABLE1_DEFAULTS, TABLE1_OPTIMISER } from '../../src/reproduce/table1.js';
import { CIFAR_REGIME } from '../../src/train/schedule.js';
import { temporaryDirectory } from '../data/fixtures.js';
import { NUMPY_PACKAGES, ORACLE_PYTHON, pythonOracleSkip } from '../support/python.js';

const dir = temporaryDirectory('bench-row');
after(() => dir.remove());

function measurement(
  label: string,
  wholeSeconds: number,
  stages: Partial<Record<RowStage, number>> = {},
): RowMeasurement {
  const all = Object.fromEntries(ROW_STAGES.map((s) => [s, stages[s] ?? 0])) as Record<RowStage, number>;
  return {
    label,
    kind: label === 'basin' ? 'basin' : 'reference',
    wholeSeconds,
    stages: all,
    epochs: 2,
    epochSeconds: [1, 2],
    checkSeconds: [0.1, 0.1],
    losses: [1, 0.9],
    trainErrors: [0.4, 0.3],
    finalLoss: 0.8,
    trainMce: 0.3,
    testMce: 0.5,
    peakRssBytes: 2 ** 30,
    details: {},
  };
}

/** Pearson correlation of pixel a and pixel b over the records of `bytes`. */
function correlation(bytes: Buffer, count: number, a: number, b: number): number {
  let sa = 0,
    sb = 0,
    saa = 0,
    sbb = 0,
    sab = 0;
  for (let n = 0; n < count; n++) {
    const x = bytes[n * 3073 + 1 + a];
    const y = bytes[n * 3073 + 1 + b];
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  const cov = sab / count - (sa / count) * (sb / count);
  return cov / Math.sqrt((saa / count - (sa / count) ** 2) * (sbb / count - (sb / count) ** 2));
}

describe('synthetic CIFAR-10 files', () => {
  it('are CIFAR-10 binary batches that the loader reads, the same bytes for the same seed', async () => {
    const written = writeSyntheticCifar10(join(dir.path, 'files'), { recordsPerFile: 30, seed: 4 });
    assert.deepEqual(
      written.files.map((f) => f.slice(written.directory.length + 1)),
      [
        'data_batch_1.bin',
        'data_batch_2.bin',
        'data_batch_3.bin',
        'data_batch_4.bin',
        'data_batch_5.bin',
        'test_batch.bin',
      ],
    );
    assert.equal(written.bytes, 6 * 30 * 3073);
    const train = await loadCifar10Directory(written.directory, 'train');
    assert.equal(train.count, 150);
    assert.ok(train.labels!.every((label) => label >= 0 && label <= 9));
    assert.equal((await loadCifar10Directory(written.directory, 'test')).count, 30);
    assert.ok(readFileSync(written.files[0]).equals(syntheticCifarRecords(30, 4, 'data_batch_1.bin')));
    assert.ok(!readFileSync(written.files[0]).equals(readFileSync(written.files[1])), 'one stream per file');
  });

  it('have smooth, channel-correlated images rather than i.i.d. pixels', () => {
    const count = 2000;
    const bytes = syntheticCifarRecords(count, 1, 'test');
    // Neighbours and the same pixel in another channel move together; opposite corners hardly at all.
    assert.ok(correlation(bytes, count, 32 * 16 + 16, 32 * 16 + 17) > 0.8);
    assert.ok(correlation(bytes, count, 32 * 16 + 16, 1024 + 32 * 16 + 16) > 0.5);
    assert.ok(Math.abs(correlation(bytes, count, 0, 1023)) < 0.3);
  });
});

describe('the row case', () => {
  it('trains 20 epochs by default, 2 with --quick on 700 records per file, or --row-epochs', () => {
    assert.equal(rowCase(false).epochs, DEFAULT_ROW_EPOCHS.full);
    assert.equal(DEFAULT_ROW_EPOCHS.full, 20);
    assert.equal(rowCase(false).trainCount, 50_000);
    assert.equal(rowCase(true).trainCount, 3_500);
    assert.ok(rowCase(true).trainCount > 3072, 'quick keeps a full-rank covariance');
    assert.ok(rowCase(true).trainCount > TABLE1_OPTIMISER.batchSize, 'quick still trains on minibatches');
    assert.equal(rowCase(true, 7).epochs, 7);
    assert.deepEqual(rowCase(false).whitening, TABLE1_DEFAULTS.whitening);
  });

  it("groups basin's stage reports: the whitening matrix is fit whitening less its covariance and eigendecomposition", () => {
    const stages = basinRowStages(
      [
        { stage: 'read training files', seconds: 1 },
        { stage: 'training set: gather', seconds: 0.5 },
        { stage: 'training set: scale-to-unit', seconds: 2 },
        { stage: 'training set: covariance', seconds: 10 },
        { stage: 'training set: eigendecomposition', seconds: 20 },
        { stage: 'training set: fit whitening', seconds: 33 },
        { stage: 'training set: whiten', seconds: 40 },
        { stage: 'read test files', seconds: 0.25 },
        { stage: 'test set: scale-to-unit', seconds: 0.25 },
        { stage: 'test set: whiten', seconds: 8 },
        { stage: 'backend setup', seconds: 0.5 },
        { stage: 'epoch', seconds: 1 },
        { stage: 'error check', seconds: 0.25 },
        { stage: 'epoch', seconds: 1.5 },
        { stage: 'error check', seconds: 0.25 },
        { stage: 'final evaluation', seconds: 0.5 },
        { stage: 'final error check', seconds: 0.25 },
        { stage: 'test error check', seconds: 0.25 },
      ],
      130,
    );
    assert.deepEqual(stages, {
      read: 1,
      scale: 2,
      covariance: 10,
      eigendecomposition: 20,
      'whitening matrix': 3,
      'apply whitening': 40,
      'test set': 8.5,
      setup: 0.5,
      epochs: 2.5,
      'error checks': 0.5,
      'final evaluation': 1,
      other: 130 - 89,
    });
  });

  it('compares with the faster PyTorch recipe, and eigendecompositions with the fastest numpy eigh', () => {
    const runs = [
      measurement('basin', 60, { eigendecomposition: 40 }),
      measurement('torch', 150, { eigendecomposition: 10 }),
      measurement('torch-passive', 100, { eigendecomposition: 12 }),
    ];
    assert.equal(rowRecipe(runs)?.label, 'torch-passive');
    const [whole, eigen] = checkRowGoals(runs);
    assert.equal(whole.goal, '(row): whole row ≤ 0.5 × PyTorch recipe');
    assert.equal(whole.measured, '0.60 × PyTorch (60.0 s / 100.0 s)');
    assert.equal(whole.met, false);
    assert.equal(eigen.goal, '(row): eigendecomposition ≤ 5 × numpy eigh');
    assert.equal(eigen.measured, '4.00 × numpy (40.0 s / 10.0 s)');
    assert.equal(eigen.met, true);
    const table = formatRowTable({
      case: rowCase(true),
      files: { recordsPerFile: 500, bytes: 9_219_000, seconds: 0.5 },
      measurements: runs,
      notes: [],
    });
    assert.match(table, /^epochs: 2 \(--row-epochs\)/m);
    assert.match(table, /^whole row\s+60\.0\s+150\.0\s+100\.0\s+0\.60$/m);
    assert.match(table, /^median epoch\s+1\.50\s+1\.50\s+1\.50\s*$/m);
  });

  it('leaves the whole-row goal open when only the numpy recipe ran', () => {
    const [whole, eigen] = checkRowGoals([
      measurement('basin', 60),
      measurement('numpy', 30, { eigendecomposition: 1 }),
    ]);
    assert.equal(whole.met, null);
    assert.equal(whole.measured, 'PyTorch not measured (2.00 × the numpy recipe)');
    assert.equal(eigen.met, true);
  });
});

// The recipe runs under the oracle interpreter: with PyTorch when python3-torch is there, else with numpy alone.
const pythonSkip = pythonOracleSkip('import numpy', NUMPY_PACKAGES);
const python: PythonProbe | undefined = pythonSkip === false ? probePython(ORACLE_PYTHON) : undefined;

describe("the recipe's script (bench/python/table1_row.py)", () => {
  it(
    'trains the requested epochs on small files and reports every stage',
    { skip: pythonSkip, timeout: 300_000 },
    () => {
      const written = writeSyntheticCifar10(join(dir.path, 'recipe'), { recordsPerFile: 110, seed: 2 });
      const m = measureRowInPython({
        python: python!,
        engine: python!.torch === undefined ? 'numpy' : 'torch',
        threads: 2,
        directory: written.directory,
        epochs: 2,
        hidden: 16,
        boundary: 5,
        whiteningEpsilon: TABLE1_DEFAULTS.whitening.epsilon,
        batchSize: TABLE1_OPTIMISER.batchSize,
        schedule: { learningRate: CIFAR_REGIME.learningRate, holdEpochs: 200, gamma: 0.95 },
        adam: TABLE1_OPTIMISER,
        seed: 1,
      });
      assert.equal(m.sampleCount, 550);
      assert.equal(m.testCount, 110);
      assert.equal(m.epochs, 2);
      assert.equal(m.epochSeconds.length, 2);
      assert.equal(m.trainErrors.length, 2);
      for (const stage of ROW_STAGES.filter((s) => s !== 'other'))
        assert.ok(m.stages[stage] >= 0, `stage ${stage} missing`);
      const named = ROW_STAGES.filter((s) => s !== 'other').reduce((sum, s) => sum + m.stages[s], 0);
      assert.ok(named <= m.wholeSeconds + 1e-6);
      assert.ok(m.trainMce >= 0 && m.trainMce <= 1 && m.testMce >= 0 && m.testMce <= 1);
    },
  );
});
