import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { forward } from '../../src/model/forward.js';
import { lossFromCache } from '../../src/model/gradient.js';
import { parseTrainConfig, resolveTrainConfig } from '../../src/cli/config.js';
import { loadConfiguredData } from '../../src/cli/train-run.js';
import { trainingSamples } from '../../src/run/pipeline.js';
import { readTrainResultFile } from '../../src/io/result-file.js';
import { readWeightsFile } from '../../src/io/weights-file.js';
import { assertOneLineError, basin, ensureBuilt, temporaryDirectory } from './helpers.js';

before(ensureBuilt);

describe('basin train: bad input', () => {
  const cwd = temporaryDirectory('train-errors');
  const base = ['train', '--samples', '10', '--input-dim', '3', '--epochs', '5'];

  it('zero or negative width', () => {
    assertOneLineError(
      [...base, '--hidden', '0'],
      cwd,
      /^basin: --hidden: expected an integer ≥ 1, got 0 \(config field model\.hidden\[0\]\)$/,
    );
    assertOneLineError(
      [...base, '--hidden', '4,-3'],
      cwd,
      /^basin: --hidden: expected an integer ≥ 1, got -3 \(config field model\.hidden\[1\]\)$/,
    );
  });

  it('hex and other non-decimal numbers (Number() would read 0x10 as 16)', () => {
    assertOneLineError(
      [...base, '--hidden', '0x10'],
      cwd,
      /^basin: --hidden: expected an integer ≥ 1, got "0x10" \(config field model\.hidden\[0\]\)$/,
    );
    assertOneLineError(
      [...base, '--lr', 'Infinity'],
      cwd,
      /^basin: --lr: expected .*, got "Infinity" \(config field schedule\.learningRate\)$/,
    );
  });

  it('N = 0', () => {
    assertOneLineError(
      [...base, '--samples', '0'],
      cwd,
      /^basin: --samples: expected an integer ≥ 1, got 0 \(config field data\.count\)$/,
    );
  });

  it('unknown activation', () => {
    assertOneLineError(
      [...base, '--activation', 'swish'],
      cwd,
      /^basin: --activation: expected one of relu, leaky-relu:<ρ> \(ρ ≠ 1\), linear, tanh, sigmoid, got "swish"/,
    );
  });

  it('a value that is not a number', () => {
    assertOneLineError(
      [...base, '--lr', 'fast'],
      cwd,
      /^basin: --lr: expected a finite number, got "fast" \(config field schedule\.learningRate\)$/,
    );
  });

  it('NaN or Infinity in the data', () => {
    const nan = join(cwd, 'nan.yaml');
    writeFileSync(nan, 'data:\n  source: inline\n  x: [[1, 2], [.nan, 4]]\n  y: [1, -1]\n');
    assertOneLineError(
      ['train', '--config', nan],
      cwd,
      /nan\.yaml: data\.x\[1\]\[0\]: expected a finite number, got "\.nan"$/,
    );
    const inf = join(cwd, 'inf.yaml');
    writeFileSync(inf, 'data:\n  source: inline\n  x: [[1, 2], [3, 4]]\n  y: [1, .inf]\n');
    assertOneLineError(['train', '--config', inf], cwd, /inf\.yaml: data\.y\[1\]: expected .*got "\.inf"$/);
  });

  it('label count different from the sample count', () => {
    const file = join(cwd, 'labels.json');
    writeFileSync(file, JSON.stringify({ data: { source: 'inline', x: [[1], [2], [3]], y: [1, -1] } }));
    assertOneLineError(
      ['train', '--config', file],
      cwd,
      /labels\.json: data\.y: expected 3 labels \(one per row of data\.x\), got an array of length 2$/,
    );
  });

  it('unreadable or malformed config', () => {
    assertOneLineError(
      ['train', '--config', join(cwd, 'missing.yaml')],
      cwd,
      /missing\.yaml: cannot read the config file \(ENOENT: no such file\)$/,
    );
    const broken = join(cwd, 'broken.json');
    writeFileSync(broken, '{"data": {"source": "gaussian",');
    assertOneLineError(['train', '--config', broken], cwd, /broken\.json: not valid JSON: /);
    const yaml = join(cwd, 'broken.yaml');
    writeFileSync(yaml, 'data:\n  source: [gaussian\n');
    assertOneLineError(['train', '--config', yaml], cwd, /broken\.yaml: not valid YAML: /);
  });

  it('unknown config key, at the top level or inside a section', () => {
    const file = join(cwd, 'typo.yaml');
    writeFileSync(file, 'data: { count: 5, inputDim: 2 }\nmodel:\n  hiden: [3]\n');
    assertOneLineError(
      ['train', '--config', file],
      cwd,
      /typo\.yaml: model\.hiden: expected one of the known keys \(hidden, activation, bias, outputBias, loss, dtype\), got an unknown key$/,
    );
    writeFileSync(file, 'data: { count: 5, inputDim: 2 }\nepochs: 3\n');
    assertOneLineError(
      ['train', '--config', file],
      cwd,
      /typo\.yaml: epochs: expected one of the known keys \(seed, seeds, data, model,/,
    );
    writeFileSync(file, 'data: { count: 5, inputDim: 2 }\noptimiser: { kind: gd, beta1: 0.8 }\n');
    assertOneLineError(
      ['train', '--config', file],
      cwd,
      /typo\.yaml: optimiser\.beta1: expected one of the known keys \(kind, momentum\)/,
    );
  });

  it('unknown choices name the allowed ones', () => {
    assertOneLineError(
      [...base, '--optimiser', 'nadam'],
      cwd,
      /^basin: --optimiser: expected one of "gd", "sgd", "adam", "rmsprop", "lbfgs", got "nadam"/,
    );
    assertOneLineError(
      [...base, '--data', 'mnist'],
      cwd,
      /^basin: --data: expected one of "gaussian", "teacher", "inline"/,
    );
  });

  it('no data at all: says how to give data and lists the sources, in one line', () => {
    const sources = 'gaussian, teacher, inline, file, swirszcz-d1, swirszcz-d2, swirszcz-d3, jellyfish, xor';
    for (const args of [['train'], ['train', '--epochs', '5', '--hidden', '4']]) {
      assertOneLineError(
        args,
        cwd,
        new RegExp(
          `^basin: no training data: pass --data <source> \\(${sources}\\) with its options, ` +
            'e\\.g\\. --data gaussian --samples 80 --input-dim 20, or --config <file> with a data section',
        ),
      );
    }
    const file = join(cwd, 'no-data.yaml');
    writeFileSync(file, 'seed: 3\nmodel: { hidden: [4] }\n');
    assertOneLineError(
      ['train', '--config', file],
      cwd,
      new RegExp(
        `no-data\\.yaml: data: expected a data section with a source \\(${sources}\\), got nothing; ` +
          'add one or pass --data <source>$',
      ),
    );
  });

  it('prints the stack trace with --debug', () => {
    const result = basin(['--debug', ...base, '--samples', '0'], cwd);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /ConfigError: --samples: expected an integer ≥ 1/);
    assert.match(result.stderr, /\n\s+at /);
  });
});

describe('basin train: result and weights files', () => {
  const cwd = temporaryDirectory('train-files');

  for (const dtype of ['float64', 'float32']) {
    it(`writes both files, and the weights read back give the same loss bit for bit (${dtype})`, () => {
      const run = basin(
        [
          'train',
          '--samples',
          '40',
          '--input-dim',
          '6',
          '--hidden',
          '8',
          '--bias',
          '--dtype',
          dtype,
          '--epochs',
          '60',
          '--lr',
          '0.01',
          '--seed',
          '5',
          '--out',
          `r-${dtype}.json`,
          '--weights',
          `w-${dtype}.json`,
        ],
        cwd,
      );
      assert.equal(run.status, 0, run.stderr);
      const record = readTrainResultFile(join(cwd, `r-${dtype}.json`));
      const weights = readWeightsFile(join(cwd, `w-${dtype}.json`));
      assert.equal(weights.dtype, dtype);
      assert.equal(weights.theta.length, record.parameterCount);
      assert.equal(record.result.epochs, 60);
      assert.equal(record.seed, 5);
      // Rebuild the training data from the config stored in the result file, then evaluate the stored weights.
      const resolved = resolveTrainConfig(
        parseTrainConfig(record.config, { file: undefined, flags: new Map() }),
        undefined,
      );
      return loadConfiguredData(resolved).then((data) => {
        const samples = trainingSamples(resolved.run, weights.architecture, data);
        const cache = forward(weights.architecture, weights.theta, samples);
        assert.equal(lossFromCache(cache, weights.loss), record.result.finalLoss);
        assert.equal(lossFromCache(cache, 'mse'), record.result.finalMse);
        for (const key of [
          'finalMse',
          'finalMce',
          'gradientNorm',
          'minAbsPreActivation',
          'wallSeconds',
        ] as const) {
          assert.equal(typeof record.result[key], 'number', key);
        }
      });
    });
  }

  it('same seed and config give bit-identical results; JSON lines on a pipe', () => {
    const config = join(cwd, 'run.yaml');
    writeFileSync(
      config,
      [
        'seed: 11',
        'data: { source: teacher, count: 30, inputDim: 4, hidden: [3], target: regression }',
        'model: { hidden: [6], activation: "leaky-relu:0.1", bias: true }',
        'optimiser: { kind: sgd, batchSize: 7, momentum: 0.5 }',
        'schedule: { kind: exponential, learningRate: 0.02, gamma: 0.99 }',
        'stopping: { maxEpochs: 40 }',
        'slopeNoise: { distribution: uniform, halfWidth: 0.2 }',
      ].join('\n'),
    );
    const outputs = ['a', 'b'].map((name) => {
      const run = basin(
        ['train', '--config', config, '--out', `${name}.json`, '--weights', `${name}-w.json`],
        cwd,
      );
      assert.equal(run.status, 0, run.stderr);
      const lines = run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { event: string });
      assert.equal(lines[lines.length - 1].event, 'result');
      assert.ok(lines.slice(0, -1).every((line) => line.event === 'epoch'));
      return {
        result: readTrainResultFile(join(cwd, `${name}.json`)),
        weights: readFileSync(join(cwd, `${name}-w.json`), 'utf8'),
      };
    });
    assert.equal(outputs[0].weights, outputs[1].weights);
    const strip = (record: (typeof outputs)[0]['result']) => ({
      ...record,
      createdAt: undefined,
      result: { ...record.result, wallSeconds: undefined },
      config: { ...record.config, output: undefined },
      weightsFile: undefined,
    });
    assert.deepEqual(strip(outputs[0].result), strip(outputs[1].result));
    assert.equal(outputs[0].result.result.finalMce, null, 'a regression target has no MCE');
    const weights = readWeightsFile(join(cwd, 'a-w.json'));
    assert.deepEqual(weights.slopeNoise?.distribution, 'uniform');
  });

  it('flags override the config file', () => {
    const config = join(cwd, 'base.json');
    writeFileSync(
      config,
      JSON.stringify({
        data: { count: 12, inputDim: 3 },
        optimiser: { kind: 'adam', beta1: 0.8 },
        stopping: { maxEpochs: 3 },
      }),
    );
    const run = basin(
      ['train', '--config', config, '--optimiser', 'gd', '--lr', '0.05', '--epochs', '4', '--out', 'o.json'],
      cwd,
    );
    assert.equal(run.status, 0, run.stderr);
    const record = readTrainResultFile(join(cwd, 'o.json'));
    assert.deepEqual(record.config.optimiser, { kind: 'gd', momentum: 0 });
    assert.deepEqual(record.config.schedule, { kind: 'constant', learningRate: 0.05 });
    assert.equal(record.result.epochs, 4);
  });
});
