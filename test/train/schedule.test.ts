import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CIFAR_REGIME, gammaForDecay, learningRateAt, validateSchedule } from '../../src/train/schedule.js';

describe('learning-rate schedules', () => {
  it('constant', () => {
    for (const epoch of [0, 1, 999]) {
      assert.equal(learningRateAt({ kind: 'constant', learningRate: 0.3 }, epoch), 0.3);
    }
  });

  it('exponential: lr·γ^e', () => {
    const schedule = { kind: 'exponential', learningRate: 0.1, gamma: 0.5 } as const;
    assert.equal(learningRateAt(schedule, 0), 0.1);
    assert.equal(learningRateAt(schedule, 1), 0.05);
    assert.equal(learningRateAt(schedule, 3), 0.0125);
  });

  it('the Soudry–Hoffer CIFAR regime at epochs 199, 200, 201', () => {
    assert.equal(learningRateAt(CIFAR_REGIME, 0), 5e-4);
    assert.equal(learningRateAt(CIFAR_REGIME, 199), 5e-4);
    assert.equal(learningRateAt(CIFAR_REGIME, 200), 5e-4);
    assert.ok(Math.abs(learningRateAt(CIFAR_REGIME, 201) - 4.75e-4) < 1e-18);
    assert.ok(Math.abs(learningRateAt(CIFAR_REGIME, 202) - 4.5125e-4) < 1e-18);
  });

  it("matches the learning rates in the authors' CIFAR log (1-based epochs 217 and 608)", () => {
    // results/cifar10/log.txt prints 2 significant digits: 2.2e-4 at epoch 217 and 4.3e-13 at epoch 608.
    assert.equal(Number(learningRateAt(CIFAR_REGIME, 217 - 1).toPrecision(2)), 2.2e-4);
    assert.equal(Number(learningRateAt(CIFAR_REGIME, 608 - 1).toPrecision(2)), 4.3e-13);
  });

  it('gammaForDecay reaches the requested factor after the given epochs', () => {
    const gamma = gammaForDecay(1e-3, 1000);
    const schedule = { kind: 'hold-then-exponential', learningRate: 0.01, holdEpochs: 1000, gamma } as const;
    assert.equal(learningRateAt(schedule, 1000), 0.01);
    assert.ok(Math.abs(learningRateAt(schedule, 2000) / 1e-5 - 1) < 1e-12);
  });

  it('rejects bad parameters, naming the field', () => {
    assert.throws(
      () => validateSchedule({ kind: 'constant', learningRate: 0 }),
      /schedule\.learningRate: expected/,
    );
    assert.throws(
      () => validateSchedule({ kind: 'exponential', learningRate: 1, gamma: NaN }),
      /schedule\.gamma: expected a finite number/,
    );
    assert.throws(
      () => validateSchedule({ kind: 'hold-then-exponential', learningRate: 1, gamma: 0.9, holdEpochs: -1 }),
      /schedule\.holdEpochs: expected an integer ≥ 0, got -1/,
    );
  });
});
