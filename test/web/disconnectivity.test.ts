import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disconnectivityLayout } from '../../web/src/disconnectivity.js';

const nodes = [
  { id: 0, loss: 0.5, count: 3 },
  { id: 1, loss: 0.2, count: 5 },
  { id: 2, loss: 0.1, count: 1 },
  { id: 3, loss: 0.4, count: 1 },
];

describe("disconnectivityLayout (the library's graphLayout, styled for the explorer)", () => {
  it('one tree: leaves side by side, lower groups first, a vertical per child up to each join and one horizontal', () => {
    const layout = disconnectivityLayout(nodes.slice(0, 3), [
      { level: 0.6, left: [0], right: [1], edge: 0, certified: true },
      { level: 0.9, left: [0, 1], right: [2], edge: 1, certified: false },
    ]);
    // Node 2 (0.1) is the lowest, so its branch comes first; inside {0, 1}, node 1 (0.2) before node 0.
    assert.deepEqual(
      layout.leaves.map((leaf) => [leaf.node, leaf.x]),
      [
        [2, 0],
        [1, 1],
        [0, 2],
      ],
    );
    // The lines as a set: the library draws them from the top down, the order carries no meaning.
    const key = (s: { x: number; y: number; x2: number; y2: number }): string =>
      [s.x, s.y, s.x2, s.y2].join(' ');
    const sorted = <T extends { x: number; y: number; x2: number; y2: number }>(list: readonly T[]): T[] =>
      [...list].sort((a, b) => key(a).localeCompare(key(b)));
    assert.deepEqual(
      sorted(layout.segments),
      sorted([
        { x: 1, y: 0.2, x2: 1, y2: 0.6, style: 'certified saddle', edge: 0 },
        { x: 2, y: 0.5, x2: 2, y2: 0.6, style: 'certified saddle', edge: 0 },
        { x: 1, y: 0.6, x2: 2, y2: 0.6, style: 'certified saddle', edge: 0 },
        { x: 0, y: 0.1, x2: 0, y2: 0.9, style: 'saddle not certified', edge: 1 },
        { x: 1.5, y: 0.6, x2: 1.5, y2: 0.9, style: 'saddle not certified', edge: 1 },
        { x: 0, y: 0.9, x2: 1.5, y2: 0.9, style: 'saddle not certified', edge: 1 },
      ]),
    );
  });

  it('groups no connection joins each get an open top above the highest level', () => {
    const layout = disconnectivityLayout(nodes, [
      { level: 0.45, left: [3], right: [2], edge: 0, certified: true },
    ]);
    const open = layout.segments.filter((segment) => segment.style === 'no connection found');
    assert.equal(open.length, 3, 'the group {2, 3} and the lone minima 0 and 1');
    assert.ok(layout.top > 0.5);
    assert.ok(open.every((segment) => segment.y2 === layout.top && segment.edge === null));
    assert.deepEqual(
      layout.leaves.map((leaf) => leaf.node),
      [2, 3, 1, 0],
    );
  });
});
