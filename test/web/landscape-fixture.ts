import { toyDataset } from '../../src/data/toy.js';
import type { ConnectionRecord, GraphRecord, PathProfileRecord } from '../../src/landscape/records.js';
import { mlp, parameterCount } from '../../src/model/architecture.js';
import { lossValue } from '../../src/model/gradient.js';
import { initialise } from '../../src/model/init.js';

/*
 * A small hand-made disconnectivity graph on XOR with a 2-2-1 ReLU net: three "minima" (seeded draws, not trained:
 * the explorer only draws and loads them) whose losses are the library's losses at their θ, so a page that loads a
 * node into the playground must show that loss. Edge 0 (0–1) has a certified saddle, edge 1 (1–2) an uncertified one.
 */

const ARCHITECTURE = mlp(2, [2], 1, { kind: 'leaky-relu', slope: 0 }, true);
const DATA = toyDataset('xor');

function thetaFor(seed: number): number[] {
  return Array.from(initialise(ARCHITECTURE, { kind: 'pytorch' }, seed));
}

function lossAt(theta: readonly number[]): number {
  return lossValue(ARCHITECTURE, 'mse', Float64Array.from(theta), DATA);
}

function profile(
  method: PathProfileRecord['method'],
  from: number,
  to: number,
  top: number,
): PathProfileRecord {
  const t = Array.from({ length: 11 }, (_, k) => k / 10);
  // A bump over the straight interpolation of the end losses.
  const loss = t.map((s) => (1 - s) * from + s * to + (top - Math.max(from, to)) * Math.sin(Math.PI * s));
  const maxLoss = Math.max(...loss);
  return { method, t, loss, maxLoss, peakT: t[loss.indexOf(maxLoss)], barrier: maxLoss - Math.max(from, to) };
}

function connection(
  from: number,
  to: number,
  losses: readonly number[],
  bump: number,
  saddleTheta: readonly number[],
  certified: boolean,
): ConnectionRecord {
  const paths = [
    profile('linear', losses[from], losses[to], bump + 0.05),
    profile('neb', losses[from], losses[to], bump),
  ];
  // The top is the lowest path's highest point; the saddle polished from it is taken to lie at the same height.
  const top = Math.min(...paths.map((path) => path.maxLoss));
  return {
    from,
    to,
    fromLoss: losses[from],
    toLoss: losses[to],
    distanceBefore: 3,
    distanceAfter: 2,
    sameMinimum: false,
    paths,
    saddle: {
      certified,
      reason: certified ? 'certified Morse index 1' : 'on a kink: 1 pre-activation within tolerance',
      verdict: certified ? 'saddle' : 'non-differentiable',
      rule: certified ? 'second-order' : 'kink-undecided',
      strength: certified ? 'proved' : 'undecided',
      morseIndex: certified ? 1 : null,
      loss: top,
      relativeGradient: 1e-12,
      tangentOverlap: certified ? 0.97 : null,
      displacement: 0.01,
      theta: [...saddleTheta],
    },
    barrierFromStart: top - losses[from],
    barrierFromEnd: top - losses[to],
    topLoss: top,
  };
}

/** The fixture's record; its nodes' losses are lossValue at their θ. */
export function landscapeGraphFixture(): GraphRecord {
  const thetas = [thetaFor(11), thetaFor(12), thetaFor(13)];
  const losses = thetas.map(lossAt);
  const highest = Math.max(...losses);
  const edges = [
    connection(0, 1, losses, highest + 0.1, thetaFor(21), true),
    connection(1, 2, losses, highest + 0.3, thetaFor(22), false),
  ];
  return {
    kind: 'basin-landscape-graph',
    version: 1,
    problem: {
      dataset: 'xor',
      hidden: [2],
      activation: 'relu',
      loss: 'mse',
      parameters: parameterCount(ARCHITECTURE),
    },
    restarts: 12,
    seed: 1,
    excluded: [],
    pairing: { kind: 'all' },
    seconds: { search: 0, connect: 0 },
    nodes: thetas.map((theta, id) => ({
      id,
      loss: losses[id],
      verdict: 'local-min',
      rule: 'second-order',
      count: [6, 4, 2][id],
      theta,
    })),
    edges,
    merges: [
      { level: edges[0].topLoss, left: [0], right: [1], edge: 0, certified: true },
      { level: edges[1].topLoss, left: [0, 1], right: [2], edge: 1, certified: false },
    ],
  };
}
