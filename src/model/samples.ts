import { dtypeOf, type DType, type FloatArray, toDType } from '../core/dtype.js';
import { InvalidArgumentError, requireAllFinite, requireInteger } from '../core/errors.js';

/**
 * Training samples in the layout every kernel uses: `x` holds one sample per row (count × inputDim, row-major),
 * `y` one target per row (count × outputDim). The papers write X ∈ ℝ^{d0×N}; basin stores its transpose so that each
 * sample is contiguous.
 */
export interface Samples {
  readonly x: FloatArray;
  readonly y: FloatArray;
  readonly count: number;
  readonly inputDim: number;
  readonly outputDim: number;
  /**
   * Soudry–Carmon slope noise: one matrix per hidden layer (count × width), multiplying that unit's activation for
   * that sample. Drawn once per dataset and kept fixed; it travels with the samples so minibatches keep their rows.
   */
  readonly slopeNoise?: readonly FloatArray[];
}

export function makeSamples(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  inputDim: number,
  outputDim = 1,
  dtype: DType = 'float64',
): Samples {
  requireInteger('inputDim', inputDim, 1);
  requireInteger('outputDim', outputDim, 1);
  if (x.length === 0) throw new InvalidArgumentError('x', 'at least one sample (N ≥ 1)', 'N = 0');
  if (x.length % inputDim !== 0) {
    throw new InvalidArgumentError('x', `a length that is a multiple of inputDim = ${inputDim}`, x.length);
  }
  const count = x.length / inputDim;
  if (y.length !== count * outputDim) {
    throw new InvalidArgumentError(
      'y',
      `${count * outputDim} labels (one per sample × outputDim = ${outputDim})`,
      `${y.length} labels`,
    );
  }
  requireAllFinite('x', x);
  requireAllFinite('y', y);
  return { x: toDType(dtype, x), y: toDType(dtype, y), count, inputDim, outputDim };
}

/** The same samples stored in another precision (a copy, or the same object when it already matches). */
export function samplesAs(samples: Samples, dtype: DType): Samples {
  if (dtypeOf(samples.x) === dtype && dtypeOf(samples.y) === dtype) return samples;
  return {
    ...samples,
    x: toDType(dtype, samples.x),
    y: toDType(dtype, samples.y),
    ...(samples.slopeNoise ? { slopeNoise: samples.slopeNoise.map((m) => toDType(dtype, m)) } : {}),
  };
}

/** The rows `indices` of `samples`, copied (used for minibatches and subsamples). */
export function selectSamples(samples: Samples, indices: ArrayLike<number>): Samples {
  const { inputDim, outputDim } = samples;
  const Ctor = samples.x instanceof Float64Array ? Float64Array : Float32Array;
  const x = new Ctor(indices.length * inputDim);
  const y = new Ctor(indices.length * outputDim);
  for (let r = 0; r < indices.length; r++) {
    const n = indices[r];
    x.set(samples.x.subarray(n * inputDim, (n + 1) * inputDim), r * inputDim);
    y.set(samples.y.subarray(n * outputDim, (n + 1) * outputDim), r * outputDim);
  }
  const slopeNoise = samples.slopeNoise?.map((noise) => {
    const width = noise.length / samples.count;
    const rows = new Ctor(indices.length * width);
    for (let r = 0; r < indices.length; r++) {
      rows.set(noise.subarray(indices[r] * width, (indices[r] + 1) * width), r * width);
    }
    return rows;
  });
  return { x, y, count: indices.length, inputDim, outputDim, ...(slopeNoise ? { slopeNoise } : {}) };
}

/** `batch` itself, after checking it names at least one sample and only indices in [0, count) (naming the first that is not). */
export function checkBatch(batch: Int32Array, count: number): Int32Array {
  if (batch.length === 0) throw new InvalidArgumentError('batch', 'at least one sample index', 'none');
  for (let k = 0; k < batch.length; k++) {
    if (batch[k] < 0 || batch[k] >= count) {
      throw new InvalidArgumentError(`batch[${k}]`, `a sample index in [0, ${count - 1}]`, batch[k]);
    }
  }
  return batch;
}
