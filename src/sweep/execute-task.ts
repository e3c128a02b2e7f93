import { hostname } from 'node:os';
import type { RunGroup, RunTask } from './executor.js';
import type { LockstepRunFunction, RunFunction, RunOptions, RunResult } from './run-result.js';
import type { RunOutcome } from './store/result-store.js';

interface RunnerModule {
  readonly run: RunFunction;
  readonly runLockstep: LockstepRunFunction | undefined;
}

const loaded = new Map<string, Promise<RunnerModule>>();

/** What the executor tells a run function besides the task: threads per backend (see RunOptions). */
export interface ExecuteOptions {
  readonly threads?: number;
}

/**
 * Does one task wherever it is called (a worker thread, a queue consumer): loads the runner module once, runs it,
 * and turns a thrown error or a non-finite loss into a failed outcome instead of stopping the sweep.
 */
export async function executeTask(
  task: RunTask,
  worker: number,
  options: ExecuteOptions = {},
): Promise<RunOutcome> {
  const startedAt = Date.now();
  const start = performance.now();
  const done = (fields: Pick<RunOutcome, 'status' | 'error' | 'result'>): RunOutcome => ({
    cellHash: task.cellHash,
    repetition: task.repetition,
    seed: task.seed,
    startedAt,
    durationMs: performance.now() - start,
    host: hostname(),
    worker,
    ...fields,
  });
  try {
    const { run } = await loadRunnerModule(task.runnerModule);
    const result = await run(task.config, task.seed, runOptions(task, options));
    const problem = resultProblem(result);
    if (problem !== undefined) return done({ status: 'failed', error: problem, result: null });
    return done({ status: 'ok', error: null, result });
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return done({ status: 'failed', error: message.split('\n')[0], result: null });
  }
}

/**
 * Does a group of tasks: several repetitions of one cell through the runner module's `runLockstep` (batched
 * restarts), else one task after the other. The group shares its wall time equally among its runs. When the
 * lock-step run throws or a result is unusable, every task is done again alone, so that each gets its own outcome
 * (and one failing seed cannot fail the others).
 */
export async function executeGroup(
  group: RunGroup,
  worker: number,
  options: ExecuteOptions = {},
): Promise<RunOutcome[]> {
  const alone = async (): Promise<RunOutcome[]> => {
    const outcomes: RunOutcome[] = [];
    for (const task of group) outcomes.push(await executeTask(task, worker, options));
    return outcomes;
  };
  if (group.length <= 1) return alone();
  const first = group[0];
  let runLockstep: LockstepRunFunction | undefined;
  try {
    runLockstep = (await loadRunnerModule(first.runnerModule)).runLockstep;
  } catch {
    return alone(); // executeTask reports the loading error per task
  }
  if (runLockstep === undefined) return alone();
  const startedAt = Date.now();
  const start = performance.now();
  let results: RunResult[];
  try {
    results = await runLockstep(
      first.config,
      group.map((task) => task.seed),
      runOptions(first, options),
    );
  } catch {
    return alone();
  }
  if (results.length !== group.length || results.some((r) => resultProblem(r) !== undefined)) return alone();
  const durationMs = (performance.now() - start) / group.length;
  return group.map((task, k) => ({
    cellHash: task.cellHash,
    repetition: task.repetition,
    seed: task.seed,
    startedAt,
    durationMs,
    host: hostname(),
    worker,
    status: 'ok',
    error: null,
    result: results[k],
  }));
}

function runOptions(task: RunTask, options: ExecuteOptions): RunOptions {
  return {
    keepWeights: task.keepWeights,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  };
}

function loadRunnerModule(module: string): Promise<RunnerModule> {
  let pending = loaded.get(module);
  if (pending === undefined) {
    pending = import(module).then((exports: { run?: unknown; runLockstep?: unknown }) => {
      if (typeof exports.run !== 'function') throw new Error(`runner module ${module} does not export run()`);
      return {
        run: exports.run as RunFunction,
        runLockstep:
          typeof exports.runLockstep === 'function'
            ? (exports.runLockstep as LockstepRunFunction)
            : undefined,
      };
    });
    loaded.set(module, pending);
  }
  return pending;
}

function resultProblem(result: RunResult): string | undefined {
  if (!Number.isFinite(result.finalLoss)) return `the run ended with a non-finite loss (${result.finalLoss})`;
  if (!Number.isFinite(result.mse)) return `the run ended with a non-finite MSE (${result.mse})`;
  return undefined;
}
