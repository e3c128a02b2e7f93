import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mergeTree } from '../../src/landscape/graph.js';
import type { ConnectionRecord, GraphRecord, PathRecord } from '../../src/landscape/records.js';
import {
  describeSaddle,
  graphFigure,
  graphSection,
  landscapeSection,
  pathFigure,
} from '../../src/report/landscape-section.js';
import { renderSvg } from '../../src/report/render.js';
import { writeReport } from '../../src/report/write-report.js';

const problem = { dataset: 'toy', hidden: [2], activation: 'relu', loss: 'mse', parameters: 9 };

function connection(
  from: number,
  to: number,
  fromLoss: number,
  toLoss: number,
  top: number,
  certified: boolean,
): ConnectionRecord {
  const t = [0, 0.25, 0.5, 0.75, 1];
  const bump = (h: number) => t.map((x) => fromLoss + (toLoss - fromLoss) * x + h * 4 * x * (1 - x));
  return {
    from,
    to,
    fromLoss,
    toLoss,
    distanceBefore: 3,
    distanceAfter: 2,
    sameMinimum: false,
    paths: [
      { method: 'linear', t, loss: bump(2 * top), maxLoss: 2 * top, peakT: 0.5, barrier: 2 * top - toLoss },
      {
        method: 'neb',
        t,
        loss: bump(top),
        maxLoss: top,
        peakT: 0.5,
        barrier: top - Math.max(fromLoss, toLoss),
      },
    ],
    saddle: {
      certified,
      reason: certified ? 'Morse index 1' : 'the top sits on a kink the rules do not decide',
      verdict: certified ? 'saddle' : 'non-differentiable',
      rule: certified ? 'second-order' : 'kink-undecided',
      strength: certified ? 'proved' : 'undecided',
      morseIndex: certified ? 1 : null,
      loss: top,
      relativeGradient: 1e-12,
      tangentOverlap: certified ? 0.98 : null,
      displacement: 0.01,
      theta: [],
    },
    barrierFromStart: top - fromLoss,
    barrierFromEnd: top - toLoss,
    topLoss: top,
  };
}

function graph(): GraphRecord {
  const nodes = [0, 0.5, 1].map((loss, id) => ({
    id,
    loss,
    verdict: id === 0 ? ('global' as const) : ('local-min' as const),
    rule: 'convex-pieces',
    count: 10 * (id + 1),
    theta: [],
  }));
  const edges = [connection(0, 1, 0, 0.5, 2, true), connection(1, 2, 0.5, 1, 3, false)];
  return {
    kind: 'basin-landscape-graph',
    version: 1,
    problem,
    restarts: 70,
    seed: 1,
    nodes,
    excluded: [{ loss: 0.7, verdict: 'degenerate', rule: 'second-order', count: 10 }],
    pairing: { kind: 'all' },
    seconds: { search: 1, connect: 2 },
    edges,
    merges: mergeTree(nodes, edges),
  };
}

test('the graph section counts nodes, edges and uncertified joins, and draws the tree with dashed joins', async () => {
  const record = graph();
  const section = graphSection(record);
  assert.match(section.text[0], /3 distinct certified minima and 10 runs elsewhere/);
  assert.match(section.text[0], /1 with a certified saddle or the same minimum, 1 not certified/);
  const edges = section.tables[1];
  assert.deepEqual(
    edges.rows.map((r) => r.at(-1)),
    ['certified: Morse index 1 saddle at 2', 'not certified: non-differentiable [kink-undecided, undecided]'],
  );
  assert.deepEqual(section.tables[3].rows, [
    ['1', '2', '3', 'the top sits on a kink the rules do not decide'],
  ]);
  assert.equal(section.tables.length, 5, 'nodes, edges, merges, reasons, excluded');
  const svg = await renderSvg(graphFigure(record));
  assert.match(svg, /label: #2&#xA;1&#xA;30 restarts/, 'leaf 2 is labelled with its id, loss and restarts');
  assert.match(svg, /stroke-dasharray="6,4"/, 'the uncertified join is dashed');
});

test('one minimum far above the merges turns the tree’s y axis symmetric-log, with 1-2-5 ticks', () => {
  const record = graph();
  assert.doesNotMatch(JSON.stringify(graphFigure(record).spec), /symlog/);
  const high = { ...record.nodes[2], id: 3, loss: 50 };
  const edges = [...record.edges, connection(2, 3, 1, 50, 50, false)];
  const nodes = [...record.nodes, high];
  const spec = JSON.stringify(graphFigure({ ...record, nodes, edges, merges: mergeTree(nodes, edges) }).spec);
  assert.match(spec, /"type":"symlog"/);
  assert.match(spec, /symmetric log scale/);
  assert.match(spec, /"values":\[0,0\.2,0\.5,1,2,5,10,20,50\]/);
});

test('the path figure marks the saddle with its loss and certification', async () => {
  const record: PathRecord = {
    kind: 'basin-landscape-path',
    version: 1,
    problem,
    connection: connection(0, 1, 0, 0.5, 2, true),
  };
  assert.equal(describeSaddle(record.connection), 'certified: Morse index 1 saddle at 2');
  // A top certified by the kink-saddle rule is index 1 in the non-smooth sense, and the phrase says so.
  const onKink = {
    ...record.connection,
    saddle: { ...record.connection.saddle!, rule: 'kink-saddle' as const },
  };
  assert.equal(describeSaddle(onKink), 'certified: index 1 saddle on a kink at 2');
  const svg = await renderSvg(pathFigure(record));
  assert.match(svg, /saddle 2 \(certified\)/);
  assert.equal(landscapeSection(record).title, 'Path between two minima: toy');
});

test('a report of standalone sections needs no result store', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'basin-landscape-report-'));
  const written = await writeReport(undefined, directory, {
    sections: [graphSection(graph()), graphSection(graph())],
  });
  const html = readFileSync(written.html, 'utf8');
  assert.match(html, /Disconnectivity graph: toy/);
  assert.doesNotMatch(html, /result store/);
  assert.equal((html.match(/<svg/g) ?? []).length, 2);
  // Two records of one problem: the second figure gets its own file instead of overwriting the first.
  assert.deepEqual(
    written.figures.filter((f) => f.endsWith('.svg')).map((f) => f.slice(directory.length + 9)),
    ['landscape-graph-toy.svg', 'landscape-graph-toy-2.svg'],
  );
});
