import { InvalidArgumentError } from '../src/core/errors.js';

/** The three reference problems of the design notes: ms per full-batch loss + gradient step of a 1-hidden-layer ReLU net. */
export type CaseId = 'a' | 'b' | 'c';

export interface BenchCase {
  readonly id: CaseId;
  readonly description: string;
  /** N, the number of samples. */
  readonly count: number;
  /** d0. */
  readonly inputDim: number;
  /** d1, hidden width; the output is a scalar with MSE loss, biases in both layers. */
  readonly width: number;
  /** K independent networks sharing X; one step updates all K. */
  readonly restarts: number;
}

export const BENCH_CASES: readonly BenchCase[] = [
  {
    id: 'a',
    description: 'CIFAR-sized: N=10000, d0=3072, d1=16',
    count: 10000,
    inputDim: 3072,
    width: 16,
    restarts: 1,
  },
  {
    id: 'b',
    description: 'Gaussian: N=1600, d0=40, d1=40',
    count: 1600,
    inputDim: 40,
    width: 40,
    restarts: 1,
  },
  {
    id: 'c',
    description: '256 restarts of (b) on the same X',
    count: 1600,
    inputDim: 40,
    width: 40,
    restarts: 256,
  },
];

export function benchCase(id: string): BenchCase {
  const found = BENCH_CASES.find((c) => c.id === id);
  if (!found) throw new InvalidArgumentError('case', `one of ${BENCH_CASES.map((c) => c.id).join(', ')}`, id);
  return found;
}

/**
 * Floating-point operations of one step, counting the multiply-adds of the products only (2 per multiply-add):
 * U = XWᵀ and dW = δᵀX (2·N·d0·d1 each) plus the output layer's forward and its two backward products
 * (2·N·d1 each). Elementwise work is left out, as BLAS benchmarks do.
 */
export function stepFlops(c: BenchCase): number {
  return c.restarts * (4 * c.count * c.inputDim * c.width + 6 * c.count * c.width);
}
