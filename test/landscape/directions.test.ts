import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { mlp } from '../../src/model/architecture.js';
import { initialise } from '../../src/model/init.js';
import { filterIndices, filterNormalise, sliceDirections } from '../../src/landscape/directions.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;
const net = mlp(3, [5, 4], 2, relu, true);
const centre = initialise(net, { kind: 'pytorch' }, 11) as Float64Array;

function norm(values: ArrayLike<number>, indices: Int32Array): number {
  let sum = 0;
  for (const p of indices) sum += values[p] * values[p];
  return Math.sqrt(sum);
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

describe('filter indices', () => {
  it('has one filter per unit and covers every parameter exactly once when biases join the filters', () => {
    const filters = filterIndices(net, 'with-filter');
    assert.equal(filters.length, 5 + 4 + 2);
    const seen = new Int32Array(centre.length);
    for (const filter of filters) for (const p of filter) seen[p]++;
    assert.ok(seen.every((count) => count === 1));
  });

  it('leaves the biases out under `zero`', () => {
    const covered = filterIndices(net, 'zero').reduce((sum, f) => sum + f.length, 0);
    assert.equal(covered, 3 * 5 + 5 * 4 + 4 * 2);
  });
});

describe('slice directions', () => {
  it('are filter-normalised and exactly orthogonal', () => {
    const [d1, d2] = sliceDirections({ architecture: net, centre, rng: new Rng(3) });
    for (const filter of filterIndices(net, 'with-filter')) {
      const target = norm(centre, filter);
      assert.ok(Math.abs(norm(d1, filter) - target) <= 1e-12 * target, 'first direction filter norm');
      assert.ok(Math.abs(norm(d2, filter) - target) <= 1e-12 * target, 'second direction filter norm');
    }
    assert.ok(Math.abs(dot(d1, d2)) <= 1e-12 * Math.sqrt(dot(d1, d1) * dot(d2, d2)));
  });

  it('do not move biases under `zero`', () => {
    const zeroNet = mlp(2, [3], 1, relu, true);
    const theta = initialise(zeroNet, { kind: 'pytorch' }, 5);
    const [d1, d2] = sliceDirections({ architecture: zeroNet, centre: theta, rng: new Rng(1), bias: 'zero' });
    // θ layout: W1 (3×2) at 0..5, b1 at 6..8, W2 (1×3) at 9..11, b2 at 12.
    for (const p of [6, 7, 8, 12]) {
      assert.equal(d1[p], 0);
      assert.equal(d2[p], 0);
    }
    assert.ok(d1.some((value) => value !== 0));
  });

  it('are the same for the same seed and differ for another', () => {
    const a = sliceDirections({ architecture: net, centre, rng: new Rng(9) });
    const b = sliceDirections({ architecture: net, centre, rng: new Rng(9) });
    const c = sliceDirections({ architecture: net, centre, rng: new Rng(10) });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a[0], c[0]);
  });

  it('reject a centre of the wrong size or with NaN, naming it', () => {
    assert.throws(
      () => sliceDirections({ architecture: net, centre: new Float64Array(3), rng: new Rng(1) }),
      /centre: expected \d+ parameters for this architecture, got 3/,
    );
    const bad = centre.slice();
    bad[4] = NaN;
    assert.throws(() => sliceDirections({ architecture: net, centre: bad, rng: new Rng(1) }), /centre\[4\]/);
  });
});

describe('filter normalisation of a given direction', () => {
  it('keeps each filter’s direction and takes the norm of the centre’s filter', () => {
    const direction = new Float64Array(centre.length).map((_, i) => Math.sin(i + 1));
    const normalised = filterNormalise(net, direction, centre);
    for (const filter of filterIndices(net, 'with-filter')) {
      const target = norm(centre, filter);
      assert.ok(Math.abs(norm(normalised, filter) - target) <= 1e-12 * target);
      const ratio = normalised[filter[0]] / direction[filter[0]];
      for (const p of filter) assert.ok(Math.abs(normalised[p] - ratio * direction[p]) <= 1e-12);
    }
  });

  it('rejects a direction of the wrong length', () => {
    assert.throws(() => filterNormalise(net, new Float64Array(2), centre), /direction: expected/);
  });
});
