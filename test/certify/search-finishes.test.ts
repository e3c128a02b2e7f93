import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RESTARTS, multistartSearch } from '../../src/certify/search.js';
import { Rng } from '../../src/core/rng.js';
import { makeSamples } from '../../src/model/samples.js';
import {
  type KnownAnswerProblem,
  swirszczArchitecture,
  swirszczD1,
  swirszczD2,
  swirszczD3,
  swirszczTheta,
} from '../../src/data/swirszcz.js';

/**
 * Issue 12 part 5: a search that finishes. Oracles independent of the certificate code: the 1-m-1 net and its SSE
 * written out here, the Wilson interval as the roots of its defining quadratic, and constant-fit losses by hand.
 */

/** M(x) = Σⱼ vⱼ·max(0, wⱼx + bⱼ) + c on θ = (w₁…w_m, b₁…b_m, v₁…v_m, c), written out independently of src/model. */
function outputs(theta: ArrayLike<number>, xs: ArrayLike<number>): number[] {
  const m = (theta.length - 1) / 3;
  return Array.from(xs, (x) => {
    let sum = theta[3 * m];
    for (let j = 0; j < m; j++) sum += theta[2 * m + j] * Math.max(0, theta[j] * x + theta[m + j]);
    return sum;
  });
}

function sse(problem: KnownAnswerProblem, theta: ArrayLike<number>): number {
  const { x, y } = problem.dataset;
  return outputs(theta, x).reduce((sum, out, n) => sum + (out - y[n]) ** 2, 0);
}

/** Wilson's interval as the two roots p of (p̂ − p)² = z²·p(1 − p)/n (not the centre ± half-width form). */
function wilsonRoots(successes: number, trials: number): [number, number] {
  const z = 1.959963984540054;
  const ph = successes / trials;
  const a = 1 + (z * z) / trials;
  const b = -(2 * ph + (z * z) / trials);
  const c = ph * ph;
  const d = Math.sqrt(b * b - 4 * a * c);
  return [(-b - d) / (2 * a), (-b + d) / (2 * a)];
}

function defaultSearch(problem: KnownAnswerProblem) {
  return multistartSearch({
    architecture: problem.architecture,
    loss: problem.loss,
    samples: problem.dataset,
    certify: { probes: false, knownOptimum: problem.knownOptimum },
  });
}

describe('search: hit rates with Wilson intervals', () => {
  it('the Wilson interval of a known count matches values computed separately (Python, quadratic roots)', () => {
    // 3 of 200 and 45 of 1000: the roots of the quadratic, computed in Python with z = Φ⁻¹(0.975).
    const expected: [number, number, number, number][] = [
      [3, 200, 0.005114237793258312, 0.04316572879269027],
      [0, 20, 0, 0.16112515805281938],
      [45, 1000, 0.033799512285631696, 0.059682837936223476],
    ];
    for (const [k, n, low, high] of expected) {
      const [rootLow, rootHigh] = wilsonRoots(k, n);
      assert.ok(Math.abs(rootLow - low) < 1e-12 && Math.abs(rootHigh - high) < 1e-12, `${k}/${n}`);
    }
    // The search reports the same interval for its own counts: D1, 40 restarts.
    const d1 = swirszczD1();
    const result = multistartSearch({
      architecture: d1.architecture,
      loss: d1.loss,
      samples: d1.dataset,
      restarts: 40,
      certify: { probes: false },
    });
    for (const d of result.distinct) {
      const [low, high] = wilsonRoots(d.count, 40);
      assert.equal(d.hitRate.successes, d.count);
      assert.equal(d.hitRate.trials, 40);
      assert.ok(Math.abs(d.hitRate.low - low) < 1e-12 && Math.abs(d.hitRate.high - high) < 1e-12);
    }
    // The best point's hits: runs whose (independently computed) SSE is the best loss.
    const best = result.endPoints.filter((e) => sse(d1, e.certificate.theta) < result.bestLoss + 1e-9);
    assert.equal(result.bestHitRate.successes, best.length);
    const [low, high] = wilsonRoots(best.length, 40);
    assert.ok(Math.abs(result.bestHitRate.low - low) < 1e-12);
    assert.ok(Math.abs(result.bestHitRate.high - high) < 1e-12);
    assert.equal(
      result.distinct.reduce((sum, d) => sum + d.count, 0),
      40,
      'every run in exactly one row',
    );
  });
});

describe('search: a failed polish goes back to descent', () => {
  // D1, θ = (w, b, v, c) = (−1, −1, 1, 0): the unit is dead on every sample except x = −1, where it sits exactly
  // on its kink. Polishing then fits c = ȳ = 0.6, L = Σ(y − ȳ)² = 21.2, but switching the unit on at x = −1
  // (label 3, above ȳ, and v > 0) lowers L: a kink with a descent direction. With kink exits disabled, polishing
  // cannot take it.
  const d1 = swirszczD1();
  const start = swirszczTheta([-1], [-1], [1], 0);
  const run = (retries: number) =>
    multistartSearch({
      architecture: d1.architecture,
      loss: d1.loss,
      samples: d1.dataset,
      restarts: 0,
      starts: [start],
      retries,
      polish: { maxKinkExits: 0 },
      certify: { probes: false },
    }).endPoints[0];

  it('without retries the stalled point is reported not-critical at the constant fit', () => {
    const stuck = run(0);
    assert.equal(stuck.verdict, 'not-critical');
    assert.equal(stuck.retries, 0);
    assert.ok(Math.abs(sse(d1, stuck.certificate.theta) - 21.2) < 1e-9);
  });

  it('with retries it finishes at a lower point that no nearby direction improves', () => {
    const done = run(3);
    assert.ok(done.retries >= 1 && done.retries <= 3, `retries ${done.retries}`);
    assert.notEqual(done.verdict, 'not-critical');
    const loss = sse(d1, done.certificate.theta);
    assert.ok(Math.abs(loss - done.loss) < 1e-9, 'reported loss is the SSE of the point');
    assert.ok(loss < 21.2 - 1, `L = ${loss}`);
    // Independent local check: 2000 random directions at r = 1e-4 and 1e-6 find nothing lower.
    const rng = new Rng(5);
    const theta = Array.from(done.certificate.theta);
    for (const r of [1e-4, 1e-6]) {
      for (let k = 0; k < 1000; k++) {
        const d = theta.map(() => rng.gaussian());
        const size = Math.hypot(...d);
        const moved = theta.map((t, p) => t + (r * d[p]) / size);
        assert.ok(sse(d1, moved) >= loss - 1e-10, `descent at r = ${r}`);
      }
    }
  });
});

describe('search: Swirszcz D1–D3 with default settings', () => {
  for (const problem of [swirszczD1(), swirszczD2(), swirszczD3()]) {
    it(`${problem.name}: no not-critical end point among ${DEFAULT_RESTARTS} restarts`, () => {
      const result = defaultSearch(problem);
      assert.equal(result.endPoints.length, DEFAULT_RESTARTS);
      const left = result.endPoints.filter((e) => e.verdict === 'not-critical');
      assert.deepEqual(
        left.map((e) => e.index),
        [],
        'every end point certified as something other than not-critical',
      );
      assert.equal(result.notCritical, 0);
      assert.ok(result.distinct.length < 30, `a short table: ${result.distinct.length} rows`);
      if (problem.name !== 'swirszcz-d1') {
        // D2 and D3 fit their six points exactly (D3: kinks near x ≈ 0.28 and 10.56, see the docs).
        assert.ok(sse(problem, result.endPoints[result.distinct[0].members[0]].certificate.theta) < 1e-20);
        assert.equal(result.distinct[0].verdict, 'global');
        assert.ok(result.bestHitRate.successes >= 1);
      }
    });
  }
});

describe('search: merging in function space', () => {
  // D1's data with two units: the paper's minimum (w, b, v, c) = (1, −3, 1, 0) on unit 1, and unit 2 dead on every
  // sample (w₂x + b₂ < 0 for x ∈ [−1, 5]). Its incoming weights can be anything that keeps it dead: a flat family of
  // minima with one function on the data but different canonical parameters.
  const d1 = swirszczD1();
  const architecture = swirszczArchitecture(2);
  const family = [
    [1, -20],
    [0.5, -30],
    [-2, -20],
  ].map(([w2, b2]) => swirszczTheta([1, w2], [-3, b2], [1, 1], 0));

  it('the members really are one function on the data with different unit directions', () => {
    const reference = outputs(family[0], d1.dataset.x);
    for (const theta of family) {
      assert.deepEqual(outputs(theta, d1.dataset.x), reference);
      assert.equal(sse(d1, theta), 18);
    }
  });

  for (const [mergeBy, rows] of [
    ['outputs', 1],
    ['parameters', 3],
  ] as const) {
    it(`merge by ${mergeBy}: ${rows} row(s)`, () => {
      const result = multistartSearch({
        architecture,
        loss: d1.loss,
        samples: d1.dataset,
        restarts: 0,
        starts: family,
        mergeBy,
        certify: { probes: false },
      });
      assert.ok(result.endPoints.every((e) => Math.abs(e.loss - 18) < 1e-9 && e.verdict === 'local-min'));
      assert.equal(result.distinct.length, rows);
      assert.equal(result.distinct[0].count, 3 / rows);
    });
  }

  it('the output tolerance is relative to the labels: two minima of data with labels of size 1e-8 stay apart', () => {
    // D1 with y scaled by 1e-8: the minima at L = 18 and L = 14 scale to 18e-16 and 14e-16 and their outputs differ
    // by about 1e-8, less than 1e-6 in absolute terms but far more than 1e-6 of the labels' size.
    const scale = 1e-8;
    const samples = makeSamples(
      Array.from(d1.dataset.x),
      Array.from(d1.dataset.y, (y) => y * scale),
      1,
    );
    const paper = swirszczTheta([1], [-3], [scale], 0);
    const lower = swirszczTheta(
      [-1.7925137360643844],
      [-0.2074862639356158],
      [1.8927116739313192 * scale],
      0,
    );
    const result = multistartSearch({
      architecture: d1.architecture,
      loss: d1.loss,
      samples,
      restarts: 0,
      starts: [paper, lower],
      certify: { probes: false },
    });
    const losses = result.endPoints.map((e) => e.loss / scale ** 2);
    assert.ok(Math.abs(losses[0] - 18) < 1e-6 && Math.abs(losses[1] - 14) < 1e-6, `${losses}`);
    assert.ok(result.endPoints.every((e) => e.verdict === 'local-min'));
    assert.equal(result.distinct.length, 2);
  });
});
