import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertOneLineError, basin, cliSkip } from '../cli/helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'basin-search-cli-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = basin(args, directory);
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Table rows: loss, verdict, rule, count, hit rate, interval, retried, runs. */
const ROW = /^ +(\S+) +(\S+) +(\S+) +(\d+) +([\d.]+)% \[([\d.]+)%, ([\d.]+)%\] +(\d+) +\S+$/;

describe('basin search', { skip: cliSkip }, () => {
  it('lists distinct end points with loss, verdict, count and hit rate', () => {
    const result = run(
      'search',
      '--dataset',
      'swirszcz-d1',
      '--restarts',
      '6',
      '--near',
      'local-min',
      '--probes',
      '0',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /7 runs/);
    assert.match(result.stdout, /^ +18\.000000 +local-min +convex-pieces +\d+ +[\d.]+% \[/m);
  });

  it('swirszcz-d3 with default settings: a short table, the perfect fit first, no not-critical row', () => {
    const result = run('search', '--dataset', 'swirszcz-d3');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0], /swirszcz-d3 \(1-3-1\), 200 runs, \d+ distinct end points \(merged by outputs\)/);
    const rows = lines.map((line) => ROW.exec(line)).filter((m) => m !== null);
    assert.ok(rows.length >= 2 && rows.length < 30, `${rows.length} rows`);
    assert.equal(
      rows.reduce((sum, m) => sum + Number(m[4]), 0),
      200,
      'counts add up to the runs',
    );
    assert.ok(
      rows.every((m) => m[2] !== 'not-critical'),
      result.stdout,
    );
    assert.equal(rows[0][2], 'global');
    assert.ok(Number(rows[0][1]) < 1e-20, `best SSE ${rows[0][1]}`);
    assert.match(
      result.stdout,
      /^best +loss \S+ \(global\) in \d+ of 200 runs: hit rate [\d.]+% \[[\d.]+%, [\d.]+%\]$/m,
    );
    assert.match(result.stdout, /^retries +\d+ run\(s\) .*; 0 still not-critical/m);
  });

  it('--merge parameters keeps the old parameter-space merge', () => {
    const json = (merge: string) =>
      JSON.parse(
        run(
          'search',
          '--dataset',
          'swirszcz-d1',
          '--restarts',
          '20',
          '--probes',
          '0',
          '--merge',
          merge,
          '--json',
        ).stdout,
      ) as { mergeBy: string; distinct: unknown[]; bestHitRate: { successes: number; trials: number } };
    const byOutputs = json('outputs');
    const byParameters = json('parameters');
    assert.equal(byOutputs.mergeBy, 'outputs');
    assert.equal(byParameters.mergeBy, 'parameters');
    assert.equal(byOutputs.bestHitRate.trials, 20);
    assert.ok(byParameters.distinct.length >= byOutputs.distinct.length);
  });

  it('names bad options in one line', () => {
    assertOneLineError(
      ['search', '--dataset', 'swirszcz-d1', '--near', 'nowhere'],
      directory,
      /--near: expected names among local-min or all, got "nowhere"/,
    );
    assertOneLineError(
      ['search', '--dataset', 'xor', '--merge', 'loss'],
      directory,
      /--merge: expected parameters or outputs, got "loss"/,
    );
    assertOneLineError(
      ['search', '--dataset', 'swirszcz-d1', '--retries', '-1'],
      directory,
      /--retries: expected an integer ≥ 0, got "-1"/,
    );
    assertOneLineError(
      ['search', '--dataset', 'swirszcz-d1', '--retries', '1.5'],
      directory,
      /--retries: expected an integer ≥ 0, got "1.5"/,
    );
  });
});
