/// <reference lib="dom" />
// Callbacks passed to page.evaluate and waitForFunction run in the page, so this file also sees DOM types.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startExplorerServer } from '../../src/cli/commands/serve.js';
import { checkServedLandscape } from '../../src/cli/served-landscape.js';
import { disconnectivityLayout } from '../../web/src/disconnectivity.js';
import { formatNumber } from '../../web/src/dom.js';
import { BUILT_EXPLORER, e2eSkipReason, type Harness, startHarness } from './browser.js';
import { landscapeGraphFixture } from './landscape-fixture.js';
import type { GraphRecord } from '../../src/landscape/records.js';
import { basin } from '../cli/helpers.js';

/*
 * The "Between minima" tab in Chromium: a hand-made three-minimum graph record (test/web/landscape-fixture.ts) is
 * drawn, its connections show their profiles and saddles, a minimum loads into the playground with the loss the
 * record gives, a wrong file is named in the page, and `basin serve --landscape` opens the record without an upload.
 */
const skip = e2eSkipReason();
if (skip) console.log(`# explorer minima e2e skipped: ${skip}`);

const scratch = mkdtempSync(join(tmpdir(), 'basin-minima-'));
// BASIN_UPDATE_SCREENSHOTS=1 writes the picture in docs/explorer.md, as explorer.e2e.test.ts does its own.
const screenshots =
  process.env.BASIN_UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../docs/images/', import.meta.url))
    : scratch;
mkdirSync(screenshots, { recursive: true });
const graph = landscapeGraphFixture();
const graphFile = join(scratch, 'graph.json');
writeFileSync(graphFile, JSON.stringify(graph));

/** The graph chart's rule lines: whether each is dashed, and whether it is horizontal (a join). */
function rules(page: Page): Promise<{ dashed: boolean; horizontal: boolean }[]> {
  return page.$$eval('#graph-chart .mark-rule.role-mark line', (lines) =>
    lines.map((line) => {
      const dash = (line.getAttribute('stroke-dasharray') ?? '').split(/[ ,]+/).map(Number);
      return {
        dashed: dash.length > 1 && dash[1] > 0,
        horizontal: line.getAttribute('y2') === null || Number(line.getAttribute('y2')) === 0,
      };
    }),
  );
}

describe('explorer: the landscape between minima', { skip }, () => {
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

  it('draws the graph and profiles, names a wrong file, and loads a minimum into the playground', async () => {
    await page.goto(`${harness.server.url}#view=minima`);
    await page.waitForSelector('body[data-ready=true]');
    await page.setInputFiles('#landscape-file', {
      name: 'weights.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ ...graph, kind: 'basin-weights' })),
    });
    const notice = page.locator('#notice');
    await notice.waitFor({ state: 'visible' });
    assert.match(
      (await notice.textContent())!,
      /^weights\.json: not a basin landscape record: kind is "basin-weights", expected/,
    );

    await page.setInputFiles('#landscape-file', graphFile);
    await notice.waitFor({ state: 'hidden' });
    await page.waitForFunction(() => document.querySelector('#view-minima')?.getAttribute('data-record'));
    assert.match(
      (await page.textContent('#minima-status'))!,
      /graph\.json: graph of 3 minima and 2 connections/,
    );
    const leaves = page.locator('#graph-chart .mark-symbol.role-mark path');
    assert.equal(await leaves.count(), 3);
    // Two joins of one tree: per join two verticals and one horizontal; the certified join solid, the other dashed.
    const lines = await rules(page);
    assert.equal(lines.length, 6, JSON.stringify(lines));
    assert.equal(lines.filter((line) => line.dashed).length, 3, 'the uncertified join is dashed');
    assert.equal(lines.filter((line) => line.horizontal).length, 2);
    const labels = await page.$$eval('#graph-chart .mark-text.role-mark text', (texts) =>
      texts.map((text) => text.textContent),
    );
    assert.deepEqual(
      [...labels].sort(),
      graph.nodes.map((node) => `#${node.id} ${formatNumber(node.loss, 3)} ×${node.count}`).sort(),
    );

    // The first connection is shown at once; its saddle is certified.
    assert.match((await page.textContent('#saddle-label'))!, /certified Morse index 1/);
    assert.equal(await page.locator('#profile-chart .mark-line.role-mark path').count(), 2, 'linear and neb');
    assert.match((await page.textContent('#connection-facts'))!, /barrier from #0/);
    // Clicking the dashed join shows the uncertified connection.
    const dashedJoin = (await rules(page)).findIndex((line) => line.dashed && line.horizontal);
    await page.locator('#graph-chart .mark-rule.role-mark line').nth(dashedJoin).click({ force: true });
    await page.waitForFunction(() =>
      /not certified: on a kink/.test(document.querySelector('#saddle-label')?.textContent ?? ''),
    );
    assert.equal(await page.inputValue('#f-connection'), '1');
    await page.screenshot({ path: join(screenshots, 'explorer-minima.png'), fullPage: true });

    // Clicking minimum #2 loads its θ into the playground: the loss shown is the record's.
    const order = disconnectivityLayout(graph.nodes, graph.merges).leaves.map((leaf) => leaf.node);
    await leaves.nth(order.indexOf(2)).click({ force: true });
    await page.waitForSelector('#train-status[data-final-loss]');
    assert.ok(await page.isVisible('#view-playground'), 'the playground is shown');
    const status = (await page.textContent('#train-status'))!;
    assert.match(status, /^Loaded minimum #2 of graph\.json \(2-2-1, not trained here\)/);
    assert.doesNotMatch(status, /differ from the record/);
    const loss = Number(await page.getAttribute('#train-status', 'data-final-loss'));
    assert.equal(formatNumber(loss), formatNumber(graph.nodes[2].loss));
    assert.ok(loss !== graph.nodes[0].loss && loss !== graph.nodes[1].loss, 'not another minimum');
    assert.equal(await page.inputValue('#f-dataset'), 'xor');
    assert.equal(await page.inputValue('#f-hidden-widths'), '2');
    // The loaded point is the playground's: Certify point certifies it (polished first: the fixture's θ is a draw).
    await page.click('#certify');
    await page.waitForFunction(() => document.querySelectorAll('#certificate tr').length >= 6, null, {
      timeout: 60_000,
    });
    assert.ok(await page.getAttribute('#certificate', 'data-verdict'), 'a verdict');
  });

  it('basin serve --landscape opens the record without an upload', async () => {
    const served = await startExplorerServer({
      port: 0,
      host: '127.0.0.1',
      directory: BUILT_EXPLORER,
      landscape: checkServedLandscape(graphFile)!,
    });
    const second = await harness.browser.newPage();
    second.on('pageerror', (error) => errors.push(error.message));
    try {
      await second.goto(`${served.url}#view=minima`);
      await second.waitForSelector('#view-minima[data-served=true]');
      assert.match((await second.textContent('#minima-status'))!, /^graph\.json: graph of 3 minima/);
      assert.equal(await second.locator('#graph-chart .mark-symbol.role-mark path').count(), 3);
    } finally {
      await second.close();
      await served.close();
    }
  });

  it('draws a record that basin landscape graph wrote, and loads one of its minima', async () => {
    // The hand-made fixture pins the drawing; this is the real thing: the CLI's own record, served.
    const file = join(scratch, 'xor-graph.json');
    const run = basin(
      ['landscape', 'graph', '--dataset', 'xor', '--restarts', '12', '--probes', '20', '--out', file],
      scratch,
    );
    assert.equal(run.status, 0, run.stderr);
    const record = JSON.parse(readFileSync(file, 'utf8')) as GraphRecord;
    const served = await startExplorerServer({
      port: 0,
      host: '127.0.0.1',
      directory: BUILT_EXPLORER,
      landscape: checkServedLandscape(file)!,
    });
    const third = await harness.browser.newPage();
    third.on('pageerror', (error) => errors.push(error.message));
    try {
      await third.goto(`${served.url}#view=minima`);
      await third.waitForSelector('#view-minima[data-served=true]');
      const leaves = third.locator('#graph-chart .mark-symbol.role-mark path');
      assert.equal(await leaves.count(), record.nodes.length);
      assert.match((await third.textContent('#saddle-label'))!, /not certified|no saddle|certified/);
      const last = record.nodes.length - 1;
      const order = disconnectivityLayout(record.nodes, record.merges).leaves.map((leaf) => leaf.node);
      await leaves.nth(order.indexOf(last)).click({ force: true });
      await third.waitForSelector('#train-status[data-final-loss]');
      assert.doesNotMatch((await third.textContent('#train-status'))!, /differ from the record/);
      const loss = Number(await third.getAttribute('#train-status', 'data-final-loss'));
      assert.equal(formatNumber(loss), formatNumber(record.nodes[last].loss));
    } finally {
      await third.close();
      await served.close();
    }
  });

  it('raised no uncaught page errors', () => {
    assert.deepEqual(errors, []);
  });
});
