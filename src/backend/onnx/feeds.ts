import { allocate, type DType, dtypeOf, type FloatArray } from '../../core/dtype.js';
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

/** out[offset + i] = factor · values[i]. */
export function scaleInto(values: FloatArray, out: FloatArray, offset: number, factor: number): void {
  for (let i = 0; i < values.length; i++) out[offset + i] = factor * values[i];
}

/** The transpose of a rows × columns row-major matrix (a columns × rows one), in the same precision. */
export function transpose(values: FloatArray, rows: number, columns: number): FloatArray {
  const out = allocate(dtypeOf(values), values.length);
  transposeInto(values, rows, columns, out, 0);
  return out;
}

/** Writes the transpose of `values` (rows × columns, only the first rows · columns values read), times `factor`, into `out` from `offset` on. */
export function transposeInto(
  values: FloatArray,
  rows: number,
  columns: number,
  out: FloatArray,
  offset: number,
  factor = 1,
): void {
  // Blocked so that both the reads and the writes stay within a few cache lines per block.
  const block = 32;
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = Math.min(rows, r0 + block);
    for (let c0 = 0; c0 < columns; c0 += block) {
      const c1 = Math.min(columns, c0 + block);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) out[offset + c * rows + r] = factor * values[r * columns + c];
      }
    }
  }
}
