import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leastSquares, matvec, matvecTransposed, norm } from '../../src/core/linalg/index.js';
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

describe('leastSquares: closed forms', () => {
  it('fits a line exactly through collinear points', () => {
    const { x, residualNorm, rank } = leastSquares(
      Float64Array.of(1, 0, 1, 1, 1, 2),
      3,
      2,
      Float64Array.of(1, 3, 5),
    );
    assert.ok(maxAbsDifference(x, [1, 2]) < 64 * EPS);
    assert.ok(residualNorm < 64 * EPS);
    assert.equal(rank, 2);
  });

  it('the normal equations hold: Aᵀ(Ax − b) = 0 for a tall full-rank system', () => {
    const rng = new Rng(1);
    const a = gaussianMatrix(rng, 50, 8);
    const b = gaussianMatrix(rng, 50, 1);
    const { x, residualNorm } = leastSquares(a, 50, 8, b);
    const r = matvec(a, 50, 8, x).map((v, i) => v - b[i]);
    assert.ok(norm(matvecTransposed(a, 50, 8, r)) < 1e-12 * norm(b));
    assert.ok(Math.abs(residualNorm - norm(r)) < 1e-14 * norm(b));
  });

  it('gives the minimum-norm solution of an under-determined system (x ∈ row space, exact fit)', () => {
    // x = Aᵀ(AAᵀ)⁻¹b is the minimum-norm solution; check Ax = b and that x is a combination of the rows.
    const a = Float64Array.of(1, 1, 0, 0, 0, 1, 1, 0);
    const b = Float64Array.of(2, 4);
    const { x, residualNorm } = leastSquares(a, 2, 4, b);
    // Closed form: AAᵀ = [[2,1],[1,2]], (AAᵀ)⁻¹b = [0, 2], x = 2·row₂ = [0, 2, 2, 0].
    assert.ok(maxAbsDifference(x, [0, 2, 2, 0]) < 16 * EPS, `${[...x]}`);
    assert.ok(residualNorm < 16 * EPS);
  });

  it('rank-deficient: duplicated columns share the weight equally', () => {
    // Columns 0 and 1 are equal, so the minimum-norm solution splits their coefficient in half.
    const a = Float64Array.of(1, 1, 0, 2, 2, 1, 3, 3, 1, 1, 1, 5);
    const b = Float64Array.of(2, 5, 7, 7);
    const { x, rank } = leastSquares(a, 4, 3, b);
    assert.equal(rank, 2);
    assert.ok(Math.abs(x[0] - x[1]) < 64 * EPS);
    const { x: reduced } = leastSquares(Float64Array.of(2, 0, 4, 1, 6, 1, 2, 5), 4, 2, b);
    // The reduced column is 2·c₀, so its coefficient is (x₀ + x₁)/2 = x₀.
    assert.ok(maxAbsDifference([x[0], x[2]], reduced) < 1e-13);
  });

  it('handles a zero matrix and names bad arguments', () => {
    const zero = leastSquares(new Float64Array(6), 3, 2, Float64Array.of(1, 2, 2));
    assert.deepEqual([...zero.x], [0, 0]);
    assert.equal(zero.rank, 0);
    assert.equal(zero.residualNorm, 3);
    assert.throws(
      () => leastSquares(new Float64Array(6), 3, 2, new Float64Array(2)),
      /^InvalidArgumentError: b: expected 3 entries/,
    );
    assert.throws(
      () => leastSquares(new Float64Array(6), 3, 2, new Float64Array(3), { rcond: -1 }),
      /rcond: expected/,
    );
  });
});

describe('leastSquares: against numpy.linalg.lstsq', { skip: numpySkipReason() }, () => {
  it('matches x, rank and residual on tall, wide, rank-deficient and ill-conditioned systems', () => {
    const rng = new Rng(33);
    const cases: { a: Float64Array; rows: number; cols: number; b: Float64Array; rcond?: number }[] = [];
    for (const [rows, cols, rank] of [
      [40, 10, 10],
      [10, 40, 10],
      [40, 30, 12],
      [25, 60, 9],
      [30, 30, 29],
      [1, 7, 1],
      [7, 1, 1],
    ]) {
      const a =
        rank === Math.min(rows, cols)
          ? gaussianMatrix(rng, rows, cols)
          : lowRankMatrix(rng, rows, cols, rank);
      cases.push({ a, rows, cols, b: gaussianMatrix(rng, rows, 1) });
    }
    // Condition number 1e10: the solution is sensitive, so compare residuals and the fitted values, and
    // one case with an explicit rcond that truncates the small singular values.
    const ill = withSingularValues(
      rng,
      20,
      12,
      Float64Array.from({ length: 12 }, (_, k) => 10 ** ((-10 * k) / 11)),
    );
    cases.push({ a: ill, rows: 20, cols: 12, b: gaussianMatrix(rng, 20, 1) });
    cases.push({ a: ill, rows: 20, cols: 12, b: gaussianMatrix(rng, 20, 1), rcond: 1e-6 });
    const reference = runPython<{ x: number[]; rank: number; fitted: number[]; residual: number }[]>(
      'import json,sys,numpy as np\nout=[]\nfor c in json.load(sys.stdin):\n' +
        " a=np.array(c['a']).reshape(c['rows'],c['cols']); b=np.array(c['b'])\n" +
        " x,_,rank,_=np.linalg.lstsq(a,b,rcond=c.get('rcond'))\n" +
        " out.append({'x':x.tolist(),'rank':int(rank),'fitted':(a@x).tolist(),'residual':float(np.linalg.norm(a@x-b))})\nprint(json.dumps(out))",
      cases.map((c) => ({ ...c, a: [...c.a], b: [...c.b] })),
    );
    cases.forEach(({ a, rows, cols, b, rcond }, i) => {
      const ours = leastSquares(a, rows, cols, b, rcond === undefined ? {} : { rcond });
      const label = `case ${i}: ${rows} × ${cols}`;
      assert.equal(ours.rank, reference[i].rank, label);
      assert.ok(ours.residualNorm <= reference[i].residual + 1e-12 * norm(b), `${label}: residual`);
      if (i < 7 || rcond !== undefined) {
        const fitted = matvec(a, rows, cols, ours.x);
        assert.ok(maxAbsDifference(fitted, reference[i].fitted) < 1e-10 * norm(b), `${label}: fitted values`);
        const error = maxAbsDifference(ours.x, reference[i].x);
        assert.ok(error < 1e-10 * Math.max(1, norm(ours.x)), `${label}: x error ${error}`);
      }
    });
  });
});
