import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numericalRank, singularValues } from '../../src/core/linalg/index.js';
import { Rng } from '../../src/core/rng.js';
import {
  gaussianMatrix,
  lowRankMatrix,
  maxAbsDifference,
  numpySkipReason,
  runPython,
  withSingularValues,
} from './numpy-oracle.js';

const EPS = Number.EPSILON;

describe('singularValues: closed forms', () => {
  it('diagonal and permuted-diagonal matrices give |entries| in descending order', () => {
    assert.deepEqual([...singularValues(Float64Array.of(3, 0, 0, -4), 2, 2)], [4, 3]);
    // A 2 × 3 permutation-times-diagonal matrix.
    assert.deepEqual([...singularValues(Float64Array.of(0, 0, 2, -5, 0, 0), 2, 3)], [5, 2]);
  });

  it('a rank-one outer product u·vᵀ has σ₁ = ‖u‖·‖v‖ and zeros after it', () => {
    const u = [1, 2, 2];
    const v = [3, 4];
    const a = Float64Array.from({ length: 6 }, (_, k) => u[Math.floor(k / 2)] * v[k % 2]);
    const s = singularValues(a, 3, 2);
    assert.ok(Math.abs(s[0] - 15) < 8 * EPS * 15);
    assert.ok(s[1] < 8 * EPS * 15);
  });

  it('U·diag(s)·Vᵀ with s spread over 12 decades returns s to within a few ε·σ_max', () => {
    const rng = new Rng(3);
    const s = Float64Array.from({ length: 13 }, (_, k) => 10 ** -k);
    for (const [rows, cols] of [
      [13, 13],
      [20, 13],
      [13, 25],
    ]) {
      const a = withSingularValues(rng, rows, cols, s);
      const computed = singularValues(a, rows, cols);
      assert.ok(
        maxAbsDifference(computed, s) < 30 * EPS,
        `${rows} × ${cols}: ${maxAbsDifference(computed, s)}`,
      );
    }
  });

  it('orthogonal matrices have all singular values 1; empty matrices have none', () => {
    const a = withSingularValues(new Rng(4), 17, 17, new Float64Array(17).fill(1));
    assert.ok(maxAbsDifference(singularValues(a, 17, 17), new Float64Array(17).fill(1)) < 50 * EPS);
    assert.equal(singularValues(new Float64Array(0), 0, 5).length, 0);
    assert.deepEqual([...singularValues(new Float64Array(6), 2, 3)], [0, 0]);
  });

  it('names the argument at fault', () => {
    assert.throws(
      () => singularValues(new Float64Array(5), 2, 3),
      /^InvalidArgumentError: a: expected 6 entries/,
    );
    assert.throws(() => singularValues(Float64Array.of(1, Infinity), 1, 2), /a\[0, 1\]: expected a finite/);
    assert.throws(() => singularValues(new Float64Array(4), -2, -2), /rows: expected an integer ≥ 0/);
    assert.throws(
      () => numericalRank(new Float64Array(4), 2, 2, -1),
      /tolerance: expected a finite number ≥ 0/,
    );
  });
});

describe('numericalRank', () => {
  it('reports the default tolerance max(rows, cols)·σ_max·ε', () => {
    const rng = new Rng(8);
    const a = lowRankMatrix(rng, 9, 6, 4);
    const result = numericalRank(a, 9, 6);
    assert.equal(result.rank, 4);
    assert.equal(result.tolerance, 9 * result.singularValues[0] * EPS);
  });

  it('uses a caller-given tolerance', () => {
    const a = withSingularValues(new Rng(2), 5, 5, [1, 1e-3, 1e-6, 1e-9, 1e-12]);
    assert.equal(numericalRank(a, 5, 5, 1e-4).rank, 2);
    assert.equal(numericalRank(a, 5, 5, 1e-7).rank, 3);
    assert.equal(numericalRank(a, 5, 5).rank, 5);
  });
});

describe('singularValues and numericalRank: against numpy', { skip: numpySkipReason() }, () => {
  it('agree with numpy.linalg.svd / matrix_rank on random, rank-deficient, wide and tall matrices', () => {
    const rng = new Rng(21);
    const cases: { a: Float64Array; rows: number; cols: number }[] = [];
    for (const [rows, cols, rank] of [
      [6, 6, 6],
      [30, 12, 12],
      [12, 30, 12],
      [40, 40, 25],
      [60, 20, 7],
      [20, 60, 19],
      [64, 64, 63],
      [5, 80, 1],
    ]) {
      const a =
        rank === Math.min(rows, cols)
          ? gaussianMatrix(rng, rows, cols)
          : lowRankMatrix(rng, rows, cols, rank);
      cases.push({ a, rows, cols });
    }
    const reference = runPython<{ s: number[]; rank: number }[]>(
      'import json,sys,numpy as np\n' +
        "out=[]\nfor c in json.load(sys.stdin):\n a=np.array(c['a']).reshape(c['rows'],c['cols'])\n" +
        " out.append({'s':np.linalg.svd(a,compute_uv=False).tolist(),'rank':int(np.linalg.matrix_rank(a))})\n" +
        'print(json.dumps(out))',
      cases.map((c) => ({ ...c, a: [...c.a] })),
    );
    cases.forEach(({ a, rows, cols }, i) => {
      const ours = numericalRank(a, rows, cols);
      const scale = ours.singularValues[0];
      const error = maxAbsDifference(ours.singularValues, reference[i].s);
      assert.ok(error < 10 * Math.max(rows, cols) * EPS * scale, `${rows} × ${cols}: σ error ${error}`);
      assert.equal(ours.rank, reference[i].rank, `${rows} × ${cols}`);
    });
  });
});
