import { allocate, dtypeOf, type FloatArray } from '../core/dtype.js';
import { activationRule, slopeOf } from './activation.js';
import type { Architecture } from './architecture.js';
import { type ForwardCache, forward } from './forward.js';
import { accumulateLayerGradient, backpropInput } from './kernels.js';
import { type LossKind, lossScale } from './loss.js';
import type { Samples } from './samples.js';

export interface LossAndGradient {
  readonly loss: number;
  /** ∂loss/∂θ, in θ's precision. */
  readonly gradient: FloatArray;
  readonly cache: ForwardCache;
}

/** c·‖output − y‖² summed in double. */
export function lossFromCache(cache: ForwardCache, loss: LossKind): number {
  const { output, samples } = cache;
  let sum = 0;
  for (let k = 0; k < output.length; k++) {
    const e = output[k] - samples.y[k];
    sum += e * e;
  }
  return lossScale(loss, samples.count) * sum;
}

export function lossValue(
  architecture: Architecture,
  loss: LossKind,
  theta: FloatArray,
  samples: Samples,
): number {
  return lossFromCache(forward(architecture, theta, samples), loss);
}

/** dloss/doutput = 2c(output − y), the seed of backprop. */
export function outputDelta(cache: ForwardCache, loss: LossKind): FloatArray {
  const { output, samples } = cache;
  const factor = 2 * lossScale(loss, samples.count);
  const delta = allocate(dtypeOf(output), output.length);
  for (let k = 0; k < output.length; k++) delta[k] = factor * (output[k] - samples.y[k]);
  return delta;
}

/**
 * Multiplies a gradient with respect to H_l by ε_l ⊙ f'(U_l) in place, turning it into the gradient with respect
 * to U_l. At an exact kink f' takes the convention documented in activation.ts.
 */
export function throughActivation(cache: ForwardCache, hiddenIndex: number, values: FloatArray): void {
  const activation = cache.layout.layers[hiddenIndex].activation!;
  const rule = activationRule(activation);
  const slope = slopeOf(activation);
  const u = cache.pre[hiddenIndex];
  const noise = cache.samples.slopeNoise?.[hiddenIndex];
  for (let k = 0; k < values.length; k++) values[k] *= (noise ? noise[k] : 1) * rule.derivative(u[k], slope);
}

/** Loss and its exact gradient by backpropagation (closed form, no autodiff). */
export function lossAndGradient(
  architecture: Architecture,
  loss: LossKind,
  theta: FloatArray,
  samples: Samples,
): LossAndGradient {
  const cache = forward(architecture, theta, samples);
  const gradient64 = new Float64Array(theta.length);
  const rows = samples.count;
  const { layers } = cache.layout;
  let delta = outputDelta(cache, loss);
  for (let l = layers.length - 1; l >= 0; l--) {
    const input = l === 0 ? samples.x : cache.post[l - 1];
    accumulateLayerGradient(delta, input, rows, layers[l], gradient64);
    if (l === 0) break;
    const upstream = allocate(dtypeOf(theta), rows * layers[l].inputs);
    backpropInput(delta, rows, theta, layers[l], upstream);
    throughActivation(cache, l - 1, upstream);
    delta = upstream;
  }
  const gradient = dtypeOf(theta) === 'float64' ? gradient64 : Float32Array.from(gradient64);
  return { loss: lossFromCache(cache, loss), gradient, cache };
}
