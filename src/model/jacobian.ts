import { InvalidArgumentError } from '../core/errors.js';
import { activationRule, slopeOf } from './activation.js';
import type { Architecture } from './architecture.js';
import { type ForwardCache, forward } from './forward.js';
import { throughActivation } from './gradient.js';
import { accumulateLayerGradient, affine, affineAccumulate, backpropInput } from './kernels.js';
import type { Samples } from './samples.js';

/*
 * The Jacobian J = ∂(network output)/∂θ, an (N·outputDim) × P matrix whose row n·outputDim + o is the gradient of
 * output o on sample n. Gauss–Newton polishing needs J·v, Jᵀ·u and, for small problems, J itself. At an exact kink
 * the activation derivative takes the convention of src/model/activation.ts, like the gradient.
 */

/** J·v (N·outputDim entries): the directional derivative of every output along v, by forward-mode (R-forward). */
export function jacobianVectorProduct(
  architecture: Architecture,
  theta: Float64Array,
  samples: Samples,
  v: Float64Array,
  cache: ForwardCache = forward(architecture, theta, samples),
): Float64Array {
  if (v.length !== theta.length) throw new InvalidArgumentError('v', `${theta.length} entries`, v.length);
  const { layers } = cache.layout;
  const rows = samples.count;
  let rHidden: Float64Array | undefined;
  let ru = new Float64Array(0);
  layers.forEach((layer, l) => {
    const input = l === 0 ? samples.x : cache.post[l - 1];
    ru = new Float64Array(rows * layer.outputs);
    affine(input, rows, v, layer, ru);
    if (rHidden !== undefined) affineAccumulate(rHidden, rows, theta, layer, ru);
    if (layer.activation !== undefined) {
      rHidden = Float64Array.from(ru);
      throughActivation(cache, l, rHidden);
    }
  });
  return ru;
}

/** Jᵀ·u (P entries): backpropagation seeded with u as the output gradient. */
export function jacobianTransposeProduct(
  architecture: Architecture,
  theta: Float64Array,
  samples: Samples,
  u: Float64Array,
  cache: ForwardCache = forward(architecture, theta, samples),
): Float64Array {
  if (u.length !== cache.output.length) {
    throw new InvalidArgumentError('u', `${cache.output.length} entries (samples × outputs)`, u.length);
  }
  const { layers } = cache.layout;
  const rows = samples.count;
  const result = new Float64Array(theta.length);
  let delta: Float64Array = u;
  for (let l = layers.length - 1; l >= 0; l--) {
    const input = l === 0 ? samples.x : cache.post[l - 1];
    accumulateLayerGradient(delta, input, rows, layers[l], result);
    if (l === 0) break;
    const upstream = new Float64Array(rows * layers[l].inputs);
    backpropInput(delta, rows, theta, layers[l], upstream);
    throughActivation(cache, l - 1, upstream);
    delta = upstream;
  }
  return result;
}

/**
 * The dense Jacobian, row-major (N·outputDim) × P, by one backward pass per sample and output. Memory grows as
 * N·outputDim·P doubles: callers keep it to small problems (`polish` switches to J·v / Jᵀ·u products beyond).
 */
export function outputJacobian(
  architecture: Architecture,
  theta: Float64Array,
  samples: Samples,
  cache: ForwardCache = forward(architecture, theta, samples),
): Float64Array {
  const { layers } = cache.layout;
  const size = theta.length;
  const outputs = samples.outputDim;
  const jacobian = new Float64Array(samples.count * outputs * size);
  for (let n = 0; n < samples.count; n++) {
    for (let o = 0; o < outputs; o++) {
      const row = jacobian.subarray((n * outputs + o) * size, (n * outputs + o + 1) * size);
      const seed = new Float64Array(outputs);
      seed[o] = 1;
      backpropSample(cache, theta, n, layers.length - 1, seed, row);
    }
  }
  return jacobian;
}

/**
 * Backpropagation on one sample from the pre-activations of layer `top` (seeded with `seed` = ∂/∂U_top of that
 * row; the output layer's for a row of J), adding ∂/∂θ into `into`. `sideOf` can fix the activation derivative of
 * chosen units to one side of their kink (the rule's derivative at u = ±1, i.e. 1 or ρ, times the slope noise), as
 * the descent test on deeper kinks needs; elsewhere the derivative follows the kink convention.
 */
export function backpropSample(
  cache: ForwardCache,
  theta: Float64Array,
  sample: number,
  top: number,
  seed: Float64Array,
  into: Float64Array,
  sideOf: (layer: number, unit: number) => 1 | -1 | undefined = () => undefined,
): void {
  const { layers } = cache.layout;
  const { samples } = cache;
  let delta = seed;
  for (let l = top; l >= 0; l--) {
    const layer = layers[l];
    const rowOf = l === 0 ? samples.x : cache.post[l - 1];
    const input = rowOf.subarray(sample * layer.inputs, (sample + 1) * layer.inputs);
    accumulateLayerGradient(delta, input, 1, layer, into);
    if (l === 0) break;
    const upstream = new Float64Array(layer.inputs);
    backpropInput(delta, 1, theta, layer, upstream);
    const activation = layers[l - 1].activation!;
    const rule = activationRule(activation);
    const slope = slopeOf(activation);
    const u = cache.pre[l - 1];
    const noise = samples.slopeNoise?.[l - 1];
    const base = sample * layer.inputs;
    for (let k = 0; k < layer.inputs; k++) {
      const side = sideOf(l - 1, k);
      upstream[k] *= (noise ? noise[base + k] : 1) * rule.derivative(side ?? u[base + k], slope);
    }
    delta = upstream;
  }
}
