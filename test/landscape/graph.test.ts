import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  edgeCertified,
  type GraphEdge,
  graphLayout,
  mergeComponents,
  mergeTree,
} from '../../src/landscape/graph.js';
import type { SaddleRecord } from '../../src/landscape/records.js';
import { choosePairs } from '../../src/landscape/graph-run.js';
import { mlp } from '../../src/model/architecture.js';

const saddle = (certified: boolean, loss: number): SaddleRecord => ({
  certified,
  reason: certified ? 'Morse index 1' : 'on a kink',
  verdict: certified ? 'saddle' : 'non-differentiable',
  rule: 'second-order',
  strength: certified ? 'proved' : 'undecided',
  morseIndex: certified ? 1 : null,
  loss,
  relativeGradient: 0,
  tangentOverlap: null,
  displacement: 0,
  theta: [],
});

const losses: Record<number, number> = { 0: 0, 1: 1, 2: 2, 3: 3, 4: 0.5 };

function edge(from: number, to: number, top: number, certified = true, sameMinimum = false): GraphEdge {
  return {
    from,
    to,
    fromLoss: losses[from],
    toLoss: losses[to],
    sameMinimum,
    saddle: sameMinimum ? null : saddle(certified, top),
    topLoss: top,
  };
}

const nodes = (...ids: number[]) => ids.map((id) => ({ id, loss: losses[id] }));

test('mergeTree joins minima in order of the edges’ tops and skips edges inside a group', () => {
  // 0–1 over 5, 1–2 over 4, 0–2 over 6 (redundant), 2–3 over 7.
  const edges = [edge(0, 1, 5), edge(1, 2, 4), edge(0, 2, 6), edge(2, 3, 7)];
  const merges = mergeTree(nodes(0, 1, 2, 3), edges);
  assert.deepEqual(
    merges.map((m) => [m.level, m.left, m.right, m.edge]),
    [
      [4, [1], [2], 1],
      [5, [0], [1, 2], 0],
      [7, [0, 1, 2], [3], 3],
    ],
  );
  assert.deepEqual(mergeComponents(nodes(0, 1, 2, 3), merges), [[0, 1, 2, 3]]);
});

test('mergeTree breaks ties by certification, then by edge index', () => {
  const tied = [edge(0, 1, 5, false), edge(1, 2, 5, true), edge(0, 2, 5, true)];
  const merges = mergeTree(nodes(0, 1, 2), tied);
  // Edge 1 (certified, lower index than 2) first, then edge 2 joins 0; the uncertified edge 0 is redundant.
  assert.deepEqual(
    merges.map((m) => [m.edge, m.certified]),
    [
      [1, true],
      [2, true],
    ],
  );
  // With every edge uncertified, the lowest index wins.
  const uncertified = [edge(0, 1, 5, false), edge(1, 2, 5, false), edge(0, 2, 5, false)];
  assert.deepEqual(
    mergeTree(nodes(0, 1, 2), uncertified).map((m) => m.edge),
    [0, 1],
  );
});

test('an uncertified edge still joins (its top bounds the barrier) and is marked so', () => {
  const merges = mergeTree(nodes(0, 1), [edge(0, 1, 3, false)]);
  assert.equal(merges.length, 1);
  assert.equal(merges[0].certified, false);
  const layout = graphLayout(nodes(0, 1), merges);
  const join = layout.segments.find((s) => s.kind === 'join')!;
  assert.equal(join.certified, false);
  assert.equal(join.y1, 3);
  // The stems rising to that join belong to the same connection: dashed like it, and they name its edge.
  const stems = layout.segments.filter((s) => s.kind === 'stem');
  assert.equal(stems.length, 2);
  assert.ok(
    stems.every((s) => !s.certified && s.edge === 0 && s.y2 === 3),
    JSON.stringify(stems),
  );
  assert.ok(layout.segments.filter((s) => s.kind === 'open').every((s) => s.certified && s.edge === null));
});

test('a pair that is one minimum merges at its loss, certified, whatever its path’s top', () => {
  const same = edge(0, 4, 9, false, true);
  assert.equal(edgeCertified(same), true);
  const merges = mergeTree(nodes(0, 4), [same]);
  assert.equal(merges[0].level, 0.5);
  assert.equal(merges[0].certified, true);
});

test('disconnected groups stay apart; failed connections and self-loops are skipped', () => {
  const edges = [edge(0, 1, 5), edge(2, 3, 6), edge(1, 2, Number.NaN), edge(3, 3, 4)];
  const merges = mergeTree(nodes(0, 1, 2, 3), edges);
  assert.deepEqual(
    merges.map((m) => m.edge),
    [0, 1],
  );
  assert.deepEqual(mergeComponents(nodes(0, 1, 2, 3), merges), [
    [0, 1],
    [2, 3],
  ]);
  const layout = graphLayout(nodes(0, 1, 2, 3), merges);
  assert.equal(layout.components.length, 2);
  const open = layout.segments.filter((s) => s.kind === 'open');
  assert.equal(open.length, 2);
  assert.ok(open.every((s) => s.y2 === layout.top && layout.top > 6));
});

test('graphLayout puts the lower branch left, so branches do not cross, and stems reach their merge', () => {
  // Tree: (1, 2) at 4, then 0 at 5, then 3 at 7. With the lower minimum left at each merge: 0 | (1 | 2) | 3.
  const all = nodes(0, 1, 2, 3);
  const merges = mergeTree(all, [edge(0, 1, 5), edge(1, 2, 4), edge(2, 3, 7)]);
  const layout = graphLayout(all, merges);
  assert.deepEqual(
    layout.leaves.map((l) => [l.id, l.x]),
    [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ],
  );
  const stem = (x: number) =>
    layout.segments.find((s) => s.kind === 'stem' && s.x1 === x && s.y1 === losses[x]);
  assert.deepEqual([stem(1)!.y2, stem(2)!.y2, stem(0)!.y2, stem(3)!.y2], [4, 4, 5, 7]);
  // Every join lies between the stems that meet it, and no stem crosses a join at a level it passes through.
  const joins = layout.segments.filter((s) => s.kind === 'join');
  assert.equal(joins.length, 3);
  for (const join of joins) {
    for (const s of layout.segments.filter((v) => v.kind !== 'join')) {
      const inside = s.x1 > Math.min(join.x1, join.x2) && s.x1 < Math.max(join.x1, join.x2);
      assert.ok(
        !(inside && s.y1 < join.y1 && s.y2 > join.y1),
        `stem at x=${s.x1} crosses join at ${join.y1}`,
      );
    }
  }
  // Reversed input order gives the same drawing.
  const reversed = graphLayout([...all].reverse(), merges);
  assert.deepEqual(reversed.segments, layout.segments);
});

test('mergeTree refuses edges to unknown nodes and duplicate ids', () => {
  assert.throws(() => mergeTree(nodes(0, 1), [edge(0, 2, 3)]), /edges\[0\]/);
  assert.throws(() => mergeTree([...nodes(0), ...nodes(0)], []), /nodes\[1\]\.id/);
});

test('choosePairs connects every pair up to the cap, and above it each minimum to its nearest', () => {
  // One ReLU unit, no biases: θ = (w, v); with w = 1 the aligned distance is |v − v'|.
  const net = mlp(1, [1], 1, { kind: 'leaky-relu', slope: 0 }, false);
  const minima = [0, 1, 10, 11].map((v, id) => ({
    id,
    loss: 0,
    verdict: 'local-min' as const,
    rule: 'convex-pieces',
    count: 1,
    theta: [1, v],
  }));
  assert.deepEqual(choosePairs(net, minima, 6, 1), {
    pairs: [
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 2],
      [1, 3],
      [2, 3],
    ],
    pairing: { kind: 'all' },
  });
  assert.deepEqual(choosePairs(net, minima, 5, 1), {
    pairs: [
      [0, 1],
      [2, 3],
    ],
    pairing: { kind: 'nearest', k: 1, maxPairs: 5 },
  });
  // k = 2: 0 → 1, 2; 1 → 0, 2; 2 → 3, 1; 3 → 2, 1 (the union, each pair once).
  assert.deepEqual(choosePairs(net, minima, 5, 2).pairs, [
    [0, 1],
    [0, 2],
    [1, 2],
    [1, 3],
    [2, 3],
  ]);
});
