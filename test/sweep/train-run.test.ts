import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalPool } from '../../src/sweep/local-pool.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { validateSweepSpec } from '../../src/sweep/spec.js';
import { ResultStore } from '../../src/sweep/store/result-store.js';
import { summariseSweep } from '../../src/sweep/summary.js';
import type { RunResult } from '../../src/sweep/run-result.js';
import { run } from '../../src/sweep/train-run.js';
import { trainRunner } from '../../src/sweep/train-runner.js';

const small = { N: 12, d0: 4, width: 'd0', bias: true, learningRate: 0.02, epochs: 600, optimiser: 'adam' };

describe('the train runner', () => {
  it('is a pure function of (config, seed): a run replays bit for bit', async () => {
    const [a, b] = [await run(small, 7, { keepWeights: true }), await run(small, 7, { keepWeights: true })];
    // Everything but the certificate's wall-clock seconds (runs are certified by default).
    const untimed = (r: RunResult) => ({
      ...r,
      extra: { ...r.extra, certificate: { ...(r.extra?.certificate as object), seconds: 0 } },
    });
    assert.equal(typeof (a.extra?.certificate as { seconds: number }).seconds, 'number');
    assert.deepEqual(untimed(a), untimed(b));
    assert.notDeepEqual((await run(small, 8, { keepWeights: false })).mse, a.mse);
    assert.equal(a.weights?.theta.length, (4 + 1) * 4 + 4 + 1);
    assert.equal((a.extra as { parameterCount: number }).parameterCount, 25);
  });

  it('fits 12 random labels with 25 parameters and fails on 200 (the #params ≈ N transition)', async () => {
    const fit = await run(small, 1, { keepWeights: false });
    assert.equal(fit.mce, 0);
    assert.ok(fit.mse < 1e-3, `MSE ${fit.mse}`);
    const crowded = await run({ ...small, N: 200 }, 1, { keepWeights: false });
    assert.ok(crowded.mce! > 0.1, `MCE ${crowded.mce}`);
  });

  it('marks a net with every ReLU dead on the data as a constant output', async () => {
    const dead = await run(
      { ...small, init: 'gaussian', initMean: 0, initStd: 0.01, initBiasMean: -100, epochs: 50 },
      3,
      { keepWeights: false },
    );
    assert.equal(dead.constantOutput, true);
    assert.equal((await run(small, 1, { keepWeights: false })).constantOutput, false);
  });

  it('runs a sweep in worker threads and summarises it per cell', async () => {
    const store = await ResultStore.open(
      join(mkdtempSync(join(tmpdir(), 'basin-train-')), 's.duckdb'),
      'write',
    );
    const spec = validateSweepSpec({
      name: 'tiny',
      seed: 5,
      repetitions: 4,
      keepWeights: true,
      base: { ...small, epochs: 300 },
      grid: { N: [8, 120] },
    });
    const report = await runSweep({
      spec,
      runner: trainRunner,
      store,
      executor: new LocalPool(2),
      codeVersion: 't',
    });
    assert.equal(report.done, 8);
    assert.equal(report.failed, 0);
    const summary = await summariseSweep(store, 'tiny');
    store.close();
    assert.deepEqual(summary.axes, ['N']);
    const [few, many] = summary.cells;
    assert.equal(few.success.successes, 4);
    assert.ok(many.mce.mean! > 0.05);
    assert.equal(many.suboptimal.successes, 4);
    assert.equal(
      few.minima?.reduce((a, b) => a + b, 0),
      4,
    );
  });
});
