import { availableParallelism, hostname } from 'node:os';
import { Worker } from 'node:worker_threads';
import { requireInteger } from '../core/errors.js';
import type { Executor, RunGroup, RunTask } from './executor.js';
import { siblingModule } from './runner.js';
import type { RunOutcome } from './store/result-store.js';

/**
 * The local executor: a pool of worker threads on this machine (one per core by default), each doing one group of
 * tasks at a time (a single run, or runs trained in lock-step). With more than one worker, each backend in a worker
 * gets one thread (`threads`), so that N workers on N cores do not run N × N ONNX Runtime threads. Outcomes are handed to `onOutcome` as they arrive and the worker gets its next task at once, so storing a
 * result never holds up the computing. A worker that dies (out of memory, a crash in native code) is reported as a
 * failed run for the task it held and replaced; the sweep goes on.
 */
export class LocalPool implements Executor {
  readonly size: number;
  /** Threads per backend in each worker: 1 with several workers, else the backend's own choice (undefined). */
  readonly threads: number | undefined;

  constructor(size = availableParallelism()) {
    this.size = requireInteger('workers', size, 1);
    this.threads = this.size > 1 ? 1 : undefined;
  }

  execute(
    groups: readonly RunGroup[],
    onOutcome: (task: RunTask, outcome: RunOutcome) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise((resolvePool, rejectPool) => {
      let next = 0;
      let stopped = false;
      const live = new Set<Worker>();
      const writes = new Set<Promise<void>>();
      const stop = (error?: unknown): void => {
        if (stopped) return;
        stopped = true;
        signal?.removeEventListener('abort', onAbort);
        for (const worker of live) void worker.terminate();
        live.clear();
        // Outcomes already received are still stored before the pool reports back.
        void Promise.allSettled(writes).then(() => (error === undefined ? resolvePool() : rejectPool(error)));
      };
      const onAbort = (): void => stop();
      const hand = (task: RunTask, outcome: RunOutcome): void => {
        const write = onOutcome(task, outcome).then(
          () => {
            writes.delete(write);
            if (live.size === 0 && next >= groups.length) stop();
          },
          (error: unknown) => {
            writes.delete(write);
            stop(error);
          },
        );
        writes.add(write);
      };
      const retire = (worker: Worker): void => {
        live.delete(worker);
        void worker.terminate();
        if (live.size === 0 && writes.size === 0) stop();
      };

      const start = (id: number): void => {
        const worker = spawnWorker(id, this.threads);
        live.add(worker);
        let current: RunGroup | undefined;
        let startedAt = 0;
        let ready = false;
        const dispatch = (): void => {
          if (stopped) return;
          if (next >= groups.length) return retire(worker);
          current = groups[next++];
          startedAt = Date.now();
          worker.postMessage(current);
        };
        worker.on('message', (message: 'ready' | RunOutcome[]) => {
          if (message === 'ready') {
            ready = true;
            return dispatch();
          }
          const group = current!;
          current = undefined;
          message.forEach((outcome, k) => hand(group[k], outcome));
          dispatch();
        });
        const crashed = (reason: string): void => {
          if (stopped || !live.has(worker)) return;
          live.delete(worker);
          // A worker that cannot even start would fail every task the same way: stop and say why.
          if (!ready) return stop(new Error(`sweep worker ${id} could not start: ${reason}`));
          const group = current;
          current = undefined;
          for (const task of group ?? []) {
            hand(task, {
              cellHash: task.cellHash,
              repetition: task.repetition,
              seed: task.seed,
              status: 'failed',
              error: `worker ${id} stopped while running: ${reason}`,
              startedAt,
              durationMs: Date.now() - startedAt,
              host: hostname(),
              worker: id,
              result: null,
            });
          }
          if (next < groups.length) start(id);
          else if (live.size === 0 && writes.size === 0) stop();
        };
        worker.on('error', (error) => crashed(error.message.split('\n')[0]));
        worker.on('exit', (code) => crashed(`exit code ${code}`));
      };

      if (signal?.aborted || groups.length === 0) return stop();
      signal?.addEventListener('abort', onAbort);
      for (let id = 0; id < Math.min(this.size, groups.length); id++) start(id);
    });
  }
}

function spawnWorker(id: number, threads: number | undefined): Worker {
  const url = siblingModule(import.meta.url, 'worker');
  const workerData = { worker: id, ...(threads === undefined ? {} : { threads }) };
  if (!url.endsWith('.ts')) return new Worker(new URL(url), { workerData });
  // Under tsx (tests, development) the worker is TypeScript too. Node 20 does not apply the parent's tsx hooks to a
  // worker's entry module, so the worker registers tsx itself before importing its entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
