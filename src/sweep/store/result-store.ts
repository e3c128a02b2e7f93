import { constants, copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { specialFileError, specialFileProblem } from '../../io/user-file.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  blobValue,
  DuckDBBlobValue,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
} from '@duckdb/node-api';
import { FileFormatError } from '../../core/errors.js';
import type { ArchitectureJson } from '../../io/weights-file.js';
import { makeDirectory } from '../../io/output-file.js';
import { canonicalJson, configHash } from '../config-hash.js';
import type { RunResult } from '../run-result.js';
import { type SweepCell, type SweepSpec, specToJson } from '../spec.js';
import { type Migration, MIGRATIONS, SCHEMA_V1, STORE_FORMAT, STORE_SCHEMA_VERSION } from './schema.js';

/** One finished run as the executor reports it: the run's identity, how it went, and its result when it worked. */
export interface RunOutcome {
  readonly cellHash: string;
  readonly repetition: number;
  readonly seed: number;
  readonly status: 'ok' | 'failed';
  readonly error: string | null;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly host: string;
  readonly worker: number;
  readonly result: RunResult | null;
}

export interface StoredSweep {
  readonly sweep: string;
  readonly runner: string;
  readonly seed: number;
  readonly repetitions: number;
  readonly spec: Record<string, unknown>;
  readonly specHash: string;
  readonly codeVersion: string;
  readonly createdAt: Date;
}

export interface StoredCell {
  readonly hash: string;
  readonly index: number;
  readonly config: Record<string, unknown>;
}

export interface StoredRun {
  readonly cellHash: string;
  readonly repetition: number;
  readonly seed: number;
  readonly status: 'ok' | 'failed';
  readonly error: string | null;
  readonly durationMs: number;
  readonly host: string;
  readonly codeVersion: string;
  /** The run's measurements (null for a failed run); `weights` only when asked for and kept. */
  readonly result: RunResult | null;
}

export type StoreMode = 'write' | 'read';

interface PendingRecord {
  readonly sweep: string;
  readonly outcome: RunOutcome;
  readonly codeVersion: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** How long a writer keeps the store file after a write, in case the next write follows at once. */
const WRITER_LINGER_MS = 250;
/** The longest a writer keeps the store file while writes keep coming, so that a waiting reader gets its turn. */
const WRITER_HOLD_MS = 1000;
/** The pause after a writer lets go of the file for a reader before it takes it again. */
const READER_WINDOW_MS = 100;
/** How often a locked store file is tried again. */
const LOCK_RETRY_MS = 10;
/**
 * How long a reader (and a writer opening the store) waits for the file before giving up. A writer keeps the file
 * for at most WRITER_HOLD_MS plus one commit; a writer of another program may keep it for good.
 */
const LOCK_WAIT_MS = 30_000;
/** The alias of the store file in the store's in-memory DuckDB instance. */
const FILE_ALIAS = 'store_file';

/**
 * The embedded result store: one DuckDB database file, written by one process at a time and readable while it is
 * written.
 *
 * DuckDB lets one process write a file or several read it, never both at once. So the writer does not keep the file
 * open: it attaches it for a write, keeps it while writes follow each other (at most WRITER_HOLD_MS, then pauses
 * READER_WINDOW_MS) and detaches it (a checkpoint) when idle. Writers exclude each other for the whole sweep through
 * a lock file beside the store (`<store>.lock`, a DuckDB file whose lock the system releases when the process dies).
 * A reader attaches the file read-only (waiting while a write is under way), copies it to a temporary snapshot and
 * lets go of it at once: it reads one consistent state (whole transactions), however long it reads, and a writer
 * waits only for the copy. Every write is one transaction (a run with its result and weights, or a group of
 * runs), so a run is either entirely in the store or not at all: a `kill -9` loses at most the runs still in flight.
 */
export class ResultStore {
  private writes: Promise<unknown> = Promise.resolve();
  private pending: PendingRecord[] = [];
  /** Tasks queued behind the one running (`serialised`). */
  private queued = 0;
  private attached = false;
  private heldSince = 0;
  /** Not before this time (ms) may the writer attach again: a reader's window. */
  private notBefore = 0;
  private releaseTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly mode: StoreMode,
    /** The reader's snapshot directory, removed on close. */
    private readonly snapshot?: string,
  ) {}

  /**
   * Opens (in `write` mode, creating when missing) the store at `path`. Refuses files that are not basin stores and
   * stores of another schema version, naming the command that upgrades an older one. In `read` mode the store is
   * read from a snapshot taken now, so it may be opened while a sweep writes it.
   */
  static async open(path: string, mode: StoreMode): Promise<ResultStore> {
    const fresh = !existsSync(path);
    if (fresh && mode === 'read') throw new FileFormatError(path, 'no result store at this path');
    // DuckDB would wait forever on a named pipe and read a device without end.
    const problem = fresh ? undefined : specialFileProblem(statSync(path));
    if (problem !== undefined) throw specialFileError(path, 'the result store', problem);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    let store: ResultStore;
    try {
      if (mode === 'write') {
        await takeWriterLock(connection, path);
        store = new ResultStore(path, instance, connection, mode);
        await store.attach(Date.now() + LOCK_WAIT_MS);
      } else {
        const snapshot = await takeSnapshot(connection, path);
        store = new ResultStore(path, instance, connection, mode, snapshot);
      }
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw error;
    }
    try {
      await store.use(async () => {
        const version = await store.schemaVersion();
        if (version === undefined) {
          if (!(await store.isEmpty())) {
            throw new FileFormatError(
              path,
              'a DuckDB database but not a basin result store (no basin_store table)',
            );
          }
          if (mode === 'read') throw new FileFormatError(path, 'an empty database, not a basin result store');
          await store.createSchema();
        } else if (version !== STORE_SCHEMA_VERSION) {
          throw new FileFormatError(path, versionMismatch(version));
        }
      });
    } catch (error) {
      store.close();
      throw error;
    }
    return store;
  }

  close(): void {
    clearTimeout(this.releaseTimer);
    // Closing the instance detaches the store file (with a checkpoint) and releases the writer's lock file.
    this.connection.closeSync();
    this.instance.closeSync();
    if (this.snapshot !== undefined) rmSync(this.snapshot, { recursive: true, force: true });
  }

  /**
   * Records a sweep and its cells, or checks that the sweep already stored under this name has the same spec, so a
   * rerun of the same command resumes it and a changed spec cannot mix its runs into the old one.
   */
  async registerSweep(spec: SweepSpec, cells: readonly SweepCell[], codeVersion: string): Promise<void> {
    const specJson = specToJson(spec);
    const specHash = configHash(specJson);
    await this.use(async () => {
      const existing = await this.rows('SELECT spec_hash FROM sweeps WHERE sweep = ?', [spec.name]);
      if (existing.length > 0) {
        if (existing[0].spec_hash !== specHash) {
          throw new FileFormatError(
            this.path,
            `sweep "${spec.name}" is already stored with a different spec; give the new spec another name ` +
              'or use another store',
          );
        }
        return;
      }
      await this.transaction(async () => {
        await this.connection.run(
          'INSERT INTO sweeps VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp::TIMESTAMP)',
          [
            spec.name,
            spec.runner,
            spec.seed,
            spec.repetitions,
            canonicalJson(specJson),
            specHash,
            codeVersion,
          ],
        );
        for (const cell of cells) {
          await this.connection.run('INSERT INTO cells VALUES (?, ?, ?, ?)', [
            spec.name,
            cell.hash,
            cell.index,
            canonicalJson(cell.config),
          ]);
        }
      });
    });
  }

  /** Keys `cellHash:repetition` of the runs of `sweep` already stored (finished or failed). */
  async storedRunKeys(sweep: string): Promise<Set<string>> {
    const rows = await this.query('SELECT cell_hash, repetition FROM runs WHERE sweep = ?', [sweep]);
    return new Set(rows.map((row) => runKey(String(row.cell_hash), Number(row.repetition))));
  }

  /** Deletes the failed runs of `sweep` so that the next run of the sweep tries them again; returns how many. */
  async forgetFailedRuns(sweep: string): Promise<number> {
    return this.use(async () => {
      const count = await this.rows(
        "SELECT count(*)::INTEGER AS n FROM runs WHERE sweep = ? AND status = 'failed'",
        [sweep],
      );
      await this.connection.run("DELETE FROM runs WHERE sweep = ? AND status = 'failed'", [sweep]);
      return Number(count[0].n);
    });
  }

  /**
   * Stores one finished run (its row, result and weights). The promise resolves once the run is committed. Runs that
   * arrive while a commit is under way are committed together in the next transaction (group commit), so the cost
   * of a commit is shared when runs finish faster than the disk syncs.
   */
  record(sweep: string, outcome: RunOutcome, codeVersion: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ sweep, outcome, codeVersion, resolve, reject });
      if (this.pending.length === 1) void this.use(() => this.commitPending());
    });
  }

  private async commitPending(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const runs: DuckDBValue[][] = [];
    const results: DuckDBValue[][] = [];
    const weights: DuckDBValue[][] = [];
    for (const { sweep, outcome, codeVersion } of batch) {
      const key = [sweep, outcome.cellHash, outcome.repetition];
      runs.push([
        ...key,
        outcome.seed,
        outcome.status,
        outcome.error,
        Math.round(outcome.startedAt),
        outcome.durationMs,
        outcome.host,
        outcome.worker,
        codeVersion,
      ]);
      const result = outcome.result;
      if (outcome.status !== 'ok' || result === null) continue;
      results.push([
        ...key,
        result.finalLoss,
        result.mse,
        result.mce,
        result.gradientNorm,
        result.kinkMargin,
        result.minEigenvalue,
        result.maxEigenvalue,
        result.morseIndex,
        result.verdict,
        result.iterations,
        result.constantOutput,
        result.extra === undefined ? null : canonicalJson(result.extra),
        result.backend ?? null,
        result.lockstepRuns ?? null,
        result.endPointClass ?? null,
      ]);
      if (result.weights !== undefined) {
        const theta = Float64Array.from(result.weights.theta);
        weights.push([
          ...key,
          canonicalJson(result.weights.architecture),
          blobValue(new Uint8Array(theta.buffer, theta.byteOffset, theta.byteLength)),
        ]);
      }
    }
    try {
      await this.transaction(async () => {
        await this.insertRows('runs', '(?, ?, ?, ?, ?, ?, epoch_ms(?::BIGINT), ?, ?, ?, ?)', runs);
        await this.insertRows('results', `(${Array(18).fill('?').join(', ')})`, results);
        await this.insertRows('weights', '(?, ?, ?, ?, ?)', weights);
      });
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (const entry of batch) entry.resolve();
  }

  /** One multi-row INSERT: a statement costs about as much as a row here, so rows go in together. */
  private async insertRows(
    table: string,
    placeholders: string,
    rows: readonly DuckDBValue[][],
  ): Promise<void> {
    if (rows.length === 0) return;
    const sql = `INSERT INTO ${table} VALUES ${rows.map(() => placeholders).join(', ')}`;
    await this.connection.run(sql, rows.flat());
  }

  async sweeps(): Promise<StoredSweep[]> {
    const rows = await this.query(
      `SELECT sweep, runner, seed::DOUBLE AS seed, repetitions, spec_json, spec_hash, code_version,
              epoch_ms(created_at)::DOUBLE AS created_ms
       FROM sweeps ORDER BY created_at, sweep`,
    );
    return rows.map((row) => ({
      sweep: String(row.sweep),
      runner: String(row.runner),
      seed: Number(row.seed),
      repetitions: Number(row.repetitions),
      spec: this.json<Record<string, unknown>>(
        row.spec_json,
        `sweeps.spec_json of sweep "${String(row.sweep)}"`,
      ),
      specHash: String(row.spec_hash),
      codeVersion: String(row.code_version),
      createdAt: new Date(Number(row.created_ms)),
    }));
  }

  async cells(sweep: string): Promise<StoredCell[]> {
    const rows = await this.query(
      'SELECT cell_hash, cell_index, config_json FROM cells WHERE sweep = ? ORDER BY cell_index',
      [sweep],
    );
    return rows.map((row) => ({
      hash: String(row.cell_hash),
      index: Number(row.cell_index),
      config: this.json<Record<string, unknown>>(
        row.config_json,
        `cells.config_json of sweep "${sweep}", cell ${Number(row.cell_index)}`,
      ),
    }));
  }

  /** Every stored run of `sweep`, ordered by cell and repetition; with `weights`, the end points kept with them. */
  async runs(sweep: string, options: { weights?: boolean } = {}): Promise<StoredRun[]> {
    const rows = await this.query(
      `SELECT r.cell_hash, c.cell_index, r.repetition, r.seed::DOUBLE AS seed, r.status, r.error, r.duration_ms, r.host,
              r.code_version, s.final_loss, s.mse, s.mce, s.gradient_norm, s.kink_margin, s.min_eigenvalue,
              s.max_eigenvalue, s.morse_index, s.verdict, s.iterations, s.constant_output, s.extra_json,
              s.backend, s.lockstep_runs, s.end_point_class
              ${options.weights ? ', w.architecture_json, w.theta' : ''}
       FROM runs r
       JOIN cells c USING (sweep, cell_hash)
       LEFT JOIN results s USING (sweep, cell_hash, repetition)
       ${options.weights ? 'LEFT JOIN weights w USING (sweep, cell_hash, repetition)' : ''}
       WHERE r.sweep = ?
       ORDER BY c.cell_index, r.repetition`,
      [sweep],
    );
    return rows.map((row) => ({
      cellHash: String(row.cell_hash),
      repetition: Number(row.repetition),
      seed: Number(row.seed),
      status: row.status === 'ok' ? 'ok' : 'failed',
      error: row.error === null ? null : String(row.error),
      durationMs: Number(row.duration_ms),
      host: String(row.host),
      codeVersion: String(row.code_version),
      result:
        row.final_loss === null
          ? null
          : resultFromRow(row, (text, column) =>
              this.json(
                text,
                `${column} of sweep "${sweep}", cell ${Number(row.cell_index)} (${String(row.cell_hash)}), ` +
                  `repetition ${Number(row.repetition)}`,
              ),
            ),
    }));
  }

  /**
   * Writes the store's tables to `directory` as Parquet or CSV: sweeps, cells, and one flat `runs` table (run,
   * result and the cell's configuration as JSON). Weights go to Parquet only (CSV has no binary type).
   */
  async exportTables(directory: string, format: 'parquet' | 'csv'): Promise<string[]> {
    // Not mkdirSync's recursive mode, which never returns for a path under /proc (output-file.ts says more).
    makeDirectory(directory);
    const queries: Record<string, string> = {
      sweeps: 'SELECT * FROM sweeps ORDER BY sweep',
      cells: 'SELECT * FROM cells ORDER BY sweep, cell_index',
      runs: `SELECT r.*, c.cell_index, c.config_json, s.* EXCLUDE (sweep, cell_hash, repetition)
             FROM runs r JOIN cells c USING (sweep, cell_hash)
             LEFT JOIN results s USING (sweep, cell_hash, repetition)
             ORDER BY r.sweep, c.cell_index, r.repetition`,
    };
    if (format === 'parquet') queries.weights = 'SELECT * FROM weights ORDER BY sweep, cell_hash, repetition';
    const written: string[] = [];
    for (const [table, query] of Object.entries(queries)) {
      const file = resolve(join(directory, `${table}.${format}`));
      const options = format === 'parquet' ? 'FORMAT parquet' : 'FORMAT csv, HEADER true';
      await this.use(() => this.connection.run(`COPY (${query}) TO ${sqlString(file)} (${options})`));
      written.push(file);
    }
    return written;
  }

  private async schemaVersion(): Promise<number | undefined> {
    const tables = await this.rows(
      `SELECT count(*)::INTEGER AS n FROM duckdb_tables()
       WHERE database_name = '${FILE_ALIAS}' AND table_name = 'basin_store'`,
    );
    if (Number(tables[0].n) === 0) return undefined;
    const rows = await this.rows('SELECT format, schema_version FROM basin_store');
    if (rows.length !== 1 || rows[0].format !== STORE_FORMAT) {
      throw new FileFormatError(this.path, `expected one basin_store row with format "${STORE_FORMAT}"`);
    }
    return Number(rows[0].schema_version);
  }

  private async isEmpty(): Promise<boolean> {
    const rows = await this.rows(
      `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = '${FILE_ALIAS}'`,
    );
    return Number(rows[0].n) === 0;
  }

  private async createSchema(): Promise<void> {
    await this.transaction(async () => {
      for (const statement of SCHEMA_V1) await this.connection.run(statement);
      await this.connection.run('INSERT INTO basin_store VALUES (?, ?, current_timestamp::TIMESTAMP, ?)', [
        STORE_FORMAT,
        1,
        'basin',
      ]);
      await applyMigrations(this.connection, 1, MIGRATIONS);
    });
  }

  private async rows(sql: string, values: DuckDBValue[] = []): Promise<Record<string, DuckDBValue>[]> {
    const reader = await this.connection.runAndReadAll(sql, values);
    return reader.getRowObjects();
  }

  private async transaction(body: () => Promise<void>): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await body();
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
  }

  /** Parses a JSON column; a cell that is not JSON (a damaged store) is named by `where` (table.column of which row). */
  private json<T>(text: DuckDBValue, where: string): T {
    try {
      return JSON.parse(String(text)) as T;
    } catch (error) {
      throw new FileFormatError(this.path, `${where} is not valid JSON (${firstLine(error)})`);
    }
  }

  /** A query of its own: in write mode, after the writes queued before it and with the file attached. */
  private query(sql: string, values: DuckDBValue[] = []): Promise<Record<string, DuckDBValue>[]> {
    return this.use(() => this.rows(sql, values));
  }

  /**
   * Runs `task` after every task queued before it (so writes never interleave on the one connection) with the store
   * file attached; then keeps the file for the next task, or lets go of it for readers.
   */
  private use<T>(task: () => Promise<T>): Promise<T> {
    if (this.mode === 'read') return task();
    this.queued++;
    return this.serialised(async () => {
      this.queued--;
      clearTimeout(this.releaseTimer);
      if (!this.attached) await this.attach();
      try {
        return await task();
      } finally {
        if (this.queued > 0 || this.pending.length > 0) {
          if (Date.now() - this.heldSince >= WRITER_HOLD_MS) {
            await this.detach();
            this.notBefore = Date.now() + READER_WINDOW_MS;
          }
        } else {
          this.releaseTimer = setTimeout(() => {
            if (this.queued === 0) void this.serialised(() => this.detach());
          }, WRITER_LINGER_MS);
          // An idle store must not keep the process alive; close() detaches it.
          this.releaseTimer.unref();
        }
      }
    });
  }

  /**
   * Attaches the store file for writing, waiting while a reader takes its snapshot. With `deadline`, gives up then
   * (opening the store); without, waits as long as it takes, since the runs waiting to be written would be lost.
   */
  private async attach(deadline?: number): Promise<void> {
    const wait = this.notBefore - Date.now();
    if (wait > 0) await sleep(wait);
    await attachWaiting(this.connection, this.path, '', deadline);
    await this.connection.run(`USE ${FILE_ALIAS}`);
    this.attached = true;
    this.heldSince = Date.now();
  }

  private async detach(): Promise<void> {
    if (!this.attached) return;
    this.attached = false;
    await this.connection.run('USE memory');
    await this.connection.run(`DETACH ${FILE_ALIAS}`);
  }

  /** Runs `task` after every task queued before it, so writes never interleave on the one connection. */
  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const next = this.writes.then(task, task);
    this.writes = next.catch(() => undefined);
    return next;
  }
}

export function runKey(cellHash: string, repetition: number): string {
  return `${cellHash}:${repetition}`;
}

/**
 * Upgrades the store at `path` to the current schema by applying, in order, each migration from its version on.
 * Returns the versions it went through; refuses a store newer than this basin.
 */
export async function migrateStore(
  path: string,
  migrations: readonly Migration[] = MIGRATIONS,
  target = STORE_SCHEMA_VERSION,
): Promise<{ from: number; to: number }> {
  if (!existsSync(path)) throw new FileFormatError(path, 'no result store at this path');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await takeWriterLock(connection, path);
    await attachWaiting(connection, path, '', Date.now() + LOCK_WAIT_MS);
    await connection.run(`USE ${FILE_ALIAS}`);
    const reader = await connection.runAndReadAll('SELECT schema_version FROM basin_store');
    const from = Number(reader.getRowObjects()[0]?.schema_version);
    if (!Number.isInteger(from)) throw new FileFormatError(path, 'not a basin result store');
    if (from > target) throw new FileFormatError(path, versionMismatch(from, target));
    await connection.run('BEGIN TRANSACTION');
    try {
      await applyMigrations(connection, from, migrations, target);
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK');
      throw error;
    }
    return { from, to: target };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function applyMigrations(
  connection: DuckDBConnection,
  from: number,
  migrations: readonly Migration[],
  target = STORE_SCHEMA_VERSION,
): Promise<void> {
  for (let version = from; version < target; version++) {
    const migration = migrations.find((m) => m.from === version);
    if (migration === undefined) {
      throw new FileFormatError('store', `no migration from schema version ${version} to ${version + 1}`);
    }
    for (const statement of migration.statements) await connection.run(statement);
    await connection.run('UPDATE basin_store SET schema_version = ?', [version + 1]);
  }
}

function versionMismatch(found: number, current = STORE_SCHEMA_VERSION): string {
  return found > current
    ? `written by a newer basin (store schema version ${found}; this basin reads version ${current}): upgrade basin`
    : `store schema version ${found} is older than this basin's version ${current}: ` +
        'run `basin results <store> --migrate` to upgrade it';
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** DuckDB's message when another process holds the file: "Could not set lock on file … (PID n) …". */
function lockHolder(error: unknown): { pid?: string } | undefined {
  const message = (error as Error).message;
  if (!/Could not set lock|Conflicting lock/i.test(message)) return undefined;
  const pid = /PID (\d+)/.exec(message)?.[1];
  return pid === undefined ? {} : { pid };
}

function inUse(path: string, holder: { pid?: string }, detail: string): FileFormatError {
  return new FileFormatError(
    path,
    `in use by another process${holder.pid ? ` (PID ${holder.pid})` : ''}; ${detail}`,
  );
}

/**
 * Takes the store's writer lock for the life of `connection`'s instance: the lock file `<store>.lock` attached
 * read-write, whose file lock the system drops when the process ends, however it ends. It is never deleted: a
 * writer that deleted it could leave a second writer locking a file a third one no longer sees.
 */
async function takeWriterLock(connection: DuckDBConnection, path: string): Promise<void> {
  try {
    await connection.run(`ATTACH ${sqlString(`${path}.lock`)} AS store_writer_lock`);
  } catch (error) {
    const holder = lockHolder(error);
    if (holder !== undefined) {
      throw inUse(path, holder, 'a store has one writer at a time: wait for it or stop it');
    }
    throw new FileFormatError(`${path}.lock`, `cannot create the store's lock file: ${firstLine(error)}`);
  }
}

/**
 * Attaches the store file as FILE_ALIAS (read-only with `options` 'READ_ONLY'), trying again while another process
 * holds it, until `deadline` (ms since the epoch; without one, for as long as it takes).
 */
async function attachWaiting(
  connection: DuckDBConnection,
  path: string,
  options: '' | 'READ_ONLY',
  deadline?: number,
): Promise<void> {
  for (;;) {
    try {
      await connection.run(
        `ATTACH ${sqlString(path)} AS ${FILE_ALIAS}${options === '' ? '' : ` (${options})`}`,
      );
      return;
    } catch (error) {
      const holder = lockHolder(error);
      if (holder === undefined) throw openError(path, error);
      if (deadline !== undefined && Date.now() >= deadline) {
        throw inUse(
          path,
          holder,
          `it kept the store for more than ${LOCK_WAIT_MS / 1000} s (a basin sweep lets readers in ` +
            'between its writes; another program may not)',
        );
      }
      await sleep(LOCK_RETRY_MS);
    }
  }
}

/**
 * Copies the store to a temporary directory while holding DuckDB's read lock (no writer can be in a transaction or
 * checkpoint meanwhile), lets go, and attaches the copy read-only as FILE_ALIAS. The write-ahead log is copied first:
 * closing any descriptor of the store file ends this process's lock on it (POSIX), so the store file goes last.
 */
async function takeSnapshot(connection: DuckDBConnection, path: string): Promise<string> {
  await attachWaiting(connection, path, 'READ_ONLY', Date.now() + LOCK_WAIT_MS);
  const directory = mkdtempSync(join(tmpdir(), 'basin-snapshot-'));
  const copy = join(directory, 'snapshot.duckdb');
  try {
    if (existsSync(`${path}.wal`)) copyFileSync(`${path}.wal`, `${copy}.wal`, constants.COPYFILE_FICLONE);
    copyFileSync(path, copy, constants.COPYFILE_FICLONE);
    await connection.run(`DETACH ${FILE_ALIAS}`);
    await connection.run(`ATTACH ${sqlString(copy)} AS ${FILE_ALIAS} (READ_ONLY)`);
    await connection.run(`USE ${FILE_ALIAS}`);
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error instanceof FileFormatError ? error : openError(path, error);
  }
  return directory;
}

function firstLine(error: unknown): string {
  return (error as Error).message.split('\n')[0];
}

function openError(path: string, error: unknown): FileFormatError {
  const message = firstLine(error);
  if (/not a valid DuckDB database|database file|Unable to open/i.test(message)) {
    return new FileFormatError(path, `not a readable result store (${message})`);
  }
  return new FileFormatError(path, `cannot open the result store: ${message}`);
}

function resultFromRow(
  row: Record<string, DuckDBValue>,
  json: <T>(text: DuckDBValue, column: string) => T,
): RunResult {
  const numberOrNull = (value: DuckDBValue): number | null => (value === null ? null : Number(value));
  const theta = row.theta instanceof DuckDBBlobValue ? row.theta.bytes : undefined;
  return {
    finalLoss: Number(row.final_loss),
    mse: Number(row.mse),
    mce: numberOrNull(row.mce),
    gradientNorm: numberOrNull(row.gradient_norm),
    kinkMargin: numberOrNull(row.kink_margin),
    minEigenvalue: numberOrNull(row.min_eigenvalue),
    maxEigenvalue: numberOrNull(row.max_eigenvalue),
    morseIndex: numberOrNull(row.morse_index),
    verdict: row.verdict === null ? null : String(row.verdict),
    iterations: numberOrNull(row.iterations),
    constantOutput: row.constant_output === null ? null : Boolean(row.constant_output),
    // Absent (not null) when the run did not say, so a stored result reads back as the run function returned it.
    ...(row.backend === null || row.backend === undefined ? {} : { backend: String(row.backend) }),
    ...(row.lockstep_runs === null || row.lockstep_runs === undefined
      ? {}
      : { lockstepRuns: Number(row.lockstep_runs) }),
    ...(row.end_point_class === null || row.end_point_class === undefined
      ? {}
      : { endPointClass: String(row.end_point_class) }),
    ...(row.extra_json === null || row.extra_json === undefined
      ? {}
      : { extra: json<Record<string, unknown>>(row.extra_json, 'results.extra_json') }),
    ...(theta === undefined
      ? {}
      : {
          weights: {
            architecture: json<ArchitectureJson>(row.architecture_json, 'weights.architecture_json'),
            theta: float64FromBytes(theta),
          },
        }),
  };
}

/** Copies the bytes first: DuckDB hands out a Node Buffer, a view into a larger pool and not 8-byte aligned. */
function float64FromBytes(bytes: Uint8Array): Float64Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}
