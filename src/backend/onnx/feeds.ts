import type { DType, FloatArray } from '../../core/dtype.js';
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
