import os from 'node:os';

/**
 * Below this many multiply-adds per session run, ORT sessions get one thread; above, every logical CPU. ORT splits
 * each operator across its intra-op threads, and on small products the hand-offs cost more than they save: on the
 * project's 2-core machine two threads were slower than one for case (b) (2.6·10⁶ multiply-adds) and for a
 * 16-network group of case (c) (4·10⁷), faster for case (a) (4.9·10⁸). See docs/performance.md.
 */
export const PARALLEL_MIN_MULTIPLY_ADDS = 1e8;

/** Intra-op threads for a session whose runs cost `multiplyAdds`, unless the caller fixed a count. */
export function threadsFor(multiplyAdds: number, requested: number | undefined): number {
  if (requested !== undefined) return requested;
  return multiplyAdds >= PARALLEL_MIN_MULTIPLY_ADDS ? os.availableParallelism() : 1;
}
