import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { type Architecture, mlp } from '../../src/model/architecture.js';
import { lossAndGradient } from '../../src/model/gradient.js';
import { initialise } from '../../src/model/init.js';
import { makeSamples, samplesAs, type Samples } from '../../src/model/samples.js';
import { MinibatchSampler } from '../../src/train/minibatches.js';
import { referenceObjective } from '../../src/train/objective.js';
import { DEFAULT_OPTIMISERS, type OptimiserConfig } from '../../src/train/optimiser.js';
import { train } from '../../src/train/train.js';
import { adamRule } from '../../src/train/update-rules.js';
import { numpySkipReason, runPython } from '../data/fixtures.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;

function smallProblem(): { architecture: Architecture; samples: Samples; theta0: Float64Array } {
  const samples = gaussianRandomLabels({ count: 24, inputDim: 4, seed: 11 });
  const architecture = mlp(4, [6], 1, relu, true);
  return { architecture, samples, theta0: initialise(architecture, { kind: 'pytorch' }, 12) as Float64Array };
}

const optimisers: [string, OptimiserConfig, number][] = [
  ['gd', DEFAULT_OPTIMISERS.gd, 0.05],
  ['gd with momentum 0.9', { kind: 'gd', momentum: 0.9 }, 0.01],
  ['sgd (batch 5)', { kind: 'sgd', batchSize: 5, momentum: 0 }, 0.02],
  ['adam (full batch)', DEFAULT_OPTIMISERS.adam, 0.01],
  ['adam (batch 8)', { ...DEFAULT_OPTIMISERS.adam, batchSize: 8 }, 0.01],
  ['lbfgs', DEFAULT_OPTIMISERS.lbfgs, 1],
];

describe('optimisers', () => {
  for (const [name, optimiser, learningRate] of optimisers) {
    it(`${name} decreases the loss`, () => {
      const { architecture, samples, theta0 } = smallProblem();
      const objective = referenceObjective(architecture, 'mse', samples);
      const before = objective.evaluate(theta0).loss;
      const result = train({
        objective,
        initialTheta: theta0,
        optimiser,
        schedule: { kind: 'constant', learningRate },
        stopping: { maxEpochs: 50 },
        shuffleSeed: 1,
      });
      assert.equal(result.stopReason, 'max-epochs');
      assert.equal(result.epochs, 50);
      assert.ok(result.finalLoss < 0.8 * before, `${result.finalLoss} vs ${before}`);
      assert.equal(result.finalLoss, objective.evaluate(result.theta).loss);
      assert.deepEqual(Array.from(theta0), Array.from(smallProblem().theta0), 'initialTheta was modified');
    });
  }

  it('Adam takes the hand-computed first two steps', () => {
    // Step 1: m̂ = g, v̂ = g², so Δθ = −lr·g/(|g| + ε). Step 2 with β1 = 0.9, β2 = 0.999, g1 = (0.5, −2, 0),
    // g2 = (1, 1, 1): m = (0.145, −0.08, 0.1), v = (0.00124975, 0.004996, 0.001), m̂ = m/0.19, v̂ = v/0.001999.
    const rule = adamRule(0.9, 0.999, 1e-8);
    const theta = new Float64Array([1, 2, 3]);
    rule.apply(theta, [0.5, -2, 0], 0.1);
    const step1 = [1 - 0.1 * (0.5 / (0.5 + 1e-8)), 2 + 0.1 * (2 / (2 + 1e-8)), 3];
    assert.deepEqual(Array.from(theta), step1);
    assert.ok(Math.abs(theta[0] - 0.9) < 1e-8 && Math.abs(theta[1] - 2.1) < 1e-8);
    rule.apply(theta, [1, 1, 1], 0.1);
    const mHat = [0.145 / 0.19, -0.08 / 0.19, 0.1 / 0.19];
    const vHat = [0.00124975 / 0.001999, 0.004996 / 0.001999, 0.001 / 0.001999];
    for (let i = 0; i < 3; i++) {
      const expected = step1[i] - (0.1 * mHat[i]) / (Math.sqrt(vHat[i]) + 1e-8);
      assert.ok(Math.abs(theta[i] - expected) < 1e-13, `θ[${i}] = ${theta[i]}, expected ${expected}`);
    }
  });

  it('Adam inside train() moves θ by −lr·g/(|g|+ε) on the first epoch', () => {
    const { architecture, samples, theta0 } = smallProblem();
    const { gradient } = lossAndGradient(architecture, 'mse', theta0, samples);
    const result = train({
      objective: referenceObjective(architecture, 'mse', samples),
      initialTheta: theta0,
      optimiser: DEFAULT_OPTIMISERS.adam,
      schedule: { kind: 'constant', learningRate: 0.01 },
      stopping: { maxEpochs: 1 },
      shuffleSeed: 0,
    });
    for (let i = 0; i < theta0.length; i++) {
      const expected = theta0[i] - (0.01 * gradient[i]) / (Math.abs(gradient[i]) + 1e-8);
      assert.ok(Math.abs(result.theta[i] - expected) < 1e-15);
    }
  });

  /** L-BFGS on linear least squares (a linear net): a convex quadratic in 6 unknowns. */
  function lbfgsLeastSquares() {
    const rng = new Rng(3);
    const count = 40;
    const inputDim = 5;
    const x = rng.fillGaussian(new Float64Array(count * inputDim));
    const y = rng.fillGaussian(new Float64Array(count));
    const samples = makeSamples(x, y, inputDim);
    const architecture: Architecture = { inputDim, hidden: [], outputDim: 1, outputBias: true };
    const result = train({
      objective: referenceObjective(architecture, 'mse', samples),
      initialTheta: new Float64Array(inputDim + 1),
      optimiser: DEFAULT_OPTIMISERS.lbfgs,
      schedule: { kind: 'constant', learningRate: 1 },
      stopping: { maxEpochs: 100, gradientNormTarget: 1e-12 },
      shuffleSeed: 0,
    });
    return { x, y, count, inputDim, result };
  }

  it('L-BFGS solves linear least squares (a linear net) to the normal-equation solution', () => {
    const { x, y, count, inputDim, result } = lbfgsLeastSquares();
    assert.equal(result.stopReason, 'gradient-norm-target');
    // With exact-enough line searches a convex quadratic needs few iterations.
    assert.ok(result.epochs <= 20, `${result.epochs} iterations`);
    const solution = leastSquares(x, y, count, inputDim);
    for (let i = 0; i <= inputDim; i++) assert.ok(Math.abs(result.theta[i] - solution[i]) < 1e-10);
  });

  it('L-BFGS on linear least squares ends at numpy.linalg.lstsq', { skip: numpySkipReason() }, () => {
    const { x, y, count, inputDim, result } = lbfgsLeastSquares();
    const numpy = runPython<number[]>(
      'import json, sys\nimport numpy as np\nd = json.load(sys.stdin)\n' +
        "X = np.array(d['x']).reshape(d['n'], d['k'])\nA = np.hstack([X, np.ones((d['n'], 1))])\n" +
        "print(json.dumps(np.linalg.lstsq(A, np.array(d['y']), rcond=None)[0].tolist()))\n",
      { x: Array.from(x), y: Array.from(y), n: count, k: inputDim },
    );
    for (let i = 0; i <= inputDim; i++) assert.ok(Math.abs(result.theta[i] - numpy[i]) < 1e-10);
  });

  it('L-BFGS minimises the Rosenbrock function through the Objective interface', () => {
    const objective = {
      parameterCount: 2,
      sampleCount: 1,
      evaluate(theta: Float64Array | Float32Array) {
        const [a, b] = theta;
        return {
          loss: (1 - a) ** 2 + 100 * (b - a * a) ** 2,
          gradient: new Float64Array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]),
        };
      },
    };
    const result = train({
      objective,
      initialTheta: new Float64Array([-1.2, 1]),
      optimiser: DEFAULT_OPTIMISERS.lbfgs,
      schedule: { kind: 'constant', learningRate: 1 },
      stopping: { maxEpochs: 200, gradientNormTarget: 1e-10 },
      shuffleSeed: 0,
    });
    assert.equal(result.stopReason, 'gradient-norm-target');
    assert.ok(result.epochs < 60, `${result.epochs} iterations`);
    assert.ok(Math.abs(result.theta[0] - 1) < 1e-9 && Math.abs(result.theta[1] - 1) < 1e-9);
  });

  it('a 20-20-1 ReLU net fits N = 80 Gaussian points with random labels to MSE < 1e-10 (float64)', () => {
    const samples = gaussianRandomLabels({ count: 80, inputDim: 20, seed: 1 });
    const architecture = mlp(20, [20], 1, relu, false);
    const objective = referenceObjective(architecture, 'mse', samples);
    for (const [optimiser, learningRate] of [
      [DEFAULT_OPTIMISERS.lbfgs, 1],
      [DEFAULT_OPTIMISERS.adam, 0.01],
    ] as const) {
      const result = train({
        objective,
        initialTheta: initialise(architecture, { kind: 'pytorch' }, 2),
        optimiser,
        schedule: { kind: 'constant', learningRate },
        stopping: { maxEpochs: 3000, lossTarget: 1e-11 },
        shuffleSeed: 0,
      });
      assert.equal(result.stopReason, 'loss-target', optimiser.kind);
      assert.ok(result.finalLoss < 1e-10);
    }
  });

  it('float32 training keeps θ in a Float32Array and still learns', () => {
    const { architecture, samples, theta0 } = smallProblem();
    const samples32 = samplesAs(samples, 'float32');
    const objective = referenceObjective(architecture, 'mse', samples32);
    for (const optimiser of [DEFAULT_OPTIMISERS.adam, DEFAULT_OPTIMISERS.lbfgs]) {
      const result = train({
        objective,
        initialTheta: Float32Array.from(theta0),
        optimiser,
        schedule: { kind: 'constant', learningRate: optimiser.kind === 'adam' ? 0.01 : 1 },
        stopping: { maxEpochs: 30 },
        shuffleSeed: 0,
      });
      assert.ok(result.theta instanceof Float32Array);
      assert.ok(result.finalLoss < 0.8 * objective.evaluate(Float32Array.from(theta0)).loss);
    }
  });

  it('same seed and options give bit-identical results; another shuffle seed does not', () => {
    const { architecture, samples, theta0 } = smallProblem();
    const run = (shuffleSeed: number) =>
      train({
        objective: referenceObjective(architecture, 'mse', samples),
        initialTheta: theta0,
        optimiser: { kind: 'sgd', batchSize: 5, momentum: 0.5 },
        schedule: { kind: 'exponential', learningRate: 0.05, gamma: 0.99 },
        stopping: { maxEpochs: 20 },
        shuffleSeed,
      });
    const a = run(7);
    const b = run(7);
    const c = run(8);
    assert.deepEqual(Array.from(a.theta), Array.from(b.theta));
    assert.deepEqual(a.trace, b.trace);
    assert.notDeepEqual(Array.from(a.theta), Array.from(c.theta));
  });
});

describe('minibatches', () => {
  it('an epoch is ⌈N/B⌉ batches covering every sample once, in a seeded order', () => {
    const sampler = new MinibatchSampler(23, 5, 42);
    assert.equal(sampler.batchesPerEpoch, 5);
    const epoch1 = sampler.nextEpoch();
    assert.deepEqual(
      epoch1.map((b) => b.length),
      [5, 5, 5, 5, 3],
    );
    const seen = epoch1.flatMap((b) => Array.from(b)).sort((p, q) => p - q);
    assert.deepEqual(
      seen,
      Array.from({ length: 23 }, (_, n) => n),
    );
    const epoch2 = sampler.nextEpoch();
    assert.notDeepEqual(
      epoch1.map((b) => Array.from(b)),
      epoch2.map((b) => Array.from(b)),
    );
    const replay = new MinibatchSampler(23, 5, 42);
    assert.deepEqual(
      replay.nextEpoch().map((b) => Array.from(b)),
      epoch1.map((b) => Array.from(b)),
    );
    const other = new MinibatchSampler(23, 5, 43);
    assert.notDeepEqual(
      other.nextEpoch().map((b) => Array.from(b)),
      epoch1.map((b) => Array.from(b)),
    );
  });

  it('SGD evaluates ⌈N/B⌉ minibatches per epoch', () => {
    const { architecture, samples, theta0 } = smallProblem();
    const result = train({
      objective: referenceObjective(architecture, 'mse', samples),
      initialTheta: theta0,
      optimiser: { kind: 'sgd', batchSize: 5, momentum: 0 },
      schedule: { kind: 'constant', learningRate: 0.01 },
      stopping: { maxEpochs: 3 },
      shuffleSeed: 0,
    });
    // 24 samples in batches of 5: 5 steps per epoch, plus the final full-batch evaluation.
    assert.equal(result.evaluations, 3 * 5 + 1);
    assert.equal(result.trace.lossKind, 'minibatch-mean');
  });
});

/** Solves the normal equations [X 1]ᵀ[X 1]β = [X 1]ᵀy by Gaussian elimination with partial pivoting. */
function leastSquares(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  count: number,
  inputDim: number,
): Float64Array {
  const size = inputDim + 1;
  const row = (n: number, i: number): number => (i < inputDim ? x[n * inputDim + i] : 1);
  const a = Array.from({ length: size }, (_, i) =>
    Array.from({ length: size + 1 }, (_, j) => {
      let sum = 0;
      for (let n = 0; n < count; n++) sum += row(n, i) * (j < size ? row(n, j) : y[n]);
      return sum;
    }),
  );
  for (let k = 0; k < size; k++) {
    let pivot = k;
    for (let i = k + 1; i < size; i++) if (Math.abs(a[i][k]) > Math.abs(a[pivot][k])) pivot = i;
    [a[k], a[pivot]] = [a[pivot], a[k]];
    for (let i = k + 1; i < size; i++) {
      const f = a[i][k] / a[k][k];
      for (let j = k; j <= size; j++) a[i][j] -= f * a[k][j];
    }
  }
  const beta = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    let sum = a[i][size];
    for (let j = i + 1; j < size; j++) sum -= a[i][j] * beta[j];
    beta[i] = sum / a[i][i];
  }
  return beta;
}

/** numpy.linalg.lstsq on [X 1] as an independent oracle; undefined when python3 or numpy is missing. */
