import { Rng } from '../core/rng.js';

/**
 * The minibatches of one epoch: a fresh Fisher–Yates permutation of 0…N−1 from a seeded stream, cut into
 * consecutive batches of `batchSize` rows (the last one holds the remainder), so an epoch has ⌈N/B⌉ batches.
 * The stream is created once per training run: epoch e's permutation depends on the seed and e only.
 */
export class MinibatchSampler {
  private readonly rng: Rng;

  constructor(
    readonly sampleCount: number,
    readonly batchSize: number,
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.sampleCount / this.batchSize);
  }

  nextEpoch(): Int32Array[] {
    const order = new Int32Array(this.sampleCount);
    for (let n = 0; n < order.length; n++) order[n] = n;
    this.rng.shuffle(order);
    const batches: Int32Array[] = [];
    for (let start = 0; start < order.length; start += this.batchSize) {
      batches.push(order.subarray(start, Math.min(start + this.batchSize, order.length)));
    }
    return batches;
  }
}
