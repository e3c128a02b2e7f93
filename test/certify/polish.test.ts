import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jacobianTransposeProduct, jacobianVectorProduct, outputJacobian } from '../../src/model/jacobian.js';
import { polish } from '../../src/certify/polish.js';
import { Rng } from '../../src/core/rng.js';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { swirszczD3 } from '../../src/data/swirszcz.js';
import { teacherDataset } from '../../src/data/teacher.js';
import { type Architecture, mlp, parameterCount } from '../../src/model/architecture.js';
import { forward, predict } from '../../src/model/forward.js';
import { initialise } from '../../src/model/init.js';
import { makeSamples } from '../../src/model/samples.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;

describe('output Jacobian', () => {
  const architecture: Architecture = {
    inputDim: 3,
    hidden: [
      { width: 4, activation: { kind: 'leaky-relu', slope: 0.1 }, bias: true },
      { width: 3, activation: { kind: 'tanh' }, bias: false },
    ],
    outputDim: 2,
    outputBias: true,
  };
  const rng = new Rng(3);
  const theta = rng.fillGaussian(new Float64Array(parameterCount(architecture))) as Float64Array;
  const samples = makeSamples(rng.fillGaussian(new Float64Array(15)), new Float64Array(10), 3, 2);

  it('matches central differences of the outputs', () => {
    const jacobian = outputJacobian(architecture, theta, samples);
    const size = theta.length;
    const h = 1e-6;
    for (let p = 0; p < size; p++) {
      const plus = Float64Array.from(theta);
      const minus = Float64Array.from(theta);
      plus[p] += h;
      minus[p] -= h;
      const up = predict(architecture, plus, samples);
      const down = predict(architecture, minus, samples);
      for (let k = 0; k < up.length; k++) {
        const difference = (up[k] - down[k]) / (2 * h);
        assert.ok(Math.abs(jacobian[k * size + p] - difference) < 1e-7, `J[${k}, ${p}]`);
      }
    }
  });

  it('gives the same J·v and Jᵀ·u as the dense matrix', () => {
    const jacobian = outputJacobian(architecture, theta, samples);
    const size = theta.length;
    const v = rng.fillGaussian(new Float64Array(size)) as Float64Array;
    const u = rng.fillGaussian(new Float64Array(10)) as Float64Array;
    const cache = forward(architecture, theta, samples);
    const jv = jacobianVectorProduct(architecture, theta, samples, v, cache);
    const jtu = jacobianTransposeProduct(architecture, theta, samples, u, cache);
    for (let k = 0; k < 10; k++) {
      let sum = 0;
      for (let p = 0; p < size; p++) sum += jacobian[k * size + p] * v[p];
      assert.ok(Math.abs(jv[k] - sum) < 1e-12 * (1 + Math.abs(sum)));
    }
    for (let p = 0; p < size; p++) {
      let sum = 0;
      for (let k = 0; k < 10; k++) sum += jacobian[k * size + p] * u[k];
      assert.ok(Math.abs(jtu[p] - sum) < 1e-12 * (1 + Math.abs(sum)));
    }
  });
});

describe('polish (Levenberg–Marquardt in float64)', () => {
  it('reaches ‖∇L‖ ≤ 1e-12·lossScale from a random start on a zero-residual problem, dense and matrix-free alike', () => {
    const data = gaussianRandomLabels({ count: 20, inputDim: 10, seed: 52 });
    const architecture = mlp(10, [10], 1, relu, false);
    const start = initialise(architecture, { kind: 'pytorch' }, 2) as Float64Array;
    for (const method of ['dense', 'matrix-free'] as const) {
      const result = polish(architecture, 'mse', start, data, { method });
      assert.equal(result.stopReason, 'converged', `${method}: ${result.detail}`);
      assert.equal(result.method, method);
      assert.ok(result.relativeStationarity <= 1e-12);
      assert.ok(result.loss < 1e-25, `${method}: loss ${result.loss}`);
      assert.ok(result.loss < result.initialLoss);
    }
  });

  it('converges at a minimum with non-zero loss (Newton fallback when Gauss–Newton is only linear)', () => {
    const data = teacherDataset({
      count: 30,
      teacher: mlp(2, [3], 1, relu, true),
      seed: 4,
      target: 'regression',
    });
    const architecture = mlp(2, [1], 1, relu, true);
    const result = polish(
      architecture,
      'mse',
      initialise(architecture, { kind: 'pytorch' }, 0) as Float64Array,
      data,
    );
    assert.equal(result.stopReason, 'converged', result.detail);
    assert.ok(result.loss > 1e-3, 'one unit cannot fit a three-unit teacher');
    assert.ok(result.gradientNorm <= 1e-12 * result.lossScale);
  });

  it('follows a kink: near Swirszcz D3’s worse minimum it ends on the kink with the gradient along it ≤ tolerance', () => {
    const d3 = swirszczD3();
    const point = d3.points.find((p) => p.name === 'worse-local-min')!;
    const start = Float64Array.from(point.theta, (v, i) => v + 1e-3 * Math.sin(7.1 * i + 1));
    const result = polish(d3.architecture, d3.loss, start, d3.dataset);
    assert.equal(result.stopReason, 'converged', result.detail);
    assert.ok(result.kinkWorkingSet.length >= 1, 'a kink is held');
    assert.ok(Math.abs(result.loss - 2 / 3) < 1e-12, `L = ${result.loss}`);
    // Plain gradient steps cannot do this: the one-sided gradients at the kink do not vanish.
    const plain = polish(d3.architecture, d3.loss, start, d3.dataset, { followKinks: false, newtonLimit: 0 });
    assert.notEqual(plain.stopReason, 'converged', plain.detail);
  });

  it('leaves the starting point alone when it already meets the tolerance, and names bad options', () => {
    const d3 = swirszczD3();
    const theta = d3.points[0].theta;
    const result = polish(d3.architecture, d3.loss, theta, d3.dataset);
    assert.equal(result.iterations, 0);
    assert.deepEqual(Array.from(result.theta), Array.from(theta));
    assert.throws(
      () => polish(d3.architecture, d3.loss, theta, d3.dataset, { method: 'fast' as 'dense' }),
      /method: expected auto, dense, matrix-free/,
    );
    assert.throws(
      () => polish(d3.architecture, d3.loss, theta, d3.dataset, { gradientTolerance: -1 }),
      /gradientTolerance: expected a finite number in \[0, Infinity\]/,
    );
  });
});
