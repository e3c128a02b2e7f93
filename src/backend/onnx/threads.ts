import os from 'node:os';

import type { DType } from '../../core/dtype.js';
import type { OnnxRuntime, SyncSession } from './runtime.js';

/**
 * Below this many multiply-adds per session run, ORT sessions get one thread; above, every logical CPU. ORT splits
 * each operator across its intra-op threads, and on small products the hand-offs cost about as much as they save.
 * On the project's 2-core machine, quiet (`npm run bench`, engines basin-onnx-1t and -2t): two threads ran case (a)
 * (4.9·10⁸ multiply-adds per run) 1.9× and the 16-network groups of case (c) (4.1·10⁷ per run) 1.6× faster than
 * one, case (b) (2.6·10⁶) only 6% faster; while other work held a core, two threads were slower on (b) and (c).
 * So small runs like (b) keep one thread. See docs/performance.md.
 */
export const PARALLEL_MIN_MULTIPLY_ADDS = 1e7;

/** Intra-op threads for a session whose runs cost `multiplyAdds`, unless the caller fixed a count. */
export function threadsFor(multiplyAdds: number, requested: number | undefined): number {
  if (requested !== undefined) return requested;
  return multiplyAdds >= PARALLEL_MIN_MULTIPLY_ADDS ? os.availableParallelism() : 1;
}

/**
 * The session of `model` for runs costing `multiplyAdds`, from `sessions` (one per thread count) or created there.
 * float64 graphs run at ORT's `basic` optimisation level only: higher levels once fused a scalar into a float32
 * attribute and silently broke float64 (docs/performance.md).
 */
export function sessionForWork(
  runtime: OnnxRuntime,
  model: Uint8Array,
  sessions: Map<number, SyncSession>,
  dtype: DType,
  multiplyAdds: number,
  requested: number | undefined,
): SyncSession {
  const threads = threadsFor(multiplyAdds, requested);
  let session = sessions.get(threads);
  if (session === undefined) {
    session = runtime.createSession(model, { optimisation: dtype === 'float64' ? 'basic' : 'all', threads });
    sessions.set(threads, session);
  }
  return session;
}
