import { hostname } from 'node:os';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Executor, RunGroup, RunTask } from '../executor.js';
import type { RunOutcome } from '../store/result-store.js';
import { connectedWithin, type QueueConnection, redisOptions } from './connection.js';
import { decodeOutcomes, jobIdOf, jobOf, QUEUE_NAME, sweepKeyOf } from './jobs.js';

export interface QueueExecutorOptions {
  readonly sweep: string;
  readonly codeVersion: string;
  /** How often a job that failed (its worker threw outside the run, or kept dying) is tried before it is failed. */
  readonly attempts?: number;
  /** Called every `pollSeconds` with how many workers are connected to the queue. */
  readonly onWorkers?: (count: number) => void;
  /** How often the collector looks at the queue besides its events (events are lost while Redis restarts). */
  readonly pollSeconds?: number;
}

/**
 * The queue's side of a sweep (the collector): an `Executor` that enqueues every group as a BullMQ job with an id
 * derived from its runs, and hands each finished job's outcomes to `onOutcome` (which stores them: the store keeps one
 * writer, this process). A job's outcomes are handed on once, and the job is removed from Redis only after they are
 * stored, so a collector that was stopped and started again finds the outcomes that arrived meanwhile still in the
 * queue. Jobs that failed for good (a malformed job, a worker of other code, a run that kept killing its worker)
 * become failed outcomes with the reason, and the sweep goes on.
 */
export class QueueExecutor implements Executor {
  constructor(
    private readonly connection: QueueConnection,
    private readonly options: QueueExecutorOptions,
  ) {}

  private removeStale(queue: Queue, pending: ReadonlyMap<string, RunGroup>): Promise<void> {
    return removeStaleJobs(queue, sweepKeyOf(this.options.sweep), pending);
  }

  async execute(
    groups: readonly RunGroup[],
    onOutcome: (task: RunTask, outcome: RunOutcome) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    const connection = redisOptions(this.connection);
    const queue = new Queue(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    const pending = new Map<string, RunGroup>();
    for (const group of groups) pending.set(jobIdOf(this.options.sweep, group), group);
    const attempts = this.options.attempts ?? 3;
    let chain: Promise<void> = Promise.resolve();
    let failure: unknown;
    let wake: (() => void) | undefined;

    // One job at a time: a job seen by an event and by a poll at once is handed on once.
    const collect = (id: string): Promise<void> => {
      chain = chain.then(async () => {
        const group = pending.get(id);
        if (group === undefined || failure !== undefined) return;
        const job = await Job.fromId(queue, id);
        if (job === undefined) return;
        const state = await job.getState();
        let outcomes: RunOutcome[];
        if (state === 'completed') {
          outcomes = decodeOutcomes(job.returnvalue as string);
        } else if (state === 'failed') {
          outcomes = group.map((task) => failedOutcome(task, job.failedReason));
        } else {
          return;
        }
        for (const [k, task] of group.entries()) await onOutcome(task, outcomes[k]);
        pending.delete(id);
        // Removed only once stored: a collector killed before this line finds the job again when restarted.
        await job.remove();
        wake?.();
      });
      chain = chain.catch((error: unknown) => {
        failure ??= error;
        wake?.();
      });
      return chain;
    };

    events.on('completed', ({ jobId }) => void collect(jobId));
    events.on('failed', ({ jobId }) => void collect(jobId));
    try {
      await connectedWithin(events.waitUntilReady(), this.connection);
      await this.removeStale(queue, pending);
      await queue.addBulk(
        [...pending].map(([id, group]) => ({
          name: 'runs',
          data: jobOf(this.options.sweep, this.options.codeVersion, group),
          opts: {
            jobId: id,
            attempts,
            backoff: { type: 'fixed', delay: 1000 },
            removeOnComplete: false,
            removeOnFail: false,
          },
        })),
      );
      const pollMs = (this.options.pollSeconds ?? 2) * 1000;
      while (pending.size > 0 && failure === undefined && signal?.aborted !== true) {
        // Jobs that finished before this collector listened (a restart), or whose event was lost.
        for (const id of [...pending.keys()]) void collect(id);
        await chain;
        this.options.onWorkers?.((await queue.getWorkers()).length);
        if (pending.size === 0) break;
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, pollMs);
          wake = done;
          signal?.addEventListener('abort', done, { once: true });
        });
        wake = undefined;
      }
      await chain;
      if (failure !== undefined) throw failure;
      if (signal?.aborted !== true) await this.removeStale(queue, pending);
    } finally {
      await events.close();
      await queue.close();
    }
  }
}

/**
 * Removes this sweep's finished or waiting jobs that no run needs: their runs were stored by a collector that was
 * killed before it removed them, or were planned in other groups since. Running jobs are left to finish.
 */
async function removeStaleJobs(
  queue: Queue,
  sweepPrefix: string,
  pending: ReadonlyMap<string, RunGroup>,
): Promise<void> {
  const jobs = await queue.getJobs(['completed', 'failed', 'waiting', 'delayed', 'prioritized']);
  for (const job of jobs) {
    if (job?.id === undefined || !job.id.startsWith(`${sweepPrefix}.`) || pending.has(job.id)) continue;
    await job.remove();
  }
}

function failedOutcome(task: RunTask, reason: string | undefined): RunOutcome {
  return {
    cellHash: task.cellHash,
    repetition: task.repetition,
    seed: task.seed,
    startedAt: Date.now(),
    durationMs: 0,
    host: hostname(),
    worker: -1,
    status: 'failed',
    error: `queue: ${(reason ?? 'the job failed').split('\n')[0]}`,
    result: null,
  };
}
