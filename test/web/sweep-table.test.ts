import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  metricOf,
  parseSweepJson,
  parseSweepParquet,
  PhaseIndex,
  sweepFromRows,
} from '../../web/src/sweep-table.js';
import { syntheticSweepRows } from './synthetic-sweep.js';

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
});
