import { InvalidArgumentError } from '../src/core/errors.js';

/**
 * The reference problems of the design notes and issue 5, all on a one-hidden-layer ReLU net with biases, a scalar
 * output and MSE loss: (a)–(c) time one full-batch loss + gradient step, (d) one Adam epoch through `train`.
 */
export type CaseId = 'a' | 'b' | 'c' | 'd';

export interface BenchCase {
  readonly id: CaseId;
  readonly description: string;
  /**
   * `step`: one full-batch loss and gradient of all `restarts` networks at a fixed θ. `adam-epoch`: one epoch of
   * Adam over shuffled minibatches of `batchSize` rows from a fixed θ₀ with fresh optimiser state (⌈N/B⌉ steps, the
   * last batch holding the remainder, as PyTorch's DataLoader with `drop_last=False`).
   */
  readonly kind: 'step' | 'adam-epoch';
  /** N, the number of samples. */
  readonly count: number;
  /** d0. */
  readonly inputDim: number;
  /** d1, hidden width; the output is a scalar with MSE loss, biases in both layers. */
  readonly width: number;
  /** K independent networks sharing X; one step updates all K. */
  readonly restarts: number;
  /** Rows per minibatch (`adam-epoch` only). */
  readonly batchSize?: number;
  /** Adam's hyper-parameters (`adam-epoch` only): PyTorch's defaults. */
  readonly adam?: {
    readonly learningRate: number;
    readonly beta1: number;
    readonly beta2: number;
    readonly epsilon: number;
  };
}

export const BENCH_CASES: readonly BenchCase[] = [
  {
    id: 'a',
    description: 'CIFAR-sized: N=10000, d0=3072, d1=16',
    kind: 'step',
    count: 10000,
    inputDim: 3072,
    width: 16,
    restarts: 1,
  },
  {
    id: 'b',
    description: 'Gaussian: N=1600, d0=40, d1=40',
    kind: 'step',
    count: 1600,
    inputDim: 40,
    width: 40,
    restarts: 1,
  },
  {
    id: 'c',
    description: '256 restarts of (b) on the same X',
    kind: 'step',
    count: 1600,
    inputDim: 40,
    width: 40,
    restarts: 256,
  },
  {
    id: 'd',
    description: 'one Adam epoch of 3072-16-1 on N=50000 at batch 512 (98 steps, the last of 336 rows)',
    kind: 'adam-epoch',
    count: 50000,
    inputDim: 3072,
    width: 16,
    restarts: 1,
    batchSize: 512,
    adam: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  },
];

export function benchCase(id: string): BenchCase {
  const found = BENCH_CASES.find((c) => c.id === id);
  if (!found) throw new InvalidArgumentError('case', `one of ${BENCH_CASES.map((c) => c.id).join(', ')}`, id);
  return found;
}

/**
 * Floating-point operations of one timed run, counting the multiply-adds of the products only (2 per multiply-add):
 * U = XWᵀ and dW = δᵀX (2·N·d0·d1 each) plus the output layer's forward and its two backward products
 * (2·N·d1 each). Elementwise work is left out, as BLAS benchmarks do. An epoch's minibatches cover the N rows once,
 * so the same formula counts an epoch (the optimiser's update is elementwise, left out too).
 */
export function stepFlops(c: BenchCase): number {
  return c.restarts * (4 * c.count * c.inputDim * c.width + 6 * c.count * c.width);
}

/** Rows per evaluation: the minibatch of an epoch case, else every sample. */
export function rowsPerEvaluation(c: BenchCase): number {
  return c.batchSize ?? c.count;
}
