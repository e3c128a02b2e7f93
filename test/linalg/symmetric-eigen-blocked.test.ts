import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onnxDenseProducts } from '../../src/backend/onnx/dense-products.js';
import { onnxSkipReason } from '../support/onnx.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { blockedSymmetricEigen, tridiagonalEigenQl } from '../../src/core/linalg/blocked-eigen.js';
import { applyReflections, blockedTridiagonalise } from '../../src/core/linalg/householder.js';
import { type DenseProducts, referenceProducts, symmetricEigen } from '../../src/core/linalg/index.js';
import { Rng } from '../../src/core/rng.js';
import { gaussianMatrix, maxAbsDifference, numpySkipReason, runPython } from './numpy-oracle.js';

const EPS = Number.EPSILON;

const engines: [string, () => DenseProducts & { dispose?: () => void }][] = [
  ['reference', () => referenceProducts],
];
// Without ONNX Runtime (off CI) the engine list leaves it out; onnxSkipReason fails the file under CI=true.
if (onnxSkipReason() === false) engines.push(['onnx', () => onnxDenseProducts()]);

function randomSymmetric(rng: Rng, n: number): Float64Array {
  const a = gaussianMatrix(rng, n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  return a;
}

/** XᵀX/rows for X rows × n Gaussian with column j scaled by 0.97^j: a covariance with a decaying spectrum. */
function covariance(rng: Rng, rows: number, n: number): Float64Array {
  const x = gaussianMatrix(rng, rows, n);
  for (let i = 0; i < rows; i++) for (let j = 0; j < n; j++) x[i * n + j] *= 0.97 ** j;
  const c = new Float64Array(n * n);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) {
      const f = x[r * n + i] / rows;
      for (let j = 0; j < n; j++) c[i * n + j] += f * x[r * n + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) c[i * n + j] = c[j * n + i];
  return c;
}

/** a·b for n × n row-major matrices, the inner loop along rows. */
function product(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < n; p++) {
      const f = a[i * n + p];
      for (let j = 0; j < n; j++) out[i * n + j] += f * b[p * n + j];
    }
  }
  return out;
}

function transposeOf(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

/** max |VᵀV − I| and max_k ‖A·v_k − λ_k·v_k‖∞ for eigenvectors as the columns of V. */
function decompositionErrors(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array) {
  const av = product(a, vectors, n);
  let residual = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      residual = Math.max(residual, Math.abs(av[i * n + k] - values[k] * vectors[i * n + k]));
    }
  }
  const gram = product(transposeOf(vectors, n), vectors, n);
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++)
      orthogonality = Math.max(orthogonality, Math.abs(gram[i * n + j] - (i === j ? 1 : 0)));
  }
  return { residual, orthogonality };
}

function spectralNorm(values: Float64Array): number {
  return Math.max(Math.abs(values[0]), Math.abs(values[values.length - 1]));
}

/** max |Q·T·Qᵀ − A| and max |QᵀQ − I| for the blocked reduction of A with the given block size. */
function reductionErrors(a: Float64Array, n: number, products: DenseProducts, blockSize: number) {
  const reduction = blockedTridiagonalise(a.slice(), n, products, blockSize);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  applyReflections(reduction, q, n, products, blockSize);
  const { d, e } = reduction;
  const qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      let s = q[i * n + k] * d[k];
      if (k > 0) s += q[i * n + k - 1] * e[k - 1];
      if (k + 1 < n) s += q[i * n + k + 1] * e[k];
      qt[i * n + k] = s;
    }
  }
  const qtq = product(qt, transposeOf(q, n), n);
  const gram = product(transposeOf(q, n), q, n);
  let reconstruction = 0;
  let orthogonality = 0;
  for (let i = 0; i < n * n; i++) {
    reconstruction = Math.max(reconstruction, Math.abs(qtq[i] - a[i]));
    orthogonality = Math.max(orthogonality, Math.abs(gram[i] - (i % (n + 1) === 0 ? 1 : 0)));
  }
  return { reconstruction, orthogonality, offTail: e[n - 1] };
}

function maxAbsEntry(a: Float64Array): number {
  let m = 0;
  for (const x of a) m = Math.max(m, Math.abs(x));
  return m;
}

for (const [name, make] of engines) {
  describe(`blocked Householder reduction (${name})`, () => {
    // Sizes around one and two panels (b ± 1, 2b ± 1) and several panels with a tail, with b = 8 so that they are
    // small, and at the production block size around the first panel.
    const cases: [number, number][] = [
      [7, 8],
      [9, 8],
      [15, 8],
      [16, 8],
      [17, 8],
      [25, 8],
      [40, 8],
      [63, 4],
      [129, 64],
      [130, 64],
    ];
    it('Q·T·Qᵀ reproduces A within 10·n·ε·‖A‖ and QᵀQ = I within 10·n·ε, at panel boundaries', () => {
      const products = make();
      const rng = new Rng(3);
      for (const [n, blockSize] of cases) {
        const a = randomSymmetric(rng, n);
        const errors = reductionErrors(a, n, products, blockSize);
        const scale = maxAbsEntry(a) * n;
        assert.ok(
          errors.reconstruction <= 10 * n * EPS * scale,
          `n = ${n}, b = ${blockSize}: ${JSON.stringify(errors)}`,
        );
        assert.ok(
          errors.orthogonality <= 10 * n * EPS,
          `n = ${n}, b = ${blockSize}: ${JSON.stringify(errors)}`,
        );
        assert.equal(errors.offTail, 0);
      }
      products.dispose?.();
    });

    it('rows already reduced (block-diagonal A, mid-panel and at a panel start) give H = I and still reproduce A', () => {
      const products = make();
      const rng = new Rng(4);
      const n = 40;
      for (const split of [5, 8, 16, 39]) {
        const a = randomSymmetric(rng, n);
        for (let i = 0; i < split; i++) for (let j = split; j < n; j++) a[i * n + j] = a[j * n + i] = 0;
        const errors = reductionErrors(a, n, products, 8);
        assert.ok(
          errors.reconstruction <= 10 * n * EPS * maxAbsEntry(a) * n,
          `split ${split}: ${JSON.stringify(errors)}`,
        );
        assert.ok(errors.orthogonality <= 10 * n * EPS, `split ${split}: ${JSON.stringify(errors)}`);
      }
      const diagonal = new Float64Array(n * n);
      for (let i = 0; i < n; i++) diagonal[i * n + i] = i - 7;
      const { values, vectors } = blockedSymmetricEigen(diagonal.slice(), n, true, products, undefined, 8);
      assert.deepEqual(
        [...values],
        Array.from({ length: n }, (_, i) => i - 7),
      );
      assert.ok(decompositionErrors(diagonal, n, values, vectors!).orthogonality === 0);
      products.dispose?.();
    });

    it('blocked and unblocked symmetricEigen agree (values within 20·n·ε·‖A‖), with and without vectors', () => {
      const products = make();
      const rng = new Rng(6);
      for (const n of [127, 129, 193]) {
        const a = randomSymmetric(rng, n);
        const plain = symmetricEigen(a, n, { vectors: true });
        const blocked = symmetricEigen(a, n, { vectors: true, products });
        const valuesOnly = symmetricEigen(a, n, { products }).values;
        const scale = spectralNorm(plain.values);
        assert.ok(maxAbsDifference(blocked.values, plain.values) < 20 * n * EPS * scale, `n = ${n}`);
        assert.ok(maxAbsDifference(valuesOnly, plain.values) < 20 * n * EPS * scale, `n = ${n}`);
        const errors = decompositionErrors(a, n, blocked.values, blocked.vectors!);
        assert.ok(errors.residual < 20 * n * EPS * scale, `n = ${n}: ${JSON.stringify(errors)}`);
        assert.ok(errors.orthogonality < 20 * n * EPS, `n = ${n}: ${JSON.stringify(errors)}`);
      }
      products.dispose?.();
    });

    it('divide and conquer (the default solver) gives the eigenvalues of the QL solver on a clustered covariance', () => {
      const products = make();
      const n = 160;
      const rng = new Rng(11);
      // Rank 30 plus tiny noise: 130 nearly equal small eigenvalues, which divide and conquer must deflate.
      const g = Float64Array.from({ length: n * 30 }, () => rng.gaussian());
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let sum = i === j ? 1e-9 : 0;
          for (let k = 0; k < 30; k++) sum += g[i * 30 + k] * g[j * 30 + k];
          a[i * n + j] = sum;
        }
      }
      const scale = Math.max(...a.map(Math.abs));
      const dc = blockedSymmetricEigen(a.slice(), n, true, products);
      const ql = blockedSymmetricEigen(a.slice(), n, true, products, tridiagonalEigenQl);
      for (let k = 0; k < n; k++)
        assert.ok(Math.abs(dc.values[k] - ql.values[k]) < 20 * n * EPS * scale, `λ${k}`);
      const errors = decompositionErrors(a, n, dc.values, dc.vectors!);
      assert.ok(
        errors.residual < 20 * n * EPS * scale && errors.orthogonality < 20 * n * EPS,
        JSON.stringify(errors),
      );
      products.dispose?.();
    });

    it('the tridiagonal eigensolver is a parameter: with Z = I the vectors are Q, and Qᵀ·A·Q = tridiag(e, d, e)', () => {
      const products = make();
      const n = 20;
      const a = randomSymmetric(new Rng(8), n);
      let seen: { d: Float64Array; e: Float64Array; products: DenseProducts } | undefined;
      const { vectors: q } = blockedSymmetricEigen(
        a.slice(),
        n,
        true,
        products,
        (d, e, options) => {
          seen = { d: d.slice(), e: e.slice(), products: options.products };
          const z = new Float64Array(n * n);
          for (let i = 0; i < n; i++) z[i * n + i] = 1;
          return { values: d.slice(), vectors: z };
        },
        4,
      );
      assert.equal(seen?.products, products);
      const t = product(transposeOf(q!, n), product(a, q!, n), n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const expected = i === j ? seen!.d[i] : Math.abs(i - j) === 1 ? seen!.e[Math.min(i, j)] : 0;
          assert.ok(Math.abs(t[i * n + j] - expected) < 100 * n * EPS, `(${i}, ${j})`);
        }
      }
      products.dispose?.();
    });
  });

  describe(`blocked symmetricEigen against numpy.linalg.eigh (${name})`, { skip: numpySkipReason() }, () => {
    const eigvalsh = (a: Float64Array, n: number) =>
      Float64Array.from(
        runPython<number[]>(
          'import json,sys,numpy as np\nd=json.load(sys.stdin)\n' +
            "print(json.dumps(np.linalg.eigvalsh(np.array(d['a']).reshape(d['n'],d['n'])).tolist()))",
          { a: [...a], n },
        ),
      );

    it('random symmetric matrices n = 130, 257, 600: values within 20·n·ε·‖A‖, residuals, orthogonality', () => {
      const products = make();
      const rng = new Rng(9);
      for (const n of [130, 257, 600]) {
        const a = randomSymmetric(rng, n);
        const { values, vectors } = symmetricEigen(a, n, { vectors: true, products });
        const scale = spectralNorm(values);
        const error = maxAbsDifference(values, eigvalsh(a, n));
        assert.ok(error < 20 * n * EPS * scale, `n = ${n}: eigenvalue error ${error}`);
        const errors = decompositionErrors(a, n, values, vectors!);
        assert.ok(errors.residual < 20 * n * EPS * scale, `n = ${n}: ${JSON.stringify(errors)}`);
        assert.ok(errors.orthogonality < 20 * n * EPS, `n = ${n}: ${JSON.stringify(errors)}`);
      }
      products.dispose?.();
    });

    it('a rank-40 covariance in dimension 300 (260 zero eigenvalues) and a full-rank one with a decaying spectrum', () => {
      const products = make();
      const rng = new Rng(10);
      for (const [rows, n, rank] of [
        [40, 300, 40],
        [600, 300, 300],
      ] as const) {
        const c = covariance(rng, rows, n);
        const { values, vectors } = symmetricEigen(c, n, { vectors: true, products });
        const scale = spectralNorm(values);
        const error = maxAbsDifference(values, eigvalsh(c, n));
        assert.ok(error < 20 * n * EPS * scale, `rank ${rank}: eigenvalue error ${error}`);
        const zeros = values.filter((v) => Math.abs(v) <= 1e-12 * scale).length;
        assert.equal(zeros, n - rank, `rank ${rank}: zero eigenvalues`);
        const errors = decompositionErrors(c, n, values, vectors!);
        assert.ok(errors.residual < 20 * n * EPS * scale, `rank ${rank}: ${JSON.stringify(errors)}`);
        assert.ok(errors.orthogonality < 20 * n * EPS, `rank ${rank}: ${JSON.stringify(errors)}`);
      }
      products.dispose?.();
    });
  });
}

describe('blocked Householder reduction: bad input', () => {
  it('rejects a block size that is not a positive integer, naming it', () => {
    const a = Float64Array.of(2, 1, 1, 2);
    assert.throws(() => blockedTridiagonalise(a, 2, referenceProducts, 0), InvalidArgumentError);
    assert.throws(
      () => blockedTridiagonalise(a, 2, referenceProducts, 1.5),
      /^InvalidArgumentError: blockSize/,
    );
    const reduction = blockedTridiagonalise(
      Float64Array.of(1, 2, 3, 2, 4, 5, 3, 5, 6),
      3,
      referenceProducts,
      1,
    );
    assert.throws(
      () => applyReflections(reduction, new Float64Array(9), 3, referenceProducts, -1),
      /^InvalidArgumentError: blockSize/,
    );
  });
});
