import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onnxDenseProducts } from '../../src/backend/onnx/dense-products.js';
import { onnxSkipReason } from '../support/onnx.js';
import { Rng } from '../../src/core/rng.js';
import { type DenseProducts, referenceProducts } from '../../src/core/linalg/products.js';

/** The product by its definition, one dot product per entry, for the layouts of `multiply`. */
function byDefinition(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++)
        sum += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = sum;
    }
  }
  return out;
}

const engines: [string, () => DenseProducts & { dispose?: () => void }][] = [
  ['reference', () => referenceProducts],
];
// Without ONNX Runtime (off CI) the engine list leaves it out; onnxSkipReason fails the file under CI=true.
if (onnxSkipReason() === false) engines.push(['onnx', () => onnxDenseProducts()]);

for (const [name, make] of engines) {
  describe(`DenseProducts (${name})`, () => {
    it('agrees with the definition for every layout, shapes large enough to reach the fast engine', () => {
      const rng = new Rng(5);
      const products = make();
      for (const [m, k, n] of [
        [3, 2, 5],
        [70, 50, 40],
        [129, 65, 33],
      ]) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            const a = Float64Array.from({ length: m * k }, () => rng.gaussian());
            const b = Float64Array.from({ length: k * n }, () => rng.gaussian());
            const out = new Float64Array(m * n).fill(Number.NaN);
            products.multiply(a, b, m, k, n, out, { transposeA: ta, transposeB: tb });
            const expected = byDefinition(a, b, m, k, n, ta, tb);
            for (let i = 0; i < out.length; i++) {
              assert.ok(Math.abs(out[i] - expected[i]) <= 1e-13 * k, `${m}×${k}×${n} ${ta} ${tb} entry ${i}`);
            }
          }
        }
      }
      products.dispose?.();
    });

    it('agrees with the definition when the output is large enough to be computed in column or row blocks', () => {
      const rng = new Rng(6);
      const products = make();
      for (const [m, k, n] of [
        [301, 7, 1000],
        [9000, 2, 40],
      ]) {
        for (const [ta, tb] of [
          [false, false],
          [false, true],
          [true, false],
          [true, true],
        ]) {
          const a = Float64Array.from({ length: m * k }, () => rng.gaussian());
          const b = Float64Array.from({ length: k * n }, () => rng.gaussian());
          const out = new Float64Array(m * n).fill(Number.NaN);
          products.multiply(a, b, m, k, n, out, { transposeA: ta, transposeB: tb });
          const expected = byDefinition(a, b, m, k, n, ta, tb);
          let worst = 0;
          for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - expected[i]));
          assert.ok(worst <= 1e-13 * k, `${m}×${k}×${n} ${ta} ${tb}: ${worst}`);
        }
      }
      products.dispose?.();
    });

    it('reads subarrays at their offset and rejects mismatched shapes naming the operand', () => {
      const products = make();
      const store = Float64Array.from({ length: 200 }, (_, i) => i);
      const out = new Float64Array(4);
      products.multiply(store.subarray(10, 14), Float64Array.of(1, 0, 0, 1), 2, 2, 2, out);
      assert.deepEqual([...out], [10, 11, 12, 13]);
      assert.throws(() => products.multiply(new Float64Array(3), new Float64Array(4), 2, 2, 2, out), /\ba\b/);
      products.dispose?.();
    });
  });
}
