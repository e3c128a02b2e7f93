import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { choleskyFactor, choleskySolve, matmul, matvec, transpose } from '../../src/core/linalg/index.js';
import { Rng } from '../../src/core/rng.js';
import { gaussianMatrix, maxAbsDifference } from './numpy-oracle.js';

describe('choleskySolve', () => {
  it('solves the 2 × 2 closed form [[4,2],[2,3]]·x = [2,1] → x = [0.5, 0]', () => {
    assert.ok(
      maxAbsDifference(choleskySolve(Float64Array.of(4, 2, 2, 3), 2, Float64Array.of(2, 1)), [0.5, 0]) <
        1e-15,
    );
  });

  it('L·Lᵀ reproduces A, and A·x = b, for a random SPD matrix Bᵀ·B + I', () => {
    const rng = new Rng(6);
    const n = 60;
    const b = gaussianMatrix(rng, n, n);
    const a = matmul(transpose(b, n, n), b, n, n, n);
    for (let i = 0; i < n; i++) a[i * n + i] += 1;
    const l = choleskyFactor(a, n);
    assert.ok(maxAbsDifference(matmul(l, transpose(l, n, n), n, n, n), a) < 1e-12 * n);
    const rhs = gaussianMatrix(rng, n, 1);
    const x = choleskySolve(a, n, rhs);
    assert.ok(maxAbsDifference(matvec(a, n, n, x), rhs) < 1e-10);
  });

  it('throws a one-line error naming the failing row when A is not positive definite', () => {
    assert.throws(
      () => choleskySolve(Float64Array.of(1, 2, 2, 1), 2, Float64Array.of(1, 1)),
      /^InvalidArgumentError: a: expected a symmetric positive-definite matrix, got "pivot -3\.00 ≤ 0 at row 1"$/,
    );
    assert.throws(() => choleskySolve(Float64Array.of(0), 1, Float64Array.of(1)), /at row 0/);
    assert.throws(() => choleskySolve(Float64Array.of(1), 1, Float64Array.of(1, 2)), /b: expected 1 entries/);
  });
});
