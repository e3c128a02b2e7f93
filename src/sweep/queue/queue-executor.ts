import { hostname } from 'node:os';
import { Queue, QueueEvents } from 'bullmq';
import type { Executor, RunGroup, RunTask } from '../executor.js';
import type { RunOutcome } from '../store/result-store.js';
import { connectedWithin, type QueueConnection, redisOptions, requireReachable } from './connection.js';
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
    await requireReachable(this.connection);
    const connection = redisOptions(this.connection);
    const queue = new Queue(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    const pending = new Map<string, RunGroup>();
    for (const group of groups) pending.set(jobIdOf(this.options.sweep, group), group);
    const attempts = this.options.attempts ?? 3;
    let failure: unknown;
    let wake: (() => void) | undefined;
    // Finished jobs seen (by an event or a poll) and not yet stored, by id.
    const finished = new Map<string, Finished>();
    let draining: Promise<void> | undefined;

    // Stores every finished job seen so far in one go (the store commits the outcomes together), then removes those
    // jobs from Redis, only once stored: a collector killed in between finds them again when restarted.
    const drain = (): Promise<void> => {
      draining ??= (async () => {
        while (finished.size > 0 && failure === undefined) {
          const batch = [...finished.values()].filter((job) => pending.has(job.id));
          finished.clear();
          await Promise.all(
            batch.flatMap((job) => {
              const group = pending.get(job.id)!;
              const outcomes =
                job.returnvalue === undefined
                  ? group.map((task) => failedOutcome(task, job.failedReason))
                  : decodeOutcomes(job.returnvalue);
              pending.delete(job.id);
              return group.map((task, k) => onOutcome(task, outcomes[k]));
            }),
          );
          await Promise.all(batch.map((job) => queue.remove(job.id)));
        }
      })()
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => {
          draining = undefined;
          wake?.();
        });
      return draining;
    };
    const found = (job: Finished): void => {
      if (!pending.has(job.id) || finished.has(job.id)) return;
      finished.set(job.id, job);
      void drain();
    };
    // Finished jobs straight from Redis's lists (their return value read with them, so never a half-finished copy):
    // those that ended before this collector listened (a restart), or whose event was lost while Redis restarted.
    const poll = async (): Promise<void> => {
      for (const job of await queue.getJobs(['completed'])) {
        if (job?.id !== undefined && typeof job.returnvalue === 'string') {
          found({ id: job.id, returnvalue: job.returnvalue });
        }
      }
      for (const job of await queue.getJobs(['failed'])) {
        if (job?.id !== undefined) found({ id: job.id, failedReason: job.failedReason });
      }
    };

    events.on('completed', ({ jobId, returnvalue }) => {
      if (typeof returnvalue === 'string') found({ id: jobId, returnvalue });
    });
    // 'failed' also fires for an attempt that will be retried: only a job in the failed list is done.
    events.on('failed', ({ jobId }) => {
      void queue
        .getJobState(jobId)
        .then((state) => (state === 'failed' ? poll() : undefined))
        .catch(() => undefined);
    });
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
        await poll();
        await drain();
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
      await draining;
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

/** A job that ended: its encoded outcomes, or (failed for good) the reason. */
interface Finished {
  readonly id: string;
  readonly returnvalue?: string;
  readonly failedReason?: string;
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
