import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { basin, cliSkip, repositoryRoot, temporaryDirectory } from '../cli/helpers.js';

// More runs than the test lets it do: the sweep is still writing whenever a read happens, and is stopped at the end.
const REPETITIONS = 100_000;

/** The runs column of `basin results`' overview row for `sweep`: stored / total. */
function storedRuns(stdout: string, sweep: string): { stored: number; total: number } {
  const row = stdout.split('\n').find((line) => line.startsWith(`${sweep} `));
  const match = row === undefined ? null : /\s(\d+)\/(\d+)\s/.exec(row);
  if (match === null) return { stored: 0, total: REPETITIONS };
  return { stored: Number(match[1]), total: Number(match[2]) };
}

/** Rows of a `runs` export, and how many ok runs in it have no measurements: a half-stored run. */
async function exportedRuns(csvFile: string): Promise<{ rows: number; halfStored: number }> {
  const connection = await (await DuckDBInstance.create()).connect();
  const reader = await connection.runAndReadAll(
    `SELECT count(*)::INTEGER AS rows, count(*) FILTER (status = 'ok' AND final_loss IS NULL)::INTEGER AS half
     FROM read_csv('${csvFile.replaceAll("'", "''")}', header = true)`,
  );
  const [row] = reader.getRowObjects();
  connection.closeSync();
  return { rows: Number(row.rows), halfStored: Number(row.half) };
}

describe('reading a store while `basin sweep run` writes it', { skip: cliSkip }, () => {
  it('basin results and basin report succeed and see whole runs, a growing subset of the sweep', async () => {
    const directory = temporaryDirectory('store-read');
    const spec = join(directory, 'spec.yaml');
    writeFileSync(
      spec,
      `name: busy\nseed: 1\nrepetitions: ${REPETITIONS}\nrunner: train\n` +
        'base:\n  dataset: gaussian\n  N: 8\n  d0: 2\n  width: 2\n  epochs: 30\n  certify: false\n' +
        '  backend: reference\n  optimiser: adam\n  learningRate: 0.01\n',
    );
    const store = join(directory, 'busy.duckdb');
    const sweep = spawn(
      process.execPath,
      [
        join(repositoryRoot, 'bin/basin.js'),
        ...['sweep', 'run', spec, '--store', store, '--workers', '1'],
        '--no-batch-restarts',
      ],
      { cwd: directory, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let sweepStderr = '';
    sweep.stderr.on('data', (chunk: Buffer) => (sweepStderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => sweep.on('close', (code) => resolve(code)));
    const running = (): boolean => sweep.exitCode === null && sweep.signalCode === null;
    try {
      while (!existsSync(store)) {
        assert.ok(running(), `the sweep stopped before creating its store: ${sweepStderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const read = (): number => {
        const results = basin(['results', store], directory);
        assert.equal(results.status, 0, `basin results while the sweep writes: ${results.stderr}`);
        const { stored, total } = storedRuns(results.stdout, 'busy');
        assert.equal(total, REPETITIONS);
        return stored;
      };
      // The store exists before the sweep is registered in it: read until some runs are there.
      let first = read();
      for (let attempt = 0; first === 0 && attempt < 20; attempt++) first = read();
      assert.ok(first > 0 && running(), `no runs seen while the sweep ran: ${sweepStderr}`);

      const out = join(directory, 'report');
      const report = basin(['report', store, '--out', out], directory);
      assert.equal(report.status, 0, `basin report while the sweep writes: ${report.stderr}`);
      assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /busy/);

      const tables = join(directory, 'tables');
      const exported = basin(['results', store, '--export', tables, '--format', 'csv'], directory);
      assert.equal(exported.status, 0, `basin results --export while the sweep writes: ${exported.stderr}`);
      const { rows, halfStored } = await exportedRuns(join(tables, 'runs.csv'));
      assert.equal(halfStored, 0, 'an ok run without its measurements');
      assert.ok(rows >= first, `the export has ${rows} runs, an earlier read saw ${first}`);

      const second = read();
      assert.ok(running(), `the sweep ended before the reads were done: ${sweepStderr}`);
      assert.ok(second >= rows && second < REPETITIONS, `runs read: ${first}, then ${rows}, then ${second}`);
    } finally {
      sweep.kill('SIGTERM');
    }
    // Interrupted, the sweep still stores what it finished and exits cleanly; the store then reads whole.
    const code = await exited;
    assert.ok(code === 0 || code === 130, `the sweep exited with ${code}: ${sweepStderr}`);
    assert.doesNotMatch(sweepStderr, /in use|lock/i);
    const after = basin(['results', store], directory);
    assert.equal(after.status, 0, after.stderr);
    const { stored } = storedRuns(after.stdout, 'busy');
    assert.match(sweepStderr, new RegExp(` ${stored}/${REPETITIONS} `));
  });
});
