import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  constantOutputLoss,
  isDecentDataset,
  saturatedNetwork,
  swirszczD1,
  swirszczD2,
  swirszczD3,
  swirszczTheta,
} from '../../src/data/swirszcz.js';
import { mlp } from '../../src/model/architecture.js';
import { predict } from '../../src/model/forward.js';
import { lossAndGradient, lossValue } from '../../src/model/gradient.js';
import { makeSamples } from '../../src/model/samples.js';

/** M(x) = Σ vⱼ·ReLU(wⱼx + bⱼ) + c written out by hand, the paper's formula, independent of basin's layout. */
function paperLoss(
  data: readonly (readonly [number, number])[],
  w: number[],
  b: number[],
  v: number[],
  c: number,
): number {
  let sum = 0;
  for (const [x, y] of data) {
    let m = c;
    for (let j = 0; j < w.length; j++) m += v[j] * Math.max(0, w[j] * x + b[j]);
    sum += (m - y) ** 2;
  }
  return sum;
}

describe('Swirszcz et al. known-answer datasets (papers.md §3.4)', () => {
  it('copies the D1–D3 coordinates exactly', () => {
    const pairs = (p: ReturnType<typeof swirszczD1>) =>
      Array.from(p.dataset.x, (x, n) => [x, p.dataset.y[n]]);
    assert.deepEqual(pairs(swirszczD1()), [
      [5, 2],
      [4, 1],
      [3, 0],
      [1, -3],
      [-1, 3],
    ]);
    assert.deepEqual(pairs(swirszczD2()), [
      [-1, 5],
      [0, 0],
      [1, -1],
      [10, -3],
      [11, -4],
      [12, -5],
    ]);
    assert.deepEqual(pairs(swirszczD3()), [
      [-1, 3],
      [0, 0],
      [1, -1],
      [10, -3],
      [11, -4],
      [12, -6],
    ]);
  });

  it('maps (w, b, v, c) to θ = (w, b, v, c) in basin’s layout: the network computes the paper’s M(x)', () => {
    const architecture = mlp(1, [3], 1, { kind: 'leaky-relu', slope: 0 }, true);
    const theta = swirszczTheta([-2, 1, 1], [11 / 3, -10, -11], [1, -1, -1], -3);
    const samples = makeSamples([-1, 0, 1, 10, 11, 12], [0, 0, 0, 0, 0, 0], 1);
    const output = predict(architecture, theta, samples);
    [-1, 0, 1, 10, 11, 12].forEach((x, n) => {
      const expected = Math.max(0, -2 * x + 11 / 3) - Math.max(0, x - 10) - Math.max(0, x - 11) - 3;
      assert.ok(Math.abs(output[n] - expected) < 1e-14, `x = ${x}`);
    });
    assert.throws(() => swirszczTheta([1, 2], [1], [1, 2], 0), /b, v: expected 2 entries each/);
  });

  it('gives the closed-form losses 18, 0, 8/3, 29, 23/3, 1/6, 2/3', () => {
    const expected: Record<string, number> = {
      'swirszcz-d1/local-min': 18,
      'swirszcz-d2/global': 0,
      'swirszcz-d2/local-min': 8 / 3,
      'swirszcz-d2/printed-global': 29,
      'swirszcz-d2/printed-local-min': 23 / 3,
      'swirszcz-d3/better-local-min': 1 / 6,
      'swirszcz-d3/worse-local-min': 2 / 3,
    };
    for (const problem of [swirszczD1(), swirszczD2(), swirszczD3()]) {
      const data = Array.from(problem.dataset.x, (x, n) => [x, problem.dataset.y[n]] as const);
      const m = problem.architecture.hidden[0].width;
      for (const point of problem.points) {
        const key = `${problem.name}/${point.name}`;
        const t = Array.from(point.theta);
        const byHand = paperLoss(data, t.slice(0, m), t.slice(m, 2 * m), t.slice(2 * m, 3 * m), t[3 * m]);
        const basin = lossValue(problem.architecture, problem.loss, point.theta, problem.dataset);
        assert.ok(Math.abs(byHand - expected[key]) < 1e-12, `${key}: paper formula ${byHand}`);
        assert.ok(Math.abs(basin - expected[key]) < 1e-12, `${key}: basin ${basin}`);
        assert.equal(point.expectedLoss, expected[key], key);
      }
    }
  });

  it('puts the D1 minimum exactly on a kink (pre-activation at x = 3 is 0) and the D2 fix blinds both units at x = 1', () => {
    const d1 = swirszczD1();
    const { theta } = d1.points[0];
    assert.equal(theta[0] * 3 + theta[1], 0);
    const d2 = swirszczD2();
    const global = d2.points.find((p) => p.name === 'global')!.theta;
    // x = 1: w = (−5, 1), b = (1, −8) give pre-activations −4 and −7: both units off (the "blind spot").
    assert.ok(global[0] * 1 + global[2] < 0 && global[1] * 1 + global[3] < 0);
  });
});

describe('saturated first layer (Swirszcz Theorem 1, Corollary 1)', () => {
  const d3 = swirszczD3();
  for (const widths of [[3], [3, 4], [5, 3, 3]]) {
    it(`depth ${widths.length} (${widths.join('-')}): first-layer gradient exactly 0, loss Σ(y − ȳ)², constant output`, () => {
      const architecture = mlp(1, widths, 1, { kind: 'leaky-relu', slope: 0 }, true);
      const theta = saturatedNetwork({ architecture, samples: d3.dataset, seed: 7 });
      const { loss, gradient } = lossAndGradient(architecture, 'sse', theta, d3.dataset);
      const firstLayerSize = widths[0] * 2; // W₁ (width × 1) and b₁
      for (let p = 0; p < firstLayerSize; p++) assert.equal(gradient[p], 0, `∂L/∂θ[${p}]`);
      const ys = Array.from(d3.dataset.y);
      const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
      const expected = ys.reduce((sum, y) => sum + (y - mean) ** 2, 0);
      assert.ok(Math.abs(loss - expected) < 1e-12 * expected, `${loss} vs ${expected}`);
      assert.ok(Math.abs(constantOutputLoss(d3.dataset, 'sse') - expected) < 1e-12 * expected);
      const output = predict(architecture, theta, d3.dataset);
      for (const value of output) assert.ok(Math.abs(value - mean) < 1e-12);
    });
  }

  it('recognises decent datasets and refuses layers that cannot be switched off', () => {
    assert.equal(isDecentDataset(d3.dataset), true);
    assert.equal(isDecentDataset(makeSamples([1, 1, 2, 2], [0, 2, 1, 1], 1)), false);
    const leaky = mlp(1, [3], 1, { kind: 'leaky-relu', slope: 0.1 }, true);
    assert.throws(
      () => saturatedNetwork({ architecture: leaky, samples: d3.dataset, seed: 1 }),
      /architecture\.hidden\[0\]: expected a ReLU layer/,
    );
  });
});
