import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certify } from '../../src/certify/certificate.js';
import { Rng } from '../../src/core/rng.js';
import { proportion } from '../../src/core/statistics.js';
import {
  classifyRegion,
  drawRegionProblem,
  feasibleCoefficients,
  rateConstant,
  type RegionDraw,
  regionMinimum,
  regionVolumes,
  type VolumeSize,
} from '../../src/landscape/volume.js';
import { mlp } from '../../src/model/architecture.js';
import { makeSamples } from '../../src/model/samples.js';
import { NUMPY_PACKAGES, pythonOracleSkip, runOracle } from '../support/python.js';

const RELU = { epsilon: 0.1, negativeSlope: 0, labelEncoding: 'pm1' as const };

/** A 99.9% Wilson interval (z = Φ⁻¹(0.9995)), so that a correct estimate misses it once in a thousand seeds. */
const Z_999 = 3.2905;

/**
 * P(some sample has every unit off) for ρ = 0, d1 = 2: given W, samples are off independently with probability
 * p = (π − θ)/(2π), θ the angle between the rows, whose density in ℝ^{d0} is ∝ sin^{d0−2}θ. So the probability is
 * 1 − E[(1 − p)^N], integrated here by Simpson's rule. (For d1 = 1 it is 1 − 2^{−N}; the independent-unit value
 * 1 − (1 − 2^{−d1})^N is only an upper bound for d1 ≥ 2, by Jensen.)
 */
function allOffProbabilityTwoUnits(count: number, inputDim: number): number {
  const steps = 20_000;
  let weight = 0;
  let value = 0;
  for (let k = 0; k <= steps; k++) {
    const theta = (Math.PI * k) / steps;
    const simpson = k === 0 || k === steps ? 1 : k % 2 === 1 ? 4 : 2;
    const density = Math.sin(theta) ** (inputDim - 2);
    weight += simpson * density;
    value += simpson * density * ((Math.PI + theta) / (2 * Math.PI)) ** count;
  }
  return 1 - value / weight;
}

/** The network (W, z) of a region minimum as basin's bias-free θ = [W row-major; z]. */
function networkTheta(size: VolumeSize, weights: Float64Array, outputWeights: Float64Array): Float64Array {
  const theta = new Float64Array(size.width * size.inputDim + size.width);
  theta.set(weights);
  theta.set(outputWeights, size.width * size.inputDim);
  return theta;
}

function certifyMinimum(size: VolumeSize, draw: RegionDraw, weights: Float64Array, z: Float64Array) {
  const architecture = mlp(size.inputDim, [size.width], 1, { kind: 'leaky-relu', slope: 0 }, false);
  return certify(
    architecture,
    'mse',
    networkTheta(size, weights, z),
    makeSamples(draw.x, draw.y, size.inputDim),
    { polish: false, labelEncoding: 'pm1' },
  );
}

describe('region volumes: N ≤ d0, ρ = 0', () => {
  // With N ≤ d0 generic samples are independent, so A∘X loses rank exactly through samples on which every unit is
  // off (zero columns), and its least-squares fit is exact on every other sample.
  for (const size of [
    { count: 3, inputDim: 5, width: 1 },
    { count: 4, inputDim: 6, width: 2 },
  ]) {
    it(`N=${size.count} d0=${size.inputDim} d1=${size.width}: rank, residual and bad regions are the all-off mechanism`, () => {
      const draws = 3000;
      const record = regionVolumes({ sizes: [size], draws, epsilon: 0.1, seed: 7 });
      const estimate = record.sizes[0];
      assert.equal(estimate.fullRank.successes + estimate.allInactive.successes, draws);
      assert.equal(estimate.globalPossible.successes, estimate.fullRank.successes);
      // ε = 0.1 < 1/N: one output of exactly 0 (a ±1 label's threshold) is already MCE > ε.
      assert.equal(estimate.badPossible.successes, estimate.allInactive.successes);
      assert.equal(estimate.badPossibleWithAllInactive, estimate.badPossible.successes);
      const exact =
        size.width === 1 ? 1 - 2 ** -size.count : allOffProbabilityTwoUnits(size.count, size.inputDim);
      const interval = proportion(estimate.allInactive.successes, draws, Z_999);
      assert.ok(
        interval.low <= exact && exact <= interval.high,
        `${exact} outside [${interval.low}, ${interval.high}]`,
      );
    });
  }

  it('the independent-unit value 1 − (1 − 2^−d1)^N bounds the all-off fraction from above (d1 = 3)', () => {
    const size = { count: 5, inputDim: 6, width: 3 };
    const estimate = regionVolumes({ sizes: [size], draws: 3000, epsilon: 0.1, seed: 3 }).sizes[0];
    const bound = 1 - (1 - 2 ** -size.width) ** size.count;
    assert.ok(proportion(estimate.allInactive.successes, 3000, Z_999).low <= bound);
  });

  it('the two-unit integral is not the independent-unit value (the check above can tell them apart)', () => {
    const exact = allOffProbabilityTwoUnits(4, 6);
    assert.ok(1 - 0.75 ** 4 - exact > 0.01, `${exact}`);
  });
});

describe('a hand-built rank-deficient region', () => {
  // x⁽¹⁾ = (1, 0), x⁽²⁾ = (2, 0), labels +1, −1; both units on for both samples. The columns a ⊗ x of A∘X are
  // parallel, rank 1 < N = 2, and every output of the region is t·(1, 2): least squares gives t = −0.2, outputs
  // (−0.2, −0.4), e* = (1.2, −0.6), MCE 1/2. v* = (−0.1, 0, −0.1, 0), whose negation lies in both units' cone
  // {w : w₁ > 0}: the DLM is W = [(0.1, 0); (0.1, 0)], z = (−1, −1).
  const size = { count: 2, inputDim: 2, width: 2 };
  const draw: RegionDraw = {
    x: Float64Array.of(1, 0, 2, 0),
    y: Float64Array.of(1, -1),
    weights: Float64Array.of(1, 0.1, 1, -0.1),
  };
  const region = classifyRegion(draw, size, RELU);

  it('has the closed-form rank, residual, MCE and folded weights', () => {
    assert.equal(region.rank, 1);
    assert.ok(Math.abs(region.relativeResidual - Math.sqrt(0.9)) < 1e-12, `${region.relativeResidual}`);
    assert.equal(region.mce, 0.5);
    assert.equal(region.allInactiveSamples, 0);
    const expected = [-0.1, 0, -0.1, 0];
    region.foldedWeights.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `v[${i}] = ${v}`));
    assert.ok(region.badPossible && region.badCertain);
    assert.ok(!region.globalPossible && !region.globalCertain);
  });

  it('builds the DLM, which certify() proves a sub-optimal local minimum', () => {
    const minimum = region.minimum!;
    assert.deepEqual(Array.from(minimum.outputWeights), [-1, -1]);
    minimum.weights.forEach((w, i) => assert.ok(Math.abs(w - [0.1, 0, 0.1, 0][i]) < 1e-12));
    const certificate = certifyMinimum(size, draw, minimum.weights, minimum.outputWeights);
    assert.equal(certificate.verdict, 'local-min');
    assert.ok(Math.abs(certificate.lossValue - (1.2 ** 2 + 0.6 ** 2) / 2) < 1e-12);
  });

  it('with ε ≥ MCE the same region is not bad', () => {
    const lenient = classifyRegion(draw, size, { ...RELU, epsilon: 0.5 });
    assert.ok(!lenient.badPossible && !lenient.badCertain);
  });
});

describe('cone feasibility', () => {
  /** Independent check: every live block has sign(v_i·x⁽ⁿ⁾) = s_in for all n, or = −s_in for all n. */
  function directlyFeasible(
    v: Float64Array,
    slopes: Float64Array,
    x: Float64Array,
    size: VolumeSize,
  ): boolean {
    for (let i = 0; i < size.width; i++) {
      const signs = new Set<number>();
      let live = false;
      for (let n = 0; n < size.count; n++) {
        const s = slopes[n * size.width + i] === 1 ? 1 : -1;
        if (slopes[n * size.width + i] !== 0) live = true;
        let dot = 0;
        for (let j = 0; j < size.inputDim; j++) dot += v[i * size.inputDim + j] * x[n * size.inputDim + j];
        signs.add(Math.sign(s * dot));
      }
      if (live && (signs.size !== 1 || signs.has(0))) return false;
    }
    return true;
  }

  it('agrees with a direct sign check on random blocks, and rebuilds scaled rows exactly', () => {
    const size = { count: 3, inputDim: 2, width: 3 };
    const rng = new Rng(11);
    let feasible = 0;
    for (let trial = 0; trial < 400; trial++) {
      const draw = drawRegionProblem(size, 5, trial);
      const slopes = new Float64Array(size.count * size.width);
      for (let n = 0; n < size.count; n++) {
        for (let i = 0; i < size.width; i++) {
          let u = 0;
          for (let j = 0; j < size.inputDim; j++) u += draw.weights[i * 2 + j] * draw.x[n * 2 + j];
          slopes[n * size.width + i] = u > 0 ? 1 : 0;
        }
      }
      const v = rng.fillGaussian(new Float64Array(size.width * size.inputDim)) as Float64Array;
      const built = regionMinimum(v, slopes, draw, size, 0);
      assert.equal(built !== undefined, directlyFeasible(v, slopes, draw.x, size), `trial ${trial}`);
      if (built !== undefined) feasible++;
      // v_i = σ_i·c_i·w_i with the drawn rows is always feasible: w_i = c_i·w_i, z_i = σ_i.
      const signs = Array.from({ length: size.width }, () => (rng.uniform() < 0.5 ? -1 : 1));
      const scales = Array.from({ length: size.width }, () => 0.5 + rng.uniform());
      const scaled = draw.weights.map((w, k) => {
        const i = Math.floor(k / size.inputDim);
        return signs[i] * scales[i] * w;
      });
      const rebuilt = regionMinimum(scaled, slopes, draw, size, 0)!;
      for (let i = 0; i < size.width; i++) {
        const dead = [0, 1, 2].every((n) => slopes[n * size.width + i] === 0);
        assert.equal(rebuilt.outputWeights[i], dead ? 0 : signs[i]);
        for (let j = 0; j < size.inputDim; j++) {
          const expected = (dead ? 1 : scales[i]) * draw.weights[i * size.inputDim + j];
          assert.ok(Math.abs(rebuilt.weights[i * size.inputDim + j] - expected) < 1e-12);
        }
      }
    }
    // Both outcomes occur, so the agreement is not vacuous.
    assert.ok(feasible > 10 && feasible < 390, `${feasible} feasible`);
  });
});

describe('built minima certified', () => {
  function firstDraw(size: VolumeSize, accept: (r: ReturnType<typeof classifyRegion>) => boolean) {
    for (let k = 0; k < 5000; k++) {
      const draw = drawRegionProblem(size, 1, k);
      const region = classifyRegion(draw, size, RELU);
      if (accept(region)) return { draw, region };
    }
    throw new Error('no such draw in 5000');
  }

  it('a global-certain region: the built network is a certified global minimum', () => {
    const size = { count: 4, inputDim: 2, width: 4 };
    const { draw, region } = firstDraw(size, (r) => r.globalCertain);
    const certificate = certifyMinimum(size, draw, region.minimum!.weights, region.minimum!.outputWeights);
    assert.equal(certificate.verdict, 'global');
  });

  it('a bad-certain region with every unit live: the built network is a certified sub-optimal local minimum', () => {
    const size = { count: 6, inputDim: 3, width: 4 };
    const { draw, region } = firstDraw(
      size,
      (r) => r.badCertain && r.minimum!.outputWeights.every((z) => z !== 0),
    );
    const certificate = certifyMinimum(size, draw, region.minimum!.weights, region.minimum!.outputWeights);
    assert.equal(certificate.verdict, 'local-min');
    assert.ok(certificate.lossValue > 0);
  });
});

describe('the sign search', () => {
  /** Labels made by the drawn network itself with output weights z: its own region holds a zero-error DLM. */
  function teacherDraw(size: VolumeSize, k: number, rng: Rng): RegionDraw {
    const draw = drawRegionProblem(size, 9, k);
    const z = Array.from({ length: size.width }, () => rng.gaussian());
    const y = new Float64Array(size.count);
    for (let n = 0; n < size.count; n++) {
      for (let i = 0; i < size.width; i++) {
        let u = 0;
        for (let j = 0; j < size.inputDim; j++) {
          u += draw.weights[i * size.inputDim + j] * draw.x[n * size.inputDim + j];
        }
        y[n] += z[i] * Math.max(u, 0);
      }
    }
    return { ...draw, y };
  }

  it('finds a zero-error DLM in every region that is known to hold one, where v* alone rarely does', () => {
    const size = { count: 12, inputDim: 6, width: 4 };
    const rng = new Rng(3);
    let byMinimumNorm = 0;
    let checked = false;
    for (let k = 0; k < 40; k++) {
      const draw = teacherDraw(size, k, rng);
      const plain = classifyRegion(draw, size, RELU);
      const searched = classifyRegion(draw, size, { ...RELU, signSearch: true });
      assert.ok(searched.globalPossible && searched.globalCertain, `draw ${k}`);
      if (plain.globalCertain) byMinimumNorm++;
      else assert.ok(searched.fromSearch);
      if (!checked && searched.fromSearch) {
        const certificate = certifyMinimum(
          size,
          draw,
          searched.minimum!.weights,
          searched.minimum!.outputWeights,
        );
        assert.equal(certificate.verdict, 'global');
        checked = true;
      }
    }
    assert.ok(checked && byMinimumNorm < 20, `${byMinimumNorm} by v* alone`);
  });

  it('a bad region found only by the search holds a certified sub-optimal local minimum', () => {
    const size = { count: 8, inputDim: 4, width: 4 };
    for (let k = 0; k < 2000; k++) {
      const draw = drawRegionProblem(size, 1, k);
      const region = classifyRegion(draw, size, { ...RELU, signSearch: true });
      if (!(region.badCertain && region.fromSearch && region.minimum!.outputWeights.every((z) => z !== 0)))
        continue;
      const certificate = certifyMinimum(size, draw, region.minimum!.weights, region.minimum!.outputWeights);
      assert.equal(certificate.verdict, 'local-min');
      assert.ok(Math.abs(certificate.misclassificationError! - region.mce) < 1e-12);
      return;
    }
    assert.fail('no bad region found by the search in 2000 draws');
  });

  it('solves one-dimensional feasibility problems', () => {
    // t − 1 ≥ 0.1 is feasible; success means reaching at least half the margin.
    const t = feasibleCoefficients(
      Float64Array.of(1),
      Float64Array.of(-1),
      Float64Array.of(0.1),
      1,
      1,
      1,
      0,
    )!;
    assert.ok(t[0] - 1 >= 0.05, `${t[0]}`);
    // t ≥ 0.1 and −t − 1 ≥ 0.1 (two units of one row each) contradict each other.
    const rows = [Float64Array.of(1, -1), Float64Array.of(0, -1), Float64Array.of(0.1, 0.1)] as const;
    assert.equal(feasibleCoefficients(...rows, 2, 1, 1, 0), undefined);
    // Flipping the second unit's sign (bit 1) makes it t + 1 ≥ 0.1: feasible again.
    assert.notEqual(feasibleCoefficients(...rows, 2, 1, 1, 2), undefined);
  });
});

describe(
  'least-squares residual against numpy',
  { skip: pythonOracleSkip('import numpy', NUMPY_PACKAGES) },
  () => {
    it('rank and ‖e*‖/‖y‖ agree with numpy.linalg.lstsq', () => {
      const cases: { size: VolumeSize; k: number }[] = [];
      for (const size of [
        { count: 8, inputDim: 4, width: 4 },
        { count: 12, inputDim: 3, width: 5 },
        { count: 6, inputDim: 2, width: 2 },
      ]) {
        for (let k = 0; k < 4; k++) cases.push({ size, k });
      }
      const draws = cases.map(({ size, k }) => drawRegionProblem(size, 3, k));
      const numpy = runOracle<{ rank: number; relative: number }[]>(
        `
import json, sys
import numpy as np
cases = json.load(sys.stdin)
out = []
for c in cases:
    n, d0, d1 = c['N'], c['d0'], c['d1']
    X = np.array(c['x']).reshape(n, d0)
    W = np.array(c['w']).reshape(d1, d0)
    y = np.array(c['y'])
    A = (X @ W.T > 0).astype(float)
    G = np.einsum('ni,nj->nij', A, X).reshape(n, d1 * d0)
    v, _, rank, _ = np.linalg.lstsq(G, y, rcond=None)
    out.append({'rank': int(rank), 'relative': float(np.linalg.norm(y - G @ v) / np.linalg.norm(y))})
print(json.dumps(out))
`,
        {
          input: cases.map(({ size }, c) => ({
            N: size.count,
            d0: size.inputDim,
            d1: size.width,
            x: Array.from(draws[c].x),
            w: Array.from(draws[c].weights),
            y: Array.from(draws[c].y),
          })),
        },
      );
      let deficient = 0;
      cases.forEach(({ size }, c) => {
        const region = classifyRegion(draws[c], size, RELU);
        assert.equal(region.rank, numpy[c].rank, `case ${c}`);
        assert.ok(
          Math.abs(region.relativeResidual - numpy[c].relative) <= 1e-9,
          `case ${c}: ${region.relativeResidual} vs ${numpy[c].relative}`,
        );
        if (numpy[c].relative > 1e-6) deficient++;
      });
      assert.ok(deficient >= 2, `${deficient} cases with e* ≠ 0`);
    });
  },
);

describe('regionVolumes', () => {
  const size = { count: 8, inputDim: 4, width: 3 };

  it('is reproducible, and draw k does not depend on the number of draws', () => {
    const a = regionVolumes({ sizes: [size], draws: 50, epsilon: 0.1, seed: 2 });
    assert.deepEqual(regionVolumes({ sizes: [size], draws: 50, epsilon: 0.1, seed: 2 }), a);
    const first = regionVolumes({ sizes: [size], draws: 1, epsilon: 0.1, seed: 2 }).sizes[0];
    const region = classifyRegion(drawRegionProblem(size, 2, 0), size, RELU);
    assert.equal(first.badPossible.successes, region.badPossible ? 1 : 0);
    assert.equal(first.fullRank.successes, region.rank === size.count ? 1 : 0);
  });

  it('orders its bounds, reports progress and the theorem rate', () => {
    const seen: number[] = [];
    const record = regionVolumes({
      sizes: [size, { count: 12, inputDim: 6, width: 3 }],
      draws: 40,
      epsilon: 0.2,
      negativeSlope: 0.1,
      seed: 4,
      onProgress: (p) => seen.push(p.sizeIndex * 100 + p.done),
    });
    assert.equal(seen.length, 80);
    assert.equal(seen.at(-1), 140);
    for (const estimate of record.sizes) {
      assert.ok(estimate.badCertain.successes <= estimate.badPossible.successes);
      assert.ok(estimate.globalCertain.successes <= estimate.globalPossible.successes);
      assert.ok(estimate.badPossible.successes + estimate.globalPossible.successes <= estimate.draws);
      const gamma = 0.23 * Math.max(estimate.inputDim / estimate.count, 0.2) ** 0.75;
      assert.ok(Math.abs(estimate.gamma - gamma) < 1e-15);
      const exponent = estimate.count ** 0.75 * (estimate.inputDim * estimate.width) ** 0.25;
      assert.ok(Math.abs(estimate.theoremRate - Math.exp(-gamma * exponent)) < 1e-15);
    }
    assert.equal(rateConstant(0.2, 0, size), 0.23 * 0.2 ** 0.75);
  });

  it('the doc example holds', () => {
    const record = regionVolumes({
      sizes: [{ count: 4, inputDim: 4, width: 2 }],
      draws: 200,
      epsilon: 0.1,
      seed: 1,
    });
    const estimate = record.sizes[0];
    assert.equal(estimate.fullRank.successes + estimate.allInactive.successes, estimate.draws);
  });

  it('refuses bad options naming the field', () => {
    const base = { sizes: [size], draws: 10, epsilon: 0.1, seed: 1 };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ draws: 0 }, /^draws: expected an integer ≥ 1, got 0$/],
      [{ epsilon: 1 }, /^epsilon: expected a number in \(0, 1\), got 1$/],
      [{ epsilon: Number.NaN }, /^epsilon: expected a finite number/],
      [{ negativeSlope: 1 }, /^negativeSlope: expected a slope ρ ≠ 1/],
      [{ labelEncoding: 'bits' }, /^labelEncoding: expected pm1 or 01/],
      [{ seed: -1 }, /^seed: expected an integer in \[0, 4294967295\]/],
      [{ sizes: [] }, /^sizes: expected at least one size/],
      [
        { sizes: [{ count: 0, inputDim: 2, width: 2 }] },
        /^sizes\[0\]\.count: expected an integer ≥ 1, got 0$/,
      ],
      [
        { sizes: [size, { count: 4, inputDim: 2.5, width: 2 }] },
        /^sizes\[1\]\.inputDim: expected an integer/,
      ],
      [
        { sizes: [{ count: 1000, inputDim: 100, width: 100 }] },
        /^sizes\[0\]: N·d0·d1 = .* more than maxEntries/,
      ],
      // Raising maxEntries does not lift the memory limit: refused before any draw, not allocated.
      [
        { sizes: [{ count: 100_000, inputDim: 1000, width: 1000 }], maxEntries: 1e15 },
        /^sizes\[0\]: A∘X and its SVD for one draw would need 2\.18 TiB, over basin's memory limit/,
      ],
    ];
    for (const [change, message] of cases) {
      assert.throws(
        () => regionVolumes({ ...base, ...change } as never),
        { message },
        JSON.stringify(change),
      );
    }
  });
});
