import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readWeightsFile } from '../../src/io/weights-file.js';
import { LocalPool } from '../../src/sweep/local-pool.js';
import { planTasks, runSweep } from '../../src/sweep/run-sweep.js';
import { ResultStore } from '../../src/sweep/store/result-store.js';
import { specFromCell } from '../../src/sweep/cell-spec.js';
import { validateSweepSpec, expandCells } from '../../src/sweep/spec.js';
import { trainRunConfigSchema, trainRunner } from '../../src/sweep/train-runner.js';
import { parseRunSpec } from '../../src/run/spec.js';
import { DEFAULT_STATE, type ExplorerState } from '../../web/src/state.js';
import { specFromState } from '../../web/src/run-spec.js';
import { buildProblem } from '../../web/src/worker/problem.js';
import { trainProblem, trainSpec } from '../../web/src/worker/training.js';
import { basin, ensureBuilt, temporaryDirectory } from '../cli/helpers.js';

/*
 * One run spec, three front ends: `basin train --config`, a one-cell sweep and the explorer's worker entry train the
 * same spec to the same bits (reference backend), slope noise included. Before the spec and the pipeline were one,
 * `basin train` derived the slope-noise seed from 'slope-noise' and sweeps from 'noise', so the same settings and
 * seed gave different data, and this test failed.
 */

const cell = {
  dataset: 'gaussian',
  N: 12,
  d0: 3,
  width: 4,
  activation: 'relu',
  slopeNoise: 0.2,
  optimiser: 'adam',
  learningRate: 0.02,
  epochs: 60,
  backend: 'reference',
  certify: false,
};

/** θ of the cell's first run through a one-cell sweep, `basin train` and the explorer worker's entry. */
async function threeWays(cell: Record<string, unknown> & { slopeNoise: number }): Promise<Float64Array[]> {
  const directory = temporaryDirectory('one-spec');
  const sweep = validateSweepSpec({ name: 'one', seed: 5, repetitions: 1, keepWeights: true, base: cell });
  const [task] = planTasks(sweep, trainRunner, expandCells(sweep, trainRunner));
  const spec = specFromCell(trainRunConfigSchema.parse(cell), task.seed);
  assert.equal(spec.slopeNoise !== undefined, cell.slopeNoise !== 0, 'slope noise when the cell has some');

  // 1. A one-cell sweep on the local pool, weights kept in the store.
  const store = await ResultStore.open(join(directory, 'one.duckdb'), 'write');
  await runSweep({ spec: sweep, runner: trainRunner, store, executor: new LocalPool(1), codeVersion: 't' });
  const [stored] = await store.runs('one', { weights: true });
  store.close();
  assert.equal(stored.status, 'ok', stored.error ?? '');
  const fromSweep = Float64Array.from(stored.result!.weights!.theta);

  // 2. `basin train` on the same spec written as a config file (the spec plus where to write).
  ensureBuilt();
  writeFileSync(
    join(directory, 'spec.json'),
    JSON.stringify({ ...spec, certify: undefined, output: { result: 'r.json', weights: 'w.json' } }),
  );
  const cli = basin(['train', '--config', 'spec.json'], directory);
  assert.equal(cli.status, 0, cli.stderr);
  const fromCli = Float64Array.from(readWeightsFile(join(directory, 'w.json')).theta);

  // 3. The explorer's worker entry.
  const fromWorker = Float64Array.from((await trainSpec(spec)).training.theta);

  return [fromSweep, fromCli, fromWorker];
}

describe('one run spec through every front end', () => {
  it('basin train, a one-cell sweep and the explorer worker give bit-identical θ, slope noise included', async () => {
    const [fromSweep, fromCli, fromWorker] = await threeWays(cell);
    assert.equal(fromSweep.length, 4 * 3 + 4);
    assert.deepEqual(fromCli, fromSweep, 'basin train = sweep');
    assert.deepEqual(fromWorker, fromSweep, 'explorer worker = sweep');
  });

  it('an optimiser defined once (RMSprop with momentum, minibatches) is the same in all three', async () => {
    const rmsprop = {
      ...cell,
      slopeNoise: 0,
      optimiser: 'rmsprop',
      momentum: 0.5,
      batchSize: 5,
      learningRate: 0.01,
    };
    const [fromSweep, fromCli, fromWorker] = await threeWays(rmsprop);
    assert.deepEqual(fromCli, fromSweep, 'basin train = sweep');
    assert.deepEqual(fromWorker, fromSweep, 'explorer worker = sweep');
  });

  it("the explorer's state is read once, as a spec, and its worker trains exactly that spec", async () => {
    const state: ExplorerState = {
      ...DEFAULT_STATE,
      data: { kind: 'gaussian', count: 10, inputDim: 3, seed: 4 },
      model: { ...DEFAULT_STATE.model, widths: [3], slopeNoise: 0.1 },
      optimiser: { kind: 'sgd', learningRate: 0.05, batchSize: 4, epochs: 20, engine: 'cpu' },
    };
    const spec = specFromState(state, undefined);
    assert.deepEqual(spec.data, { source: 'gaussian', count: 10, inputDim: 3, labels: 'pm1' });
    assert.deepEqual(
      spec.optimiser,
      parseRunSpec({ data: spec.data, optimiser: { kind: 'sgd', batchSize: 4 } }).optimiser,
    );
    assert.equal(spec.seeds?.data, 4);
    assert.equal(spec.seeds?.init, 1);
    const problem = await buildProblem(state, undefined);
    const fromPlayground = await trainProblem(problem, state);
    const fromSpec = await trainSpec(spec);
    assert.deepEqual(Float64Array.from(fromPlayground.theta), Float64Array.from(fromSpec.training.theta));
  });
});
