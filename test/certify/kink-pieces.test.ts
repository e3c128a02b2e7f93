import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyseKinkPieces, kinkPieceApplicability } from '../../src/certify/kink-pieces.js';
import { swirszczD1, swirszczD2, swirszczTheta } from '../../src/data/swirszcz.js';
import { type Architecture, mlp } from '../../src/model/architecture.js';
import { forward } from '../../src/model/forward.js';
import { lossValue } from '../../src/model/gradient.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;
const options = { gradientTolerance: 1e-10, kinkTolerance: 1e-9 };

function analyse(architecture: Architecture, theta: Float64Array, samples: Samples) {
  return analyseKinkPieces(
    architecture,
    'sse',
    theta,
    samples,
    forward(architecture, theta, samples),
    options,
  );
}

describe('exact local-minimum test on the pieces around a kink (one hidden layer)', () => {
  it('passes Swirszcz D1 and D2’s minima, each sitting on a kink', () => {
    for (const [problem, name] of [
      [swirszczD1(), 'local-min'],
      [swirszczD2(), 'local-min'],
    ] as const) {
      const point = problem.points.find((p) => p.name === name)!;
      const result = analyse(problem.architecture, point.theta, problem.dataset);
      assert.ok(result.applicable);
      assert.equal(result.outcome, 'local-min', problem.name);
      assert.equal(result.kinkedPairs, 1);
      assert.equal(result.pieces, 2);
    }
  });

  it('finds a one-sided descent direction when the kinked sample pulls the unit off its kink', () => {
    // D1's unit (w, b) = (1, −3) with its kink at x = 3, but the label there raised from 0 to 0.5, so the output
    // there is too low and switching the unit on at x = 3 helps. (v, c) take their least-squares values, so
    // ∂L/∂v = ∂L/∂c = 0 and only the pieces can tell. (With the label lowered instead, the point stays a minimum.)
    const xs = [5, 4, 3, 1, -1];
    const ys = [2, 1, 0.5, -3, 3];
    const relus = xs.map((x) => Math.max(0, x - 3));
    // Normal equations of min Σ(v·reluₙ + c − yₙ)² over (v, c).
    const n = xs.length;
    const sr = relus.reduce((a, b) => a + b, 0);
    const srr = relus.reduce((a, r) => a + r * r, 0);
    const sy = ys.reduce((a, b) => a + b, 0);
    const sry = relus.reduce((a, r, k) => a + r * ys[k], 0);
    const v = (n * sry - sr * sy) / (n * srr - sr * sr);
    const c = (sy - v * sr) / n;
    const samples = makeSamples(xs, ys, 1);
    const architecture = mlp(1, [1], 1, relu, true);
    const theta = swirszczTheta([1], [-3], [v], c);
    const result = analyse(architecture, theta, samples);
    assert.ok(result.applicable);
    assert.ok(result.outputGradient < 1e-12, `output gradient ${result.outputGradient}`);
    assert.equal(result.outcome, 'descent');
    const { direction, slope } = result.witness!;
    assert.ok(slope < -1e-3);
    // Independent check: the loss really drops along the direction, at the promised one-sided rate.
    const base = lossValue(architecture, 'sse', theta, samples);
    for (const t of [1e-5, 1e-7]) {
      const moved = theta.map((value, p) => value + t * direction[p]);
      const rate = (lossValue(architecture, 'sse', moved, samples) - base) / t;
      assert.ok(Math.abs(rate - slope) < 1e-3 * Math.abs(slope), `t = ${t}: ${rate} vs ${slope}`);
    }
  });

  it('says when it does not apply, and why', () => {
    const theta = new Float64Array(100).fill(1);
    assert.match(kinkPieceApplicability(mlp(1, [2, 2], 1, relu, true), theta)!, /exactly one hidden layer/);
    assert.match(kinkPieceApplicability(mlp(1, [2], 2, relu, true), theta)!, /scalar output/);
    assert.match(kinkPieceApplicability(mlp(1, [2], 1, { kind: 'tanh' }, true), theta)!, /ReLU/);
    const zeroV = swirszczTheta([1, 2], [0, 1], [1, 0], 0);
    assert.match(kinkPieceApplicability(mlp(1, [2], 1, relu, true), zeroV)!, /unit 1 has vᵢ = 0/);
  });
});
