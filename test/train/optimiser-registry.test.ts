import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import { trainConfigSchema } from '../../src/cli/config.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { mlp } from '../../src/model/architecture.js';
import { initialise } from '../../src/model/init.js';
import { type Objective, referenceObjective } from '../../src/train/objective.js';
import {
  batchSizeOf,
  DEFAULT_LEARNING_RATES,
  DEFAULT_OPTIMISERS,
  describeOptimiser,
  lockstepCompatible,
  OPTIMISER_KINDS,
  type OptimiserConfig,
  optimiserFromSettings,
  OPTIMISERS,
  optimiserSchema,
  validateOptimiser,
} from '../../src/train/optimiser.js';
import { train } from '../../src/train/train.js';
import { specFromCell } from '../../src/sweep/cell-spec.js';
import { trainRunConfigSchema } from '../../src/sweep/train-runner.js';

/*
 * The registry of src/train/optimiser.ts: what is derived from it (kinds, defaults, rates, schema, sweep settings)
 * must equal what basin had before the optimisers moved there, so that the CLI and sweep can switch to it.
 */

describe('optimiser registry', () => {
  it('lists every kind once, in registry order, with a one-line description', () => {
    assert.deepEqual([...OPTIMISER_KINDS], ['gd', 'sgd', 'adam', 'rmsprop', 'lbfgs']);
    assert.deepEqual([...OPTIMISER_KINDS], Object.keys(OPTIMISERS));
    for (const kind of OPTIMISER_KINDS) {
      const text = describeOptimiser(kind);
      assert.ok(text.length > 10 && !text.includes('\n'), kind);
    }
  });

  it('keeps the defaults and learning rates basin had (and PyTorch’s for RMSprop)', () => {
    assert.deepEqual(DEFAULT_OPTIMISERS, {
      gd: { kind: 'gd', momentum: 0 },
      sgd: { kind: 'sgd', batchSize: 32, momentum: 0 },
      adam: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      rmsprop: { kind: 'rmsprop', alpha: 0.99, epsilon: 1e-8, momentum: 0, centered: false },
      lbfgs: { kind: 'lbfgs', memory: 10, c1: 1e-4, c2: 0.9 },
    });
    assert.ok(!('batchSize' in DEFAULT_OPTIMISERS.adam));
    assert.deepEqual(DEFAULT_LEARNING_RATES, { gd: 0.1, sgd: 0.01, adam: 1e-3, rmsprop: 1e-2, lbfgs: 1 });
    for (const kind of OPTIMISER_KINDS) validateOptimiser(DEFAULT_OPTIMISERS[kind]);
  });

  it('the schema parses like `basin train`’s optimiser section did, inside a larger object', () => {
    const cli = trainConfigSchema().shape.optimiser;
    const outer = z.strictObject({ optimiser: optimiserSchema.prefault({ kind: 'adam' }) });
    assert.deepEqual(outer.parse({}).optimiser, DEFAULT_OPTIMISERS.adam);
    const inputs: unknown[] = [
      { kind: 'gd' },
      { kind: 'gd', momentum: 0.9 },
      { kind: 'sgd', batchSize: 7 },
      { kind: 'adam', batchSize: 16, beta2: 0.99 },
      { kind: 'lbfgs', memory: 3 },
      { kind: 'gd', momentum: 1 },
      { kind: 'sgd', batchSize: 0 },
      { kind: 'adam', beta1: -0.1 },
      { kind: 'lbfgs', c1: 0 },
      { kind: 'gd', batchSize: 4 },
      { kind: 'newton' },
      {},
    ];
    for (const input of inputs) {
      const ours = optimiserSchema.safeParse(input);
      const before = cli.safeParse(input);
      assert.equal(ours.success, before.success, JSON.stringify(input));
      if (ours.success) assert.deepEqual(ours.data, before.data, JSON.stringify(input));
      else {
        const where = (issues: z.core.$ZodIssue[]) => issues.map(({ code, path }) => [code, path]);
        assert.deepEqual(where(ours.error.issues), where(before.error!.issues), JSON.stringify(input));
        // An unknown kind's message lists the kinds, now with rmsprop; every other message is unchanged.
        if (ours.error.issues[0].code !== 'invalid_union') {
          assert.deepEqual(ours.error.issues, before.error!.issues, JSON.stringify(input));
        }
      }
    }
    assert.deepEqual(optimiserSchema.parse({ kind: 'rmsprop', momentum: 0.5, centered: true }), {
      ...DEFAULT_OPTIMISERS.rmsprop,
      momentum: 0.5,
      centered: true,
    });
  });

  it('a sweep cell’s optimiser keys mean what the sweep’s own optimiserOf made of them', () => {
    // The rule the sweep runner had before cells became run specs (src/sweep/train-run-config.ts, removed).
    const before = (
      kind: 'gd' | 'sgd' | 'adam' | 'lbfgs',
      batchSize: number | undefined,
      momentum: number,
    ) =>
      kind === 'gd'
        ? { kind, momentum }
        : kind === 'sgd'
          ? { kind, batchSize: batchSize ?? 32, momentum }
          : kind === 'adam'
            ? { ...DEFAULT_OPTIMISERS.adam, ...(batchSize === undefined ? {} : { batchSize }) }
            : DEFAULT_OPTIMISERS.lbfgs;
    for (const optimiser of ['gd', 'sgd', 'adam', 'lbfgs'] as const) {
      for (const batchSize of [undefined, 8]) {
        for (const momentum of [0, 0.9]) {
          const settings = { width: 4, dataset: 'xor', optimiser, batchSize, momentum };
          const cell = trainRunConfigSchema.parse({ ...settings, learningRate: 0.1, epochs: 1 });
          assert.deepEqual(specFromCell(cell, 0).optimiser, before(optimiser, batchSize, momentum));
          assert.deepEqual(
            optimiserFromSettings(optimiser, { batchSize, momentum }),
            before(optimiser, batchSize, momentum),
          );
        }
      }
    }
    assert.deepEqual(optimiserFromSettings('sgd', {}), DEFAULT_OPTIMISERS.sgd);
    assert.deepEqual(optimiserFromSettings('rmsprop', { batchSize: 8, momentum: 0.5 }), {
      ...DEFAULT_OPTIMISERS.rmsprop,
      batchSize: 8,
      momentum: 0.5,
    });
  });

  it('minibatch kinds are those whose schema has batchSize; only L-BFGS cannot train in lock-step', () => {
    const minibatch = OPTIMISER_KINDS.filter((kind) => OPTIMISERS[kind].minibatch);
    assert.deepEqual(minibatch, ['sgd', 'adam', 'rmsprop']);
    assert.equal(batchSizeOf(DEFAULT_OPTIMISERS.sgd), 32);
    assert.equal(batchSizeOf(DEFAULT_OPTIMISERS.adam), undefined);
    assert.equal(batchSizeOf({ ...DEFAULT_OPTIMISERS.rmsprop, batchSize: 5 }), 5);
    assert.equal(batchSizeOf(DEFAULT_OPTIMISERS.gd), undefined);
    assert.deepEqual(
      OPTIMISER_KINDS.filter((kind) => !lockstepCompatible(DEFAULT_OPTIMISERS[kind])),
      ['lbfgs'],
    );
  });

  it('validateOptimiser names the field at fault and rejects unknown kinds', () => {
    const bad: [OptimiserConfig, RegExp][] = [
      [{ kind: 'sgd', batchSize: 0, momentum: 0 }, /optimiser\.batchSize/],
      [{ ...DEFAULT_OPTIMISERS.adam, batchSize: 1.5 }, /optimiser\.batchSize/],
      [{ ...DEFAULT_OPTIMISERS.adam, beta2: 1 }, /optimiser\.beta1\/beta2/],
      [{ ...DEFAULT_OPTIMISERS.rmsprop, alpha: 1 }, /optimiser\.alpha/],
      [{ ...DEFAULT_OPTIMISERS.rmsprop, momentum: -0.1 }, /optimiser\.momentum/],
      [{ ...DEFAULT_OPTIMISERS.rmsprop, epsilon: Number.NaN }, /optimiser\.epsilon/],
      [{ ...DEFAULT_OPTIMISERS.lbfgs, c2: 1e-5 }, /optimiser\.c2/],
      [{ kind: 'newton' } as unknown as OptimiserConfig, /optimiser\.kind/],
      [{ kind: 'toString' } as unknown as OptimiserConfig, /optimiser\.kind/],
    ];
    for (const [config, message] of bad) {
      assert.throws(
        () => validateOptimiser(config),
        (error: Error) => {
          assert.ok(error instanceof InvalidArgumentError);
          assert.match(error.message, message);
          return true;
        },
      );
    }
    // gd's momentum check has always accepted 1 (a frictionless heavy ball); kept.
    validateOptimiser({ kind: 'gd', momentum: 1 });
  });
});

describe('lock-step', () => {
  /** Two networks as one objective over the stacked θ: the summed loss, each half's gradient its own network's. */
  function stacked(single: Objective): Objective {
    const size = single.parameterCount;
    return {
      parameterCount: 2 * size,
      sampleCount: single.sampleCount,
      evaluate(theta, batch) {
        const a = single.evaluate(theta.slice(0, size), batch);
        const b = single.evaluate(theta.slice(size), batch);
        const gradient = new Float64Array(2 * size);
        gradient.set(a.gradient);
        gradient.set(b.gradient, size);
        return { loss: a.loss + b.loss, gradient };
      },
    };
  }

  it('lock-step kinds give each stacked network exactly its solo trajectory; L-BFGS does not', () => {
    const samples = gaussianRandomLabels({ count: 12, inputDim: 3, seed: 4 });
    const architecture = mlp(3, [5], 1, { kind: 'tanh' }, true);
    const objective = referenceObjective(architecture, 'mse', samples);
    const [a, b] = [
      initialise(architecture, { kind: 'pytorch' }, 1),
      initialise(architecture, { kind: 'pytorch' }, 2),
    ];
    for (const kind of OPTIMISER_KINDS) {
      // Full batch: a batch as large as the set (minibatches would be shuffled per seed).
      const optimiser = optimiserFromSettings(kind, { batchSize: 12, momentum: 0.5 });
      const run = (target: Objective, initialTheta: Float64Array) =>
        train({
          objective: target,
          initialTheta,
          optimiser,
          schedule: { kind: 'constant', learningRate: DEFAULT_LEARNING_RATES[kind] },
          stopping: { maxEpochs: 10 },
          shuffleSeed: 0,
        }).theta;
      const together = run(stacked(objective), Float64Array.from([...a, ...b]));
      const alone = [...run(objective, a as Float64Array), ...run(objective, b as Float64Array)];
      const same = together.every((value, i) => Object.is(value, alone[i]));
      assert.equal(same, lockstepCompatible(optimiser), kind);
    }
  });
});
