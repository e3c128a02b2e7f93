import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { mlp } from '../../src/model/architecture.js';
import { initialise } from '../../src/model/init.js';
import { samplesAs } from '../../src/model/samples.js';
import { referenceObjective } from '../../src/train/objective.js';
import { DEFAULT_LEARNING_RATES, DEFAULT_OPTIMISERS, rmspropRule } from '../../src/train/optimiser.js';
import { train } from '../../src/train/train.js';

/*
 * RMSprop, the optimiser added as one registry entry. Step-by-step agreement with torch.optim.RMSprop (plain,
 * momentum, centered) is in optimiser-oracle.test.ts; here the first steps by hand and its use through train().
 */

function smallProblem() {
  const samples = gaussianRandomLabels({ count: 24, inputDim: 4, seed: 11 });
  const architecture = mlp(4, [6], 1, { kind: 'leaky-relu', slope: 0 }, true);
  return { architecture, samples, theta0: initialise(architecture, { kind: 'pytorch' }, 12) as Float64Array };
}

function close(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  expected.forEach((value, i) =>
    assert.ok(
      Math.abs(actual[i] - value) <= 1e-15 * Math.max(1, Math.abs(value)),
      `${what}[${i}]: ${actual[i]} vs ${value}`,
    ),
  );
}

describe('rmsprop', () => {
  it('takes the hand-computed first two steps (plain, with momentum, centered)', () => {
    // α = 0.9, ε = 0, lr = 0.1, g1 = (2, −1), g2 = (1, 1).
    // v1 = 0.1·g1² = (0.4, 0.1): step 1 moves by −lr·g1/√v1 = −0.1·(2/√0.4, −1/√0.1).
    // v2 = 0.9·v1 + 0.1·g2² = (0.46, 0.19): step 2 moves by −0.1·(1/√0.46, 1/√0.19).
    const plain = rmspropRule(0.9, 0, 0, false);
    const theta = new Float64Array([1, 1]);
    plain.apply(theta, [2, -1], 0.1);
    const step1 = [1 - (0.1 * 2) / Math.sqrt(0.4), 1 + 0.1 / Math.sqrt(0.1)];
    close(theta, step1, 'plain, step 1');
    plain.apply(theta, [1, 1], 0.1);
    close(theta, [step1[0] - 0.1 / Math.sqrt(0.46), step1[1] - 0.1 / Math.sqrt(0.19)], 'plain, step 2');

    // Momentum μ = 0.5: buf1 = g1/√v1, buf2 = 0.5·buf1 + g2/√v2.
    const heavy = rmspropRule(0.9, 0, 0.5, false);
    const theta2 = new Float64Array([1, 1]);
    heavy.apply(theta2, [2, -1], 0.1);
    heavy.apply(theta2, [1, 1], 0.1);
    const buf1 = [2 / Math.sqrt(0.4), -1 / Math.sqrt(0.1)];
    const buf2 = [0.5 * buf1[0] + 1 / Math.sqrt(0.46), 0.5 * buf1[1] + 1 / Math.sqrt(0.19)];
    close(theta2, [1 - 0.1 * buf1[0] - 0.1 * buf2[0], 1 - 0.1 * buf1[1] - 0.1 * buf2[1]], 'momentum, step 2');

    // Centered: ḡ1 = 0.1·g1 = (0.2, −0.1), so the denominator is √(v1 − ḡ1²) = √(0.36, 0.09).
    const centered = rmspropRule(0.9, 0, 0, true);
    const theta3 = new Float64Array([1, 1]);
    centered.apply(theta3, [2, -1], 0.1);
    close(theta3, [1 - (0.1 * 2) / Math.sqrt(0.36), 1 + 0.1 / Math.sqrt(0.09)], 'centered, step 1');
  });

  it('leaves θ alone and reports a non-finite gradient', () => {
    const rule = rmspropRule(0.99, 1e-8, 0, false);
    const theta = new Float64Array([1, 2]);
    assert.equal(rule.applyIfFinite(theta, [1, Number.NaN], 0.1), false);
    assert.deepEqual(Array.from(theta), [1, 2]);
    assert.equal(rule.applyIfFinite(theta, [1, 1], 0.1), true);
  });

  for (const [name, optimiser] of [
    ['full batch', DEFAULT_OPTIMISERS.rmsprop],
    ['batch 8, momentum 0.9', { ...DEFAULT_OPTIMISERS.rmsprop, batchSize: 8, momentum: 0.9 }],
    ['centered', { ...DEFAULT_OPTIMISERS.rmsprop, centered: true }],
  ] as const) {
    it(`${name}: train() at the default rate decreases the loss`, () => {
      const { architecture, samples, theta0 } = smallProblem();
      const objective = referenceObjective(architecture, 'mse', samples);
      const before = objective.evaluate(theta0).loss;
      const result = train({
        objective,
        initialTheta: theta0,
        optimiser,
        schedule: { kind: 'constant', learningRate: DEFAULT_LEARNING_RATES.rmsprop },
        stopping: { maxEpochs: 50 },
        shuffleSeed: 1,
      });
      assert.equal(result.stopReason, 'max-epochs');
      assert.ok(result.finalLoss < 0.8 * before, `${result.finalLoss} vs ${before}`);
      assert.equal(
        result.trace.lossKind,
        optimiser.batchSize === undefined ? 'full-batch' : 'minibatch-mean',
      );
    });
  }

  it('keeps float32 θ in a Float32Array', () => {
    const { architecture, samples, theta0 } = smallProblem();
    const result = train({
      objective: referenceObjective(architecture, 'mse', samplesAs(samples, 'float32')),
      initialTheta: Float32Array.from(theta0),
      optimiser: DEFAULT_OPTIMISERS.rmsprop,
      schedule: { kind: 'constant', learningRate: 1e-2 },
      stopping: { maxEpochs: 20 },
      shuffleSeed: 0,
    });
    assert.ok(result.theta instanceof Float32Array);
    assert.ok(Number.isFinite(result.finalLoss));
  });
});
