import type { WorkerPayload, WorkerReply, WorkerRequest } from './worker/protocol.js';

type Progress = (reply: Extract<WorkerReply, { kind: 'progress' }>) => void;
type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(payload: WorkerPayload): void;
  reject(error: Error): void;
  progress: Progress | undefined;
}

export class WorkerStoppedError extends Error {
  override name = 'WorkerStoppedError';
}

/**
 * The page's side of the training worker: one promise per request, progress through a callback. `stop()` ends the
 * worker (the library's training loop is synchronous, so this is the only way to interrupt it) and starts a fresh
 * one; the trained point kept in the old worker is gone with it.
 */
export class WorkerClient {
  private worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor() {
    this.worker = this.start();
  }

  request(body: RequestBody, progress?: Progress): Promise<WorkerPayload> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, progress });
      this.worker.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  stop(): void {
    this.worker.terminate();
    for (const pending of this.pending.values()) pending.reject(new WorkerStoppedError('stopped'));
    this.pending.clear();
    this.worker = this.start();
  }

  private start(): Worker {
    const worker = new Worker(new URL('./worker/worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      if (reply.kind === 'progress') {
        pending.progress?.(reply);
        return;
      }
      this.pending.delete(reply.id);
      if (reply.kind === 'done') pending.resolve(reply.payload);
      else pending.reject(new Error(reply.message));
    };
    worker.onerror = (event) => {
      for (const pending of this.pending.values())
        pending.reject(new Error(`worker failed: ${event.message}`));
      this.pending.clear();
    };
    return worker;
  }
}
