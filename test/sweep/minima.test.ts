import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { type Architecture, mlp, parameterCount, parameterLayout } from '../../src/model/architecture.js';
import { predict } from '../../src/model/forward.js';
import { makeSamples } from '../../src/model/samples.js';
import { canonicalise } from '../../src/certify/symmetry.js';
import { distinctMinima } from '../../src/sweep/minima.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;

/** Permutes the hidden units of every layer and rescales each by a positive factor (or a negative one). */
function symmetric(architecture: Architecture, theta: Float64Array, rng: Rng, sign = 1): Float64Array {
  const layout = parameterLayout(architecture);
  const out = theta.slice();
  for (let l = 0; l + 1 < layout.layers.length; l++) {
    const layer = layout.layers[l];
    const next = layout.layers[l + 1];
    const permutation = rng.shuffle(Array.from({ length: layer.outputs }, (_, j) => j)) as number[];
    const source = out.slice();
    permutation.forEach((from, to) => {
      const alpha = sign * (0.2 + 3 * rng.uniform());
      for (let k = 0; k < layer.inputs; k++) {
        out[layer.weightOffset + to * layer.inputs + k] =
          alpha * source[layer.weightOffset + from * layer.inputs + k];
      }
      if (layer.biasOffset !== undefined)
        out[layer.biasOffset + to] = alpha * source[layer.biasOffset + from];
      for (let i = 0; i < next.outputs; i++) {
        out[next.weightOffset + i * next.inputs + to] =
          source[next.weightOffset + i * next.inputs + from] / alpha;
      }
    });
  }
  return out;
}

describe('distinct minima up to symmetry', () => {
  const architecture = mlp(3, [4, 5], 1, relu, true);
  const rng = new Rng(11);
  const theta = rng.fillGaussian(new Float64Array(parameterCount(architecture))) as Float64Array;
  const samples = makeSamples(new Rng(3).fillGaussian(new Float64Array(30)), new Float64Array(10), 3);

  it('maps permuted and positively rescaled copies to one canonical form (and they compute the same function)', () => {
    const copy = symmetric(architecture, theta, rng);
    const outputs = [predict(architecture, theta, samples), predict(architecture, copy, samples)];
    outputs[0].forEach((value, n) => assert.ok(Math.abs(value - outputs[1][n]) < 1e-12));
    const [a, b] = [canonicalise(architecture, theta), canonicalise(architecture, copy)];
    a.forEach((value, k) => assert.ok(Math.abs(value - b[k]) < 1e-12, `entry ${k}: ${value} vs ${b[k]}`));
  });

  it('keeps points apart that differ by a non-symmetry (a negative rescaling of a ReLU unit, a perturbation)', () => {
    const flipped = symmetric(architecture, theta, new Rng(2), -1);
    const moved = theta.slice();
    moved[0] += 0.1;
    const groups = distinctMinima(architecture, [
      { id: 'a', loss: 1, theta },
      { id: 'b', loss: 1, theta: symmetric(architecture, theta, new Rng(5)) },
      { id: 'c', loss: 2, theta: flipped },
      { id: 'd', loss: 0.5, theta: moved },
      { id: 'e', loss: 1, theta: symmetric(architecture, theta, new Rng(6)) },
    ]);
    assert.deepEqual(
      groups.map((g) => [g.members, g.multiplicity, g.loss]),
      [
        [['a', 'b', 'e'], 3, 1],
        [['d'], 1, 0.5],
        [['c'], 1, 2],
      ],
    );
  });

  it('merges positively rescaled copies of a linear hidden layer too (the canonical form shared with basin search)', () => {
    const linear = mlp(2, [3], 1, { kind: 'linear' }, true);
    const point = new Rng(9).fillGaussian(new Float64Array(parameterCount(linear))) as Float64Array;
    const groups = distinctMinima(linear, [
      { id: 'p', loss: 0, theta: point },
      { id: 'q', loss: 0, theta: symmetric(linear, point, new Rng(4)) },
    ]);
    assert.deepEqual(
      groups.map((g) => g.members),
      [['p', 'q']],
    );
  });

  it('rejects an end point whose parameter count does not match the architecture, naming theta', () => {
    assert.throws(
      () => distinctMinima(architecture, [{ id: 'short', loss: 0, theta: theta.subarray(1) }]),
      /^InvalidArgumentError: theta: expected \d+ parameters for this architecture/,
    );
  });

  it('uses only permutations for activations that are not positively homogeneous', () => {
    const sigmoid = mlp(2, [3], 1, { kind: 'sigmoid' }, true);
    const point = new Rng(8).fillGaussian(new Float64Array(parameterCount(sigmoid))) as Float64Array;
    const scaled = point.slice();
    scaled[0] *= 2;
    scaled[1] *= 2;
    scaled[6] *= 2;
    scaled[9] /= 2;
    assert.equal(
      distinctMinima(sigmoid, [
        { id: 'p', loss: 0, theta: point },
        { id: 's', loss: 0, theta: scaled },
      ]).length,
      2,
    );
  });
});
