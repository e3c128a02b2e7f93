import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileFormatError } from '../../src/core/errors.js';
import { runSeed, planTasks } from '../../src/sweep/run-sweep.js';
import { expandCells, parseSweepSpec, readSweepSpec, varyingKeys } from '../../src/sweep/spec.js';
import { toyRunner } from './toy-runner.js';

function specError(text: string, file = 'sweep.yaml'): string {
  try {
    const spec = parseSweepSpec(text, file);
    expandCells(spec, toyRunner, file);
  } catch (error) {
    assert.ok(error instanceof FileFormatError, `expected a FileFormatError, got ${String(error)}`);
    assert.ok(!error.message.includes('\n'), 'errors are one line');
    return error.message;
  }
  assert.fail('the spec was accepted');
}

describe('sweep specs', () => {
  it('expands base × cells × grid in order, with defaults filled in and one hash per cell', () => {
    const spec = parseSweepSpec(
      [
        'name: demo',
        'seed: 3',
        'repetitions: 2',
        'runner: toy',
        'base: { busyMs: 0 }',
        'grid:',
        '  a: [1, 2]',
        '  b: [1, 5, 9]',
      ].join('\n'),
      'demo.yaml',
    );
    const cells = expandCells(spec, toyRunner);
    assert.deepEqual(
      cells.map((cell) => [cell.config.a, cell.config.b]),
      [
        [1, 1],
        [1, 5],
        [1, 9],
        [2, 1],
        [2, 5],
        [2, 9],
      ],
    );
    assert.equal(new Set(cells.map((cell) => cell.hash)).size, 6);
    assert.deepEqual(varyingKeys(cells), ['a', 'b']);
    assert.equal(spec.success.metric, 'mce');
  });

  it('reads JSON too, and crosses a list of cells with the grid', () => {
    const spec = parseSweepSpec(
      JSON.stringify({
        name: 'j',
        seed: 0,
        repetitions: 1,
        runner: 'toy',
        cells: [{ a: 1 }, { a: 2, b: 3 }],
        grid: { busyMs: [0, 1] },
      }),
      'j.json',
    );
    assert.equal(expandCells(spec, toyRunner).length, 4);
  });

  it('keeps a cell hash, and so its seeds, independent of key order and of other cells', () => {
    const one = expandCells(
      parseSweepSpec('{name: x, seed: 1, repetitions: 1, runner: toy, grid: {a: [1], b: [2]}}'),
      toyRunner,
    );
    const two = expandCells(
      parseSweepSpec('{name: x, seed: 1, repetitions: 1, runner: toy, grid: {b: [2, 3], a: [7, 1]}}'),
      toyRunner,
    );
    assert.ok(two.some((cell) => cell.hash === one[0].hash));
  });

  it('derives every run seed from (sweep seed, cell, repetition) alone', () => {
    const spec = parseSweepSpec('{name: x, seed: 9, repetitions: 3, runner: toy, grid: {a: [1, 2]}}');
    const cells = expandCells(spec, toyRunner);
    const tasks = planTasks(spec, toyRunner, cells);
    assert.equal(tasks.length, 6);
    for (const task of tasks) assert.equal(task.seed, runSeed(9, task.cellHash, task.repetition));
    assert.equal(new Set(tasks.map((task) => task.seed)).size, 6);
    assert.deepEqual(
      tasks.map((task) => task.repetition),
      [0, 0, 1, 1, 2, 2],
    );
  });

  it('rejects bad specs with one line naming the field', () => {
    const base = 'name: x\nseed: 1\nrepetitions: 2\nrunner: toy\n';
    assert.match(
      specError(`${base}grid: { a: [1], c: [2] }`),
      /sweep\.yaml: grid\.c: expected one of the toy runner's settings \(a, b, busyMs, failWhenSeedDivisibleBy\), got an unknown key/,
    );
    assert.match(
      specError(`${base}colour: red`),
      /sweep\.yaml: colour: expected one of the known keys .*got an unknown key/,
    );
    assert.match(specError(`${base}grid: { a: [] }`), /grid\.a: expected a list with at least one value/);
    assert.match(specError(`${base}grid: {}`), /grid: expected at least one axis/);
    assert.match(
      specError('name: x\nseed: -1\nrepetitions: 2\n'),
      /seed: expected an integer in \[0, 4294967295\], got -1/,
    );
    assert.match(
      specError('name: x\nseed: 1\nrepetitions: 0\n'),
      /repetitions: expected an integer ≥ 1, got 0/,
    );
    assert.match(
      specError(`${base}grid: { a: [1, "two"] }`),
      /grid\.a\[1\]: expected a finite number, got "two"/,
    );
    assert.match(specError(`${base}base: { a: 1, b: 0 }`), /base\.b: expected an integer ≥ 1, got 0/);
    assert.match(
      specError(`${base}cells: [{ a: 1 }, { a: 1, b: 0.5 }]`),
      /cells\[1\]\.b: expected an integer, got 0\.5/,
    );
    assert.match(specError(`${base}base: { b: 2 }`), /base\.a: expected a finite number, got nothing/);
    assert.match(
      specError(`${base}grid: { a: [1, 1] }`),
      /cell 1: expected settings distinct from every other cell/,
    );
    assert.match(specError('name: [x', 'bad.yaml'), /bad\.yaml: not valid YAML/);
    assert.match(specError('{"name": ', 'bad.json'), /bad\.json: not valid JSON/);
  });

  it('names an unreadable file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'basin-spec-'));
    assert.throws(
      () => readSweepSpec(join(directory, 'missing.yaml')),
      /missing\.yaml: cannot read the sweep spec \(ENOENT: no such file\)$/,
    );
    const path = join(directory, 'ok.yaml');
    writeFileSync(path, 'name: ok\nseed: 1\nrepetitions: 1\n');
    assert.equal(readSweepSpec(path).name, 'ok');
  });
});

describe('the sweep template', () => {
  it('is a valid spec of the train runner', async () => {
    const { SWEEP_TEMPLATE } = await import('../../src/sweep/template.js');
    const { trainRunner } = await import('../../src/sweep/train-runner.js');
    const spec = parseSweepSpec(SWEEP_TEMPLATE, 'sweep.yaml');
    assert.equal(expandCells(spec, trainRunner).length, 8);
  });
});

describe('train runner settings errors', () => {
  // Regression: a union setting with its own message was reported as "expected a valid value".
  it('phrase a union setting by its own message (width: an integer or "d0")', async () => {
    const { trainRunner } = await import('../../src/sweep/train-runner.js');
    const spec = parseSweepSpec(
      'name: x\nseed: 1\nrepetitions: 1\nbase: { N: 3, d0: 2, width: wide, learningRate: 1, epochs: 1 }\n',
      'sweep.yaml',
    );
    assert.throws(
      () => expandCells(spec, trainRunner, 'sweep.yaml'),
      /^FileFormatError: sweep\.yaml: base\.width: expected an integer ≥ 1 or "d0", got "wide"$/,
    );
  });

  // Regression: a size refusal named the run-spec field (data.count, model.hidden) the author never wrote.
  it('name a cell too large for memory by the keys the spec wrote, where it wrote them', async () => {
    const { trainRunner } = await import('../../src/sweep/train-runner.js');
    const expand = (base: string, grid = ''): void => {
      const text = `name: x\nseed: 1\nrepetitions: 1\nbase: { learningRate: 1, epochs: 1, ${base} }\n${grid}`;
      expandCells(parseSweepSpec(text, 'sweep.yaml'), trainRunner, 'sweep.yaml');
    };
    assert.throws(
      () => expand('dataset: gaussian, N: 1e12, d0: 2, width: 2'),
      /^FileFormatError: sweep\.yaml: cell 0: base\.N: 1000000000000 samples .* over basin's memory limit/,
    );
    assert.throws(
      () => expand('dataset: gaussian, N: 8, d0: 1e9, width: 2'),
      /^FileFormatError: sweep\.yaml: cell 0: base\.d0: 8 samples .* over basin's memory limit/,
    );
    assert.throws(
      () => expand('dataset: xor', 'grid: { width: [2, 1000000000] }\n'),
      /^FileFormatError: sweep\.yaml: cell 1 \(grid\.width\[1\]\): grid\.width\[1\]: training a 2-1000000000-1 network/,
    );
  });

  // Regression: depth 1e6 passed the memory check (0.3 GB of parameters) and the run then exhausted the process.
  it('refuse a depth over MAX_SWEEP_DEPTH by name', async () => {
    const { trainRunner, MAX_SWEEP_DEPTH } = await import('../../src/sweep/train-runner.js');
    const spec = parseSweepSpec(
      `name: x\nseed: 1\nrepetitions: 1\nbase: { dataset: xor, width: 2, depth: ${MAX_SWEEP_DEPTH + 1}, learningRate: 1, epochs: 1 }\n`,
      'sweep.yaml',
    );
    assert.throws(
      () => expandCells(spec, trainRunner, 'sweep.yaml'),
      /^FileFormatError: sweep\.yaml: base\.depth: expected an integer in \[1, 1000\], got 1001$/,
    );
  });
});
