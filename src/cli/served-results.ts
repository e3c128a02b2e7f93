import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { BasinError } from '../core/errors.js';
import { canonicalJson } from '../sweep/config-hash.js';
import { ResultStore } from '../sweep/store/result-store.js';

/*
 * What `basin serve --store/--results` offers the explorer's Results tab at `api/results`: the runs of a result store
 * (read through the store's public API on every request, so a page reload shows the runs a running sweep has added
 * since) or a `runs.parquet` that `basin results <store> --export DIR` wrote (sent as it is; the browser reads
 * Parquet). The store's runs go out as JSON in the columns of that same export, so the explorer reads both alike.
 */

export type ServedResults =
  { readonly kind: 'store'; readonly path: string } | { readonly kind: 'parquet'; readonly path: string };

/** What the explorer receives: the body, its content type and the name it shows as the source. */
export interface ServedBody {
  readonly body: string | Buffer;
  readonly contentType: string;
  readonly source: string;
}

const PARQUET_MAGIC = 'PAR1';

/**
 * Checks `--store` / `--results` before the server starts, so a bad value is a one-line error naming the flag:
 * the store must open as a basin result store; `--results` must be a Parquet file or a directory holding the
 * export's `runs.parquet`.
 */
export async function checkServedResults(options: {
  readonly store?: string;
  readonly results?: string;
}): Promise<ServedResults | undefined> {
  if (options.store !== undefined && options.results !== undefined) {
    throw new BasinError('--store, --results: expected one of them, not both');
  }
  if (options.store !== undefined) {
    const path = resolve(options.store);
    try {
      (await ResultStore.open(path, 'read')).close();
    } catch (error) {
      throw new BasinError(`--store: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { kind: 'store', path };
  }
  if (options.results !== undefined) return { kind: 'parquet', path: parquetPath(options.results) };
  return undefined;
}

function parquetPath(given: string): string {
  const fail = (detail: string): never => {
    throw new BasinError(`--results: ${given}: ${detail}`);
  };
  let path = resolve(given);
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return fail('no such file or directory');
  }
  if (stats.isDirectory()) {
    path = join(path, 'runs.parquet');
    try {
      stats = statSync(path);
    } catch {
      return fail('a directory without runs.parquet; expected the directory `basin results --export` wrote');
    }
  }
  if (!stats.isFile()) return fail('not a regular file; expected runs.parquet');
  const head = Buffer.alloc(PARQUET_MAGIC.length);
  const file = openSync(path, 'r');
  try {
    readSync(file, head, 0, head.length, 0);
  } finally {
    closeSync(file);
  }
  if (head.toString('latin1') !== PARQUET_MAGIC) {
    fail('not a Parquet file; expected runs.parquet from `basin results <store> --export DIR`');
  }
  return path;
}

/** Reads what is served now: the store's runs at this moment, or the Parquet file's bytes. */
export async function readServedResults(results: ServedResults): Promise<ServedBody> {
  if (results.kind === 'parquet') {
    return {
      body: readFileSync(results.path),
      contentType: 'application/vnd.apache.parquet',
      source: basename(results.path),
    };
  }
  return {
    body: JSON.stringify({ runs: await storeRunRows(results.path) }),
    contentType: 'application/json; charset=utf-8',
    source: basename(results.path),
  };
}

/** Every run of every sweep in the store, as rows of the export's flat `runs` table (the columns the explorer reads). */
export async function storeRunRows(path: string): Promise<Record<string, unknown>[]> {
  const store = await ResultStore.open(path, 'read');
  try {
    const rows: Record<string, unknown>[] = [];
    for (const sweep of await store.sweeps()) {
      const cells = new Map((await store.cells(sweep.sweep)).map((cell) => [cell.hash, cell]));
      for (const run of await store.runs(sweep.sweep)) {
        const cell = cells.get(run.cellHash);
        const result = run.result;
        rows.push({
          sweep: sweep.sweep,
          cell_hash: run.cellHash,
          cell_index: cell?.index ?? null,
          config_json: canonicalJson(cell?.config ?? {}),
          repetition: run.repetition,
          seed: run.seed,
          status: run.status,
          error: run.error,
          duration_ms: run.durationMs,
          host: run.host,
          code_version: run.codeVersion,
          final_loss: result?.finalLoss ?? null,
          mse: result?.mse ?? null,
          mce: result?.mce ?? null,
          gradient_norm: result?.gradientNorm ?? null,
          kink_margin: result?.kinkMargin ?? null,
          min_eigenvalue: result?.minEigenvalue ?? null,
          max_eigenvalue: result?.maxEigenvalue ?? null,
          morse_index: result?.morseIndex ?? null,
          verdict: result?.verdict ?? null,
          iterations: result?.iterations ?? null,
        });
      }
    }
    return rows;
  } finally {
    store.close();
  }
}
