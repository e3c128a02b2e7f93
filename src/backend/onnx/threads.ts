import os from 'node:os';

/**
 * Below this many multiply-adds per session run, ORT sessions get one thread; above, every logical CPU. ORT splits
 * each operator across its intra-op threads, and on small products the hand-offs cost more than they save. On the
 * project's 2-core machine (`npm run bench`, engines basin-onnx-1t and -2t) two threads were slower than one for
 * case (b) (2.6·10⁶ multiply-adds per run) and faster for case (a) (4.9·10⁸) and for the 16-network groups of
 * case (c) (4.1·10⁷); the comparison for (c) flipped on a busier machine. See docs/performance.md.
 */
export const PARALLEL_MIN_MULTIPLY_ADDS = 1e7;

/** Intra-op threads for a session whose runs cost `multiplyAdds`, unless the caller fixed a count. */
export function threadsFor(multiplyAdds: number, requested: number | undefined): number {
  if (requested !== undefined) return requested;
  return multiplyAdds >= PARALLEL_MIN_MULTIPLY_ADDS ? os.availableParallelism() : 1;
}
