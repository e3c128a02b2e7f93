import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { FileFormatError } from '../../src/core/errors.js';
import { EMPTY_MEASUREMENTS } from '../../src/sweep/run-result.js';
import { expandCells, validateSweepSpec } from '../../src/sweep/spec.js';
import { migrateStore, ResultStore, type RunOutcome } from '../../src/sweep/store/result-store.js';
import { MIGRATIONS, SCHEMA_V1, STORE_SCHEMA_VERSION } from '../../src/sweep/store/schema.js';
import { endPointClassOf } from '../../src/run/end-point-class.js';
import { toyRunner } from './toy-runner.js';
import { assertOneLineError, basin, cliSkip } from '../cli/helpers.js';

/** An empty store as basin wrote them before schema version 2. */
async function writeVersion1Store(path: string): Promise<string> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  for (const statement of SCHEMA_V1) await connection.run(statement);
  await connection.run(
    "INSERT INTO basin_store VALUES ('basin-results', 1, current_timestamp::TIMESTAMP, 'basin')",
  );
  connection.closeSync();
  instance.closeSync();
  return path;
}

const directory = mkdtempSync(join(tmpdir(), 'basin-store-'));
const spec = validateSweepSpec({ name: 'demo', seed: 1, repetitions: 2, runner: 'toy', grid: { a: [1, 2] } });
const cells = expandCells(spec, toyRunner);

function outcome(cell: number, repetition: number, fields: Partial<RunOutcome> = {}): RunOutcome {
  return {
    cellHash: cells[cell].hash,
    repetition,
    seed: 1000 + repetition,
    status: 'ok',
    error: null,
    startedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
    durationMs: 12.5,
    host: 'test-host',
    worker: 1,
    result: {
      ...EMPTY_MEASUREMENTS,
      finalLoss: 0.5 + cell,
      mse: 0.25,
      mce: 0.1,
      verdict: 'local-min',
      morseIndex: 0,
    },
    ...fields,
  };
}

async function expectOpenError(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(ResultStore.open(path, 'read'), (error: unknown) => {
    assert.ok(error instanceof FileFormatError, String(error));
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'));
    return true;
  });
}

async function setSchemaVersion(path: string, version: number): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run('UPDATE basin_store SET schema_version = ?', [version]);
  connection.closeSync();
  instance.closeSync();
}

describe('the result store', () => {
  it('round-trips sweeps, cells, runs, results and weights', async () => {
    const path = join(directory, 'roundtrip.duckdb');
    const store = await ResultStore.open(path, 'write');
    await store.registerSweep(spec, cells, 'v-test');
    const theta = Float64Array.from([0.1, -2, Math.PI, 1e-300]);
    const architecture = {
      inputDim: 1,
      hidden: [{ width: 1, activation: 'relu', bias: true }],
      outputDim: 1,
      outputBias: true,
    };
    await Promise.all([
      store.record(
        'demo',
        outcome(0, 0, { result: { ...outcome(0, 0).result!, weights: { architecture, theta } } }),
        'v1',
      ),
      store.record('demo', outcome(1, 0, { status: 'failed', error: 'boom', result: null }), 'v1'),
      store.record(
        'demo',
        outcome(0, 1, {
          result: { ...outcome(0, 1).result!, extra: { note: [1, 2] }, endPointClass: 'sub-optimal-min' },
        }),
        'v1',
      ),
    ]);
    store.close();

    const reader = await ResultStore.open(path, 'read');
    const [sweep] = await reader.sweeps();
    assert.equal(sweep.sweep, 'demo');
    assert.equal(sweep.codeVersion, 'v-test');
    assert.equal(sweep.spec.repetitions, 2);
    assert.deepEqual(
      (await reader.cells('demo')).map((cell) => cell.config.a),
      [1, 2],
    );
    assert.deepEqual(
      await reader.storedRunKeys('demo'),
      new Set([`${cells[0].hash}:0`, `${cells[0].hash}:1`, `${cells[1].hash}:0`]),
    );
    const runs = await reader.runs('demo', { weights: true });
    assert.deepEqual(
      runs.map((run) => [run.cellHash, run.repetition, run.status]),
      [
        [cells[0].hash, 0, 'ok'],
        [cells[0].hash, 1, 'ok'],
        [cells[1].hash, 0, 'failed'],
      ],
    );
    assert.deepEqual(runs[0].result?.weights?.theta, theta);
    assert.deepEqual(runs[0].result?.weights?.architecture, architecture);
    assert.equal(runs[0].result?.verdict, 'local-min');
    assert.equal(runs[0].result?.kinkMargin, null);
    assert.deepEqual(runs[1].result?.extra, { note: [1, 2] });
    assert.equal(runs[1].result?.endPointClass, 'sub-optimal-min');
    assert.equal(
      runs[0].result?.endPointClass,
      undefined,
      'absent (not null) when the run was not certified',
    );
    assert.equal(runs[2].error, 'boom');
    assert.equal(runs[2].result, null);

    const exported = await reader.exportTables(join(directory, 'csv'), 'csv');
    const csv = readFileSync(
      exported.find((file) => file.endsWith('runs.csv'))!,
      'utf8',
    )
      .trim()
      .split('\n');
    assert.equal(csv.length, 4);
    assert.match(csv[0], /^sweep,cell_hash,repetition,seed,status,error,started_at/);
    assert.match(csv[3], /failed,boom,2026-01-02 03:04:05/);
    assert.match(csv[0], /,end_point_class$/);
    assert.match(csv[2], /,sub-optimal-min$/);
    const parquet = await reader.exportTables(join(directory, 'parquet'), 'parquet');
    reader.close();
    const check = await (await DuckDBInstance.create()).connect();
    const counted = await check.runAndReadAll(
      `SELECT (SELECT count(*) FROM read_parquet('${parquet.find((f) => f.endsWith('runs.parquet'))}'))::INTEGER AS runs,
              (SELECT count(*) FROM read_parquet('${parquet.find((f) => f.endsWith('weights.parquet'))}'))::INTEGER AS weights`,
    );
    assert.deepEqual(counted.getRowObjects(), [{ runs: 3, weights: 1 }]);
  });

  it('refuses to store a changed spec under an existing sweep name, and never stores a run twice', async () => {
    const path = join(directory, 'conflict.duckdb');
    const store = await ResultStore.open(path, 'write');
    await store.registerSweep(spec, cells, 'v');
    await store.registerSweep(spec, cells, 'v');
    const changed = validateSweepSpec({ ...spec, repetitions: 3 });
    await assert.rejects(
      store.registerSweep(changed, cells, 'v'),
      /sweep "demo" is already stored with a different spec/,
    );
    await store.record('demo', outcome(0, 0), 'v');
    await assert.rejects(store.record('demo', outcome(0, 0), 'v'), /PRIMARY KEY|Duplicate key/i);
    assert.equal((await store.runs('demo')).length, 1);
    await store.record('demo', outcome(1, 1, { status: 'failed', error: 'x', result: null }), 'v');
    assert.equal(await store.forgetFailedRuns('demo'), 1);
    assert.equal((await store.runs('demo')).length, 1);
    store.close();
  });

  it('refuses other schema versions with the way forward, and files that are not stores', async () => {
    const newer = join(directory, 'newer.duckdb');
    (await ResultStore.open(newer, 'write')).close();
    await setSchemaVersion(newer, STORE_SCHEMA_VERSION + 1);
    await expectOpenError(
      newer,
      new RegExp(
        `written by a newer basin \\(store schema version ${STORE_SCHEMA_VERSION + 1}; ` +
          `this basin reads version ${STORE_SCHEMA_VERSION}\\): upgrade basin`,
      ),
    );
    await assert.rejects(migrateStore(newer), /newer basin/);

    const older = join(directory, 'older.duckdb');
    (await ResultStore.open(older, 'write')).close();
    await setSchemaVersion(older, 0);
    await expectOpenError(older, /store schema version 0 is older .* run `basin results <store> --migrate`/);
    await assert.rejects(migrateStore(older), /no migration from schema version 0 to 1/);
    const migration = { from: 0, statements: ['ALTER TABLE runs ADD COLUMN note VARCHAR'] };
    // The store already has every later column, so the later steps are empty here.
    const later = Array.from({ length: STORE_SCHEMA_VERSION - 1 }, (_, k) => ({
      from: k + 1,
      statements: [],
    }));
    assert.deepEqual(await migrateStore(older, [migration, ...later]), { from: 0, to: STORE_SCHEMA_VERSION });
    const migrated = await ResultStore.open(older, 'read');
    assert.deepEqual(await migrated.sweeps(), []);
    migrated.close();

    const foreign = join(directory, 'foreign.duckdb');
    const instance = await DuckDBInstance.create(foreign);
    const connection = await instance.connect();
    await connection.run('CREATE TABLE t (x INTEGER)');
    connection.closeSync();
    instance.closeSync();
    await expectOpenError(foreign, /not a basin result store/);

    const text = join(directory, 'text.duckdb');
    writeFileSync(text, 'this is not a database\n'.repeat(1000));
    await expectOpenError(text, /text\.duckdb: not a readable result store/);
    await expectOpenError(join(directory, 'missing.duckdb'), /missing\.duckdb: no result store at this path/);
  });

  it('migrates a version 1 store (before the backend columns): old runs read back without a backend', async () => {
    const path = await writeVersion1Store(join(directory, 'v1.duckdb'));
    await expectOpenError(path, /store schema version 1 is older .* run `basin results <store> --migrate`/);
    assert.deepEqual(await migrateStore(path), { from: 1, to: STORE_SCHEMA_VERSION });
    // The hint used to name `basin results migrate <store>`, which the CLI rejects; the command it names must work.
    const copy = await writeVersion1Store(join(directory, 'v1-cli.duckdb'));
    if (cliSkip === false) {
      const upgraded = basin(['results', copy, '--migrate'], directory);
      assert.equal(upgraded.status, 0, upgraded.stderr);
      (await ResultStore.open(copy, 'read')).close();
    }
    const store = await ResultStore.open(path, 'write');
    await store.registerSweep(spec, cells, 'v');
    await store.record('demo', outcome(0, 0), 'v');
    await store.record(
      'demo',
      outcome(0, 1, { result: { ...outcome(0, 1).result!, backend: 'onnx', lockstepRuns: 2 } }),
      'v',
    );
    const [old, recent] = await store.runs('demo');
    store.close();
    assert.equal(old.result?.backend, undefined);
    assert.equal(old.result?.lockstepRuns, undefined);
    assert.equal(recent.result?.backend, 'onnx');
    assert.equal(recent.result?.lockstepRuns, 2);
  });
  it('migrates a version 2 store (before end_point_class): old certified runs are classified when read', async () => {
    const path = await writeVersion1Store(join(directory, 'v2.duckdb'));
    assert.deepEqual(await migrateStore(path, MIGRATIONS, 2), { from: 1, to: 2 });
    const old = await ResultStore.open(path, 'read').catch((error: unknown) => error);
    assert.match(String(old), /store schema version 2 is older than this basin's version 3/);
    // A version-2 row as basin wrote it: the certificate in extra_json, no class column.
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    const certificate = {
      verdict: 'local-min',
      rule: 'constant-output',
      strength: 'proved',
      polish: 'converged',
      loss: 0.9,
      relativeGradient: 0,
      nearKinkCount: 0,
    };
    await connection.run(
      `INSERT INTO sweeps VALUES ('demo', 'toy', 1, 2, '{}', 'h', 'v', current_timestamp::TIMESTAMP)`,
    );
    await connection.run(`INSERT INTO cells VALUES ('demo', 'c', 0, '{"a":1}')`);
    for (const repetition of [0, 1]) {
      await connection.run(
        `INSERT INTO runs VALUES ('demo', 'c', ?, 1, 'ok', NULL, current_timestamp::TIMESTAMP, 1, 'h', 1, 'v')`,
        [repetition],
      );
      await connection.run(
        `INSERT INTO results VALUES ('demo', 'c', ?, 0.9, 0.9, NULL, 0, NULL, NULL, NULL, NULL, ?, NULL, NULL, ?, NULL, NULL)`,
        [
          repetition,
          repetition === 0 ? 'local-min' : null,
          repetition === 0 ? JSON.stringify({ certificate }) : null,
        ],
      );
    }
    connection.closeSync();
    instance.closeSync();
    assert.deepEqual(await migrateStore(path), { from: 2, to: 3 });
    const store = await ResultStore.open(path, 'read');
    const [certified, uncertified] = await store.runs('demo');
    store.close();
    assert.equal(certified.result?.endPointClass, undefined, 'the migration adds an empty column');
    assert.equal(endPointClassOf(certified.result!), 'sub-optimal-min');
    assert.equal(endPointClassOf(uncertified.result!), null);
  });
});

describe('a damaged or shared store', () => {
  async function storeWithOneRun(name: string): Promise<string> {
    const path = join(directory, name);
    const store = await ResultStore.open(path, 'write');
    await store.registerSweep(spec, cells, 'v');
    await store.record(
      'demo',
      outcome(1, 1, { result: { ...outcome(1, 1).result!, extra: { note: 1 } } }),
      'v',
    );
    store.close();
    return path;
  }

  async function damage(path: string, statement: string): Promise<void> {
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run(statement);
    connection.closeSync();
    instance.closeSync();
  }

  async function expectReadError(
    path: string,
    read: (store: ResultStore) => Promise<unknown>,
    pattern: RegExp,
  ) {
    const store = await ResultStore.open(path, 'read');
    try {
      await assert.rejects(read(store), (error: unknown) => {
        assert.ok(error instanceof FileFormatError, String(error));
        assert.match(error.message, pattern);
        assert.ok(error.message.startsWith(`${path}: `), error.message);
        assert.ok(!error.message.includes('\n'), error.message);
        return true;
      });
    } finally {
      store.close();
    }
  }

  it('names the file, the table and column and the row of a JSON cell that is not JSON', async () => {
    const extra = await storeWithOneRun('damaged-extra.duckdb');
    await damage(extra, "UPDATE results SET extra_json = '{\"note\": 1' WHERE sweep = 'demo'");
    await expectReadError(
      extra,
      (store) => store.runs('demo'),
      new RegExp(
        `results\\.extra_json of sweep "demo", cell 1 \\(${cells[1].hash}\\), repetition 1 is not valid JSON \\(.+\\)$`,
      ),
    );

    const config = await storeWithOneRun('damaged-config.duckdb');
    await damage(config, "UPDATE cells SET config_json = 'a: 1\nb: 2' WHERE cell_index = 0");
    await expectReadError(
      config,
      (store) => store.cells('demo'),
      /cells\.config_json of sweep "demo", cell 0 is not valid JSON/,
    );

    const sweepSpec = await storeWithOneRun('damaged-spec.duckdb');
    await damage(sweepSpec, "UPDATE sweeps SET spec_json = '' WHERE sweep = 'demo'");
    await expectReadError(
      sweepSpec,
      (store) => store.sweeps(),
      /sweeps\.spec_json of sweep "demo" is not valid JSON/,
    );
    if (cliSkip === false) {
      assertOneLineError(
        ['results', sweepSpec],
        directory,
        /^basin: .*damaged-spec\.duckdb: sweeps\.spec_json of sweep "demo" is not valid JSON/,
      );
    }
  });

  it(
    'basin report refuses an unknown --sweep as basin results does, listing the stored sweeps',
    { skip: cliSkip },
    async () => {
      const path = await storeWithOneRun('named.duckdb');
      const out = join(directory, 'unknown-report');
      for (const command of [
        ['report', path, '--out', out, '--sweep', 'demo', 'dmeo'],
        ['results', path, '--sweep', 'dmeo'],
      ]) {
        assertOneLineError(command, directory, /^basin: --sweep: expected one of demo, got "dmeo"$/);
      }
      assert.equal(existsSync(out), false, 'no report written');
    },
  );

  // Regression: an output on the store failed with a raw EEXIST/ENOTDIR, --export under /proc hung, and --format
  // without --export was ignored.
  it(
    'basin results and basin report refuse outputs they cannot write, naming the flag',
    { skip: cliSkip },
    async () => {
      const path = await storeWithOneRun('outputs.duckdb');
      assertOneLineError(
        ['results', path, '--export', path],
        directory,
        /^basin: --export: expected a file other than <store> \(an input of this command\), which also names /,
      );
      assertOneLineError(
        ['report', path, '--out', path],
        directory,
        /^basin: --out: expected a file other than <store> \(an input of this command\), which also names /,
      );
      assertOneLineError(
        ['results', path, '--export', '/proc/basin-export'],
        directory,
        /^basin: --export: expected a directory basin can write \(cannot create the directory \/proc\/basin-export: /,
      );
      assertOneLineError(
        ['results', path, '--format', 'csv'],
        directory,
        /^basin: --format: expected to come with --export \(it is the format of the exported files\)$/,
      );
    },
  );

  it('refuses a second writer while one holds the store, and lets readers in meanwhile', async () => {
    const path = await storeWithOneRun('shared.duckdb');
    const moduleUrl = new URL('../../src/sweep/store/result-store.ts', import.meta.url).href;
    // The first writer, in its own process (file locks do not exclude a process from itself).
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { ResultStore } = await import(${JSON.stringify(moduleUrl)});
         const store = await ResultStore.open(${JSON.stringify(path)}, 'write');
         process.stdout.write('open\\n');
         process.stdin.on('end', () => store.close());
         process.stdin.resume();`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('open') && resolve());
        holder.on('exit', (code) => reject(new Error(`the writer exited with ${code}`)));
      });
      await assert.rejects(
        ResultStore.open(path, 'write'),
        new RegExp(
          `shared\\.duckdb: in use by another process \\(PID ${holder.pid}\\); a store has one writer`,
        ),
      );
      await assert.rejects(migrateStore(path), /in use by another process/);
      const reader = await ResultStore.open(path, 'read');
      assert.equal((await reader.runs('demo')).length, 1);
      reader.close();
    } finally {
      holder.stdin.end();
    }
    await new Promise((resolve) => holder.on('close', resolve));
    // Once the first writer is gone, the next one gets the store.
    (await ResultStore.open(path, 'write')).close();
  });
});
