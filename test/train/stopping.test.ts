import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { mlp } from '../../src/model/architecture.js';
import { initialise } from '../../src/model/init.js';
import { referenceObjective } from '../../src/train/objective.js';
import { DEFAULT_OPTIMISERS } from '../../src/train/optimiser.js';
import { train, trainAsync, type TrainOptions } from '../../src/train/train.js';

function options(overrides: Partial<TrainOptions> = {}): TrainOptions {
  const samples = gaussianRandomLabels({ count: 30, inputDim: 5, seed: 21 });
  const architecture = mlp(5, [8], 1, { kind: 'leaky-relu', slope: 0 }, true);
  return {
    objective: referenceObjective(architecture, 'mse', samples),
    initialTheta: initialise(architecture, { kind: 'pytorch' }, 22),
    optimiser: DEFAULT_OPTIMISERS.adam,
    schedule: { kind: 'constant', learningRate: 0.02 },
    stopping: { maxEpochs: 400 },
    shuffleSeed: 23,
    ...overrides,
  };
}

describe('stopping rules', () => {
  it('stops at the loss target with the full-batch loss below it', () => {
    const result = train(options({ stopping: { maxEpochs: 5000, lossTarget: 0.05 } }));
    assert.equal(result.stopReason, 'loss-target');
    assert.ok(result.finalLoss <= 0.05);
    assert.ok(result.trace.loss.slice(0, -1).every((loss) => loss > 0.05));
    assert.ok(result.epochs < 5000);
  });

  it('stops at the gradient-norm target (minibatch optimiser: checked after each epoch)', () => {
    const result = train(
      options({
        optimiser: { kind: 'sgd', batchSize: 7, momentum: 0.9 },
        schedule: { kind: 'constant', learningRate: 0.01 },
        stopping: { maxEpochs: 5000, gradientNormTarget: 0.05 },
      }),
    );
    assert.equal(result.stopReason, 'gradient-norm-target');
    assert.ok(result.gradientNorm <= 0.05);
    assert.equal(result.trace.lossKind, 'full-batch');
  });

  it('aborts through an AbortSignal, keeping the epochs done', () => {
    const controller = new AbortController();
    const result = train(
      options({
        signal: controller.signal,
        onEpoch: ({ epoch }) => {
          if (epoch === 9) controller.abort();
        },
      }),
    );
    assert.equal(result.stopReason, 'aborted');
    assert.equal(result.epochs, 10);
  });

  it('reports divergence and returns the last finite point', () => {
    for (const optimiser of [DEFAULT_OPTIMISERS.gd, { kind: 'sgd', batchSize: 4, momentum: 0 } as const]) {
      const result = train(options({ optimiser, schedule: { kind: 'constant', learningRate: 1e6 } }));
      assert.equal(result.stopReason, 'diverged', optimiser.kind);
      assert.ok(Number.isFinite(result.finalLoss));
      assert.ok(result.theta.every(Number.isFinite));
    }
  });

  it('thins the trace to the limit and keeps the last epoch', () => {
    const result = train(options({ stopping: { maxEpochs: 95 }, traceLimit: 10 }));
    assert.equal(result.trace.stride, 10);
    assert.deepEqual(result.trace.epochs, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 94]);
    assert.equal(result.trace.loss.length, result.trace.epochs.length);
  });

  it('trainAsync gives the same result as train', async () => {
    const a = train(options({ stopping: { maxEpochs: 50 } }));
    const b = await trainAsync(options({ stopping: { maxEpochs: 50 } }), 0);
    assert.deepEqual(Array.from(a.theta), Array.from(b.theta));
    assert.deepEqual(a.trace, b.trace);
  });

  it('rejects bad options naming the field', () => {
    assert.throws(
      () => train(options({ stopping: { maxEpochs: -1 } })),
      /stopping\.maxEpochs: expected an integer ≥ 0/,
    );
    assert.throws(
      () => train(options({ optimiser: { kind: 'sgd', batchSize: 0, momentum: 0 } })),
      /optimiser\.batchSize: expected an integer ≥ 1, got 0/,
    );
    assert.throws(
      () => train(options({ initialTheta: new Float64Array(3) })),
      /initialTheta: expected 57 parameters/,
    );
  });
});
