import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { formatNumber, formatTable } from '../../src/report/format.js';
import { writeReport } from '../../src/report/write-report.js';
import { expandCells } from '../../src/sweep/spec.js';
import { LocalPool } from '../../src/sweep/local-pool.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { ResultStore } from '../../src/sweep/store/result-store.js';
import { trainRunner } from '../../src/sweep/train-runner.js';
import { PRESET_SECTIONS, SWEEP_PRESETS } from '../../src/reproduce/presets/index.js';
import { theorem8LargestN, theorem8Width } from '../../src/reproduce/presets/fig5.1.js';
import { validateSweepSpec } from '../../src/sweep/spec.js';
import { withCertification } from '../../src/report/section.js';
import { EMPTY_MEASUREMENTS } from '../../src/sweep/run-result.js';
import type { StoredRun, StoredSweep } from '../../src/sweep/store/result-store.js';
import { summariseCell, type SweepSummary } from '../../src/sweep/summary.js';

describe('reports', () => {
  it('write an HTML page with inline SVG figures, PNG files, the sweep config and code version', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'basin-report-'));
    const store = await ResultStore.open(join(directory, 'r.duckdb'), 'write');
    const spec = validateSweepSpec({
      name: 'tiny',
      seed: 2,
      repetitions: 3,
      description: 'a <tiny> sweep',
      base: { N: 10, d0: 3, width: 4, learningRate: 0.02, epochs: 100 },
      grid: { N: [5, 40], depth: [1, 2] },
    });
    await runSweep({ spec, runner: trainRunner, store, executor: new LocalPool(2), codeVersion: 'v-test' });
    const written = await writeReport(store, join(directory, 'out'), { builders: PRESET_SECTIONS });
    store.close();
    const html = readFileSync(written.html, 'utf8');
    assert.equal(
      (html.match(/<svg/g) ?? []).length,
      2,
      'the generic section draws error and sub-optimal fraction',
    );
    assert.match(html, /a &lt;tiny&gt; sweep/);
    assert.match(html, /code v-test/);
    assert.match(html, /&quot;learningRate&quot;: 0\.02/);
    assert.match(html, /<th>MCE mean ± std<\/th>/);
    const pngs = written.figures.filter((file) => file.endsWith('.png'));
    assert.equal(pngs.length, 2);
    for (const file of pngs) {
      const png = PNG.sync.read(readFileSync(file));
      assert.ok(png.width > 800 && png.height > 400, `${png.width}×${png.height}`);
      // Text is drawn (a font was found): the title row holds dark pixels, not just the white background.
      let dark = 0;
      for (let y = 0; y < 40; y++) {
        for (let x = 0; x < png.width; x++) if (png.data[(y * png.width + x) * 4] < 100) dark++;
      }
      assert.ok(dark > 200, `${dark} dark pixels in the title row of ${file}`);
    }
    const svg = readFileSync(
      written.figures.find((file) => file.endsWith('-error.svg'))!,
      'utf8',
    );
    assert.match(svg, /final training MCE/);
    assert.match(svg, /depth=2/);
    // The sweep's runs are certified by default: the sub-optimal figure shows proved minima, and the page says how
    // many runs were certified and how many were left undecided.
    const suboptimal = readFileSync(
      written.figures.find((file) => file.endsWith('-suboptimal.svg'))!,
      'utf8',
    );
    assert.match(suboptimal, /fraction proved sub-optimal minima/);
    assert.match(
      html,
      /End points certified: 12 of 12 finished runs\. Decided: global \d+, sub-optimal-min \d+, saddle \d+\. Undecided: [\d.]+% \(\d+ of 12\)/,
    );
  });

  it('format numbers and tables for people', () => {
    assert.equal(formatNumber(null), '–');
    assert.equal(formatNumber(0.123456), '0.123');
    assert.equal(formatNumber(1.5e-31), '1.50e-31');
    assert.equal(formatTable(['a', 'bb'], [['1', 'x']]), 'a  bb\n-  --\n1  x');
  });
});

describe('sweep presets', () => {
  it('have valid quick and full specs for the train runner', () => {
    for (const preset of SWEEP_PRESETS) {
      for (const variant of ['quick', 'full'] as const) {
        const spec = preset.spec(variant);
        assert.equal(spec.name, `${preset.name}-${variant}`);
        assert.ok(expandCells(spec, trainRunner).length > 1);
      }
    }
    assert.equal(SWEEP_PRESETS.find((p) => p.name === 'jellyfish')!.spec('quick').repetitions >= 100, true);
  });

  it("use Theorem 8's d1* = 4⌈N/(2d0 − 2)⌉ (papers.md worked values)", () => {
    assert.equal(theorem8Width(50_000, 3072), 36);
    assert.equal(theorem8Width(70_000, 784), 180);
    assert.equal(theorem8Width(1_280_000, 12288), 212);
    for (const d of [4, 6, 10, 20]) {
      const largest = theorem8LargestN(d);
      assert.ok(theorem8Width(largest, d) <= d);
      assert.ok(theorem8Width(largest + 1, d) > d);
    }
  });

  const soudryCarmonPreset = (summary: SweepSummary) =>
    SWEEP_PRESETS.find((p) => p.name === 'soudry-carmon')!.section(summary)!;

  it('read their sub-optimal columns from the certified classes, not from the threshold', () => {
    const soudryCarmon = SWEEP_PRESETS.find((p) => p.name === 'soudry-carmon')!;
    const [cell] = expandCells(soudryCarmon.spec('quick'), trainRunner);
    // Four runs above the MSE threshold: one proved sub-optimal minimum, one slow run that polishes to zero loss,
    // one stuck on a kink, one not converged; and one run below the threshold.
    const classes = ['sub-optimal-min', 'global', 'kink', 'not-converged', 'global'];
    const runs: StoredRun[] = classes.map((endPointClass, repetition) => ({
      cellHash: cell.hash,
      repetition,
      seed: repetition,
      status: 'ok',
      error: null,
      durationMs: 1,
      host: 'h',
      codeVersion: 'v',
      result: { ...EMPTY_MEASUREMENTS, finalLoss: 0.1, mse: repetition === 4 ? 1e-9 : 0.1, endPointClass },
    }));
    const success = { metric: 'mse' as const, atMost: 1e-6 };
    const summary: SweepSummary = {
      sweep: { sweep: 'soudry-carmon-quick' } as StoredSweep,
      success,
      axes: ['width', 'slopeNoise'],
      cells: [summariseCell(cell, ['width', 'slopeNoise'], runs, success)],
    };
    const table = soudryCarmonPreset(summary).tables[0];
    const column = (name: string) => table.rows[0][table.headers.indexOf(name)];
    assert.equal(column('zero error'), '20.0% (1)');
    assert.equal(column('sub-optimal minima (certified) [95% CI]'), '20.0% (1) [3.6%, 62.4%]');
    assert.equal(column('undecided [95% CI]'), '40.0% (2) [11.8%, 76.9%]');
    const html = withCertification(soudryCarmonPreset(summary));
    assert.match(
      html.text.at(-1)!,
      /^End points certified: 5 of 5 finished runs\. Decided: global 2, sub-optimal-min 1, saddle 0\. Undecided: 40\.0% \(2 of 5\): kink 1, inconclusive 0, not-converged 1\./,
    );
    assert.equal(html.tables.length, soudryCarmonPreset(summary).tables.length + 1);
    assert.match(html.tables.at(-1)!.caption, /^Certified end points per cell of sweep soudry-carmon-quick/);
  });
});
