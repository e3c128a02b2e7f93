import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, deriveSeed } from '../../src/core/rng.js';

describe('Rng', () => {
  it('gives bit-identical streams for the same seed and different ones for other seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const first = Array.from({ length: 100 }, () => a.uniform());
    assert.deepEqual(
      first,
      Array.from({ length: 100 }, () => b.uniform()),
    );
    assert.notDeepEqual(
      first,
      Array.from({ length: 100 }, () => c.uniform()),
    );
  });

  it('draws uniforms in [0, 1) with the right mean and variance', () => {
    const rng = new Rng(1);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      assert.ok(u >= 0 && u < 1);
      sum += u;
      sumSq += u * u;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    // Standard errors: 1/sqrt(12 n) ≈ 6.5e-4 for the mean; allow 5 of them.
    assert.ok(Math.abs(mean - 0.5) < 5 * 6.5e-4, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1 / 12) < 2e-3, `variance ${variance}`);
  });

  it('draws Gaussians with mean 0, variance 1 and Gaussian tails', () => {
    const rng = new Rng(7);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const g = rng.gaussian();
      sum += g;
      sumSq += g * g;
      if (Math.abs(g) > 2) beyond2++;
    }
    assert.ok(Math.abs(sum / n) < 0.01);
    assert.ok(Math.abs(sumSq / n - 1) < 0.015);
    // P(|Z| > 2) = 0.0455; binomial standard error ≈ 4.7e-4.
    assert.ok(Math.abs(beyond2 / n - 0.0455) < 0.003, `tail ${beyond2 / n}`);
  });

  it('shuffles into a permutation, reproducibly', () => {
    const perm = new Rng(3).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(
      Array.from(perm).sort((p, q) => p - q),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.deepEqual(perm, new Rng(3).shuffle(Int32Array.from({ length: 50 }, (_, i) => i)));
  });

  it('derives distinct, stable seeds from labels', () => {
    const seeds = new Set<number>();
    for (let cell = 0; cell < 20; cell++) {
      for (let rep = 0; rep < 50; rep++) seeds.add(deriveSeed(9, 'cell', cell, 'rep', rep));
    }
    assert.equal(seeds.size, 1000);
    assert.equal(deriveSeed(9, 'cell', 1), deriveSeed(9, 'cell', 1));
    assert.notEqual(deriveSeed(9, 'cell', 1), deriveSeed(10, 'cell', 1));
  });
});
