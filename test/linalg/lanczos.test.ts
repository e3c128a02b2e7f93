import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lanczosExtremes, matvec, symmetricEigen } from '../../src/core/linalg/index.js';
import { Rng } from '../../src/core/rng.js';
import { gaussianMatrix, maxAbsDifference, withEigenvalues } from './numpy-oracle.js';

const diagonalOperator = (diagonal: Float64Array) => (v: Float64Array) => v.map((x, i) => diagonal[i] * x);

describe('lanczosExtremes', () => {
  it('finds the extreme entries of a diagonal operator with residuals under the tolerance', () => {
    const n = 500;
    // A shuffled uniform grid on [−2, 2) with four outliers, two at each end.
    const outliers: Record<number, number> = { 17: -9, 3: -5, 99: 6, 98: 4 };
    const diagonal = Float64Array.from(
      { length: n },
      (_, i) => (4 * ((i * 37) % n)) / n - 2 + (outliers[i] ?? 0),
    );
    const sorted = Float64Array.from(diagonal).sort();
    const result = lanczosExtremes(diagonalOperator(diagonal), n, { count: 2 });
    assert.ok(result.converged);
    assert.ok(maxAbsDifference(result.smallest, sorted.subarray(0, 2)) < 1e-10 * result.scale);
    assert.ok(maxAbsDifference(result.largest, [sorted[n - 1], sorted[n - 2]]) < 1e-9 * result.scale);
    for (const r of [...result.smallestResiduals, ...result.largestResiduals])
      assert.ok(r <= 1e-10 * result.scale);
    assert.ok(result.iterations < n, `used ${result.iterations} products`);
  });

  it('agrees with the dense eigensolver on a random symmetric matrix, and returns unit Ritz vectors', () => {
    const rng = new Rng(9);
    const n = 150;
    const a = gaussianMatrix(rng, n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
    const exact = symmetricEigen(a, n).values;
    const result = lanczosExtremes((v) => matvec(a, n, n, v), n, {
      count: 3,
      vectors: true,
      tolerance: 1e-12,
    });
    assert.ok(result.converged);
    assert.ok(maxAbsDifference(result.smallest, exact.subarray(0, 3)) < 1e-10);
    assert.ok(maxAbsDifference(result.largest, [exact[n - 1], exact[n - 2], exact[n - 3]]) < 1e-10);
    const y = result.smallestVectors!;
    let size = 0;
    for (let i = 0; i < n; i++) size += y[i * 3] ** 2;
    assert.ok(Math.abs(size - 1) < 1e-12);
  });

  it('resolves a cluster of equal extreme eigenvalues after the start vector’s subspace is exhausted', () => {
    // Eigenvalue −2 three times: one Krylov space holds one copy; the restart in the orthogonal complement finds
    // the others once the rest of the space is exhausted.
    const rng = new Rng(4);
    const lambda = [-2, -2, -2, ...Array.from({ length: 27 }, (_, i) => i / 10)];
    const n = lambda.length;
    const a = withEigenvalues(rng, lambda);
    const result = lanczosExtremes((v) => matvec(a, n, n, v), n, { count: 3, maxIterations: n });
    assert.ok(maxAbsDifference(result.smallest, [-2, -2, -2]) < 1e-12, `${[...result.smallest]}`);
    assert.ok(result.converged);
  });

  it('the identity is invariant after one step and still yields its eigenvalue', () => {
    const result = lanczosExtremes((v) => Float64Array.from(v), 40, { count: 2 });
    assert.deepEqual(
      [...result.smallest, ...result.largest].map((x) => Math.round(x * 1e12) / 1e12),
      [1, 1, 1, 1],
    );
    assert.ok(result.converged);
  });

  it('reports non-convergence honestly when the iteration budget is too small', () => {
    const n = 400;
    const diagonal = Float64Array.from({ length: n }, (_, i) => i / n);
    const result = lanczosExtremes(diagonalOperator(diagonal), n, { maxIterations: 8, tolerance: 1e-12 });
    assert.equal(result.converged, false);
    assert.equal(result.iterations, 8);
    assert.ok(result.smallestResiduals[0] > 1e-12 * result.scale);
  });

  it('is reproducible for a fixed seed', () => {
    const diagonal = Float64Array.from({ length: 60 }, (_, i) => (i * 7) % 13);
    const first = lanczosExtremes(diagonalOperator(diagonal), 60, { seed: 5, maxIterations: 10 });
    const second = lanczosExtremes(diagonalOperator(diagonal), 60, { seed: 5, maxIterations: 10 });
    assert.deepEqual([...first.smallest], [...second.smallest]);
  });

  it('rejects bad options and operators that return the wrong shape or non-finite values', () => {
    const identity = (v: Float64Array) => Float64Array.from(v);
    assert.throws(
      () => lanczosExtremes(identity, 5, { count: 6 }),
      /^InvalidArgumentError: count: expected an integer in \[1, 5\]/,
    );
    assert.throws(
      () => lanczosExtremes(identity, 5, { tolerance: 0 }),
      /tolerance: expected a finite number > 0/,
    );
    assert.throws(
      () => lanczosExtremes(() => new Float64Array(3), 5),
      /apply: expected a function returning a Float64Array of length 5/,
    );
    assert.throws(
      () => lanczosExtremes((v) => v.map(() => NaN), 5),
      /apply\(v\)\[0\]: expected a finite number/,
    );
  });
});
