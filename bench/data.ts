import type { DType } from '../src/core/dtype.js';
import { gaussianRandomLabels } from '../src/data/gaussian.js';
import type { Samples } from '../src/model/samples.js';

/**
 * The benchmark's data: basin's Fig. 5.1 generator (X ~ N(0, I), ±1 labels with probability ½, one seeded stream),
 * which draws straight into the requested precision, so the peak RSS of a case is the engine's and not a float64
 * copy's (614 MB of data for case (d) in float32).
 */
export function benchSamples(count: number, inputDim: number, seed: number, dtype: DType): Samples {
  return gaussianRandomLabels({ count, inputDim, seed, dtype });
}
