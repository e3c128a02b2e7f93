/// <reference lib="dom" />
// Callbacks passed to page.evaluate and waitForFunction run in the page, so this file also sees DOM types.
/**
 * `npm run bench:explorer`: how fast the explorer's results browser answers, in Debian's headless Chromium. It loads
 * a synthetic 10 000-run sweep export (100 cells × 100 repetitions, test/web/synthetic-sweep.ts), then clicks five
 * cells, one run, and changes the colour metric and both axes; each interaction is timed inside the page, from the
 * event to the re-rendered charts (`window.basinTimings`, web/src/views/results.ts). Repeated on fresh pages.
 *
 * These figures were once an assertion of the e2e test (every interaction under 100 ms); a time depends on the
 * machine and on what else runs, so it is measured here and recorded, not asserted.
 *
 * Flags: --repeats=<n> (fresh pages, default 5), --out=<file> (default bench/results/<date>-explorer.json).
 * Run from the repository root after `npm run build:web` (the npm script does both).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { CHROMIUM, startHarness } from '../test/web/browser.js';
import { syntheticSweepRows } from '../test/web/synthetic-sweep.js';
import { codeVersion } from '../src/sweep/code-version.js';
import { machineInfo } from './machine.js';
import { median } from './timing.js';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    out: { type: 'string' },
  },
});
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1)
  throw new Error(`--repeats: expected an integer ≥ 1, got ${values.repeats}`);

const root = process.cwd();
const site = join(root, 'dist', 'web');
if (!existsSync(join(site, 'index.html')))
  throw new Error(`${site}: no built explorer; run npm run build:web first`);
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);

const WIDTHS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32];
const COUNTS = [8, 16, 32, 48, 64, 96, 128, 160, 192, 256];
const REPETITIONS = 100;
const CELLS_CLICKED = [0, 11, 37, 58, 99];

const scratch = mkdtempSync(join(os.tmpdir(), 'basin-bench-explorer-'));
const exportFile = join(scratch, 'runs.json');
writeFileSync(exportFile, JSON.stringify(syntheticSweepRows(WIDTHS, COUNTS, REPETITIONS)));

type Interaction = 'cell' | 'run' | 'colour' | 'x axis' | 'y axis';

async function timingsSoFar(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { basinTimings: number[] }).basinTimings);
}

/** Waits until the page has timed `count` interactions, and returns the newest time. */
async function nextTiming(page: Page, count: number): Promise<number> {
  await page.waitForFunction(
    (n) => (window as unknown as { basinTimings: number[] }).basinTimings.length >= n,
    count,
  );
  return (await timingsSoFar(page))[count - 1];
}

async function onePass(page: Page, url: string): Promise<{ loadMs: number; times: [Interaction, number][] }> {
  await page.goto(`${url}#view=results`);
  await page.waitForSelector('body[data-ready=true]');
  await page.setInputFiles('#sweep-file', exportFile);
  await page.waitForFunction(
    () => /loaded in \d+ ms/.test(document.querySelector('#results-status')?.textContent ?? ''),
    null,
    { timeout: 120_000 },
  );
  const status = (await page.textContent('#results-status'))!;
  const loadMs = Number(/loaded in (\d+) ms/.exec(status)![1]);
  const times: [Interaction, number][] = [];
  let count = (await timingsSoFar(page)).length;
  const cells = page.locator('#phase-chart .mark-rect.role-mark path');
  for (const k of CELLS_CLICKED) {
    await cells.nth(k).click();
    times.push(['cell', await nextTiming(page, ++count)]);
  }
  await page.locator('#runs-table tbody tr').nth(3).click();
  times.push(['run', await nextTiming(page, ++count)]);
  await page.selectOption('#f-colour', 'zero-error');
  times.push(['colour', await nextTiming(page, ++count)]);
  await page.selectOption('#f-x-axis', 'model.d1');
  times.push(['x axis', await nextTiming(page, ++count)]);
  await page.selectOption('#f-y-axis', 'data.N');
  times.push(['y axis', await nextTiming(page, count + 1)]);
  return { loadMs, times };
}

const harness = await startHarness({ directory: site });
const passes: { loadMs: number; times: [Interaction, number][] }[] = [];
const startedAt = new Date();
try {
  for (let r = 0; r < repeats; r++) {
    const page = await harness.browser.newPage();
    passes.push(await onePass(page, harness.server.url));
    await page.close();
  }
} finally {
  await harness.close();
  rmSync(scratch, { recursive: true, force: true });
}

const byKind = new Map<Interaction, number[]>();
for (const pass of passes)
  for (const [kind, ms] of pass.times) byKind.set(kind, [...(byKind.get(kind) ?? []), ms]);
const round = (ms: number): number => Math.round(ms * 10) / 10;
const summary = Object.fromEntries(
  [...byKind.entries()].map(([kind, list]) => [
    kind,
    { count: list.length, medianMs: round(median(list)), maxMs: round(Math.max(...list)) },
  ]),
);
const loads = passes.map((pass) => pass.loadMs);
const all = passes.flatMap((pass) => pass.times.map(([, ms]) => ms));

const lines = [
  `explorer results browser, ${WIDTHS.length * COUNTS.length * REPETITIONS} runs, ${repeats} fresh pages, Chromium headless:`,
  `  load (file chosen → diagram drawn): median ${median(loads)} ms, max ${Math.max(...loads)} ms`,
  ...Object.entries(summary).map(
    ([kind, s]) => `  ${kind.padEnd(7)} ×${s.count}: median ${s.medianMs} ms, max ${s.maxMs} ms`,
  ),
  `  slowest interaction: ${round(Math.max(...all))} ms`,
];
process.stdout.write(`${lines.join('\n')}\n`);

const file = resolve(
  values.out ?? join(root, 'bench', 'results', `${startedAt.toISOString().slice(0, 10)}-explorer.json`),
);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(
  file,
  `${JSON.stringify(
    {
      schema: 'basin-bench-explorer/1',
      started: startedAt.toISOString(),
      finished: new Date().toISOString(),
      command: `npm run bench:explorer${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      codeVersion: codeVersion(),
      machine: { ...machineInfo(), loadAverageAtEnd: os.loadavg() },
      browser: CHROMIUM,
      method:
        'synthetic 10 000-run export (100 cells × 100 repetitions) opened in the Results tab; per fresh page: 5 cell ' +
        'clicks, 1 run click, colour metric, x axis, y axis; each timed in the page from the event to the rendered charts',
      loadMs: loads,
      interactions: summary,
      passes: passes.map((pass) => pass.times.map(([kind, ms]) => ({ kind, ms: round(ms) }))),
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`wrote ${file}\n`);
