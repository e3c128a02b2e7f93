import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { mlp } from '../../src/model/architecture.js';
import { initialise } from '../../src/model/init.js';
import {
  fig52SampleCount,
  fig52Schedule,
  rangePosition,
  runFig52,
  summariseFig52,
} from '../../src/reproduce/fig5-2.js';
import { referenceObjective } from '../../src/train/objective.js';
import { DEFAULT_OPTIMISERS } from '../../src/train/optimiser.js';
import { learningRateAt } from '../../src/train/schedule.js';
import { train } from '../../src/train/train.js';

describe('Fig. 5.2 preset', () => {
  it('N = ⌊d²/5⌋', async () => {
    assert.equal(fig52SampleCount(10), 20);
    assert.equal(fig52SampleCount(12), 28);
    assert.equal(fig52SampleCount(31), 192);
  });

  it('holds the rate for holdEpochs, then decays it to lr·factor over decayEpochs', async () => {
    const schedule = fig52Schedule({
      learningRate: 0.01,
      holdEpochs: 1000,
      decayEpochs: 1000,
      decayFactor: 1e-3,
    });
    assert.equal(learningRateAt(schedule, 0), 0.01);
    assert.equal(learningRateAt(schedule, 999), 0.01);
    assert.equal(learningRateAt(schedule, 1000), 0.01);
    assert.ok(Math.abs(learningRateAt(schedule, 1500) / (0.01 * Math.sqrt(1e-3)) - 1) < 1e-12);
    assert.ok(Math.abs(learningRateAt(schedule, 2000) / 1e-5 - 1) < 1e-12);
  });

  it('classifies values against the paper ranges', async () => {
    assert.equal(rangePosition(1e-32, [1e-31, 1e-7]), 'below');
    assert.equal(rangePosition(1e-10, [1e-31, 1e-7]), 'within');
    assert.equal(rangePosition(1e-3, [1e-3, 1]), 'within');
    assert.equal(rangePosition(2, [1e-3, 1]), 'above');
  });

  it('each run replays alone from its recorded seeds', async () => {
    const options = {
      dimensions: [8],
      repeats: 2,
      seed: 4,
      optimiser: DEFAULT_OPTIMISERS.adam,
      learningRate: 0.01,
      holdEpochs: 150,
      decayEpochs: 50,
      decayFactor: 0.1,
      init: { kind: 'pytorch' },
      bias: false,
    } as const;
    const runs = await runFig52(options);
    assert.equal(runs.length, 2);
    const run = runs[1];
    assert.equal(run.sampleCount, 12);
    assert.equal(run.parameterCount, 64 + 8);
    const data = gaussianRandomLabels({ count: 12, inputDim: 8, seed: run.dataSeed });
    const architecture = mlp(8, [8], 1, { kind: 'leaky-relu', slope: 0 }, false);
    const replay = train({
      objective: referenceObjective(architecture, 'mse', data),
      initialTheta: initialise(architecture, { kind: 'pytorch' }, run.initSeed),
      optimiser: DEFAULT_OPTIMISERS.adam,
      schedule: fig52Schedule(options),
      stopping: { maxEpochs: 200 },
      shuffleSeed: 0,
    });
    assert.equal(replay.finalLoss, run.finalMse);
    const [summary] = summariseFig52(runs);
    assert.equal(summary.runs, 2);
    assert.equal(summary.mseReached, runs.filter((r) => r.finalMse <= 1e-7).length);
  });

  it('rejects a d too small for N ≥ 1', async () => {
    await assert.rejects(
      () =>
        runFig52({
          dimensions: [2],
          repeats: 1,
          seed: 0,
          optimiser: DEFAULT_OPTIMISERS.adam,
          learningRate: 0.01,
          holdEpochs: 1,
          decayEpochs: 1,
          decayFactor: 0.5,
          init: { kind: 'pytorch' },
          bias: false,
        }),
      /dimensions\[0\]: expected an integer ≥ 3, got 2/,
    );
  });
});
