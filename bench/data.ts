import { allocate, type DType } from '../src/core/dtype.js';
import { requireInteger } from '../src/core/errors.js';
import { Rng } from '../src/core/rng.js';
import type { Samples } from '../src/model/samples.js';

/**
 * The benchmark's data: X ~ N(0, I) row by row, then ±1 labels with probability ½, from one seeded stream — the same
 * values as `gaussianRandomLabels` (src/data/gaussian.ts) in the same precision. That function draws X in float64
 * and converts it (`makeSamples` copies), so float32 data would pass through 2 × 4 + 4 bytes per value (1.8 GB for
 * case (d)); here X is drawn straight into its final array, so generating the data costs only the data (614 MB for
 * case (d) in float32) and the peak RSS of a case is the engine's, not the generator's.
 */
export function benchSamples(count: number, inputDim: number, seed: number, dtype: DType): Samples {
  requireInteger('N', count, 1);
  requireInteger('d0', inputDim, 1);
  const rng = new Rng(seed);
  const x = rng.fillGaussian(allocate(dtype, count * inputDim));
  const y = allocate(dtype, count);
  for (let n = 0; n < count; n++) y[n] = rng.uniform() < 0.5 ? 1 : -1;
  return { x, y, count, inputDim, outputDim: 1 };
}
