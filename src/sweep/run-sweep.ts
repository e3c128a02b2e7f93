import { deriveSeed } from '../core/rng.js';
import type { Executor, RunGroup, RunTask } from './executor.js';
import type { Runner } from './runner.js';
import { expandCells, requireSweepMemory, type SweepCell, type SweepSpec } from './spec.js';
import { type ResultStore, type RunOutcome, runKey } from './store/result-store.js';

/** Progress of a sweep, reported after every stored run. */
export interface SweepProgress {
  /** Runs this sweep needs in total (cells × repetitions). */
  readonly total: number;
  /** Runs found in the store when this invocation started. */
  readonly alreadyStored: number;
  /** Runs finished by this invocation so far, failed ones included. */
  readonly done: number;
  readonly failed: number;
  /** Runs this invocation set out to do. */
  readonly todo: number;
  /** Milliseconds since this invocation started its first run. */
  readonly elapsedMs: number;
}

export interface RunSweepOptions {
  readonly spec: SweepSpec;
  readonly runner: Runner;
  readonly store: ResultStore;
  readonly executor: Executor;
  readonly codeVersion: string;
  /** Delete the failed runs found in the store first, so they are tried again. */
  readonly retryFailed?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SweepProgress, task: RunTask, outcome: RunOutcome) => void;
  /** Name of the spec file, for error messages. */
  readonly file?: string;
  /**
   * Train the runs of a cell in lock-step where the runner allows it (batched restarts, `Runner.lockstepLimit`).
   * Default: the spec's `batchRestarts`, which defaults to true.
   */
  readonly batchRestarts?: boolean;
}

export interface SweepReport extends SweepProgress {
  /** True when the signal stopped the sweep before every run was done. */
  readonly interrupted: boolean;
}

/** The seed of one run: a pure function of the sweep seed, the cell and the repetition, so any run replays alone. */
export function runSeed(sweepSeed: number, cellHash: string, repetition: number): number {
  return deriveSeed(sweepSeed, 'cell', cellHash, 'repetition', repetition);
}

/** Every task of a sweep, repetition-major so that a partial sweep has results for every cell early on. */
export function planTasks(spec: SweepSpec, runner: Runner, cells: readonly SweepCell[]): RunTask[] {
  const tasks: RunTask[] = [];
  for (let repetition = 0; repetition < spec.repetitions; repetition++) {
    for (const cell of cells) {
      tasks.push({
        runnerModule: runner.moduleUrl,
        cellHash: cell.hash,
        repetition,
        seed: runSeed(spec.seed, cell.hash, repetition),
        config: cell.config,
        keepWeights: spec.keepWeights,
      });
    }
  }
  return tasks;
}

/**
 * The tasks grouped for execution: where the runner allows it (`lockstepLimit` > 1) and `batch` is on, up to that
 * many repetitions of one cell form a group trained in lock-step; every other task is a group of one. Groups keep the
 * tasks' order (a cell's group is placed where its first task was), so repetition-major plans stay so group by group.
 */
export function planGroups(tasks: readonly RunTask[], runner: Runner, batch = true): RunGroup[] {
  const groups: RunTask[][] = [];
  const open = new Map<string, RunTask[]>();
  const limits = new Map<string, number>();
  for (const task of tasks) {
    let limit = limits.get(task.cellHash);
    if (limit === undefined) {
      limit = batch && runner.lockstepLimit ? Math.max(1, Math.floor(runner.lockstepLimit(task.config))) : 1;
      limits.set(task.cellHash, limit);
    }
    let group = open.get(task.cellHash);
    if (group === undefined) {
      group = [];
      groups.push(group);
      open.set(task.cellHash, group);
    }
    group.push(task);
    if (group.length >= limit) open.delete(task.cellHash);
  }
  return groups;
}

/**
 * Runs what is missing of a sweep: registers it in the store (or checks it matches the stored one), skips every run
 * already stored, and stores each outcome as soon as it arrives (a lock-step group's outcomes together, when the
 * group is done). Running it again after an interruption does only the rest: how the missing runs are grouped never
 * changes their seeds or results.
 */
export async function runSweep(options: RunSweepOptions): Promise<SweepReport> {
  const { spec, runner, store, executor } = options;
  const cells = expandCells(spec, runner, options.file);
  requireSweepMemory(
    options.file ?? 'spec',
    'repetitions',
    `${cells.length} cells × ${spec.repetitions} repetitions = ${cells.length * spec.repetitions} runs`,
    cells.length * spec.repetitions,
  );
  await store.registerSweep(spec, cells, options.codeVersion);
  if (options.retryFailed) await store.forgetFailedRuns(spec.name);
  const stored = await store.storedRunKeys(spec.name);
  const all = planTasks(spec, runner, cells);
  const tasks = all.filter((task) => !stored.has(runKey(task.cellHash, task.repetition)));

  const started = performance.now();
  let done = 0;
  let failed = 0;
  const progress = (): SweepProgress => ({
    total: all.length,
    alreadyStored: all.length - tasks.length,
    done,
    failed,
    todo: tasks.length,
    elapsedMs: performance.now() - started,
  });
  await executor.execute(
    planGroups(tasks, runner, options.batchRestarts ?? spec.batchRestarts ?? true),
    async (task, outcome) => {
      await store.record(spec.name, outcome, options.codeVersion);
      done++;
      if (outcome.status === 'failed') failed++;
      options.onProgress?.(progress(), task, outcome);
    },
    options.signal,
  );
  return { ...progress(), interrupted: done < tasks.length };
}
