import { allocate, type DType, dtypeOf, type FloatArray } from '../../core/dtype.js';
import type { ParameterLayout } from '../../model/architecture.js';
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

/** Where one layer's block of a parameter-sized graph output sits among the graph's outputs. */
export interface LayerBlock {
  readonly weight: string;
  /** (in [+ 1]) × out: Wᵀ, with the bias block as its last row when the layer has one. */
  readonly transposed: boolean;
  /** The bias block as an output of its own, when it is not the last row of the transposed weight block. */
  readonly bias: string | undefined;
}

/** Writes factor × each layer's blocks of `results` into the flat parameter vector `out` (basin's θ layout). */
export function gatherLayerBlocks(
  layout: ParameterLayout,
  blocks: readonly LayerBlock[],
  results: Readonly<Record<string, OrtTensor>>,
  out: FloatArray,
  factor: number,
): void {
  layout.layers.forEach((layer, l) => {
    const { weight, transposed, bias } = blocks[l];
    const values = results[weight].data as FloatArray;
    if (transposed) {
      transposeInto(values, layer.inputs, layer.outputs, out, layer.weightOffset, factor);
      if (layer.biasOffset !== undefined) {
        const row = layer.inputs * layer.outputs;
        for (let j = 0; j < layer.outputs; j++) out[layer.biasOffset + j] = factor * values[row + j];
      }
    } else {
      scaleInto(values, out, layer.weightOffset, factor);
    }
    if (bias !== undefined) scaleInto(results[bias].data as FloatArray, out, layer.biasOffset!, factor);
  });
}

/** The names and the bias shape under which one layer's parameters are fed to a graph. */
export interface ParameterTensors {
  readonly weight: string;
  readonly bias: string | undefined;
  readonly biasDims: readonly number[];
}

/** Feeds each layer's W (out × in) and b of the flat parameter vector `values` as views, under `tensors`' names. */
export function feedParameters(
  runtime: OnnxRuntime,
  dtype: DType,
  layout: ParameterLayout,
  values: FloatArray,
  tensors: readonly ParameterTensors[],
  feeds: Record<string, OrtTensor>,
): void {
  layout.layers.forEach((layer, l) => {
    const { weight, bias, biasDims } = tensors[l];
    const weights = layer.outputs * layer.inputs;
    feeds[weight] = floatTensor(
      runtime,
      dtype,
      values.subarray(layer.weightOffset, layer.weightOffset + weights),
      [layer.outputs, layer.inputs],
    );
    if (bias !== undefined) {
      const offset = layer.biasOffset!;
      feeds[bias] = floatTensor(runtime, dtype, values.subarray(offset, offset + layer.outputs), biasDims);
    }
  });
}

/**
 * Xᵀ ((columns [+ 1]) × rows) of the rows × columns inputs, with a row of ones appended when `onesRow` (the first
 * layer's bias read off the same product), as a tensor.
 */
export function transposedInputTensor(
  runtime: OnnxRuntime,
  dtype: DType,
  x: FloatArray,
  rows: number,
  columns: number,
  onesRow: boolean,
): OrtTensor {
  const ones = onesRow ? 1 : 0;
  const xt = allocate(dtype, (columns + ones) * rows);
  transposeInto(x, rows, columns, xt, 0);
  if (onesRow) xt.fill(1, columns * rows);
  return floatTensor(runtime, dtype, xt, [columns + ones, rows]);
}
