import { InvalidArgumentError } from '../core/errors.js';
import { activationRule, slopeOf } from './activation.js';
import type { Architecture } from './architecture.js';
import { type ForwardCache, forward } from './forward.js';
import { outputDelta, throughActivation } from './gradient.js';
import { accumulateLayerGradient, affine, affineAccumulate, backpropInput } from './kernels.js';
import { type LossKind, lossScale } from './loss.js';
import type { Samples } from './samples.js';

/**
 * Exact Hessian-vector product H·v in float64 by Pearlmutter's R-operator (forward-mode directional derivative of
 * backprop). Second derivatives of piecewise-linear activations are 0 away from kinks; at a kink the product is
 * that of the differentiable piece selected by the kink convention, and certification handles kinks separately.
 *
 * Pass a `cache` from `forward` to reuse one forward pass across many products (the dense Hessian does).
 */
export function hessianVectorProduct(
  architecture: Architecture,
  loss: LossKind,
  theta: Float64Array,
  samples: Samples,
  v: Float64Array,
  cache: ForwardCache = forward(architecture, theta, samples),
): Float64Array {
  if (!(theta instanceof Float64Array)) throw new InvalidArgumentError('theta', 'a Float64Array', theta);
  if (v.length !== theta.length) throw new InvalidArgumentError('v', `${theta.length} entries`, v.length);
  const { layers } = cache.layout;
  const rows = samples.count;

  // R-forward: directional derivatives of every pre-activation (rU) and activation (rH) along v.
  const rU: Float64Array[] = [];
  const rH: Float64Array[] = [];
  layers.forEach((layer, l) => {
    const input = l === 0 ? samples.x : cache.post[l - 1];
    const ru = new Float64Array(rows * layer.outputs);
    affine(input, rows, v, layer, ru);
    if (l > 0) affineAccumulate(rH[l - 1], rows, theta, layer, ru);
    rU.push(ru);
    if (layer.activation !== undefined) {
      const rh = Float64Array.from(ru);
      throughActivation(cache, l, rh);
      rH.push(rh);
    }
  });

  // R-backward.
  const hv = new Float64Array(theta.length);
  let delta = outputDelta(cache, loss);
  const factor = 2 * lossScale(loss, rows);
  let rDelta = rU[layers.length - 1].map((value) => factor * value);
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l];
    const input = l === 0 ? samples.x : cache.post[l - 1];
    accumulateLayerGradient(rDelta, input, rows, layer, hv);
    if (l === 0) break;
    accumulateLayerGradient(delta, rH[l - 1], rows, layer, hv, false);

    const upstream = new Float64Array(rows * layer.inputs);
    backpropInput(delta, rows, theta, layer, upstream);
    const rUpstream = new Float64Array(rows * layer.inputs);
    backpropInput(rDelta, rows, theta, layer, rUpstream);
    backpropInput(delta, rows, v, layer, rUpstream, true);

    const hidden = layers[l - 1].activation!;
    const rule = activationRule(hidden);
    const slope = slopeOf(hidden);
    const u = cache.pre[l - 1];
    const ru = rU[l - 1];
    const noise = samples.slopeNoise?.[l - 1];
    const nextRDelta = new Float64Array(rUpstream.length);
    for (let k = 0; k < nextRDelta.length; k++) {
      const eps = noise ? noise[k] : 1;
      nextRDelta[k] =
        eps *
        (rUpstream[k] * rule.derivative(u[k], slope) +
          upstream[k] * rule.secondDerivative(u[k], slope) * ru[k]);
    }
    throughActivation(cache, l - 1, upstream);
    delta = upstream;
    rDelta = nextRDelta;
  }
  return hv;
}

/** The dense Hessian (P × P, row-major) from P exact Hessian-vector products; O(P²) memory. */
export function denseHessian(
  architecture: Architecture,
  loss: LossKind,
  theta: Float64Array,
  samples: Samples,
): Float64Array {
  const size = theta.length;
  const cache = forward(architecture, theta, samples);
  const hessian = new Float64Array(size * size);
  const unit = new Float64Array(size);
  for (let p = 0; p < size; p++) {
    unit.fill(0);
    unit[p] = 1;
    hessian.set(hessianVectorProduct(architecture, loss, theta, samples, unit, cache), p * size);
  }
  // The products are exact up to rounding; averaging with the transpose removes that rounding asymmetry.
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const mean = 0.5 * (hessian[i * size + j] + hessian[j * size + i]);
      hessian[i * size + j] = mean;
      hessian[j * size + i] = mean;
    }
  }
  return hessian;
}
