import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import { parseTrainConfig, resolveTrainConfig } from '../../src/cli/config.js';
import { loadConfiguredData } from '../../src/cli/train-run.js';
import type { Dataset } from '../../src/data/dataset.js';
import { SWIRSZCZ_PROBLEMS } from '../../src/data/swirszcz.js';
import { toyDataset } from '../../src/data/toy.js';
import { readTrainResultFile } from '../../src/io/result-file.js';
import { basin, ensureBuilt, temporaryDirectory } from './helpers.js';

const cwd = temporaryDirectory('known-answer');
before(ensureBuilt);
after(() => rmSync(cwd, { recursive: true, force: true }));

function load(data: Record<string, unknown>, dtype = 'float64'): Promise<Dataset> {
  const config = parseTrainConfig({ data, model: { dtype } }, { file: undefined, flags: new Map() });
  return loadConfiguredData(resolveTrainConfig(config, undefined));
}

/** What the paper's constructors in src/data give for each built-in name. */
const CONSTRUCTED: Record<string, () => Dataset> = {
  'swirszcz-d1': () => SWIRSZCZ_PROBLEMS['swirszcz-d1']().dataset,
  'swirszcz-d2': () => SWIRSZCZ_PROBLEMS['swirszcz-d2']().dataset,
  'swirszcz-d3': () => SWIRSZCZ_PROBLEMS['swirszcz-d3']().dataset,
  jellyfish: () => toyDataset('jellyfish'),
  xor: () => toyDataset('xor'),
};

describe('built-in known-answer data sources', () => {
  it('give exactly the constructors’ samples, labels and provenance', async () => {
    for (const [name, construct] of Object.entries(CONSTRUCTED)) {
      const loaded = await load({ source: name });
      const expected = construct();
      assert.ok(loaded.x instanceof Float64Array, name);
      assert.deepEqual(Array.from(loaded.x), Array.from(expected.x), name);
      assert.deepEqual(Array.from(loaded.y), Array.from(expected.y), name);
      assert.equal(loaded.inputDim, expected.inputDim, name);
      assert.equal(loaded.labelEncoding, expected.labelEncoding, name);
      assert.deepEqual(loaded.provenance, expected.provenance, name);
    }
  });

  it('follow the run’s precision, and Jellyfish/XOR take {0, 1} labels', async () => {
    const single = await load({ source: 'swirszcz-d2' }, 'float32');
    assert.ok(single.x instanceof Float32Array && single.y instanceof Float32Array);
    assert.deepEqual(Array.from(single.y), [5, 0, -1, -3, -4, -5]);
    const xor = await load({ source: 'xor', labels: '01' });
    assert.equal(xor.labelEncoding, '01');
    assert.deepEqual(Array.from(xor.y), [0, 1, 1, 0]);
  });

  it('basin train --data jellyfish with a sigmoid net, certified from its result file', () => {
    const result = join(cwd, 'jellyfish.json');
    const trained = basin(
      [
        'train',
        '--data',
        'jellyfish',
        '--hidden',
        '3',
        '--activation',
        'sigmoid',
        '--bias',
        '--lr',
        '0.05',
        '--epochs',
        '300',
        '--out',
        result,
        '--weights',
        join(cwd, 'jellyfish-w.json'),
      ],
      cwd,
    );
    assert.equal(trained.status, 0, trained.stderr);
    const record = readTrainResultFile(result);
    assert.equal(record.data.sampleCount, 4);
    assert.equal(record.data.labelEncoding, 'pm1');
    assert.equal(record.data.provenance.generator, 'jellyfish');
    assert.deepEqual(record.config.data, { source: 'jellyfish', labels: 'pm1' });
    const certified = basin(['certify', result, '--no-polish', '--probes', '0', '--json'], cwd);
    assert.equal(certified.status, 0, certified.stderr);
    const certificate = JSON.parse(certified.stdout) as { sampleCount: number; lossValue: number };
    assert.equal(certificate.sampleCount, 4);
    assert.ok(Math.abs(certificate.lossValue - record.result.finalLoss) <= 1e-12 * record.result.finalLoss);
  });

  it('basin train --data swirszcz-d2 in the paper’s setting (1-2-1 ReLU with biases, sse), certified', () => {
    const result = join(cwd, 'd2.json');
    const trained = basin(
      [
        'train',
        '--data',
        'swirszcz-d2',
        '--hidden',
        '2',
        '--bias',
        '--loss',
        'sse',
        '--optimiser',
        'lbfgs',
        '--epochs',
        '200',
        '--out',
        result,
        '--weights',
        join(cwd, 'd2-w.json'),
      ],
      cwd,
    );
    assert.equal(trained.status, 0, trained.stderr);
    const record = readTrainResultFile(result);
    assert.equal(record.data.sampleCount, 6);
    assert.equal(record.result.finalMce, null, 'regression targets have no MCE');
    const certified = basin(['certify', result, '--probes', '0', '--json'], cwd);
    assert.equal(certified.status, 0, certified.stderr);
    assert.equal((JSON.parse(certified.stdout) as { sampleCount: number }).sampleCount, 6);
  });

  it('refuse fields they do not have, naming the flag', () => {
    const run = basin(['train', '--data', 'swirszcz-d1', '--labels', '01'], cwd);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr.trimEnd(),
      'basin: --labels: expected one of the known keys (source), got an unknown key (config field data.labels)',
    );
  });
});
