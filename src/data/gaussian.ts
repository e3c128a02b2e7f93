import { allocate, type DType } from '../core/dtype.js';
import { requireInteger } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Dataset } from './dataset.js';
import { encodeLabel, type LabelEncoding } from './labels.js';

export interface GaussianRandomLabelsOptions {
  readonly count: number;
  readonly inputDim: number;
  readonly seed: number;
  readonly labelEncoding?: LabelEncoding;
  readonly dtype?: DType;
}

/**
 * Soudry–Hoffer Fig. 5.1/5.2 data: x⁽ⁿ⁾ ~ N(0, I_{d0}) and labels ±1 (or {0,1}) with probability ½ each, drawn
 * independently of x. Inputs are drawn first, sample by sample, then the labels, from one stream.
 */
export function gaussianRandomLabels(options: GaussianRandomLabelsOptions): Dataset {
  const count = requireInteger('N', options.count, 1);
  const inputDim = requireInteger('d0', options.inputDim, 1);
  const encoding = options.labelEncoding ?? 'pm1';
  const dtype = options.dtype ?? 'float64';
  const rng = new Rng(options.seed);
  // Drawn straight into the final precision: a float64 draw converted afterwards would hold 12 bytes per value at
  // once (1.8 GB for 50 000 × 3072 in float32, against 614 MB for the data itself).
  const x = rng.fillGaussian(allocate(dtype, count * inputDim));
  const y = allocate(dtype, count);
  for (let n = 0; n < count; n++) y[n] = encodeLabel(rng.uniform() < 0.5, encoding);
  return {
    x,
    y,
    count,
    inputDim,
    outputDim: 1,
    labelEncoding: encoding,
    provenance: {
      generator: 'gaussian-random-labels',
      count,
      inputDim,
      seed: options.seed,
      labelEncoding: encoding,
    },
  };
}
