/**
 * Storage precision. Arithmetic on a `float32` network rounds every stored intermediate (pre-activations,
 * activations, gradients) to float32, while sums are accumulated in double before the single rounding, as BLAS
 * kernels with wide accumulators do. Certificates always use `float64`.
 */
export type DType = 'float64' | 'float32';
export type FloatArray = Float64Array | Float32Array;

export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

export function toDType(dtype: DType, values: ArrayLike<number>): FloatArray {
  return dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
}

export function dtypeOf(values: FloatArray): DType {
  return values instanceof Float64Array ? 'float64' : 'float32';
}
