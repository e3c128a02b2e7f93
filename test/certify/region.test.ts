import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activationRegion, featureMatrix, foldWeights } from '../../src/certify/region.js';
import { choleskySolve, matvec } from '../../src/core/linalg/index.js';
import { Rng } from '../../src/core/rng.js';
import { type Architecture, mlp, parameterCount } from '../../src/model/architecture.js';
import { lossAndGradient, lossValue } from '../../src/model/gradient.js';
import { denseHessian } from '../../src/model/hessian.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';
import { DEFAULT_SLOPE_NOISE, withSlopeNoise } from '../../src/model/slope-noise.js';
import { numpySkipReason, runPython } from '../linalg/numpy-oracle.js';

interface Problem {
  architecture: Architecture;
  theta: Float64Array;
  samples: Samples;
}

function randomProblem(
  seed: number,
  d0: number,
  d1: number,
  count: number,
  rho: number,
  bias: boolean,
  noise = false,
): Problem {
  const rng = new Rng(seed);
  const architecture = mlp(d0, [d1], 1, { kind: 'leaky-relu', slope: rho }, bias);
  const theta = rng.fillGaussian(new Float64Array(parameterCount(architecture)), 0, 0.7) as Float64Array;
  const base = makeSamples(
    rng.fillGaussian(new Float64Array(count * d0)),
    rng.fillGaussian(new Float64Array(count)),
    d0,
  );
  const samples = noise ? withSlopeNoise(base, architecture, DEFAULT_SLOPE_NOISE, seed + 7) : base;
  return { architecture, theta, samples };
}

/**
 * Trains to a critical point: gradient descent to get close, then Levenberg–Marquardt steps
 * (H + λI)δ = −g with the exact Hessian, accepted only when the loss drops. Independent of src/train on purpose.
 */
function trainToCriticalPoint({ architecture, theta, samples }: Problem): Float64Array {
  let current = Float64Array.from(theta);
  for (let step = 0; step < 3000; step++) {
    const { gradient } = lossAndGradient(architecture, 'mse', current, samples);
    for (let p = 0; p < current.length; p++) current[p] -= 0.05 * gradient[p];
  }
  const size = current.length;
  let lambda = 1e-3;
  for (let step = 0; step < 400; step++) {
    const { loss, gradient } = lossAndGradient(architecture, 'mse', current, samples);
    let gradientNorm = 0;
    for (const g of gradient) gradientNorm = Math.max(gradientNorm, Math.abs(g));
    if (gradientNorm < 1e-14) break;
    const hessian = denseHessian(architecture, 'mse', current, samples);
    for (let p = 0; p < size; p++) hessian[p * size + p] += lambda;
    let delta: Float64Array;
    try {
      delta = choleskySolve(
        hessian,
        size,
        Float64Array.from(gradient, (g) => -g),
      );
    } catch {
      lambda *= 10;
      continue;
    }
    const candidate = current.map((t, p) => t + delta[p]);
    if (lossValue(architecture, 'mse', candidate, samples) <= loss) {
      current = candidate;
      lambda = Math.max(lambda / 3, 1e-15);
    } else {
      lambda *= 4;
    }
  }
  return current;
}

describe('activationRegion: conventions', () => {
  it('the output is φ⁽ⁿ⁾ᵀv(θ) with the folded weights, for every bias setting', () => {
    for (const [hiddenBias, outputBias] of [
      [false, false],
      [true, true],
      [true, false],
      [false, true],
    ]) {
      const problem = randomProblem(1, 3, 4, 9, 0.1, false, true);
      const architecture: Architecture = {
        ...problem.architecture,
        hidden: [{ ...problem.architecture.hidden[0], bias: hiddenBias }],
        outputBias,
      };
      const theta = new Rng(2).fillGaussian(new Float64Array(parameterCount(architecture))) as Float64Array;
      const region = activationRegion(architecture, theta, problem.samples);
      const phi = featureMatrix(region.pattern, problem.samples.x as Float64Array, 3, region.features);
      const fitted = matvec(phi, 9, region.features.dimension, foldWeights(architecture, theta));
      region.residual.forEach((e, n) => assert.ok(Math.abs(problem.samples.y[n] - e - fitted[n]) < 1e-13));
      assert.equal(region.features.dimension, 4 * (3 + (hiddenBias ? 1 : 0)) + (outputBias ? 1 : 0));
    }
  });

  it('Φe is the gradient up to −(2/N)·z_i: ∂MSE/∂w_i = −(2/N)z_i[(A∘X)e]_i, ∂MSE/∂c = −(2/N)Σe', () => {
    const { architecture, theta, samples } = randomProblem(3, 3, 4, 10, 0.2, true, true);
    const region = activationRegion(architecture, theta, samples);
    const { gradient } = lossAndGradient(architecture, 'mse', theta, samples);
    const phi = featureMatrix(region.pattern, samples.x as Float64Array, 3, region.features);
    const projected = new Float64Array(region.features.dimension);
    region.residual.forEach((e, n) => {
      for (let k = 0; k < projected.length; k++) projected[k] += e * phi[n * projected.length + k];
    });
    // Layout of θ: W (4 × 3), b (4), z (4), c.
    for (let i = 0; i < 4; i++) {
      const z = theta[16 + i];
      for (let j = 0; j < 3; j++) {
        assert.ok(Math.abs(gradient[i * 3 + j] - (-2 / 10) * z * projected[i * 4 + j]) < 1e-13);
      }
      assert.ok(Math.abs(gradient[12 + i] - (-2 / 10) * z * projected[i * 4 + 3]) < 1e-13);
    }
    assert.ok(Math.abs(gradient[20] - (-2 / 10) * projected[16]) < 1e-13);
    assert.ok(Math.abs(region.lemma2Norm - Math.hypot(...projected)) < 1e-13);
  });

  it('a random point is not at its region’s minimum', () => {
    const { architecture, theta, samples } = randomProblem(4, 3, 4, 20, 0.1, false);
    const region = activationRegion(architecture, theta, samples);
    assert.equal(region.attainsRegionMinimum, false);
    assert.ok(region.loss > region.regionBestLoss * 1.01);
    assert.ok(region.lemma2Relative > 1e-3);
  });

  it('refuses a feature matrix above maxEntries, naming the option', () => {
    const { architecture, theta, samples } = randomProblem(4, 3, 4, 20, 0.1, false);
    assert.throws(
      () => activationRegion(architecture, theta, samples, { maxEntries: 100 }),
      /^InvalidArgumentError: maxEntries: expected room for the N × D = 20 × 12 feature matrix/,
    );
  });
});

describe('Lemma 2 at trained solutions (target 9)', () => {
  /*
   * Training a piecewise-linear net often ends on a kink (some wᵢᵀx⁽ⁿ⁾ + bᵢ = 0), where the loss is not
   * differentiable, the gradient does not vanish and Lemma 2 says nothing. So each case trains several seeds and
   * checks both kinds of end point: differentiable critical points (DLMs) must satisfy Lemma 2, and points where
   * training stalled must be reported as non-differentiable. At least one seed must give a DLM.
   */
  function trainSeeds(make: (seed: number) => Problem, seeds: number[]) {
    return seeds.map((seed) => {
      const problem = make(seed);
      const theta = trainToCriticalPoint(problem);
      const { gradient } = lossAndGradient(problem.architecture, 'mse', theta, problem.samples);
      const gradientNorm = Math.max(...gradient.map(Math.abs));
      return { seed, gradientNorm, region: activationRegion(problem.architecture, theta, problem.samples) };
    });
  }

  it('rank(A∘X) < N (d0·d1 = 12 < N = 20): each DLM has e ≠ 0, (A∘X)e ≈ 0 and its region’s least-squares loss', () => {
    const runs = trainSeeds((seed) => randomProblem(seed, 3, 4, 20, 0.1, false), [1, 2, 3, 4, 5, 6]);
    const minima = runs.filter((r) => r.gradientNorm < 1e-12);
    assert.ok(minima.length >= 1, 'at least one seed ends at a differentiable critical point');
    for (const { seed, region } of minima) {
      assert.ok(region.differentiable, `seed ${seed}: min |u| = ${region.kink.minAbsPreActivation}`);
      assert.ok(region.minAbsOutputWeight > 1e-3, `seed ${seed}`);
      assert.ok(region.rank <= 12 && !region.rankForcesZeroResidual, `seed ${seed}`);
      assert.ok(region.loss > 0.05, `seed ${seed}: loss ${region.loss}, the case wants e ≠ 0`);
      assert.ok(region.lemma2Relative < 1e-10, `seed ${seed}: ‖(A∘X)e‖ relative ${region.lemma2Relative}`);
      assert.ok(region.attainsRegionMinimum, `seed ${seed}`);
      assert.ok(Math.abs(region.loss - region.regionBestLoss) <= 1e-10 * region.loss, `seed ${seed}`);
    }
    for (const { seed, region } of runs.filter((r) => r.gradientNorm >= 1e-12)) {
      assert.equal(region.differentiable, false, `seed ${seed}: training stalled away from a kink`);
    }
  });

  it('rank(A∘X) = N (biases, slope noise, D = 26 ≥ N = 12): each DLM has e ≈ 0', () => {
    const runs = trainSeeds((seed) => randomProblem(seed, 4, 5, 12, 0.1, true, true), [1, 2, 3]);
    const minima = runs.filter((r) => r.gradientNorm < 1e-12);
    assert.ok(minima.length >= 1, 'at least one seed ends at a differentiable critical point');
    for (const { seed, region } of minima) {
      assert.ok(region.differentiable, `seed ${seed}`);
      assert.equal(region.rank, 12);
      assert.ok(region.rankForcesZeroResidual);
      assert.ok(region.residualNorm < 1e-10, `seed ${seed}: ‖e‖ = ${region.residualNorm}`);
      assert.ok(region.regionBestLoss < 1e-24, `seed ${seed}`);
      assert.ok(region.attainsRegionMinimum, `seed ${seed}`);
    }
    for (const { seed, region } of runs.filter((r) => r.gradientNorm >= 1e-12)) {
      assert.equal(region.differentiable, false, `seed ${seed}: training stalled away from a kink`);
      assert.ok(region.loss > region.regionBestLoss, `seed ${seed}`);
    }
  });
});

describe('region least squares against numpy.linalg.lstsq', { skip: numpySkipReason() }, () => {
  it('best loss and minimum-norm folded weights agree, full-rank and rank-deficient', () => {
    const cases = [
      randomProblem(21, 3, 4, 20, 0.1, false),
      randomProblem(22, 3, 4, 20, 0, true),
      randomProblem(23, 4, 5, 12, 0.1, true, true),
      randomProblem(24, 2, 3, 6, 0, false),
    ];
    const analyses = cases.map((c) => activationRegion(c.architecture, c.theta, c.samples));
    const reference = runPython<{ loss: number; x: number[]; rank: number }[]>(
      'import json,sys,numpy as np\nout=[]\nfor c in json.load(sys.stdin):\n' +
        " P=np.array(c['phi']).reshape(c['N'],-1); y=np.array(c['y'])\n" +
        ' x,_,rank,_=np.linalg.lstsq(P,y,rcond=None)\n' +
        " out.append({'loss':float(np.sum((P@x-y)**2)/c['N']),'x':x.tolist(),'rank':int(rank)})\n" +
        'print(json.dumps(out))',
      cases.map((c, i) => ({
        phi: [
          ...featureMatrix(
            analyses[i].pattern,
            c.samples.x as Float64Array,
            c.architecture.inputDim,
            analyses[i].features,
          ),
        ],
        y: [...c.samples.y],
        N: c.samples.count,
      })),
    );
    analyses.forEach((region, i) => {
      assert.equal(region.rank, reference[i].rank, `case ${i}`);
      assert.ok(
        Math.abs(region.regionBestLoss - reference[i].loss) <= 1e-10 * Math.max(1e-12, reference[i].loss),
        `case ${i}`,
      );
      reference[i].x.forEach((v, k) =>
        assert.ok(Math.abs(v - region.regionBestWeights[k]) < 1e-9, `case ${i} weight ${k}`),
      );
    });
    assert.ok(
      analyses.some((r) => r.rank < r.maxRank),
      'one case is rank-deficient',
    );
  });
});
