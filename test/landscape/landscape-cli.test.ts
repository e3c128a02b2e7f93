import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseLandscapeRecord } from '../../src/landscape/record-file.js';
import { edgeCertified, mergeTree } from '../../src/landscape/graph.js';
import type { GraphRecord, PathRecord } from '../../src/landscape/records.js';
import { assertOneLineError, basin, cliSkip, temporaryDirectory } from '../cli/helpers.js';

test('basin landscape graph writes a valid graph record and its figure', { skip: cliSkip }, () => {
  const directory = temporaryDirectory('landscape-graph');
  const out = join(directory, 'graph.json');
  const figure = join(directory, 'graph.svg');
  const args = ['landscape', 'graph', '--dataset', 'xor', '--restarts', '12', '--probes', '20'];
  const result = basin([...args, '--json', '--out', out, '--figure', figure], directory);
  assert.equal(result.status, 0, result.stderr);
  const printed = JSON.parse(result.stdout) as GraphRecord;
  const record = parseLandscapeRecord(readFileSync(out, 'utf8'), out) as GraphRecord;
  assert.deepEqual(printed, record);
  assert.equal(record.kind, 'basin-landscape-graph');
  assert.equal(record.restarts, 12);
  assert.ok(record.nodes.length >= 2, `${record.nodes.length} minima`);
  assert.ok(record.nodes.every((n) => n.verdict === 'global' || n.verdict === 'local-min'));
  const counted = [...record.nodes, ...record.excluded].reduce((sum, n) => sum + n.count, 0);
  assert.equal(counted, 12, 'every restart is a node’s or an excluded point’s');
  assert.equal(record.edges.length, (record.nodes.length * (record.nodes.length - 1)) / 2);
  for (const edge of record.edges) {
    assert.ok(edgeCertified(edge) || edge.saddle === null || edge.saddle.reason.length > 0);
  }
  assert.deepEqual(record.merges, mergeTree(record.nodes, record.edges));
  assert.match(readFileSync(figure, 'utf8'), /^<svg/);
  // basin report shows the record, and a region-volume record beside it, without a result store.
  const volume = join(directory, 'volume.json');
  const volumeRun = basin(
    ['landscape', 'volume', '--sizes', '4:2:2', '--draws', '40', '--out', volume],
    directory,
  );
  assert.equal(volumeRun.status, 0, volumeRun.stderr);
  const report = basin(
    ['report', '--landscape', `${out},${volume}`, '--out', join(directory, 'report')],
    directory,
  );
  assert.equal(report.status, 0, report.stderr);
  const html = readFileSync(join(directory, 'report', 'report.html'), 'utf8');
  assert.match(html, /Disconnectivity graph: xor/);
  assert.match(html, /Region volumes/);
  // A volume record with a field of the wrong type is one line naming the file and the field.
  const broken = join(directory, 'broken-volume.json');
  const parsed = JSON.parse(readFileSync(volume, 'utf8')) as { sizes: { draws: unknown }[] };
  parsed.sizes[0].draws = 'many';
  writeFileSync(broken, JSON.stringify(parsed));
  assertOneLineError(
    ['report', '--landscape', broken, '--out', join(directory, 'report2')],
    directory,
    /broken-volume\.json.*sizes\[0\]\.draws: expected an integer/,
  );
  assertOneLineError(['report'], directory, /<store>: expected a result store, or --landscape/);
  // The human-readable form lists the minima and the edges.
  const text = basin([...args, '--max-pairs', '0', '--nearest', '1'], directory);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /Minima \(nodes\)/);
  assert.match(text.stdout, /each minimum connected to its 1 nearest/);
});

test('basin landscape path connects two minima of a search', { skip: cliSkip }, () => {
  const directory = temporaryDirectory('landscape-path');
  const figure = join(directory, 'path.png');
  const args = ['landscape', 'path', '--dataset', 'xor', '--restarts', '12', '--probes', '20'];
  const result = basin(
    [...args, '--from', 'search:0', '--to', 'search:1', '--json', '--figure', figure],
    directory,
  );
  assert.equal(result.status, 0, result.stderr);
  const record = JSON.parse(result.stdout) as PathRecord;
  assert.equal(record.kind, 'basin-landscape-path');
  assert.equal(record.problem.dataset, 'xor');
  assert.deepEqual(
    [record.connection.from, record.connection.to],
    [0, 1],
    'a lone path names its ends 0 and 1',
  );
  assert.ok(record.connection.paths.some((p) => p.method === 'linear'));
  assert.deepEqual(
    [...readFileSync(figure).subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''),
    'PNG',
  );
  assertOneLineError(
    [...args, '--from', 'search:0', '--to', 'search:99'],
    directory,
    /--to: expected search:0 … search:\d+/,
  );
});

test('bad landscape flags give one-line errors naming the flag', { skip: cliSkip }, () => {
  const directory = temporaryDirectory('landscape-flags');
  const graph = ['landscape', 'graph', '--dataset', 'xor', '--restarts', '2'];
  assertOneLineError(
    [...graph, '--figure', 'graph.txt'],
    directory,
    /--figure: expected a file name ending in \.svg or \.png/,
  );
  assertOneLineError([...graph, '--max-pairs', '-1'], directory, /--max-pairs/);
  assertOneLineError([...graph, '--nearest', '0'], directory, /--nearest/);
  assertOneLineError(['landscape', 'graph', '--dataset', 'nope'], directory, /--dataset/);
  const path = ['landscape', 'path', '--dataset', 'xor', '--restarts', '2'];
  assertOneLineError(
    [...path, '--from', 'search:x', '--to', 'search:0'],
    directory,
    /--from: expected search:K/,
  );
  assertOneLineError([...path, '--from', 'missing.json', '--to', 'search:0'], directory, /missing\.json/);
});
