import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { LANDSCAPE_PATH, RESULTS_PATH, startExplorerServer } from '../../src/cli/commands/serve.js';
import { checkServedLandscape } from '../../src/cli/served-landscape.js';
import { checkServedResults } from '../../src/cli/served-results.js';
import { ResultStore } from '../../src/sweep/store/result-store.js';
import { landscapeGraphFixture } from '../web/landscape-fixture.js';
import { TWO_SWEEPS, writeSyntheticStore } from '../web/synthetic-sweep.js';
import { assertOneLineError, cliSkip, temporaryDirectory } from './helpers.js';

const directory = temporaryDirectory('serve');
const notes = join(directory, 'notes.txt');
writeFileSync(notes, 'not a store\n');
const emptyDirectory = join(directory, 'empty');
mkdirSync(emptyDirectory);
const graph = landscapeGraphFixture();
writeFileSync(join(directory, 'graph.json'), JSON.stringify(graph));
writeFileSync(join(directory, 'weights.json'), JSON.stringify({ ...graph, kind: 'basin-weights' }));
writeFileSync(
  join(directory, 'short.json'),
  JSON.stringify({ ...graph, nodes: [{ ...graph.nodes[0], theta: [1, 2] }, ...graph.nodes.slice(1)] }),
);

describe(
  'basin serve --store / --results / --landscape refuse bad values with one line naming the flag',
  { skip: cliSkip },
  () => {
    it('--store: a missing file, a text file, a DuckDB file that is not a store', async () => {
      assertOneLineError(
        ['serve', '--store', 'missing.duckdb'],
        directory,
        /^basin: --store: .*missing\.duckdb: no result store at this path$/,
      );
      assertOneLineError(
        ['serve', '--store', 'notes.txt'],
        directory,
        /^basin: --store: .*notes\.txt: not a readable result store/,
      );
      const other = join(directory, 'other.duckdb');
      const instance = await DuckDBInstance.create(other);
      const connection = await instance.connect();
      await connection.run('CREATE TABLE t (x INTEGER)');
      connection.closeSync();
      instance.closeSync();
      assertOneLineError(
        ['serve', '--store', 'other.duckdb'],
        directory,
        /^basin: --store: .*other\.duckdb: a DuckDB database but not a basin result store/,
      );
    });

    it('--results: a missing path, a directory without runs.parquet, a file that is not Parquet; not both flags', () => {
      assertOneLineError(
        ['serve', '--results', 'missing'],
        directory,
        /^basin: --results: missing: no such file or directory$/,
      );
      assertOneLineError(
        ['serve', '--results', 'empty'],
        directory,
        /^basin: --results: empty: a directory without runs\.parquet/,
      );
      assertOneLineError(
        ['serve', '--results', 'notes.txt'],
        directory,
        /^basin: --results: notes\.txt: not a Parquet file/,
      );
      assertOneLineError(
        ['serve', '--store', 'x.duckdb', '--results', 'notes.txt'],
        directory,
        /^basin: --store, --results: expected one of them, not both$/,
      );
    });

    it('--landscape: a missing file, another kind of JSON, θ of the wrong length', () => {
      assertOneLineError(
        ['serve', '--landscape', 'missing.json'],
        directory,
        /^basin: --landscape: missing\.json: cannot read landscape record \(ENOENT: no such file\)$/,
      );
      assertOneLineError(
        ['serve', '--landscape', 'weights.json'],
        directory,
        /^basin: --landscape: weights\.json: not a basin landscape record: kind is "basin-weights"/,
      );
      assertOneLineError(
        ['serve', '--landscape', 'notes.txt'],
        directory,
        /^basin: --landscape: notes\.txt: not a basin landscape record: invalid JSON/,
      );
      assertOneLineError(
        ['serve', '--landscape', 'short.json'],
        directory,
        /^basin: --landscape: short\.json: nodes\[0\]\.theta has 2 entries, expected problem\.parameters = 9$/,
      );
    });
  },
);

describe('what basin serve offers the Results tab', () => {
  const site = join(directory, 'site');
  mkdirSync(site);
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>stand-in</title>');
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers) await close();
  });
  const serve = async (options: { store?: string; results?: string }): Promise<string> => {
    const server = await startExplorerServer({
      port: 0,
      host: '127.0.0.1',
      directory: site,
      results: await checkServedResults(options),
    });
    closers.push(server.close);
    return new URL(RESULTS_PATH.slice(1), server.url).href;
  };

  it('nothing without --store or --results (404: the page then waits for an upload)', async () => {
    const response = await fetch(await serve({}));
    assert.equal(response.status, 404);
  });

  it('--landscape: the record as written, at api/landscape (404 without the flag)', async () => {
    const file = join(directory, 'graph.json');
    const server = await startExplorerServer({
      port: 0,
      host: '127.0.0.1',
      directory: site,
      landscape: checkServedLandscape(file)!,
    });
    closers.push(server.close);
    const response = await fetch(new URL(LANDSCAPE_PATH.slice(1), server.url));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-basin-source'), 'graph.json');
    assert.equal(await response.text(), readFileSync(file, 'utf8'));
    const url = await serve({});
    assert.equal((await fetch(new URL(LANDSCAPE_PATH.slice(1), url))).status, 404);
  });

  it("--store: the store's runs as JSON, read again on every request", async () => {
    const store = join(directory, 'served.duckdb');
    await writeSyntheticStore(store, TWO_SWEEPS.slice(0, 1));
    const url = await serve({ store });
    const first = await fetch(url);
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type')!, /^application\/json/);
    assert.equal(first.headers.get('x-basin-source'), 'served.duckdb');
    const runs = ((await first.json()) as { runs: { sweep: string; config_json: string }[] }).runs;
    assert.equal(runs.length, 72);
    assert.deepEqual(JSON.parse(runs[0].config_json).N, 12);
    await writeSyntheticStore(store, TWO_SWEEPS.slice(1));
    const second = (await (await fetch(url)).json()) as { runs: { sweep: string }[] };
    assert.deepEqual([...new Set(second.runs.map((run) => run.sweep))], ['fig-n', 'jelly-activations']);
  });

  it('--results: the export directory or its runs.parquet, sent as it is', async () => {
    const store = join(directory, 'exported.duckdb');
    await writeSyntheticStore(store, TWO_SWEEPS);
    const reader = await ResultStore.open(store, 'read');
    await reader.exportTables(join(directory, 'export'), 'parquet');
    reader.close();
    const bytes = readFileSync(join(directory, 'export', 'runs.parquet'));
    for (const given of [join(directory, 'export'), join(directory, 'export', 'runs.parquet')]) {
      const response = await fetch(await serve({ results: given }));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/vnd.apache.parquet');
      assert.ok(
        Buffer.from(await response.arrayBuffer()).equals(bytes),
        `the bytes of runs.parquet for ${given}`,
      );
    }
  });
});
