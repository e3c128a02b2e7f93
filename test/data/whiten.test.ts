import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onnxDenseProducts } from '../../src/backend/onnx/dense-products.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { type DenseProducts, referenceProducts } from '../../src/core/linalg/products.js';
import { Rng } from '../../src/core/rng.js';
import { covariance } from '../../src/data/preprocess/covariance.js';
import { featureMeans } from '../../src/data/preprocess/standardise.js';
import { applyWhitening, fitWhitening } from '../../src/data/preprocess/whiten.js';
import { onnxSkipReason } from '../support/onnx.js';
import { skippedForMissing } from '../support/required.js';
import { maxAbsDifference, numpySkipReason, runPython } from './fixtures.js';

/** count × dim samples x = z·A with z ~ N(0, 1) and A Gaussian: correlated features with a full-rank covariance. */
function correlated(seed: number, count: number, dim: number, rank = dim): Float64Array {
  const rng = new Rng(seed);
  const z = rng.fillGaussian(new Float64Array(count * rank));
  const a = rng.fillGaussian(new Float64Array(rank * dim));
  const x = new Float64Array(count * dim);
  for (let n = 0; n < count; n++) {
    for (let t = 0; t < rank; t++) {
      const znt = z[n * rank + t];
      for (let j = 0; j < dim; j++) x[n * dim + j] += znt * a[t * dim + j] + (t === 0 ? 3 + j : 0);
    }
  }
  return x;
}

/** The textbook definition, one entry at a time: (1/N) Σ (x_i − μ_i)(x_j − μ_j). */
function naiveCovariance(x: Float64Array, count: number, dim: number): Float64Array {
  const mean = featureMeans(x, count, dim);
  const c = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let n = 0; n < count; n++) s += (x[n * dim + i] - mean[i]) * (x[n * dim + j] - mean[j]);
      c[i * dim + j] = s / count;
    }
  }
  return c;
}

function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

const COUNT = 400;
const DIM = 13; // not a multiple of the kernel's 4-wide tiles, so the padding is exercised

describe('blocked covariance', () => {
  it('equals the entry-by-entry definition (N spanning several 128-row blocks)', () => {
    const x = correlated(1, COUNT, DIM);
    const c = covariance(x, COUNT, DIM);
    assert.ok(maxAbsDifference(c, naiveCovariance(x, COUNT, DIM)) < 1e-10);
    assert.ok(maxAbsDifference(c, transpose(c, DIM)) === 0, 'exactly symmetric');
  });

  it('matches numpy.cov(bias=True), from float32 input too', (t) => {
    if (skippedForMissing(t, numpySkipReason())) return;
    const x = Float32Array.from(correlated(2, COUNT, DIM));
    const expected = runPython<number[]>(
      'import json,sys,numpy as np\nx=np.array(json.load(sys.stdin),dtype=np.float32).reshape(-1,13).astype(np.float64)\n' +
        'print(json.dumps(np.cov(x,rowvar=False,bias=True).ravel().tolist()))',
      Array.from(x),
    );
    const c = covariance(x, COUNT, DIM);
    const scale = Math.max(...expected.map(Math.abs));
    assert.ok(maxAbsDifference(c, expected) < 1e-12 * scale);
  });
});

describe('PCA and ZCA whitening', () => {
  const x = correlated(3, COUNT, DIM);

  it('ZCA with ε = 0: whitened covariance is I, the matrix is symmetric and equals C^{-1/2}', () => {
    const w = fitWhitening(x, COUNT, DIM, { method: 'zca', epsilon: 0 });
    assert.equal(w.outputDim, DIM);
    assert.equal(maxAbsDifference(w.matrix, transpose(w.matrix, DIM)), 0);
    const z = applyWhitening(x, COUNT, w);
    assert.ok(maxAbsDifference(covariance(z, COUNT, DIM), identity(DIM)) < 1e-9);
    // W² C = I is the closed form of W = C^{-1/2} for symmetric positive definite W.
    const c = covariance(x, COUNT, DIM);
    assert.ok(maxAbsDifference(multiply(multiply(w.matrix, w.matrix, DIM), c, DIM), identity(DIM)) < 1e-9);
    assert.ok(featureMeans(z, COUNT, DIM).every((m) => Math.abs(m) < 1e-10));
  });

  it('ZCA matrix matches numpy (eigh of np.cov)', (t) => {
    if (skippedForMissing(t, numpySkipReason())) return;
    const epsilon = 0.05;
    const expected = runPython<number[]>(
      `import json,sys,numpy as np
x=np.array(json.load(sys.stdin)).reshape(-1,${DIM})
lam,u=np.linalg.eigh(np.cov(x,rowvar=False,bias=True))
print(json.dumps((u@np.diag(1/np.sqrt(lam+${epsilon}))@u.T).ravel().tolist()))`,
      Array.from(x),
    );
    const w = fitWhitening(x, COUNT, DIM, { method: 'zca', epsilon });
    assert.ok(maxAbsDifference(w.matrix, expected) < 1e-10);
  });

  it('PCA with k components: covariance I_k, components in order of decreasing variance', () => {
    const w = fitWhitening(x, COUNT, DIM, { method: 'pca', epsilon: 0, components: 5 });
    assert.equal(w.outputDim, 5);
    const z = applyWhitening(x, COUNT, w);
    assert.equal(z.length, COUNT * 5);
    assert.ok(maxAbsDifference(covariance(z, COUNT, 5), identity(5)) < 1e-9);
    for (let k = 1; k < DIM; k++) assert.ok(w.eigenvalues[k - 1] >= w.eigenvalues[k]);
  });

  it('ε > 0 gives the closed form diag(λ/(λ + ε)) for PCA', () => {
    const epsilon = 2;
    const w = fitWhitening(x, COUNT, DIM, { method: 'pca', epsilon });
    const expected = new Float64Array(DIM * DIM);
    for (let k = 0; k < DIM; k++) expected[k * DIM + k] = w.eigenvalues[k] / (w.eigenvalues[k] + epsilon);
    assert.ok(maxAbsDifference(covariance(applyWhitening(x, COUNT, w), COUNT, DIM), expected) < 1e-9);
  });

  it('in place on float32 data agrees with the float64 path to float32 precision', () => {
    const w = fitWhitening(x, COUNT, DIM, { method: 'zca', epsilon: 1e-3 });
    const reference = applyWhitening(x, COUNT, w);
    const single = Float32Array.from(x);
    const z = applyWhitening(single, COUNT, w, { inPlace: true });
    assert.equal(z.buffer, single.buffer);
    assert.ok(maxAbsDifference(z, reference) < 1e-4);
    const pca = fitWhitening(x, COUNT, DIM, { method: 'pca', components: 3 });
    const copy = Float64Array.from(x);
    assert.deepEqual(
      Array.from(applyWhitening(copy, COUNT, pca, { inPlace: true })),
      Array.from(applyWhitening(x, COUNT, pca)),
    );
  });

  it('refuses ε = 0 on rank-deficient data, and options that do not fit', () => {
    const lowRank = correlated(4, COUNT, DIM, 6);
    assert.throws(
      () => fitWhitening(lowRank, COUNT, DIM, { method: 'zca', epsilon: 0 }),
      (error: unknown) =>
        error instanceof InvalidArgumentError && /^whiten\.epsilon: expected/.test(error.message),
    );
    // Keeping only the 6 directions that carry variance works without ε.
    const w = fitWhitening(lowRank, COUNT, DIM, { method: 'pca', epsilon: 0, components: 6 });
    assert.ok(maxAbsDifference(covariance(applyWhitening(lowRank, COUNT, w), COUNT, 6), identity(6)) < 1e-8);
    assert.throws(() => fitWhitening(x, COUNT, DIM, { method: 'zca', components: 3 }), /whiten\.components/);
    assert.throws(() => fitWhitening(x, COUNT, DIM, { method: 'pca', epsilon: -1 }), /whiten\.epsilon/);
    assert.throws(() => fitWhitening(x, COUNT, DIM, { method: 'pca', components: 14 }), /whiten\.components/);
    assert.throws(() => applyWhitening(x.subarray(0, 26), 3, w), /^InvalidArgumentError|x: expected/);
  });
});

function transpose(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = a[i * n + j];
  return out;
}

function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

describe('whitening on a fast engine (DenseProducts)', () => {
  const count = 700;
  const dim = 41; // odd, so the covariance's two feature halves differ in size
  const x = correlated(7, count, dim);
  const engines: [string, () => DenseProducts & { dispose?: () => void }][] = [
    ['reference products', () => referenceProducts],
  ];
  // Without ONNX Runtime (off CI) the list leaves it out; onnxSkipReason fails the file under CI=true.
  if (onnxSkipReason() === false) engines.push(['onnx', () => onnxDenseProducts()]);

  for (const [name, make] of engines) {
    it(`${name}: covariance, W and W(x − μ) agree with the TypeScript kernels`, () => {
      const products = make();
      const c = covariance(x, count, dim, undefined, products);
      const reference = covariance(x, count, dim);
      assert.ok(maxAbsDifference(c, reference) < 1e-12 * Math.max(...reference.map(Math.abs)));
      assert.equal(maxAbsDifference(c, transpose(c, dim)), 0, 'exactly symmetric');
      for (const options of [
        { method: 'zca', epsilon: 1e-3 },
        { method: 'pca', epsilon: 1e-3, components: 9 },
      ] as const) {
        const w = fitWhitening(x, count, dim, options, { products });
        const plain = fitWhitening(x, count, dim, options);
        assert.ok(maxAbsDifference(w.matrix, plain.matrix) < 1e-10 * Math.max(...plain.matrix.map(Math.abs)));
        const z = applyWhitening(Float64Array.from(x), count, w, { inPlace: true, products });
        const expected = applyWhitening(x, count, w);
        assert.ok(maxAbsDifference(z, expected) < 1e-12 * Math.max(...expected.map(Math.abs)));
      }
      products.dispose?.();
    });
  }

  it('whitened data agrees with numpy (ZCA from eigh of the covariance) to 1e-10 relative', (t) => {
    if (skippedForMissing(t, numpySkipReason())) return;
    const epsilon = 1e-3;
    const expected = runPython<number[]>(
      `import json,sys,numpy as np
x=np.array(json.load(sys.stdin)).reshape(-1,${dim})
xc=x-x.mean(axis=0)
lam,u=np.linalg.eigh(xc.T@xc/len(x))
print(json.dumps((xc@(u@np.diag(1/np.sqrt(lam+${epsilon}))@u.T)).ravel().tolist()))`,
      Array.from(x),
    );
    const scale = Math.max(...expected.map(Math.abs));
    for (const [, make] of engines) {
      const products = make();
      const w = fitWhitening(x, count, dim, { method: 'zca', epsilon }, { products });
      const z = applyWhitening(x, count, w, { products });
      assert.ok(maxAbsDifference(z, expected) < 1e-10 * scale, `${products.engine}`);
      products.dispose?.();
    }
  });
});
