import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { mlp } from '../../src/model/architecture.js';
import { lossValue } from '../../src/model/gradient.js';
import { initialise } from '../../src/model/init.js';
import { makeSamples } from '../../src/model/samples.js';
import { sliceDirections } from '../../src/landscape/directions.js';
import { lossAlongSegment } from '../../src/landscape/segment.js';
import { lossSlice } from '../../src/landscape/slice.js';

// A linear model (no hidden layer) y = x·w + b: its MSE is a quadratic in θ, so every value has a closed form that
// the test computes with its own loops.
const linear = mlp(2, [], 1, { kind: 'linear' }, true);
const rng = new Rng(4);
const x = rng.fillGaussian(new Float64Array(20 * 2));
const y = rng.fillGaussian(new Float64Array(20));
const samples = makeSamples(x, y, 2);

function closedFormMse(theta: ArrayLike<number>): number {
  let sum = 0;
  for (let n = 0; n < 20; n++) {
    const e = x[2 * n] * theta[0] + x[2 * n + 1] * theta[1] + theta[2] - y[n];
    sum += e * e;
  }
  return sum / 20;
}

describe('loss along a segment', () => {
  const from = Float64Array.of(1, -2, 0.5);
  const to = Float64Array.of(-0.5, 0.3, -1);

  it('matches the closed-form quadratic at every grid point, past both ends too', () => {
    const profile = lossAlongSegment({
      architecture: linear,
      loss: 'mse',
      samples,
      from,
      to,
      intervals: 8,
      extend: 0.25,
    });
    assert.equal(profile.t.length, 8 + 1 + 2 * 2);
    assert.equal(profile.t[0], -0.25);
    assert.equal(profile.t[profile.t.length - 1], 1.25);
    profile.t.forEach((t, k) => {
      const theta = from.map((a, p) => (1 - t) * a + t * to[p]);
      const expected = closedFormMse(theta);
      assert.ok(Math.abs(profile.loss[k] - expected) <= 1e-12 * expected, `t = ${t}`);
    });
  });

  it('evaluates the end points exactly and finds no barrier on a convex loss', () => {
    const profile = lossAlongSegment({ architecture: linear, loss: 'mse', samples, from, to });
    assert.equal(profile.endpoints[0], lossValue(linear, 'mse', from, samples));
    assert.equal(profile.endpoints[1], lossValue(linear, 'mse', to, samples));
    assert.ok(profile.barrier <= 0);
  });

  it('finds the barrier between the two minima of a ReLU unit’s sign symmetry', () => {
    // y = |x| = relu(x) + relu(−x) is fitted exactly by two ReLU units; swapping the units is another exact fit,
    // and halfway between them both input weights are 0.
    const net = mlp(1, [2], 1, { kind: 'leaky-relu', slope: 0 }, false);
    const xs = Float64Array.of(-2, -1, 1, 2);
    const data = makeSamples(xs, xs.map(Math.abs), 1);
    const a = Float64Array.of(1, -1, 1, 1); // units relu(x), relu(−x): exact fit
    const b = Float64Array.of(-1, 1, 1, 1); // the same units swapped: also an exact fit
    const profile = lossAlongSegment({
      architecture: net,
      loss: 'mse',
      samples: data,
      from: a,
      to: b,
      intervals: 10,
    });
    assert.deepEqual(profile.endpoints, [0, 0]);
    // At t = ½ both units have weight 0 and the output is 0: L = mean(|x|²) = (4 + 1 + 1 + 4)/4.
    assert.equal(profile.loss[5], 2.5);
    assert.equal(profile.barrier, 2.5);
  });

  it('rejects points of the wrong size and bad grids, naming the argument', () => {
    const args = { architecture: linear, loss: 'mse' as const, samples, from, to };
    assert.throws(() => lossAlongSegment({ ...args, to: new Float64Array(2) }), /to: expected 3 parameters/);
    assert.throws(() => lossAlongSegment({ ...args, from: Float64Array.of(NaN, 0, 0) }), /from\[0\]/);
    assert.throws(() => lossAlongSegment({ ...args, intervals: 0 }), /intervals: expected an integer/);
    assert.throws(() => lossAlongSegment({ ...args, extend: -1 }), /extend: expected a finite number/);
  });
});

describe('2-D loss slice', () => {
  const centre = Float64Array.of(0.2, -0.1, 0.3);
  const directions = [Float64Array.of(1, 0, 0.5), Float64Array.of(0, 1, -0.5)] as const;

  it('matches the closed form on the grid, row by β', () => {
    const slice = lossSlice({
      architecture: linear,
      loss: 'mse',
      samples,
      centre,
      directions,
      span: 2,
      resolution: 5,
    });
    assert.deepEqual(Array.from(slice.alpha), [-2, -1, 0, 1, 2]);
    for (let j = 0; j < 5; j++) {
      for (let i = 0; i < 5; i++) {
        const theta = centre.map(
          (c, p) => c + slice.alpha[i] * directions[0][p] + slice.beta[j] * directions[1][p],
        );
        const expected = closedFormMse(theta);
        assert.ok(Math.abs(slice.loss[j * 5 + i] - expected) <= 1e-12 * expected);
      }
    }
    assert.equal(slice.min, Math.min(...slice.loss));
    assert.equal(slice.max, Math.max(...slice.loss));
  });

  it('has the centre’s loss in the middle of an odd grid', () => {
    const net = mlp(2, [4], 1, { kind: 'leaky-relu', slope: 0 }, true);
    const theta = initialise(net, { kind: 'pytorch' }, 2) as Float64Array;
    const dirs = sliceDirections({ architecture: net, centre: theta, rng: new Rng(8) });
    const slice = lossSlice({
      architecture: net,
      loss: 'sse',
      samples,
      centre: theta,
      directions: dirs,
      resolution: 7,
    });
    assert.equal(slice.loss[3 * 7 + 3], lossValue(net, 'sse', theta, samples));
  });

  it('rejects a non-positive span and a one-point grid', () => {
    const args = { architecture: linear, loss: 'mse' as const, samples, centre, directions };
    assert.throws(() => lossSlice({ ...args, span: 0 }), /span: expected a finite number/);
    assert.throws(
      () => lossSlice({ ...args, resolution: 1 }),
      /resolution: expected an integer in \[2, 1001\]/,
    );
    assert.throws(
      () => lossSlice({ ...args, directions: [directions[0], new Float64Array(1)] }),
      /directions\[1\]: expected 3 parameters/,
    );
  });
});
