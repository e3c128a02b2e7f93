import { parentPort, workerData } from 'node:worker_threads';
import { executeGroup } from './execute-task.js';
import type { RunGroup } from './executor.js';

/**
 * Entry point of a local pool worker thread: receives one group of tasks at a time from the main thread and posts
 * back their outcomes. It never touches the store; the main thread is the only writer. `threads` (when set) caps
 * each backend's threads, so that several workers do not each spread over every core.
 */
const port = parentPort;
if (port === null) throw new Error('src/sweep/worker must run as a worker thread');
const { worker, threads } = workerData as { worker: number; threads?: number };
port.on('message', (group: RunGroup) => {
  void executeGroup(group, worker, threads === undefined ? {} : { threads }).then((outcomes) =>
    port.postMessage(outcomes),
  );
});
port.postMessage('ready');
