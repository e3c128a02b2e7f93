import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { parseActivation } from '../../src/model/activation.js';
import { mlp, parameterCount, validateArchitecture } from '../../src/model/architecture.js';
import { forward } from '../../src/model/forward.js';
import { lossValue } from '../../src/model/gradient.js';
import { initialise } from '../../src/model/init.js';
import { kinkMargin } from '../../src/model/kinks.js';
import { makeSamples, selectSamples } from '../../src/model/samples.js';
import { drawSlopeNoise, withSlopeNoise } from '../../src/model/slope-noise.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;

describe('architecture', () => {
  it("counts Soudry–Hoffer Table 1's parameters: (d0 + 1)·d1 + d1 + 1", () => {
    assert.equal(parameterCount(mlp(784, [89], 1, relu, true)), 69955);
    assert.equal(parameterCount(mlp(3072, [16], 1, relu, true)), 49185);
    assert.equal(parameterCount(mlp(12288, [105], 1, relu, true)), 1290451);
    assert.equal(parameterCount(mlp(3072, [16], 1, relu, false)), 3072 * 16 + 16);
  });

  it('rejects zero or negative widths naming the layer', () => {
    assert.throws(() => mlp(3, [4, 0], 1, relu, true), /hidden\[1\]\.width: expected an integer ≥ 1, got 0/);
    assert.throws(() => mlp(3, [-2], 1, relu, true), /hidden\[0\]\.width/);
    assert.throws(
      () => validateArchitecture({ inputDim: 0, hidden: [], outputDim: 1, outputBias: true }),
      /inputDim/,
    );
  });

  it('parses activation names and rejects unknown ones', () => {
    assert.deepEqual(parseActivation('relu'), relu);
    assert.deepEqual(parseActivation('leaky-relu:0.1'), { kind: 'leaky-relu', slope: 0.1 });
    assert.throws(() => parseActivation('swish'), /activation: expected one of relu/);
    assert.throws(() => parseActivation('leaky-relu:1'), /ρ ≠ 1/);
  });
});

describe('samples', () => {
  it('rejects N = 0, label count mismatches and non-finite values with the argument named', () => {
    assert.throws(() => makeSamples([], [], 2), /x: expected at least one sample/);
    assert.throws(() => makeSamples([1, 2, 3, 4], [1], 2), /y: expected 2 labels/);
    assert.throws(() => makeSamples([1, NaN, 3, 4], [1, 2], 2), /x\[1\]: expected a finite number, got NaN/);
    assert.throws(() => makeSamples([1, 2, 3, 4], [1, Infinity], 2), InvalidArgumentError);
  });

  it('selects rows together with their slope-noise rows', () => {
    const net = mlp(2, [3], 1, relu, false);
    const base = makeSamples([1, 2, 3, 4, 5, 6], [1, -1, 1], 2);
    const noisy = withSlopeNoise(base, net, { distribution: 'gaussian', mean: 1, std: 0.5 }, 5);
    const picked = selectSamples(noisy, [2, 0]);
    assert.deepEqual(Array.from(picked.x), [5, 6, 1, 2]);
    assert.deepEqual(Array.from(picked.slopeNoise![0]), [
      ...noisy.slopeNoise![0].subarray(6, 9),
      ...noisy.slopeNoise![0].subarray(0, 3),
    ]);
  });
});

describe('forward pass', () => {
  it('computes a hand-checked 2-2-1 ReLU network', () => {
    const net = mlp(2, [2], 1, relu, true);
    // W1 = [[1, -1], [2, 0]], b1 = [0, -1], W2 = [3, -2], b2 = 0.5
    const theta = Float64Array.from([1, -1, 2, 0, 0, -1, 3, -2, 0.5]);
    const samples = makeSamples([1, 2, 3, 1], [0, 0], 2);
    // x = (1,2): u = (-1, 1) → h = (0, 1) → out = -2 + 0.5 = -1.5
    // x = (3,1): u = (2, 5) → h = (2, 5) → out = 6 - 10 + 0.5 = -3.5
    assert.deepEqual(Array.from(forward(net, theta, samples).output), [-1.5, -3.5]);
    assert.equal(lossValue(net, 'sse', theta, samples), 1.5 ** 2 + 3.5 ** 2);
    assert.equal(lossValue(net, 'mse', theta, samples), (1.5 ** 2 + 3.5 ** 2) / 2);
  });

  it('applies slope noise as a factor on each unit and sample', () => {
    const net = mlp(1, [1], 1, { kind: 'leaky-relu', slope: 0.5 }, false);
    const theta = Float64Array.from([1, 1]);
    const samples = { ...makeSamples([2, -2], [0, 0], 1), slopeNoise: [Float64Array.from([3, 5])] };
    assert.deepEqual(Array.from(forward(net, theta, samples).output), [6, -5]);
  });

  it('reports the kink margin and where it is', () => {
    const net = mlp(1, [2], 1, relu, true);
    const theta = Float64Array.from([1, 1, -3, 0.5, 1, 1, 0]);
    const samples = makeSamples([3, 1, -1], [0, 0, 0], 1);
    const margin = kinkMargin(forward(net, theta, samples), 1e-12);
    assert.equal(margin.minAbsPreActivation, 0);
    assert.equal(margin.nearKinkCount, 1);
    assert.deepEqual(margin.argmin, { layer: 0, sample: 0, unit: 0 });
  });
});

describe('initialisation and noise', () => {
  it('matches the documented scales', () => {
    const net = mlp(400, [300], 1, relu, true);
    const theta = initialise(net, { kind: 'pytorch' }, 1);
    const bound = 1 / Math.sqrt(400);
    for (let k = 0; k < 400 * 300; k++) assert.ok(Math.abs(theta[k]) <= bound);
    const lecun = initialise(net, { kind: 'lecun', mean: 0.24, scale: 1, biasMean: 0, biasStd: 0 }, 2);
    let sum = 0;
    let sumSq = 0;
    const n = 400 * 300;
    for (let k = 0; k < n; k++) {
      sum += lecun[k];
      sumSq += lecun[k] ** 2;
    }
    const mean = sum / n;
    assert.ok(Math.abs(mean - 0.24) < 0.001, `mean ${mean}`);
    assert.ok(Math.abs(Math.sqrt(sumSq / n - mean * mean) - 1 / 20) < 0.001);
  });

  it('draws reproducible noise matrices of the right size', () => {
    const net = mlp(3, [4, 5], 1, relu, false);
    const a = drawSlopeNoise({ distribution: 'uniform', mean: 1, halfWidth: 0.2 }, net, 7, 11);
    const b = drawSlopeNoise({ distribution: 'uniform', mean: 1, halfWidth: 0.2 }, net, 7, 11);
    assert.deepEqual(a, b);
    assert.equal(a[0].length, 28);
    assert.equal(a[1].length, 35);
    for (const value of a[1]) assert.ok(value >= 0.8 && value <= 1.2);
  });
});
