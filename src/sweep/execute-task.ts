import { hostname } from 'node:os';
import type { RunTask } from './executor.js';
import type { RunFunction, RunResult } from './run-result.js';
import type { RunOutcome } from './store/result-store.js';

const loaded = new Map<string, Promise<RunFunction>>();

/**
 * Does one task wherever it is called (a worker thread, a queue consumer): loads the runner module once, runs it,
 * and turns a thrown error or a non-finite loss into a failed outcome instead of stopping the sweep.
 */
export async function executeTask(task: RunTask, worker: number): Promise<RunOutcome> {
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
    const run = await loadRunFunction(task.runnerModule);
    const result = await run(task.config, task.seed, { keepWeights: task.keepWeights });
    const problem = resultProblem(result);
    if (problem !== undefined) return done({ status: 'failed', error: problem, result: null });
    return done({ status: 'ok', error: null, result });
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return done({ status: 'failed', error: message.split('\n')[0], result: null });
  }
}

function loadRunFunction(module: string): Promise<RunFunction> {
  let pending = loaded.get(module);
  if (pending === undefined) {
    pending = import(module).then((exports: { run?: unknown }) => {
      if (typeof exports.run !== 'function') throw new Error(`runner module ${module} does not export run()`);
      return exports.run as RunFunction;
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
