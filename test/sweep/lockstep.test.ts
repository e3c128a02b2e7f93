import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { onnxRuntimeStatus } from '../../src/backend/onnx/runtime.js';
import { executeGroup } from '../../src/sweep/execute-task.js';
import type { Executor, RunTask } from '../../src/sweep/executor.js';
import { LocalPool } from '../../src/sweep/local-pool.js';
import { LOCKSTEP_MAX_RUNS, lockstepLimit, lockstepObstacle } from '../../src/run/together.js';
import { specFromCell } from '../../src/sweep/cell-spec.js';
import type { RunResult } from '../../src/sweep/run-result.js';
import { planGroups, planTasks, runSweep } from '../../src/sweep/run-sweep.js';
import { expandCells, specToJson, validateSweepSpec } from '../../src/sweep/spec.js';
import { ResultStore, type StoredRun } from '../../src/sweep/store/result-store.js';
import { summariseSweep } from '../../src/sweep/summary.js';
import { run, runLockstep } from '../../src/sweep/train-run.js';
import { trainRunConfigSchema, trainRunner } from '../../src/sweep/train-runner.js';
import { formatSummaryTable } from '../../src/report/summary-table.js';
import { toyRunner } from './toy-runner.js';
import { basin, cliSkip } from '../cli/helpers.js';
import { onnxSkipReason } from '../support/onnx.js';

const onnxSkip = onnxSkipReason();
function runtimeVersion(): string | undefined {
  const status = onnxRuntimeStatus();
  return status.available ? status.runtime.version : undefined;
}
const directory = mkdtempSync(join(tmpdir(), 'basin-lockstep-'));

/** Same data for every seed (dataSeed), full batch, small: a cell whose seeds may train in lock-step. */
const shared = {
  N: 12,
  d0: 3,
  width: 4,
  bias: true,
  dataSeed: 5,
  optimiser: 'adam',
  learningRate: 0.01,
  epochs: 60,
  backend: 'reference',
} as const;
const seeds = [11, 12, 13, 14, 15];

/**
 * A result without what may differ between equal runs: the lock-step count, and the wall-clock seconds of the
 * certificate every train-runner run now carries by default.
 */
function withoutLockstep(result: RunResult): RunResult {
  return { ...untimed(result), lockstepRuns: null };
}

function untimed(result: RunResult): RunResult {
  const certificate = result.extra?.certificate;
  if (certificate === undefined) return result;
  return { ...result, extra: { ...result.extra, certificate: { ...(certificate as object), seconds: 0 } } };
}

describe('batched restarts: when a cell may train its seeds together', () => {
  const parse = (config: Record<string, unknown>) => specFromCell(trainRunConfigSchema.parse(config), 0);

  it('allows shared data, full batch, per-coordinate optimisers and no targets, on small nets', async () => {
    assert.equal(lockstepLimit(parse(shared)), LOCKSTEP_MAX_RUNS);
    assert.equal(lockstepLimit(parse({ ...shared, optimiser: 'gd', momentum: 0.9 })), LOCKSTEP_MAX_RUNS);
    assert.equal(lockstepLimit(parse({ ...shared, optimiser: 'sgd', batchSize: 12 })), LOCKSTEP_MAX_RUNS);
    // gd trains full batch whatever batchSize says (optimiserOf ignores it); lockstep used to read it as minibatches.
    assert.equal(lockstepLimit(parse({ ...shared, optimiser: 'gd', batchSize: 4 })), LOCKSTEP_MAX_RUNS);
    const jellyfish = { dataset: 'jellyfish', width: 2, optimiser: 'gd', learningRate: 0.1, epochs: 5 };
    assert.equal(lockstepLimit(parse(jellyfish)), LOCKSTEP_MAX_RUNS, 'fixed 4-point sets need no dataSeed');
  });

  it('refuses, saying why, whatever makes the seeds differ or couples them', async () => {
    const obstacle = (change: Record<string, unknown>) => lockstepObstacle(parse({ ...shared, ...change }));
    assert.match(obstacle({ dataSeed: undefined })!, /each seed draws its own data/);
    assert.match(obstacle({ slopeNoise: 0.1 })!, /slope noise/);
    assert.match(obstacle({ optimiser: 'lbfgs' })!, /lbfgs couples/);
    assert.match(obstacle({ lossTarget: 1e-3 })!, /target/);
    assert.match(obstacle({ gradientNormTarget: 1e-6 })!, /target/);
    assert.match(obstacle({ batchSize: 4 })!, /minibatches/);
    assert.match(
      obstacle({ optimiser: 'sgd', N: 40 })!,
      /minibatches/,
      'sgd defaults to batches of 32 < N = 40',
    );
    assert.match(obstacle({ N: 400, d0: 20, width: 20 })!, /168000 multiply-adds per evaluation ≥ 10000/);
  });
});

describe('batched restarts: each seed as if trained alone', () => {
  it('reference backend, Adam: every measurement and the end point bit for bit', async () => {
    const together = await runLockstep(shared, seeds, { keepWeights: true });
    assert.equal(together.length, seeds.length);
    for (const [k, seed] of seeds.entries()) {
      const alone = await run(shared, seed, { keepWeights: true });
      assert.equal(alone.lockstepRuns, 1);
      assert.equal(together[k].lockstepRuns, seeds.length);
      assert.deepEqual(withoutLockstep(together[k]), withoutLockstep(alone), `seed ${seed}`);
    }
    assert.notEqual(together[0].finalLoss, together[1].finalLoss, 'the seeds differ');
  });

  it('reference backend, GD with momentum, float32: bit for bit', async () => {
    const config = { ...shared, optimiser: 'gd', momentum: 0.5, learningRate: 0.05, dtype: 'float32' };
    const together = await runLockstep(config, seeds.slice(0, 3), { keepWeights: true });
    for (const [k, seed] of seeds.slice(0, 3).entries()) {
      assert.deepEqual(
        withoutLockstep(together[k]),
        withoutLockstep(await run(config, seed, { keepWeights: true })),
      );
    }
  });

  it('certificates per seed, as alone', async () => {
    const config = {
      dataset: 'jellyfish',
      width: 2,
      optimiser: 'gd',
      learningRate: 0.1,
      epochs: 200,
      certify: true,
    };
    const together = await runLockstep(config, [1, 2, 3], { keepWeights: false });
    for (const [k, seed] of [1, 2, 3].entries()) {
      const alone = await run(config, seed, { keepWeights: false });
      assert.equal(together[k].verdict, alone.verdict);
      assert.equal(together[k].morseIndex, alone.morseIndex);
      // The backend choice's reason weighs the group's work (3 networks) rather than one network's.
      const { backendChoice: groupChoice, ...groupExtra } = together[k].extra!;
      const { backendChoice: aloneChoice, ...aloneExtra } = alone.extra!;
      const untimed = (extra: Record<string, unknown>) => ({
        ...extra,
        certificate: { ...(extra.certificate as object), seconds: 0 },
      });
      assert.deepEqual(untimed(groupExtra), untimed(aloneExtra));
      assert.match((groupChoice as { reason: string }).reason, /^auto: 72 multiply-adds/);
      assert.match((aloneChoice as { reason: string }).reason, /^auto: 24 multiply-adds/);
    }
  });

  it(
    'auto picks ONNX Runtime for the group when K networks are enough work: same results to rounding',
    { skip: onnxSkip },
    async () => {
      // One network: 64 × (8·8 + 8) = 4608 multiply-adds (the reference); 8 of them: 36 864 (ONNX Runtime).
      const config = {
        ...shared,
        N: 64,
        d0: 8,
        width: 8,
        optimiser: 'gd',
        learningRate: 0.05,
        epochs: 40,
        backend: undefined,
      };
      const group = seeds.concat([16, 17, 18]);
      const together = await runLockstep(config, group, { keepWeights: true, threads: 1 });
      for (const [k, seed] of group.entries()) {
        const alone = await run(config, seed, { keepWeights: true });
        assert.equal(alone.backend, 'reference');
        assert.equal(together[k].backend, 'onnx');
        assert.deepEqual(together[k].extra?.backendChoice, {
          backend: 'onnx',
          requested: 'auto',
          reason: 'auto: 36864 multiply-adds per evaluation ≥ 10000',
          runtimeVersion: runtimeVersion(),
          threads: 1,
        });
        const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
        assert.ok(
          close(together[k].finalLoss, alone.finalLoss),
          `seed ${seed}: ${together[k].finalLoss} vs ${alone.finalLoss}`,
        );
        assert.ok(close(together[k].mse, alone.mse));
        assert.ok(close(together[k].gradientNorm!, alone.gradientNorm!));
        const [a, b] = [together[k].weights!.theta, alone.weights!.theta];
        assert.ok(
          a.every((v, i) => close(v, b[i])),
          `seed ${seed}: θ`,
        );
      }
    },
  );

  it('a group where one network diverges is done again seed by seed, so each seed gets its own outcome', async () => {
    const config = { ...shared, optimiser: 'gd', learningRate: 1e6, epochs: 50 };
    const tasks: RunTask[] = seeds.slice(0, 3).map((seed, repetition) => ({
      runnerModule: trainRunner.moduleUrl,
      cellHash: 'c',
      repetition,
      seed,
      config,
      keepWeights: false,
    }));
    const outcomes = await executeGroup(tasks, 0);
    assert.deepEqual(
      outcomes.map((o) => o.repetition),
      [0, 1, 2],
    );
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'failed');
      assert.match(outcome.error!, /diverged/);
    }
  });
});

describe('batched restarts in the sweep engine', () => {
  it('groups up to the limit per cell, keeping the plan order; batchRestarts false groups nothing', async () => {
    const limited = {
      ...toyRunner,
      lockstepLimit: (config: Readonly<Record<string, unknown>>) => (config.a === 1 ? 3 : 1),
    };
    const spec = validateSweepSpec({
      name: 'g',
      seed: 1,
      repetitions: 4,
      runner: 'toy',
      grid: { a: [1, 2] },
    });
    const cells = expandCells(spec, limited);
    const tasks = planTasks(spec, limited, cells);
    const label = (groups: readonly (readonly RunTask[])[]) =>
      groups.map((g) => g.map((t) => `${t.config.a}:${t.repetition}`).join(' '));
    assert.deepEqual(label(planGroups(tasks, limited)), ['1:0 1:1 1:2', '2:0', '2:1', '2:2', '1:3', '2:3']);
    assert.equal(planGroups(tasks, limited, false).length, tasks.length);
    assert.equal(planGroups(tasks, toyRunner).length, tasks.length, 'runners without a limit run alone');
  });

  it('batchRestarts is not part of the sweep identity, and must be a boolean', async () => {
    const base = { name: 's', seed: 1, repetitions: 2, runner: 'toy', base: { a: 1 } };
    assert.deepEqual(
      specToJson(validateSweepSpec({ ...base, batchRestarts: false })),
      specToJson(validateSweepSpec(base)),
    );
    assert.throws(
      () => validateSweepSpec({ ...base, batchRestarts: 'no' }),
      /batchRestarts: expected true or false, got "no"/,
    );
  });

  const spec = (batchRestarts: boolean) =>
    validateSweepSpec({
      name: 'batched',
      seed: 3,
      repetitions: 6,
      batchRestarts,
      keepWeights: true,
      base: { ...shared, epochs: 40, backend: 'reference' },
      grid: { width: [2, 4] },
    });
  const byRun = (runs: readonly StoredRun[]) =>
    new Map(runs.map((r) => [`${r.cellHash}:${r.repetition}`, r]));

  it('a sweep stores per-seed results identical to the same seeds trained alone, with the backend and the batching', async () => {
    const open = async (name: string) => ResultStore.open(join(directory, name), 'write');
    const [batchedStore, aloneStore] = [await open('batched.duckdb'), await open('alone.duckdb')];
    const pool = new LocalPool(2);
    assert.equal(pool.threads, 1, 'several workers: one backend thread each');
    await runSweep({
      spec: spec(true),
      runner: trainRunner,
      store: batchedStore,
      executor: pool,
      codeVersion: 't',
    });
    await runSweep({
      spec: spec(false),
      runner: trainRunner,
      store: aloneStore,
      executor: pool,
      codeVersion: 't',
    });
    const batched = await batchedStore.runs('batched', { weights: true });
    const alone = byRun(await aloneStore.runs('batched', { weights: true }));
    assert.equal(batched.length, 12);
    for (const r of batched) {
      const single = alone.get(`${r.cellHash}:${r.repetition}`)!;
      assert.equal(r.status, 'ok');
      assert.equal(r.result?.lockstepRuns, 6);
      assert.equal(single.result?.lockstepRuns, 1);
      assert.equal(r.result?.backend, 'reference');
      assert.equal((r.result?.extra?.backendChoice as { threads: number }).threads, 1);
      assert.deepEqual(withoutLockstep(r.result!), withoutLockstep(single.result!));
    }
    const table = formatSummaryTable(await summariseSweep(batchedStore, 'batched'));
    assert.match(table, /backend/);
    assert.match(table, /reference 6 \(6 batched\)/);
    batchedStore.close();
    aloneStore.close();
  });

  it('resumes: a sweep stopped after its first group keeps it and completes the rest to the same results', async () => {
    const store = await ResultStore.open(join(directory, 'resume.duckdb'), 'write');
    const pool = new LocalPool(2);
    const firstGroupOnly: Executor = {
      execute: (groups, onOutcome, signal) => pool.execute(groups.slice(0, 1), onOutcome, signal),
    };
    const partial = await runSweep({
      spec: spec(true),
      runner: trainRunner,
      store,
      executor: firstGroupOnly,
      codeVersion: 't',
    });
    assert.equal(partial.done, 6);
    assert.equal(partial.interrupted, true);
    const rest = await runSweep({
      spec: spec(true),
      runner: trainRunner,
      store,
      executor: pool,
      codeVersion: 't',
    });
    assert.equal(rest.alreadyStored, 6);
    assert.equal(rest.done, 6);
    const runs = await store.runs('batched', { weights: true });
    store.close();
    assert.equal(runs.length, 12);
    const reference = await ResultStore.open(join(directory, 'batched.duckdb'), 'read');
    const clean = byRun(await reference.runs('batched', { weights: true }));
    reference.close();
    for (const r of runs) {
      assert.deepEqual(untimed(r.result!), untimed(clean.get(`${r.cellHash}:${r.repetition}`)!.result!));
    }
  });
});

describe('basin sweep run --no-batch-restarts, basin results', () => {
  it('runs every seed alone and shows the backend column', { skip: cliSkip }, () => {
    const file = join(directory, 'cli.yaml');
    writeFileSync(
      file,
      'name: cli\nseed: 1\nrepetitions: 3\nbase:\n  N: 8\n  d0: 2\n  width: 2\n  dataSeed: 1\n  learningRate: 0.01\n  epochs: 20\n',
    );
    const run = (...args: string[]) => basin(args, directory);
    const first = run('sweep', 'run', file, '--store', 'cli.duckdb', '--workers', '1', '--no-batch-restarts');
    assert.equal(first.status, 0, first.stderr);
    const results = run('results', 'cli.duckdb');
    assert.equal(results.status, 0, results.stderr);
    assert.match(results.stdout, /backend/);
    assert.match(results.stdout, /reference 3(?! \()/);
    const batched = run('sweep', 'run', file, '--store', 'batched-cli.duckdb', '--workers', '1');
    assert.equal(batched.status, 0, batched.stderr);
    assert.match(run('results', 'batched-cli.duckdb').stdout, /reference 3 \(3 batched\)/);
  });
});
