import { parentPort, workerData } from 'node:worker_threads';
import { executeTask } from './execute-task.js';
import type { RunTask } from './executor.js';

/**
 * Entry point of a local pool worker thread: receives one task at a time from the main thread and posts back its
 * outcome. It never touches the store; the main thread is the only writer.
 */
const port = parentPort;
if (port === null) throw new Error('src/sweep/worker must run as a worker thread');
const { worker } = workerData as { worker: number };
port.on('message', (task: RunTask) => {
  void executeTask(task, worker).then((outcome) => port.postMessage(outcome));
});
port.postMessage('ready');
