import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mlp } from '../../src/model/architecture.js';
import { inputRegions, kinks1d } from '../../src/landscape/input-regions.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;

describe('activation regions over the input space', () => {
  // Two ReLU units on a 1-D input: relu(2x − 1) has its kink at x = 0.5, relu(−x − 1) at x = −1.
  const net = mlp(1, [2], 1, relu, true);
  const theta = Float64Array.of(2, -1, -1, -1, 1, 1, 0); // W1 = [2, −1], b1 = [−1, −1], W2 = [1, 1], b2 = 0

  it('finds the kinks of a 1-D ReLU net where each unit’s pre-activation is 0', () => {
    const found = kinks1d(net, theta, [-3, 3], 101);
    assert.equal(found.length, 2);
    assert.ok(Math.abs(found[0] - -1) < 1e-11);
    assert.ok(Math.abs(found[1] - 0.5) < 1e-11);
  });

  it('counts three regions and evaluates the network on the grid', () => {
    const map = inputRegions({ architecture: net, theta, xRange: [-3, 3], resolution: 61 });
    assert.equal(map.regionCount, 3);
    assert.equal(map.hasKinks, true);
    assert.equal(map.y.length, 1);
    map.x.forEach((x, i) => {
      const expected = Math.max(2 * x - 1, 0) + Math.max(-x - 1, 0);
      assert.ok(Math.abs(map.output[i] - expected) < 1e-12);
    });
    // Left of −1 only the second unit is on, between the kinks neither, right of 0.5 only the first.
    assert.notEqual(map.region[0], map.region[30]);
    assert.notEqual(map.region[30], map.region[60]);
  });

  it('splits the plane along a unit’s line for 2-D inputs', () => {
    const plane = mlp(2, [1], 1, relu, true);
    const weights = Float64Array.of(1, 1, 0, 1, 0); // relu(x + y)
    const map = inputRegions({
      architecture: plane,
      theta: weights,
      xRange: [-1, 1],
      yRange: [-1, 1],
      resolution: 21,
    });
    assert.equal(map.regionCount, 2);
    for (let j = 0; j < 21; j++) {
      for (let i = 0; i < 21; i++) {
        const on = map.x[i] + map.y[j] > 0;
        assert.equal(map.region[j * 21 + i] === map.region[20 * 21 + 20], on);
      }
    }
  });

  it('reports one smooth region for tanh units', () => {
    const smooth = mlp(1, [3], 1, { kind: 'tanh' }, true);
    const map = inputRegions({
      architecture: smooth,
      theta: new Float64Array(10).fill(0.3),
      xRange: [-1, 1],
    });
    assert.equal(map.hasKinks, false);
    assert.equal(map.regionCount, 1);
  });

  it('rejects inputs of more than two dimensions and empty ranges', () => {
    const wide = mlp(3, [2], 1, relu, true);
    assert.throws(
      () => inputRegions({ architecture: wide, theta: new Float64Array(11), xRange: [0, 1] }),
      /architecture\.inputDim: expected 1 or 2/,
    );
    assert.throws(
      () => inputRegions({ architecture: net, theta, xRange: [1, 1] }),
      /xRange: expected min < max/,
    );
    const plane = mlp(2, [1], 1, relu, true);
    assert.throws(
      () => inputRegions({ architecture: plane, theta: new Float64Array(5), xRange: [0, 1] }),
      /yRange: expected \[min, max\]/,
    );
  });
});
