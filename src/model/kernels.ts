import type { FloatArray } from '../core/dtype.js';
import type { LayerLayout } from './architecture.js';

/*
 * The three dense products of backprop for one layer, written so that every inner loop walks contiguous memory:
 * samples are rows, and W is stored (outputs × inputs) row-major. Sums are accumulated in double.
 */

/** out = input·Wᵀ (+ b when `withBias`), rows × outputs. W and b are read from `params` at the layer's offsets. */
export function affine(
  input: FloatArray,
  rows: number,
  params: FloatArray,
  layer: LayerLayout,
  out: FloatArray,
  withBias = true,
): void {
  const { inputs, outputs, weightOffset, biasOffset } = layer;
  for (let n = 0; n < rows; n++) {
    const inBase = n * inputs;
    const outBase = n * outputs;
    for (let j = 0; j < outputs; j++) {
      const wBase = weightOffset + j * inputs;
      let sum = withBias && biasOffset !== undefined ? params[biasOffset + j] : 0;
      for (let i = 0; i < inputs; i++) sum += input[inBase + i] * params[wBase + i];
      out[outBase + j] = sum;
    }
  }
}

/** out += input·Wᵀ (no bias). */
export function affineAccumulate(
  input: FloatArray,
  rows: number,
  params: FloatArray,
  layer: LayerLayout,
  out: FloatArray,
): void {
  const { inputs, outputs, weightOffset } = layer;
  for (let n = 0; n < rows; n++) {
    const inBase = n * inputs;
    const outBase = n * outputs;
    for (let j = 0; j < outputs; j++) {
      const wBase = weightOffset + j * inputs;
      let sum = 0;
      for (let i = 0; i < inputs; i++) sum += input[inBase + i] * params[wBase + i];
      out[outBase + j] += sum;
    }
  }
}

/**
 * Adds the parameter gradient of one layer into `grad` (a double buffer laid out like θ):
 * dW[j,i] += Σ_n delta[n,j]·input[n,i] and db[j] += Σ_n delta[n,j].
 */
export function accumulateLayerGradient(
  delta: FloatArray,
  input: FloatArray,
  rows: number,
  layer: LayerLayout,
  grad: Float64Array,
  withBias = true,
): void {
  const { inputs, outputs, weightOffset, biasOffset } = layer;
  for (let n = 0; n < rows; n++) {
    const inBase = n * inputs;
    for (let j = 0; j < outputs; j++) {
      const d = delta[n * outputs + j];
      if (d === 0) continue;
      const gBase = weightOffset + j * inputs;
      for (let i = 0; i < inputs; i++) grad[gBase + i] += d * input[inBase + i];
      if (withBias && biasOffset !== undefined) grad[biasOffset + j] += d;
    }
  }
}

/** out[n,:] (+)= Σ_j delta[n,j]·W[j,:]: the gradient with respect to the layer's input. */
export function backpropInput(
  delta: FloatArray,
  rows: number,
  params: FloatArray,
  layer: LayerLayout,
  out: FloatArray,
  accumulate = false,
): void {
  const { inputs, outputs, weightOffset } = layer;
  const row = new Float64Array(inputs);
  for (let n = 0; n < rows; n++) {
    if (accumulate) for (let i = 0; i < inputs; i++) row[i] = out[n * inputs + i];
    else row.fill(0);
    for (let j = 0; j < outputs; j++) {
      const d = delta[n * outputs + j];
      if (d === 0) continue;
      const wBase = weightOffset + j * inputs;
      for (let i = 0; i < inputs; i++) row[i] += d * params[wBase + i];
    }
    for (let i = 0; i < inputs; i++) out[n * inputs + i] = row[i];
  }
}
