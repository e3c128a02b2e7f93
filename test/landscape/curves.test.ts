import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { curvePoint, curveTangent, type PathCurve } from '../../src/landscape/curve-point.js';
import { curveObjective, curveProfile, trainCurve } from '../../src/landscape/curves.js';
import { lossAlongSegment } from '../../src/landscape/segment.js';
import { mlp } from '../../src/model/architecture.js';
import { lossValue } from '../../src/model/gradient.js';
import { initialise } from '../../src/model/init.js';
import { makeSamples } from '../../src/model/samples.js';

// A smooth net (tanh) so that finite differences see no kinks; random data, so nothing is special about the point.
const net = mlp(3, [4], 1, { kind: 'tanh' }, true);
const rng = new Rng(7);
const samples = makeSamples(
  rng.fillGaussian(new Float64Array(10 * 3)),
  rng.fillGaussian(new Float64Array(10)),
  3,
);
const from = Float64Array.from(initialise(net, { kind: 'pytorch' }, 1));
const to = Float64Array.from(initialise(net, { kind: 'pytorch' }, 2));
const free = Float64Array.from(rng.fillGaussian(new Float64Array(from.length)));
const problem = { architecture: net, loss: 'mse' as const, samples, from, to };

const curves: PathCurve[] = [
  { kind: 'linear' },
  { kind: 'bezier', control: free },
  { kind: 'polychain', bend: free },
];

/** Relative difference scaled by the larger norm: finite differences of smooth functions agree to about 1e-8. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    difference = Math.max(difference, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]), Math.abs(b[i]));
  }
  return difference / scale;
}

describe('curve points', () => {
  it('start at θ_A and end at θ_B bit for bit, and the chain passes through its bend at t = ½', () => {
    for (const curve of curves) {
      assert.deepEqual(curvePoint(curve, from, to, 0), from, curve.kind);
      assert.deepEqual(curvePoint(curve, from, to, 1), to, curve.kind);
    }
    assert.deepEqual(curvePoint(curves[2], from, to, 0.5), free);
  });

  it('have tangents equal to central differences of the points', () => {
    const h = 1e-6;
    for (const curve of curves) {
      // 0.3 and 0.8 lie on the two legs of the chain.
      for (const t of [0.3, 0.8]) {
        const plus = curvePoint(curve, from, to, t + h);
        const minus = curvePoint(curve, from, to, t - h);
        const difference = plus.map((value, p) => (value - minus[p]) / (2 * h));
        const error = relativeError(curveTangent(curve, from, to, t), difference);
        assert.ok(error < 1e-8, `${curve.kind} at t = ${t}: ${error}`);
      }
    }
  });

  it('make a Bézier through the midpoint the straight line, with the same profile as lossAlongSegment', () => {
    const midpoint = from.map((a, p) => (a + to[p]) / 2);
    const bezier = curveProfile({ ...problem, curve: { kind: 'bezier', control: midpoint }, points: 11 });
    const line = curveProfile({ ...problem, curve: { kind: 'linear' }, points: 11 });
    const segment = lossAlongSegment({ ...problem, intervals: 10 });
    // The line and the segment are one computation: equal bit for bit.
    assert.deepEqual(line.loss, segment.loss);
    assert.deepEqual(line.t, segment.t);
    assert.ok(relativeError(bezier.loss, line.loss) < 1e-14, 'Bézier through the midpoint is the line');
    assert.ok(Math.abs(bezier.maxLoss - line.maxLoss) <= 1e-14 * line.maxLoss);
    assert.equal(line.maxLoss, lossValue(net, 'mse', line.peakTheta, samples));
  });
});

describe('curve objective', () => {
  it('has the gradient of finite differences with respect to the free point', () => {
    const t = [0.1, 0.45, 0.5, 0.77];
    const h = 1e-6;
    for (const curve of curves.slice(1) as Exclude<PathCurve, { kind: 'linear' }>[]) {
      const point = curve.kind === 'bezier' ? curve.control : curve.bend;
      const { gradient } = curveObjective(problem, curve, t);
      const difference = point.map((_, p) => {
        const moved = (delta: number): number => {
          const shifted = point.slice();
          shifted[p] += delta;
          const at: PathCurve =
            curve.kind === 'bezier'
              ? { kind: 'bezier', control: shifted }
              : { kind: 'polychain', bend: shifted };
          return curveObjective(problem, at, t).objective;
        };
        return (moved(h) - moved(-h)) / (2 * h);
      });
      const error = relativeError(gradient, difference);
      assert.ok(error < 1e-7, `${curve.kind}: ${error}`);
    }
  });

  it('rejects bad curves, grids and options, naming the field', () => {
    const args = { ...problem, kind: 'bezier' as const, seed: 1 };
    assert.throws(() => curveObjective(problem, { kind: 'linear' }, [0.5]), /curve\.kind: expected bezier/);
    assert.throws(
      () => curveProfile({ ...problem, curve: { kind: 'bezier', control: new Float64Array(2) } }),
      /curve\.control: expected 21 parameters/,
    );
    assert.throws(
      () => curveProfile({ ...problem, curve: { kind: 'spline' } as unknown as PathCurve }),
      /curve\.kind: expected linear, bezier, polychain/,
    );
    assert.throws(
      () => curveProfile({ ...problem, curve: { kind: 'linear' }, points: 1 }),
      /points: expected/,
    );
    assert.throws(
      () => trainCurve({ ...args, kind: 'line' as 'bezier' }),
      /kind: expected bezier or polychain/,
    );
    assert.throws(() => trainCurve({ ...args, steps: -1 }), /steps: expected an integer/);
    assert.throws(
      () => trainCurve({ ...args, learningRate: 0 }),
      /Error: learningRate: expected a finite number/,
    );
    assert.throws(
      () => trainCurve({ ...args, schedule: { kind: 'constant', learningRate: 0.1 }, learningRate: 0.1 }),
      /learningRate: expected no value when schedule is given/,
    );
    assert.throws(() => trainCurve({ ...args, samplesPerStep: 0 }), /samplesPerStep: expected/);
    assert.throws(
      () => trainCurve({ ...args, start: Float64Array.of(NaN) }),
      /start: expected 21 parameters/,
    );
    assert.throws(() => trainCurve({ ...args, to: Float64Array.of(1) }), /to: expected 21 parameters/);
  });
});

// y = w2·w1·x on one sample x = 1, y = 1: L = (w1·w2 − 1)², zero on the hyperbola w1·w2 = 1, whose two branches are
// separated by the saddle at 0 (L = 1 wherever w1·w2 = 0).
const product = mlp(1, [1], 1, { kind: 'linear' }, false);
const one = makeSamples([1], [1], 1);
const hyperbola = { architecture: product, loss: 'mse' as const, samples: one };

describe('trained curves on L = (w1·w2 − 1)²', () => {
  it('lower the barrier between two points of one branch below the straight line’s', () => {
    const ends = { ...hyperbola, from: Float64Array.of(2, 0.5), to: Float64Array.of(0.5, 2) };
    // On the line w1·w2 = 1 + 2.25·t(1 − t), highest at t = ½: L = 0.5625².
    const line = curveProfile({ ...ends, curve: { kind: 'linear' } });
    assert.equal(line.maxLoss, 0.5625 ** 2);
    assert.equal(line.peakT, 0.5);
    for (const kind of ['bezier', 'polychain'] as const) {
      const trained = trainCurve({ ...ends, kind, steps: 600, learningRate: 0.01, seed: 3 });
      assert.equal(trained.stopReason, 'steps');
      assert.deepEqual(trained.profile.endpoints, [0, 0]);
      assert.ok(trained.profile.maxLoss < line.maxLoss / 4, `${kind}: ${trained.profile.maxLoss}`);
      const first = trained.history.objective[0];
      const last = trained.history.objective[trained.history.objective.length - 1];
      assert.ok(last < first, `${kind}: the objective fell from ${first} to ${last}`);
    }
  });

  it('cannot get below the saddle between the two branches', () => {
    const ends = { ...hyperbola, from: Float64Array.of(1, 1), to: Float64Array.of(-1, -1) };
    const trained = trainCurve({ ...ends, kind: 'bezier', steps: 300, seed: 4 });
    // Any path from w1·w2 = 1 to the other branch crosses w1·w2 ≤ 0, where L ≥ 1.
    assert.ok(trained.profile.maxLoss >= 1 - 1e-12, `${trained.profile.maxLoss}`);
    assert.equal(trained.profile.barrier, trained.profile.maxLoss);
  });

  it('finds a peak narrower than the grid spacing next to the highest grid point', () => {
    // Between (1, 1) and (−1, −1) the line has L = ((1 − 2t)² − 1)², whose top at t = ½ is off a 4-point grid.
    const ends = { ...hyperbola, from: Float64Array.of(1, 1), to: Float64Array.of(-1, -1) };
    const profile = curveProfile({ ...ends, curve: { kind: 'linear' }, points: 4 });
    assert.ok(Math.max(...profile.loss) < 0.8);
    assert.ok(Math.abs(profile.maxLoss - 1) < 1e-12, `${profile.maxLoss}`);
    assert.ok(Math.abs(profile.peakT - 0.5) < 1e-6, `${profile.peakT}`);
  });

  it('stops at a non-finite objective and keeps the curve from before that step', () => {
    const ends = { ...hyperbola, from: Float64Array.of(2, 0.5), to: Float64Array.of(0.5, 2) };
    // Adam's first step moves each coordinate by about the learning rate: 1e200, whose square overflows.
    const trained = trainCurve({ ...ends, kind: 'bezier', steps: 10, learningRate: 1e200, seed: 1 });
    assert.equal(trained.stopReason, 'non-finite');
    assert.equal(trained.steps, 1);
    const control = (trained.curve as { control: Float64Array }).control;
    assert.ok(control.every((value) => Number.isFinite(value) && Math.abs(value) > 1e199));
  });

  it('is a pure function of its options', () => {
    const ends = { ...hyperbola, from: Float64Array.of(2, 0.5), to: Float64Array.of(0.5, 2) };
    const a = trainCurve({ ...ends, kind: 'bezier', steps: 50, seed: 9 });
    const b = trainCurve({ ...ends, kind: 'bezier', steps: 50, seed: 9 });
    assert.deepEqual(a.curve, b.curve);
    assert.deepEqual(a.history, b.history);
  });
});
