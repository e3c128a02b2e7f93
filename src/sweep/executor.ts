import type { RunOutcome } from './store/result-store.js';

/**
 * One run to do: everything a worker anywhere needs, as plain JSON (so a distributed queue can carry it unchanged).
 * The seed is derived from (sweep seed, cell hash, repetition): replaying a task alone gives the same run.
 */
export interface RunTask {
  readonly runnerModule: string;
  readonly cellHash: string;
  readonly repetition: number;
  readonly seed: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly keepWeights: boolean;
}

/**
 * Tasks done together: one task, or several repetitions of one cell that the runner trains in lock-step (batched
 * restarts, `Runner.lockstepLimit`). Each task of a group still gets its own outcome.
 */
export type RunGroup = readonly RunTask[];

/**
 * Something that does runs and reports each outcome as it finishes. The sweep (spec, seeds, store) never depends on
 * which implementation it gets: the local worker pool today, a job queue across machines later. Implementations
 * must call `onOutcome` once per task they finished (in any order; a group's together, when it is done) and may stop early when `signal` aborts; tasks
 * not reported are simply done again by the next run of the sweep.
 */
export interface Executor {
  execute(
    groups: readonly RunGroup[],
    onOutcome: (task: RunTask, outcome: RunOutcome) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<void>;
}
