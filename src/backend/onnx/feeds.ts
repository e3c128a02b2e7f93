import type { DType, FloatArray } from '../../core/dtype.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { OnnxRuntime, OrtTensor } from './runtime.js';

/** An ORT tensor over `values` in precision `dtype` (a view when the precision already matches, else a copy). */
export function floatTensor(
  runtime: OnnxRuntime,
  dtype: DType,
  values: FloatArray,
  dims: readonly number[],
): OrtTensor {
  if (dtype === 'float64') {
    return new runtime.Tensor(
      dtype,
      values instanceof Float64Array ? values : Float64Array.from(values),
      dims,
    );
  }
  return new runtime.Tensor(dtype, values instanceof Float32Array ? values : Float32Array.from(values), dims);
}

/** Throws naming the first sample index outside [0, count). */
export function checkBatch(batch: Int32Array, count: number): Int32Array {
  if (batch.length === 0) throw new InvalidArgumentError('batch', 'at least one sample index', 'none');
  for (let k = 0; k < batch.length; k++) {
    if (batch[k] < 0 || batch[k] >= count) {
      throw new InvalidArgumentError(`batch[${k}]`, `a sample index in [0, ${count - 1}]`, batch[k]);
    }
  }
  return batch;
}
