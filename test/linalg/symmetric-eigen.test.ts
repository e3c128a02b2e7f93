import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { symmetricEigen } from '../../src/core/linalg/index.js';
import { Rng } from '../../src/core/rng.js';
import {
  gaussianMatrix,
  maxAbsDifference,
  numpySkipReason,
  runPython,
  withEigenvalues,
} from './numpy-oracle.js';

const EPS = Number.EPSILON;

function randomSymmetric(rng: Rng, n: number): Float64Array {
  const a = gaussianMatrix(rng, n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  return a;
}

/** max over k of ‖A·v_k − λ_k·v_k‖ and max |VᵀV − I|: the two facts an eigendecomposition must satisfy. */
function decompositionErrors(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array) {
  let residual = 0;
  let orthogonality = 0;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[j * n + k];
      residual = Math.max(residual, Math.abs(s - values[k] * vectors[i * n + k]));
    }
    for (let l = 0; l <= k; l++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += vectors[i * n + k] * vectors[i * n + l];
      orthogonality = Math.max(orthogonality, Math.abs(s - (k === l ? 1 : 0)));
    }
  }
  return { residual, orthogonality };
}

function spectralNorm(values: Float64Array): number {
  return Math.max(Math.abs(values[0]), Math.abs(values[values.length - 1]));
}

describe('symmetricEigen: closed forms', () => {
  it('[[2,1],[1,2]] has eigenvalues 1 and 3 with eigenvectors (1,∓1)/√2', () => {
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2, { vectors: true });
    assert.ok(maxAbsDifference(values, [1, 3]) < 4 * EPS);
    assert.ok(Math.abs(Math.abs(vectors![0]) - Math.SQRT1_2) < 4 * EPS);
    assert.ok(Math.abs(vectors![0] + vectors![2]) < 4 * EPS, 'first eigenvector ∝ (1, −1)');
  });

  it('the second-difference matrix tridiag(−1, 2, −1) has eigenvalues 2 − 2cos(kπ/(n+1))', () => {
    const n = 120;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = 2;
      if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = -1;
    }
    const { values, vectors } = symmetricEigen(a, n, { vectors: true });
    const exact = Float64Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
    assert.ok(maxAbsDifference(values, exact) < 50 * EPS, `max error ${maxAbsDifference(values, exact)}`);
    const errors = decompositionErrors(a, n, values, vectors!);
    assert.ok(errors.residual < 50 * EPS && errors.orthogonality < 50 * EPS * n, JSON.stringify(errors));
  });

  it('Q·diag(λ)·Qᵀ with clustered and repeated eigenvalues returns λ and an orthonormal eigenbasis', () => {
    const rng = new Rng(11);
    const lambda = [-3, -3, -3, -1e-9, 0, 0, 1e-12, 2, 2 + 1e-13, 2 + 2e-13, 5, 5, 7, 10];
    const n = lambda.length;
    const a = withEigenvalues(rng, lambda);
    const { values, vectors } = symmetricEigen(a, n, { vectors: true });
    const error = maxAbsDifference(values, lambda);
    assert.ok(error < 100 * EPS * 10, `eigenvalue error ${error}`);
    const errors = decompositionErrors(a, n, values, vectors!);
    assert.ok(errors.residual < 100 * EPS * 10, `residual ${errors.residual}`);
    assert.ok(errors.orthogonality < 100 * EPS, `orthogonality ${errors.orthogonality}`);
  });

  // Regression: a Hessian at a zero-loss point of an over-parameterised net (Fig. 5.2: 90 zero eigenvalues of 110)
  // threw ConvergenceError, because the QL deflation test compared |e_m| only with |d_m| + |d_{m+1}|, which inside
  // a cluster of zeros is itself rounding noise of size ε·‖A‖; |e_m| never fell below ε times that.
  it('Q·diag(0 ×90, 20 clustered values)·Qᵀ converges and returns λ within 100·n·ε·‖A‖ (seeds 0…5)', () => {
    const lambda = [
      ...Array.from({ length: 90 }, () => 0),
      ...Array.from({ length: 20 }, (_, i) => (i < 10 ? 1 + 1e-10 * i : 3 + Math.floor(i / 4))),
    ];
    const n = lambda.length;
    for (let seed = 0; seed < 6; seed++) {
      const a = withEigenvalues(new Rng(seed), lambda);
      const { values, vectors } = symmetricEigen(a, n, { vectors: true });
      const error = maxAbsDifference(values, lambda);
      assert.ok(error < 100 * n * EPS * 7, `seed ${seed}: eigenvalue error ${error}`);
      const errors = decompositionErrors(a, n, values, vectors!);
      assert.ok(errors.residual < 100 * n * EPS * 7, `seed ${seed}: residual ${errors.residual}`);
      assert.ok(errors.orthogonality < 20 * n * EPS, `seed ${seed}: orthogonality ${errors.orthogonality}`);
      assert.ok(maxAbsDifference(symmetricEigen(a, n).values, lambda) < 100 * n * EPS * 7, `seed ${seed}`);
    }
  });

  it('handles diagonal, zero, 1 × 1 and empty matrices', () => {
    assert.deepEqual([...symmetricEigen(Float64Array.of(3, 0, 0, 0, -1, 0, 0, 0, 2), 3).values], [-1, 2, 3]);
    assert.deepEqual([...symmetricEigen(new Float64Array(16), 4).values], [0, 0, 0, 0]);
    const one = symmetricEigen(Float64Array.of(-7), 1, { vectors: true });
    assert.deepEqual([...one.values, ...one.vectors!], [-7, 1]);
    assert.equal(symmetricEigen(new Float64Array(0), 0).values.length, 0);
  });

  it('values without vectors equal values with vectors', () => {
    const rng = new Rng(5);
    const n = 40;
    const a = randomSymmetric(rng, n);
    const plain = symmetricEigen(a, n).values;
    const full = symmetricEigen(a, n, { vectors: true }).values;
    assert.ok(maxAbsDifference(plain, full) < 20 * EPS * spectralNorm(full));
  });
});

describe('symmetricEigen: against numpy.linalg.eigh', { skip: numpySkipReason() }, () => {
  const eigh = (a: Float64Array, n: number) =>
    runPython<number[]>(
      'import json,sys,numpy as np\nd=json.load(sys.stdin)\n' +
        "print(json.dumps(np.linalg.eigvalsh(np.array(d['a']).reshape(d['n'],d['n'])).tolist()))",
      { a: [...a], n },
    );

  it('random symmetric Gaussian matrices (n = 1…90)', () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 3, 7, 31, 90]) {
      const a = randomSymmetric(rng, n);
      const { values, vectors } = symmetricEigen(a, n, { vectors: true });
      const reference = eigh(a, n);
      const scale = spectralNorm(values);
      assert.ok(maxAbsDifference(values, reference) < 20 * n * EPS * scale, `n = ${n}`);
      const errors = decompositionErrors(a, n, values, vectors!);
      assert.ok(errors.residual < 20 * n * EPS * scale, `n = ${n}: residual ${errors.residual}`);
      assert.ok(errors.orthogonality < 20 * n * EPS, `n = ${n}: orthogonality ${errors.orthogonality}`);
    }
  });

  it('Gram matrices JᵀJ of rank 20 in dimension 110 (90 zero eigenvalues), values and vectors', () => {
    const rng = new Rng(0);
    const n = 110;
    const rank = 20;
    for (let trial = 0; trial < 3; trial++) {
      const j = gaussianMatrix(rng, rank, n);
      const a = new Float64Array(n * n);
      for (let p = 0; p < n; p++) {
        for (let q = 0; q < n; q++) {
          let s = 0;
          for (let t = 0; t < rank; t++) s += j[t * n + p] * j[t * n + q];
          a[p * n + q] = s;
        }
      }
      const { values, vectors } = symmetricEigen(a, n, { vectors: true });
      const reference = eigh(a, n);
      const scale = spectralNorm(values);
      assert.ok(maxAbsDifference(values, reference) < 20 * n * EPS * scale, `trial ${trial}`);
      const zeros = values.filter((v) => Math.abs(v) <= 1e-12 * scale).length;
      assert.equal(zeros, n - rank, `trial ${trial}: zero eigenvalues`);
      const errors = decompositionErrors(a, n, values, vectors!);
      assert.ok(errors.residual < 20 * n * EPS * scale, `trial ${trial}: residual ${errors.residual}`);
    }
  });

  it("Wilkinson's W21+ (pairs of eigenvalues agreeing to 1e-14) and a rank-2 matrix", () => {
    const n = 21;
    const w = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      w[i * n + i] = Math.abs(10 - i);
      if (i + 1 < n) w[i * n + i + 1] = w[(i + 1) * n + i] = 1;
    }
    const rng = new Rng(2);
    const u = gaussianMatrix(rng, 30, 2);
    const low = new Float64Array(900);
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j < 30; j++) low[i * 30 + j] = u[2 * i] * u[2 * j] - u[2 * i + 1] * u[2 * j + 1];
    }
    for (const [a, size] of [
      [w, n],
      [low, 30],
    ] as const) {
      const values = symmetricEigen(a, size).values;
      assert.ok(maxAbsDifference(values, eigh(a, size)) < 50 * size * EPS * spectralNorm(values));
    }
  });
});

describe('symmetricEigen: bad input', () => {
  it('rejects asymmetric matrices, wrong sizes and non-finite entries with the argument named', () => {
    assert.throws(
      () => symmetricEigen(Float64Array.of(1, 2, 3, 4), 2),
      /^InvalidArgumentError: a: expected a symmetric/,
    );
    assert.throws(() => symmetricEigen(new Float64Array(5), 2), /a: expected 4 entries/);
    assert.throws(
      () => symmetricEigen(Float64Array.of(1, NaN, NaN, 1), 2),
      /a\[0, 1\]: expected a finite number/,
    );
    assert.throws(() => symmetricEigen(new Float64Array(4), 1.5), InvalidArgumentError);
  });

  it('accepts rounding-level asymmetry and uses (A + Aᵀ)/2', () => {
    const { values } = symmetricEigen(Float64Array.of(2, 1 + 1e-15, 1, 2), 2);
    assert.ok(maxAbsDifference(values, [1 - 5e-16, 3 + 5e-16]) < 8 * EPS);
  });
});
