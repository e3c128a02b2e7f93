import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { projectOntoCone } from '../../src/certify/cone.js';
import { Rng } from '../../src/core/rng.js';
import { pythonSkipReason, withPython } from './python-oracle.js';

describe('projection onto a finitely generated cone (non-negative least squares)', () => {
  it('reproduces closed forms: a point inside, a point outside a quadrant', () => {
    const e1 = Float64Array.of(1, 0);
    const e2 = Float64Array.of(0, 1);
    const inside = projectOntoCone([e1, e2], Float64Array.of(2, 3));
    assert.deepEqual(Array.from(inside.coefficients), [2, 3]);
    assert.equal(inside.residualNorm, 0);
    const outside = projectOntoCone([e1, e2], Float64Array.of(-2, 3));
    assert.deepEqual(Array.from(outside.coefficients), [0, 3]);
    assert.deepEqual(Array.from(outside.residual), [-2, 0]);
    // An empty cone is {0}: everything is residual.
    assert.equal(projectOntoCone([], Float64Array.of(1, 1)).residualNorm, Math.SQRT2);
  });

  const skip = pythonSkipReason();
  it(
    'agrees with scipy.optimize.nnls on random problems, and its residual certifies non-membership',
    { skip },
    () => {
      const rng = new Rng(11);
      for (const [dimension, count] of [
        [3, 2],
        [4, 6],
        [6, 3],
        [5, 5],
      ]) {
        const generators = Array.from(
          { length: count },
          () => rng.fillGaussian(new Float64Array(dimension)) as Float64Array,
        );
        const b = rng.fillGaussian(new Float64Array(dimension)) as Float64Array;
        const a = new Float64Array(dimension * count);
        generators.forEach((g, k) => g.forEach((value, i) => (a[i * count + k] = value)));
        const scipy = withPython<{ x: number[]; rnorm: number }>(
          { a, b },
          `
import sys, json, numpy as np, scipy.optimize
d = sys.argv[1]
a = np.fromfile(d + '/a.bin').reshape(${dimension}, ${count})
b = np.fromfile(d + '/b.bin')
x, rnorm = scipy.optimize.nnls(a, b)
print(json.dumps({'x': x.tolist(), 'rnorm': rnorm}))
`,
        );
        const ours = projectOntoCone(generators, b);
        assert.ok(
          Math.abs(ours.residualNorm - scipy.rnorm) < 1e-10,
          `${dimension}×${count}: ${ours.residualNorm} vs ${scipy.rnorm}`,
        );
        scipy.x.forEach((value, k) => assert.ok(Math.abs(ours.coefficients[k] - value) < 1e-8, `λ${k}`));
        // Moreau: the residual makes a non-acute angle with every generator.
        for (const g of generators) {
          const inner = g.reduce((sum, value, i) => sum + value * ours.residual[i], 0);
          assert.ok(inner <= 1e-10, `rᵀa = ${inner}`);
        }
      }
    },
  );
});
