import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { basin, ensureBuilt, temporaryDirectory } from './helpers.js';

before(ensureBuilt);

interface Fig52File {
  format: string;
  name: string;
  choices: { dimensions: number[]; repeats: number; bias: boolean; quick: boolean };
  runs: {
    d: number;
    sampleCount: number;
    finalMse: number;
    minAbsPreActivation: number;
    msePosition: string;
  }[];
  summary: { d: number; runs: number; mseReached: number }[];
}

describe('basin reproduce fig5.2', () => {
  const cwd = temporaryDirectory('fig52');

  it('--quick finishes well under 2 minutes and reaches the paper MSE range in (almost) every run', () => {
    const started = performance.now();
    const result = basin(['reproduce', 'fig5.2', '--quick', '--out', 'quick.json'], cwd);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.status, 0, result.stderr);
    // About 7 s on an idle 2-core machine (docs/training.md); the bound leaves room for a loaded CI runner.
    assert.ok(seconds < 110, `took ${seconds.toFixed(1)} s`);
    assert.match(result.stdout, /follows the paper: d0 = d1 = d, N = ⌊d²\/5⌋/);
    assert.match(result.stdout, /our choices \(not in the paper\): Adam .* no biases \(theory\)/);
    assert.match(
      result.stdout,
      /paper, every run: final MSE in \[1\.00e-31, 1\.00e-7\], min\|wᵢᵀxₙ\| in \[1\.00e-3, 1\]/,
    );
    const file = JSON.parse(readFileSync(join(cwd, 'quick.json'), 'utf8')) as Fig52File;
    assert.equal(file.format, 'basin-reproduction');
    assert.equal(file.choices.quick, true);
    assert.equal(file.runs.length, file.choices.dimensions.length * file.choices.repeats);
    for (const run of file.runs) {
      assert.equal(run.sampleCount, Math.floor((run.d * run.d) / 5));
      assert.match(
        result.stdout,
        new RegExp(
          `\\n\\s+${run.d}\\s+${run.sampleCount}\\s+\\d+\\s+${run.finalMse === 0 ? '0' : run.finalMse.toExponential(2)}`,
        ),
      );
    }
    // Seeded, so this is a fixed outcome of the default settings (docs/training.md lists it): the one miss is a
    // d = 10 run that ends in a sub-optimal minimum, which the paper's larger d would not show.
    const reached = file.runs.filter((run) => run.finalMse <= 1e-7).length;
    assert.ok(reached >= file.runs.length - 1, `${reached}/${file.runs.length} runs reached MSE ≤ 1e-7`);
    for (const s of file.summary) assert.equal(s.runs, file.choices.repeats);
  });

  it('takes its settings from flags and reports JSON lines with --json', () => {
    const result = basin(
      [
        'reproduce',
        'fig5.2',
        '--d',
        '6',
        '--repeats',
        '2',
        '--hold-epochs',
        '50',
        '--decay-epochs',
        '20',
        '--optimiser',
        'gd',
        '--lr',
        '0.05',
        '--bias',
        '--json',
      ],
      cwd,
    );
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; d?: number });
    assert.deepEqual(
      lines.map((line) => line.event),
      ['run', 'run', 'summary'],
    );
    assert.equal(lines[0].d, 6);
  });

  it('rejects bad flags with one line', () => {
    const result = basin(['reproduce', 'fig5.2', '--d', '10,x'], cwd);
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'basin: --d: expected an integer ≥ 3, got "x"\n');
    const batch = basin(['reproduce', 'fig5.2', '--optimiser', 'lbfgs', '--batch-size', '8'], cwd);
    assert.equal(
      batch.stderr,
      'basin: --batch-size: expected only with --optimiser sgd, adam or rmsprop, got 8\n',
    );
  });
});

describe('basin reproduce fig5.2 --sweep (the sweep preset, with certificates)', () => {
  const cwd = temporaryDirectory('fig52-sweep');

  it('--quick runs 3 × 3 certified runs into a store and reports the paper ranges and verdicts per d', () => {
    const started = performance.now();
    const result = basin(
      [
        'reproduce',
        'fig5.2',
        '--sweep',
        '--quick',
        '--store',
        's.duckdb',
        '--out',
        'report',
        '--workers',
        '2',
      ],
      cwd,
    );
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.status, 0, result.stderr);
    // 8 s on the 2-core machine (docs/reports.md); the bound leaves room for a loaded runner.
    assert.ok(seconds < 90, `took ${seconds.toFixed(1)} s`);
    assert.match(result.stderr, /fig5\.2-quick: 9 runs done/);
    const rows = result.stdout
      .split('\n')
      .filter((line) => /^\s+\d+\s+\d+\s+(10|20|30)\s+3\s+0\s/.test(line));
    assert.equal(rows.length, 3, result.stdout);
    for (const row of rows) {
      // Every run certified (no failures), and the counts add up to the 3 runs of the cell.
      const counts = [
        ...row.matchAll(/(global|local-min|saddle|degenerate|non-differentiable|not-critical) (\d+)/g),
      ];
      assert.equal(
        counts.reduce((n, m) => n + Number(m[2]), 0),
        3,
        row,
      );
      assert.doesNotMatch(row, /failed \d/);
    }
    const html = readFileSync(join(cwd, 'report/report.html'), 'utf8');
    assert.match(html, /Soudry &amp; Hoffer Figure 5\.2/);
    assert.match(html, /final MSE in \[1\.00e-31, 1\.00e-7\] \(in \/ below \/ above\)/);
    assert.match(html, /zero eigenvalues \(median; P − N\)/);
    for (const name of ['fig5.2-quick-mse', 'fig5.2-quick-kink-margin']) {
      assert.ok(existsSync(join(cwd, `report/figures/${name}.png`)), name);
    }
  });

  it('rejects settings of the standalone run with --sweep, and sweep flags without it, in one line', () => {
    const lr = basin(['reproduce', 'fig5.2', '--sweep', '--quick', '--lr', '0.1'], cwd);
    assert.equal(lr.status, 1);
    assert.match(lr.stderr, /^basin: --lr: expected no such flag with --sweep .*, got 0\.1\n$/);
    const store = basin(['reproduce', 'fig5.2', '--quick', '--store', 'x.duckdb'], cwd);
    assert.equal(store.status, 1);
    assert.equal(store.stderr, 'basin: --store: expected only with --sweep, got "x.duckdb"\n');
  });

  it('is one command: the sweep preset adds no second "fig5.2" subcommand', () => {
    const help = basin(['reproduce', '--help'], cwd);
    assert.equal(help.status, 0, help.stderr);
    assert.equal(help.stdout.match(/^\s+fig5\.2\b/gm)?.length, 1, help.stdout);
  });
});
