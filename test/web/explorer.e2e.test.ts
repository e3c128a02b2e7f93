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
import { ResultStore } from '../../src/sweep/store/result-store.js';
import { startExplorerServer } from '../../src/cli/commands/serve.js';
import { checkServedResults } from '../../src/cli/served-results.js';
import { BUILT_EXPLORER, e2eSkipReason, type Harness, startHarness } from './browser.js';
import { syntheticSweepRows, TWO_SWEEPS, writeSyntheticStore } from './synthetic-sweep.js';

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

/**
 * A text field or list narrower than this cannot show its value. The Optimiser panel's fields of issue 16 were 2 to
 * 8 px wide (their borders and padding), so "wider than 0" alone would not have caught them.
 */
const MIN_FIELD_WIDTH = 40;

/** Every visible form control that is too small to use or sticks out past the page's right edge, described. */
async function badlySizedControls(page: Page): Promise<string[]> {
  return page.evaluate((minWidth) => {
    const pageWidth = document.documentElement.clientWidth;
    return Array.from(document.querySelectorAll('input, select, button, textarea')).flatMap((control) => {
      if (control.getClientRects().length === 0) return []; // not rendered: in a hidden tab or element
      const box = control.getBoundingClientRect();
      const isField = control.matches('select, textarea, input:not([type=checkbox]):not([type=radio])');
      const problems = [
        ...(box.width > 0 && box.height > 0 ? [] : ['empty']),
        ...(isField && box.width < minWidth ? [`narrower than ${minWidth} px`] : []),
        ...(box.right > pageWidth + 0.5 ? ['beyond the right edge'] : []),
      ];
      const name = control.id || control.textContent?.trim() || control.tagName;
      return problems.length === 0
        ? []
        : [
            `${control.tagName.toLowerCase()} ${name}: ${box.width.toFixed(0)}×${box.height.toFixed(0)} ${problems.join(', ')}`,
          ];
    });
  }, MIN_FIELD_WIDTH);
}

/** The text of the header, the notice and the visible view, where a "NaN" must never appear. */
function visibleText(page: Page): Promise<string> {
  return page.evaluate(() =>
    ['header', '#notice:not([hidden])', 'main > section:not([hidden])']
      .map((selector) => document.querySelector(selector)?.textContent ?? '')
      .join('\n'),
  );
}

/** The visible tick labels of a phase-diagram axis: text, centre and box on screen. */
async function axisLabels(
  page: Page,
  axis: 'x' | 'y',
): Promise<{ text: string; centre: number; left: number; right: number }[]> {
  return page.evaluate((which) => {
    const groups = Array.from(document.querySelectorAll('#phase-chart .role-axis')).filter((group) =>
      (group.getAttribute('aria-label') ?? '').toLowerCase().includes(which === 'x' ? 'x-axis' : 'y-axis'),
    );
    return groups.flatMap((group) =>
      Array.from(group.querySelectorAll('.role-axis-label text'))
        .filter((text) => text.getAttribute('opacity') !== '0' && getComputedStyle(text).opacity !== '0')
        .map((text) => {
          const box = text.getBoundingClientRect();
          return {
            text: text.textContent ?? '',
            centre: which === 'x' ? box.left + box.width / 2 : box.top + box.height / 2,
            left: box.left,
            right: box.right,
          };
        }),
    );
  }, axis);
}

/** Whether tick positions follow their values on a linear or a log scale (a categorical axis spaces them evenly). */
function quantitativeFit(ticks: { value: number; at: number }[]): boolean {
  const fits = (f: (v: number) => number): boolean => {
    const first = ticks[0];
    const last = ticks[ticks.length - 1];
    const slope = (last.at - first.at) / (f(last.value) - f(first.value));
    return ticks.every((tick) => Math.abs(first.at + slope * (f(tick.value) - f(first.value)) - tick.at) < 2);
  };
  return fits((v) => v) || (ticks.every((tick) => tick.value > 0) && fits(Math.log10));
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

  it('results: a 10 000-run sweep loads, and cells, runs and the colour respond', async (t) => {
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
    // Interaction speed is a benchmark figure (npm run bench:explorer); here each interaction must take effect.
    const captions = new Set<string>();
    for (const k of [0, 11, 37, 58, 99]) {
      const before = await page
        .locator('#runs-table caption')
        .textContent()
        .catch(() => '');
      await cells.nth(k).click();
      await page.waitForFunction((previous) => {
        const caption = document.querySelector('#runs-table caption')?.textContent ?? '';
        return caption !== '' && caption !== previous;
      }, before);
      const caption = (await page.textContent('#runs-table caption'))!;
      assert.match(caption, /: 100 runs/);
      captions.add(caption);
    }
    assert.equal(captions.size, 5, 'five different cells were shown');
    await page.locator('#runs-table tbody tr').nth(3).click();
    await page.waitForSelector('#run-facts tr');
    assert.match((await page.textContent('#run-facts'))!, /cell, repetition.*, 3/);
    await page.selectOption('#f-colour', 'zero-error');
    await page.waitForFunction(() =>
      /zero training error/.test(document.querySelector('#phase-legend')?.textContent ?? ''),
    );
    await page.screenshot({ path: join(screenshots, 'explorer-results.png'), fullPage: true });
  });

  it('every form control on every tab has a usable size, at 1400×1000 and at 800×900', async () => {
    const runs = join(scratch, 'layout-runs.json');
    writeFileSync(runs, JSON.stringify(syntheticSweepRows([1, 2], [8, 16], 2)));
    const found: string[] = [];
    for (const [width, height] of [
      [1400, 1000],
      [800, 900],
    ]) {
      await page.setViewportSize({ width, height });
      for (const view of ['playground', 'landscape', 'minima', 'results']) {
        await page.goto(`${harness.server.url}#view=${view}`);
        await page.waitForSelector('body[data-ready=true]');
        if (view === 'results') {
          await page.setInputFiles('#sweep-file', runs);
          await page.waitForFunction(() =>
            /8 runs/.test(document.querySelector('#results-status')?.textContent ?? ''),
          );
          await page.locator('#phase-chart .mark-rect.role-mark path').first().click();
          await page.waitForSelector('#runs-table caption');
        }
        found.push(
          ...(await badlySizedControls(page)).map((problem) => `${width}×${height} ${view}: ${problem}`),
        );
      }
    }
    await page.setViewportSize({ width: 1400, height: 1000 });
    assert.deepEqual(found, []);
  });

  it('no view shows "NaN", before or after a sweep is opened', async () => {
    for (const view of ['playground', 'landscape', 'minima', 'results']) {
      await page.goto(`${harness.server.url}#view=${view}`);
      await page.waitForSelector('body[data-ready=true]');
      assert.doesNotMatch(await visibleText(page), /NaN/, `${view} before anything is opened`);
    }
    const runs = join(scratch, 'nan-runs.json');
    writeFileSync(runs, JSON.stringify(syntheticSweepRows([1, 2, 4], [8, 16], 3)));
    await page.setInputFiles('#sweep-file', runs);
    await page.waitForFunction(() =>
      /18 runs/.test(document.querySelector('#results-status')?.textContent ?? ''),
    );
    for (const colour of ['median-log-loss', 'zero-error', 'failed']) {
      await page.selectOption('#f-colour', colour);
      await page.waitForFunction(
        () => document.querySelector('#view-results')?.getAttribute('data-last-interaction') === 'axes',
      );
      assert.doesNotMatch(await visibleText(page), /NaN/, `results coloured by ${colour}`);
    }
    await page.locator('#phase-chart .mark-rect.role-mark path').first().click();
    await page.waitForSelector('#runs-table caption');
    await page.locator('#runs-table tbody tr').first().click();
    await page.waitForSelector('#run-facts tr');
    assert.doesNotMatch(await visibleText(page), /NaN/, 'results with a run shown');
  });

  it('Samples N and Inputs d0 are disabled for the fixed datasets, with their size, and used again for generated data', async () => {
    await page.goto(`${harness.server.url}#data=xor`);
    await page.waitForSelector('body[data-ready=true]');
    assert.ok(await page.isDisabled('#f-samples-n'), 'Samples N disabled for XOR');
    assert.ok(await page.isDisabled('#f-inputs-d0'), 'Inputs d0 disabled for XOR');
    assert.equal(await page.inputValue('#f-samples-n'), '4');
    assert.match((await page.textContent('#data-size-note'))!, /XOR is a fixed set: N = 4, d0 = 2/);
    await page.selectOption('#f-dataset', 'swirszcz-d1');
    assert.ok(await page.isDisabled('#f-samples-n'), 'Samples N disabled for Swirszcz D1');
    assert.match((await page.textContent('#data-size-note'))!, /Swirszcz D1 is a fixed set: N = \d+, d0 = 1/);
    await page.selectOption('#f-dataset', 'gaussian');
    assert.ok(!(await page.isDisabled('#f-samples-n')), 'Samples N enabled for Gaussian data');
    assert.ok(await page.isHidden('#data-size-note'), 'no fixed-size note for Gaussian data');
    assert.equal(
      await page.inputValue('#f-samples-n'),
      '40',
      "the generated data's N, kept while XOR was shown",
    );
    await page.fill('#f-samples-n', '24');
    await page.press('#f-samples-n', 'Tab');
    await page.waitForFunction(() => /[#&]n=24(&|$)/.test(window.location.hash));
  });

  it('results: a multi-sweep export gets a sweep choice, numeric axes in value order and whole labels', async () => {
    const store = join(scratch, 'two-sweeps.duckdb');
    await writeSyntheticStore(store, TWO_SWEEPS);
    const reader = await ResultStore.open(store, 'read');
    await reader.exportTables(join(scratch, 'two-sweeps'), 'parquet'); // what `basin results --export` does
    reader.close();
    await page.goto(`${harness.server.url}#view=results`);
    await page.waitForSelector('body[data-ready=true]');
    await page.setInputFiles('#sweep-file', join(scratch, 'two-sweeps', 'runs.parquet'));
    await page.waitForFunction(() =>
      /in 2 sweeps/.test(document.querySelector('#results-status')?.textContent ?? ''),
    );
    const options = await page.$$eval('#f-sweep option', (list) =>
      list.map((o) => (o as HTMLOptionElement).value),
    );
    assert.deepEqual(options, ['fig-n', 'jelly-activations']);
    const rects = page.locator('#phase-chart .mark-rect.role-mark path');
    assert.equal(await rects.count(), 6 * 4, "fig-n's cells only, not both sweeps' mixed");
    await page.selectOption('#f-x-axis', 'N');
    await page.selectOption('#f-y-axis', 'width');
    await page.waitForFunction(() =>
      /x N, y width/.test(document.querySelector('#phase-legend')?.textContent ?? ''),
    );
    // The cells hold N in the order 12, 21, 80, 96, 20, 42: the axis must sort them and space them by value.
    const ticks = (await axisLabels(page, 'x')).map((label) => ({
      value: Number(label.text),
      at: label.centre,
    }));
    assert.ok(ticks.length >= 4 && ticks.every((tick) => Number.isFinite(tick.value)), JSON.stringify(ticks));
    const byPosition = [...ticks].sort((a, b) => a.at - b.at).map((tick) => tick.value);
    assert.deepEqual(
      byPosition,
      [...byPosition].sort((a, b) => a - b),
      'N increases left to right',
    );
    assert.ok(quantitativeFit(ticks), `N ticks placed by value: ${JSON.stringify(ticks)}`);

    await page.selectOption('#f-sweep', 'jelly-activations');
    await page.waitForFunction(() =>
      /^jelly-activations:/.test(document.querySelector('#phase-legend')?.textContent ?? ''),
    );
    await page.selectOption('#f-x-axis', 'width');
    await page.selectOption('#f-y-axis', 'activation');
    await page.waitForFunction(() =>
      /x width, y activation/.test(document.querySelector('#phase-legend')?.textContent ?? ''),
    );
    assert.equal(await rects.count(), 4 * 3);
    const chart = await page.locator('#phase-chart').boundingBox();
    const labels = await axisLabels(page, 'y');
    assert.deepEqual(labels.map((label) => label.text).sort(), ['leaky-relu:0.1', 'relu', 'sigmoid', 'tanh']);
    for (const label of labels)
      assert.ok(
        label.left >= chart!.x - 0.5 && label.right <= chart!.x + chart!.width + 0.5,
        `label ${label.text} [${label.left}, ${label.right}] inside the chart [${chart!.x}, ${chart!.x + chart!.width}]`,
      );
  });

  it('basin serve --store: the Results tab opens the store without an upload, and Reload shows new sweeps', async () => {
    const store = join(scratch, 'served.duckdb');
    await writeSyntheticStore(store, TWO_SWEEPS.slice(0, 1));
    const served = await startExplorerServer({
      port: 0,
      host: '127.0.0.1',
      directory: BUILT_EXPLORER,
      results: await checkServedResults({ store }),
    });
    const second = await harness.browser.newPage();
    second.on('pageerror', (error) => errors.push(error.message));
    try {
      await second.goto(`${served.url}#view=results`);
      await second.waitForSelector('#view-results[data-served=true]');
      assert.match((await second.textContent('#results-status'))!, /served\.duckdb: 72 runs in 1 sweep/);
      assert.equal(await second.locator('#phase-chart .mark-rect.role-mark path').count(), 24);
      // A sweep written while the server runs (as by `basin sweep run`) appears on Reload.
      await writeSyntheticStore(store, TWO_SWEEPS.slice(1));
      await second.click('#reload-results');
      await second.waitForFunction(() =>
        /96 runs in 2 sweeps/.test(document.querySelector('#results-status')?.textContent ?? ''),
      );
      assert.equal(await second.locator('#f-sweep option').count(), 2);
    } finally {
      await second.close();
      await served.close();
    }
  });

  it('raised no uncaught page errors', () => {
    assert.deepEqual(errors, []);
  });
});
