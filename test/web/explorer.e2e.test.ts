/// <reference lib="dom" />
// Callbacks passed to page.evaluate and waitForFunction run in the page, so this file also sees DOM types.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { e2eSkipReason, type Harness, startHarness } from './browser.js';
import { syntheticSweepRows } from './synthetic-sweep.js';

/*
 * End-to-end tests of the explorer in Debian's Chromium, driven by playwright-core. They build nothing themselves:
 * `npm test` runs `npm run build` first, which writes dist/web. Screenshots go to a temporary folder, or to
 * docs/images when BASIN_UPDATE_SCREENSHOTS=1 (how the docs' pictures are made).
 */
const skip = e2eSkipReason();
if (skip) console.log(`# explorer e2e skipped: ${skip}`);

const screenshots =
  process.env.BASIN_UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../docs/images/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'basin-shots-'));
mkdirSync(screenshots, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'basin-e2e-'));

const DATA = '#data=jellyfish&widths=8&epochs=300&opt=adam&lr=0.02';

/** Fraction of pixels that are not near-white, and how many distinct coarse colours the image holds. */
function pixelStats(png: Buffer): { inked: number; colours: number } {
  const image = PNG.sync.read(png);
  let inked = 0;
  const colours = new Set<number>();
  for (let k = 0; k < image.data.length; k += 4) {
    const [r, g, b] = [image.data[k], image.data[k + 1], image.data[k + 2]];
    if (r < 235 || g < 235 || b < 235) inked++;
    colours.add(((r >> 5) << 6) | ((g >> 5) << 3) | (b >> 5));
  }
  return { inked: inked / (image.width * image.height), colours: colours.size };
}

async function trained(page: Page): Promise<string> {
  await page.waitForSelector('#train-status[data-final-loss]', { timeout: 120_000 });
  return (await page.getAttribute('#train-status', 'data-final-loss'))!;
}

/** The loss curve's SVG path as (x, y) screen points. */
async function curvePoints(page: Page): Promise<[number, number][]> {
  const d = await page.evaluate(
    () => document.querySelector('#loss-chart .mark-line path')?.getAttribute('d') ?? '',
  );
  return [...d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('explorer in a real browser', { skip }, () => {
  let harness: Harness;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    harness = await startHarness();
    page = await harness.browser.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
  });
  after(async () => {
    await harness?.close();
  });

  it('training a Jellyfish net changes the loss curve, and the input-space canvas is not blank', async () => {
    await page.goto(harness.server.url + DATA);
    await page.waitForSelector('body[data-ready=true]');
    assert.equal((await curvePoints(page)).length, 0, 'no curve before training');
    await page.click('#train');
    await trained(page);
    const points = await curvePoints(page);
    assert.ok(points.length > 20, `curve has ${points.length} points`);
    // SVG y grows downwards: the last point lies lower on screen than the first because the loss fell.
    assert.ok(points[points.length - 1][1] > points[0][1] + 5, 'loss decreased');
    const stats = pixelStats(await page.locator('#input-canvas').screenshot());
    assert.ok(stats.inked > 0.5, `canvas inked ${stats.inked}`);
    assert.ok(stats.colours > 20, `canvas has ${stats.colours} colours`);
  });

  it('certifies the point: a table and one spectrum mark per parameter', async () => {
    await page.click('#certify');
    await page.waitForFunction(() => document.querySelectorAll('#certificate tr').length >= 6, null, {
      timeout: 60_000,
    });
    const marks = await page.locator('#spectrum-chart .mark-symbol.role-mark path').count();
    assert.equal(marks, 2 * 8 + 8 + 8 + 1);
    await page.screenshot({ path: join(screenshots, 'explorer-playground.png'), fullPage: true });
  });

  it('a shared URL restores the same state and the same trained network', async () => {
    const link = page.url();
    assert.match(link, /trained=1/);
    const finalLoss = await page.getAttribute('#train-status', 'data-final-loss');
    const canvas = await page.locator('#input-canvas').screenshot();
    const second = await harness.browser.newPage();
    await second.goto(link);
    assert.equal(await trained(second), finalLoss);
    assert.equal(await second.inputValue('#f-hidden-widths'), '8');
    assert.equal(await second.inputValue('#f-dataset'), 'jellyfish');
    assert.ok((await second.locator('#input-canvas').screenshot()).equals(canvas), 'same picture');
    await second.close();
  });

  it('a malformed CSV shows a readable error and leaves the app usable', async () => {
    await page.setInputFiles('#csv-upload', {
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('x1,x2,y\n1,2,1\n3,abc,-1\n'),
    });
    const notice = page.locator('#notice');
    await notice.waitFor({ state: 'visible' });
    assert.match(
      (await notice.textContent())!,
      /bad\.csv: CSV line 3, column 2: expected a finite number, got "abc"/,
    );
    await page.screenshot({ path: join(screenshots, 'explorer-csv-error.png') });
    const good =
      'x,y\n' + Array.from({ length: 12 }, (_, i) => `${(i - 6) / 3},${Math.abs(i - 6) / 3}`).join('\n');
    await page.setInputFiles('#csv-upload', {
      name: 'good.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(good),
    });
    await notice.waitFor({ state: 'hidden' });
    await page.click('#train');
    await page.waitForFunction(
      () => /Trained 1-8-1/.test(document.querySelector('#train-status')?.textContent ?? ''),
      null,
      { timeout: 120_000 },
    );
    assert.match(page.url(), /data=csv/);
    assert.match(page.url(), /csv=/);
  });

  it('landscape: a 2-D slice heat map and the segment between two minima', async () => {
    await page.goto(harness.server.url + DATA + '&view=landscape');
    await page.waitForSelector('body[data-ready=true]');
    await page.click('#compute-landscape');
    await page.waitForFunction(
      () => /Slice: 31²/.test(document.querySelector('#landscape-status')?.textContent ?? ''),
      null,
      { timeout: 120_000 },
    );
    const stats = pixelStats(await page.locator('#slice-canvas').screenshot());
    assert.ok(stats.inked > 0.6 && stats.colours > 15, JSON.stringify(stats));
    await page.screenshot({ path: join(screenshots, 'explorer-slice.png'), fullPage: true });
    await page.selectOption('#f-view', 'segment');
    await page.click('#compute-landscape');
    await page.waitForFunction(
      () => /Segment computed/.test(document.querySelector('#landscape-status')?.textContent ?? ''),
      null,
      { timeout: 120_000 },
    );
    assert.match((await page.textContent('#segment-facts'))!, /barrier above the higher end/);
    await page.screenshot({ path: join(screenshots, 'explorer-segment.png'), fullPage: true });
  });

  it('results: a 10 000-run sweep loads, and each interaction takes under 100 ms', async (t) => {
    const file = join(scratch, 'runs.json');
    const widths = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32];
    const counts = [8, 16, 32, 48, 64, 96, 128, 160, 192, 256];
    writeFileSync(file, JSON.stringify(syntheticSweepRows(widths, counts, 100)));
    await page.goto(harness.server.url + '#view=results');
    await page.waitForSelector('body[data-ready=true]');
    await page.setInputFiles('#sweep-file', file);
    await page.waitForFunction(
      () => /10000 runs/.test(document.querySelector('#results-status')?.textContent ?? ''),
      null,
      { timeout: 60_000 },
    );
    t.diagnostic((await page.textContent('#results-status'))!);
    const cells = page.locator('#phase-chart .mark-rect.role-mark path');
    assert.equal(await cells.count(), 100);
    for (const k of [0, 11, 37, 58, 99]) {
      await cells.nth(k).click();
      await page.waitForFunction(
        (n) => (window as unknown as { basinTimings: number[] }).basinTimings.length >= n,
        k === 0 ? 1 : 0,
      );
    }
    await page.locator('#runs-table tbody tr').nth(3).click();
    await page.waitForSelector('#run-facts tr');
    await page.selectOption('#f-colour', 'zero-error');
    await page.waitForFunction(
      () => document.querySelector('#view-results')?.getAttribute('data-last-interaction') === 'axes',
    );
    const timings = await page.evaluate(() => (window as unknown as { basinTimings: number[] }).basinTimings);
    t.diagnostic(
      `interaction times (ms, event to rendered charts): ${timings.map((ms) => ms.toFixed(1)).join(', ')}`,
    );
    assert.ok(timings.length >= 7, `${timings.length} interactions timed`);
    assert.ok(Math.max(...timings) < 100, `slowest interaction ${Math.max(...timings).toFixed(1)} ms`);
    await page.screenshot({ path: join(screenshots, 'explorer-results.png'), fullPage: true });
  });

  it('raised no uncaught page errors', () => {
    assert.deepEqual(errors, []);
  });
});
