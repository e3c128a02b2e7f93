import type { FloatArray } from '../core/dtype.js';
import { KINK_TOLERANCE } from '../core/tolerances.js';
import { activationRule } from './activation.js';
import type { ForwardCache } from './forward.js';

export interface KinkMargin {
  /** min over hidden units with a kink and samples of |pre-activation|; Infinity when no layer has a kink. */
  readonly minAbsPreActivation: number;
  /** How many (unit, sample) pre-activations lie within `tolerance` of a kink. */
  readonly nearKinkCount: number;
  readonly tolerance: number;
  /** Where the smallest one is: hidden layer, sample, unit. */
  readonly argmin: { readonly layer: number; readonly sample: number; readonly unit: number } | undefined;
}

/**
 * Distance of the point from the non-differentiable set: a piecewise-linear unit is differentiable in θ on
 * sample n only while its pre-activation is non-zero (Soudry–Hoffer's DLM condition: no wᵢᵀx⁽ⁿ⁾ equals 0).
 */
export function kinkMargin(cache: ForwardCache, tolerance = KINK_TOLERANCE): KinkMargin {
  let minAbs = Infinity;
  let count = 0;
  let argmin: KinkMargin['argmin'];
  cache.layout.layers.forEach((layer, l) => {
    if (layer.activation === undefined || !activationRule(layer.activation).hasKink) return;
    const u: FloatArray = cache.pre[l];
    for (let k = 0; k < u.length; k++) {
      const a = Math.abs(u[k]);
      if (a <= tolerance) count++;
      if (a < minAbs) {
        minAbs = a;
        argmin = { layer: l, sample: Math.floor(k / layer.outputs), unit: k % layer.outputs };
      }
    }
  });
  return { minAbsPreActivation: minAbs, nearKinkCount: count, tolerance, argmin };
}
