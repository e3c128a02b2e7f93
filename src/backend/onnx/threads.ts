import os from 'node:os';

/**
 * Below this many multiply-adds per session run, ORT sessions get one thread; above, every logical CPU. ORT splits
 * each operator across its intra-op threads, and on small products the hand-offs cost about as much as they save.
 * On the project's 2-core machine (`npm run bench`, engines basin-onnx-1t and -2t): case (a) (4.9·10⁸ multiply-adds
 * per run) ran twice as fast on two threads; case (b) (2.6·10⁶) and the 16-network groups of case (c) (4.1·10⁷)
 * were within ±15% either way on a quiet machine and up to 3× slower on two threads while other work held a core.
 * See docs/performance.md.
 */
export const PARALLEL_MIN_MULTIPLY_ADDS = 1e8;

/** Intra-op threads for a session whose runs cost `multiplyAdds`, unless the caller fixed a count. */
export function threadsFor(multiplyAdds: number, requested: number | undefined): number {
  if (requested !== undefined) return requested;
  return multiplyAdds >= PARALLEL_MIN_MULTIPLY_ADDS ? os.availableParallelism() : 1;
}
