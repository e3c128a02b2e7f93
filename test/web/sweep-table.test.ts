import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  axisOf,
  bandOf,
  metricOf,
  parseSweepJson,
  parseSweepParquet,
  PhaseIndex,
  sweepFromRows,
  sweepOf,
} from '../../web/src/sweep-table.js';
import { ResultStore } from '../../src/sweep/store/result-store.js';
import { storeRunRows } from '../../src/cli/served-results.js';
import { syntheticSweepRows, TWO_SWEEPS, writeSyntheticStore } from './synthetic-sweep.js';

describe('sweep exports in the results browser', () => {
  const rows = syntheticSweepRows([1, 4], [8, 16, 32], 5);

  it('finds the configuration keys that vary and groups runs by two of them', () => {
    const table = sweepFromRows(rows, 'runs.json');
    assert.deepEqual(table.parameters, ['data.N', 'model.d1']);
    const index = new PhaseIndex(table, 'model.d1', 'data.N');
    const cells = index.cells('median-log-loss');
    assert.equal(cells.length, 6);
    assert.ok(cells.every((cell) => cell.runs === 5));
    const runs = index.runs('4', '16');
    assert.equal(runs.length, 5);
    assert.ok(runs.every((run) => run.config['model.d1'] === '4' && run.config['data.N'] === '16'));
  });

  it('computes cell metrics from the runs', () => {
    const table = sweepFromRows(rows, 'runs.json');
    const runs = new PhaseIndex(table, 'model.d1', 'data.N').runs('1', '8');
    const logs = runs
      .filter((r) => r.finalLoss !== null)
      .map((r) => Math.log10(r.finalLoss!))
      .sort((a, b) => a - b);
    const middle = Math.floor(logs.length / 2);
    const median = logs.length % 2 ? logs[middle] : (logs[middle - 1] + logs[middle]) / 2;
    assert.equal(metricOf(runs, 'median-log-loss'), median);
    const known = runs.filter((r) => r.mce !== null);
    assert.equal(metricOf(runs, 'zero-error'), known.filter((r) => r.mce === 0).length / known.length);
  });

  it('reads the same runs from a Parquet file written by DuckDB', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'basin-sweep-'));
    try {
      const json = join(directory, 'runs.json');
      const parquet = join(directory, 'runs.parquet');
      writeFileSync(json, JSON.stringify(rows));
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      await connection.run(`COPY (SELECT * FROM read_json_auto('${json}')) TO '${parquet}' (FORMAT parquet)`);
      connection.closeSync();
      const bytes = readFileSync(parquet);
      const fromParquet = await parseSweepParquet(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
        'runs.parquet',
      );
      const fromJson = parseSweepJson(JSON.stringify(rows), 'runs.json');
      assert.deepEqual(fromParquet.runs, fromJson.runs);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('says what is missing from a file that is not a sweep export', async () => {
    assert.throws(
      () => parseSweepJson('[{"a": 1}]', 'x.json'),
      /x\.json: expected the runs table of a sweep export .* missing cell_index, repetition, status, config_json/,
    );
    assert.throws(() => parseSweepJson('{', 'x.json'), /x\.json: not valid JSON/);
    assert.throws(
      () => parseSweepJson('{"rows": []}', 'x.json'),
      /expected a JSON array of runs or an object with a "runs" array/,
    );
    await assert.rejects(
      parseSweepParquet(new ArrayBuffer(8), 'y.parquet'),
      /y\.parquet: not a readable Parquet file/,
    );
  });

  it('keeps the sweeps of a whole-store export apart, each with its own parameters', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'basin-sweeps-'));
    try {
      const store = join(directory, 'two.duckdb');
      await writeSyntheticStore(store, TWO_SWEEPS);
      const reader = await ResultStore.open(store, 'read');
      await reader.exportTables(join(directory, 'export'), 'parquet');
      reader.close();
      const bytes = readFileSync(join(directory, 'export', 'runs.parquet'));
      const table = await parseSweepParquet(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
        'runs.parquet',
      );
      assert.deepEqual(table.sweeps, ['fig-n', 'jelly-activations']);
      const fig = sweepOf(table, 'fig-n');
      assert.equal(fig.runs.length, 6 * 4 * 3);
      assert.deepEqual(fig.parameters, ['N', 'width']);
      assert.deepEqual(sweepOf(table, 'jelly-activations').parameters, ['activation', 'width']);
      assert.throws(
        () => sweepOf(table, 'other'),
        /runs\.parquet: no sweep "other" \(it holds fig-n, jelly-activations\)/,
      );
      // What `basin serve --store` sends is what the export holds, run for run.
      const served = sweepFromRows(await storeRunRows(store), 'two.duckdb');
      assert.deepEqual(served.runs, table.runs);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('phase-diagram axes', () => {
  it('puts numeric values in numeric order on a quantitative axis, each cell spanning half-way to its neighbours', () => {
    const axis = axisOf('N', ['12', '21', '80', '96', '20', '42', '21']);
    assert.equal(axis.kind, 'numeric');
    if (axis.kind !== 'numeric') return;
    assert.deepEqual(axis.values, [12, 20, 21, 42, 80, 96]);
    assert.equal(axis.log, false, '96 / 12 < 10: linear');
    assert.deepEqual(bandOf(axis, '12'), [8, 16]);
    assert.deepEqual(bandOf(axis, '21'), [20.5, 31.5]);
    assert.deepEqual(bandOf(axis, '96'), [88, 104]);
    for (let i = 1; i < axis.bands.length; i++) assert.equal(axis.bands[i][0], axis.bands[i - 1][1]);
  });

  it('uses a log axis for positive values spanning a factor of 10 or more', () => {
    const axis = axisOf('width', ['1', '2', '4', '8', '16']);
    assert.ok(axis.kind === 'numeric' && axis.log, '1…16 on a log axis');
    if (axis.kind !== 'numeric') return;
    const [low, high] = bandOf(axis, '4');
    assert.ok(
      Math.abs(low - Math.SQRT2 * 2) < 1e-12 && Math.abs(high - Math.SQRT2 * 4) < 1e-12,
      `${low}, ${high}`,
    );
    const withZero = axisOf('x', ['0', '1', '100']);
    assert.ok(withZero.kind === 'numeric' && !withZero.log, 'a zero keeps the axis linear');
  });

  it('keeps text values (activations, lists, missing keys) categorical, in text order', () => {
    assert.deepEqual(axisOf('activation', ['sigmoid', 'relu', 'leaky-relu:0.1']), {
      kind: 'categorical',
      key: 'activation',
      values: ['leaky-relu:0.1', 'relu', 'sigmoid'],
    });
    assert.equal(axisOf('hidden', ['[8,8]', '[4]']).kind, 'categorical');
    assert.equal(axisOf('N', ['8', '—']).kind, 'categorical');
    assert.equal(axisOf('N', ['8', '']).kind, 'categorical');
    const single = axisOf('lr', ['0.01']);
    assert.ok(single.kind === 'numeric', 'one number is still numeric');
    if (single.kind === 'numeric') assert.deepEqual(bandOf(single, '0.01'), [0.01 - 0.5, 0.01 + 0.5]);
  });
});
