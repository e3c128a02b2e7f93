import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { mlp } from '../../src/model/architecture.js';
import { initialise } from '../../src/model/init.js';
import { referenceObjective } from '../../src/train/objective.js';
import { DEFAULT_OPTIMISERS, type OptimiserConfig } from '../../src/train/optimiser.js';
import { train, trainAsync, type TrainOptions } from '../../src/train/train.js';

function options(optimiser: OptimiserConfig, overrides: Partial<TrainOptions> = {}): TrainOptions {
  const samples = gaussianRandomLabels({ count: 30, inputDim: 5, seed: 31 });
  const architecture = mlp(5, [8], 1, { kind: 'leaky-relu', slope: 0 }, true);
  return {
    objective: referenceObjective(architecture, 'mse', samples),
    initialTheta: initialise(architecture, { kind: 'pytorch' }, 32),
    optimiser,
    schedule: { kind: 'constant', learningRate: optimiser.kind === 'lbfgs' ? 1 : 0.02 },
    stopping: { maxEpochs: 40 },
    shuffleSeed: 33,
    ...overrides,
  };
}

/** Full-batch optimisers report before an epoch's step, minibatch ones after their updates. */
const CASES: [string, OptimiserConfig, 'start' | 'end'][] = [
  ['gd (full batch)', DEFAULT_OPTIMISERS.gd, 'start'],
  ['lbfgs (full batch)', DEFAULT_OPTIMISERS.lbfgs, 'start'],
  ['sgd (batch 7)', { kind: 'sgd', batchSize: 7, momentum: 0.5 }, 'end'],
  ['adam (batch 8)', { ...DEFAULT_OPTIMISERS.adam, batchSize: 8 }, 'end'],
];

describe('shouldStop: a stopping rule that sees θ', () => {
  for (const [name, optimiser, reportsAt] of CASES) {
    it(`${name}: shows θ after progress.epochsCompleted epochs and stops with exactly that θ`, () => {
      const shown: { epoch: number; completed: number; theta: number[] }[] = [];
      const stopAt = 7;
      const result = train(
        options(optimiser, {
          shouldStop: (theta, progress) => {
            shown.push({
              epoch: progress.epoch,
              completed: progress.epochsCompleted,
              theta: Array.from(theta),
            });
            return progress.epochsCompleted === stopAt;
          },
        }),
      );
      assert.equal(result.stopReason, 'callback');
      assert.equal(result.epochs, stopAt);
      const first = reportsAt === 'start' ? 0 : 1;
      assert.deepEqual(
        shown.map((s) => s.completed),
        Array.from({ length: stopAt - first + 1 }, (_, k) => first + k),
      );
      assert.ok(shown.every((s) => s.completed === s.epoch + (reportsAt === 'start' ? 0 : 1)));
      const last = shown[shown.length - 1];
      assert.deepEqual(Array.from(result.theta), last.theta, 'the returned θ is the θ shown');
      // The θ shown after k epochs is what a plain run of k epochs ends at, bit for bit.
      for (const s of [shown[0], shown[3], last]) {
        const plain = train(options(optimiser, { stopping: { maxEpochs: s.completed } }));
        assert.deepEqual(s.theta, Array.from(plain.theta), `after ${s.completed} epochs`);
      }
      const objective = options(optimiser).objective;
      assert.equal(result.finalLoss, objective.evaluate(result.theta).loss);
    });
  }

  it('a callback that never stops leaves the run bit-identical, sync and async', async () => {
    for (const [name, optimiser, reportsAt] of CASES) {
      const plain = train(options(optimiser));
      const calls: number[] = [];
      const watched = await trainAsync(
        options(optimiser, {
          shouldStop: (_, progress) => {
            calls.push(progress.epochsCompleted);
            return false;
          },
        }),
        0,
      );
      assert.deepEqual(Array.from(watched.theta), Array.from(plain.theta), name);
      assert.deepEqual(watched.trace, plain.trace, name);
      assert.equal(watched.stopReason, plain.stopReason, name);
      const first = reportsAt === 'start' ? 0 : 1;
      assert.equal(calls[0], first, name);
      assert.equal(calls.length, plain.trace.epochs.length, `${name}: one call per report`);
    }
  });

  it('a loss target is checked before the callback', () => {
    for (const [name, optimiser] of CASES) {
      let calls = 0;
      const result = train(
        options(optimiser, {
          stopping: { maxEpochs: 40, lossTarget: 1e9 },
          shouldStop: () => {
            calls++;
            return true;
          },
        }),
      );
      assert.equal(result.stopReason, 'loss-target', name);
      assert.equal(calls, 0, `${name}: the callback is not asked once a target has stopped the run`);
    }
  });

  it('trainAsync yields where there is no setImmediate (browsers and Web Workers, where the explorer trains)', async () => {
    const plain = train(options(DEFAULT_OPTIMISERS.adam));
    const saved = globalThis.setImmediate;
    // As in a Web Worker: the global is absent, not merely unused.
    delete (globalThis as { setImmediate?: unknown }).setImmediate;
    try {
      const yielding = await trainAsync(options(DEFAULT_OPTIMISERS.adam), 0);
      assert.deepEqual(Array.from(yielding.theta), Array.from(plain.theta));
    } finally {
      globalThis.setImmediate = saved;
    }
  });
});
