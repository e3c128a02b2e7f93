import { hostname } from 'node:os';
import { UnrecoverableError, Worker } from 'bullmq';
import { codeVersion } from '../code-version.js';
import { executeGroup } from '../execute-task.js';
import type { RunTask } from '../executor.js';
import { RUNNERS } from '../runners.js';
import {
  connectedWithin,
  describeQueue,
  type QueueConnection,
  redisOptions,
  requireReachable,
} from './connection.js';
import { encodeOutcomes, QUEUE_NAME, queueJobSchema } from './jobs.js';

export interface QueueWorkerOptions {
  /** Threads per backend (default 1). */
  readonly threads?: number;
  /**
   * Seconds a job stays locked to this worker without a renewal; a worker that dies loses its job this long after
   * (then another worker takes it). The lock is renewed every half of it while the worker lives.
   */
  readonly lockSeconds?: number;
  /** How often this worker looks for jobs whose worker died (seconds). */
  readonly stalledCheckSeconds?: number;
  readonly log?: (line: string) => void;
}

/** Why a worker refuses a job for good (not tried again): it is malformed, or for other code. */
export function refusal(data: unknown, version: string): string | undefined {
  const parsed = queueJobSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `malformed job: ${issue.path.join('.') || 'job'}: ${issue.message}`;
  }
  if (parsed.data.codeVersion !== version) {
    return (
      `this worker runs basin ${version} but the sweep "${parsed.data.sweep}" was planned by ${parsed.data.codeVersion}; ` +
      'results of different code are not mixed: run a worker of that version (or resubmit the sweep with this one)'
    );
  }
  if (!RUNNERS.some((runner) => runner.name === parsed.data.runner)) {
    return `unknown runner "${parsed.data.runner}" (this worker has ${RUNNERS.map((r) => r.name).join(', ')})`;
  }
  return undefined;
}

/**
 * `basin worker`: takes jobs from the queue and runs them with the local engine until `signal` aborts. Each job's
 * outcomes go back as the job's return value, for the collector (queue-executor.ts) to store.
 */
export async function runQueueWorker(
  connection: QueueConnection,
  options: QueueWorkerOptions & { readonly signal?: AbortSignal } = {},
): Promise<void> {
  const version = codeVersion();
  const log = options.log ?? (() => undefined);
  await requireReachable(connection);
  const lockMs = Math.round((options.lockSeconds ?? 60) * 1000);
  const worker = new Worker(
    QUEUE_NAME,
    async (job) => {
      const problem = refusal(job.data, version);
      if (problem !== undefined) {
        log(`refused job ${job.id}: ${problem}`);
        throw new UnrecoverableError(problem);
      }
      const data = queueJobSchema.parse(job.data);
      const runner = RUNNERS.find((known) => known.name === data.runner)!;
      const group: RunTask[] = data.group.map((task) => ({ ...task, runnerModule: runner.moduleUrl }));
      const outcomes = await executeGroup(group, process.pid, { threads: options.threads ?? 1 });
      log(
        `job ${job.id}: ${outcomes.length} run(s) of ${data.sweep}, ${outcomes.filter((o) => o.status === 'ok').length} ok`,
      );
      return encodeOutcomes(outcomes);
    },
    {
      connection: redisOptions(connection),
      // One job at a time: a run computes on this process's one JavaScript thread, so a machine of k cores runs k
      // worker processes (each run with one backend thread, as the local pool's workers).
      concurrency: 1,
      lockDuration: lockMs,
      stalledInterval: Math.round((options.stalledCheckSeconds ?? 30) * 1000),
      // A job whose worker died is taken again this many times before it is failed (a run that kills its worker).
      maxStalledCount: 3,
      // The Redis client name: no spaces (CLIENT SETNAME refuses them); `getWorkers` counts clients by it.
      name: `basin-${version}@${hostname()}-${process.pid}`.replace(/[^!-~]/g, '_'),
      autorun: true,
    },
  );
  worker.on('error', (error) => log(`queue: ${error.message}`));
  try {
    await connectedWithin(worker.waitUntilReady(), connection);
  } catch (error) {
    await worker.close(true);
    throw error;
  }
  log(
    `worker ${hostname()}:${process.pid} (basin ${version}) takes jobs from ${QUEUE_NAME} at ${describeQueue(connection)}`,
  );
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  // Finish the job under way (its outcome goes back), then leave.
  await worker.close();
}
