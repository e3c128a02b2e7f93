import { InvalidArgumentError } from '../core/errors.js';
import { CANONICAL_KEY_TOLERANCE, RESCALING_UNIT_TOLERANCE } from '../core/tolerances.js';
import type { Activation } from '../model/activation.js';
import { type Architecture, parameterLayout } from '../model/architecture.js';

/*
 * Symmetries of a network's parameters that leave its function unchanged.
 *
 * Positive rescaling: a (leaky-)ReLU is positively homogeneous, f(αu) = αf(u) for α > 0. Scaling unit i's incoming
 * weights and bias by α and its outgoing weights by 1/α therefore changes nothing. Differentiating the curve
 * α ↦ θ(α) at α = 1 gives the tangent t_i = (incoming, bias, −outgoing) of unit i (zero elsewhere). L(θ(α)) is
 * constant, so ∇L·t_i = 0 everywhere and, differentiating once more, H·t_i = −(∂t_i/∂θ)ᵀ∇L, which is 0 at a
 * critical point: every unit whose weights are not all zero contributes one null direction of the Hessian.
 *
 * Permutation: reordering the units of a hidden layer (rows of W_l and b_l with the columns of W_{l+1}) is a
 * discrete symmetry; it adds no null direction but makes equal minima look different, so `canonicalise` removes it.
 */

/** True for activations with f(αu) = αf(u), α > 0 (leaky ReLU, and the linear activation). */
export function positivelyHomogeneous(activation: Activation): boolean {
  return activation.kind === 'leaky-relu' || activation.kind === 'linear';
}

export interface RescalingDirection {
  /** Hidden layer (0 = first) and unit. */
  readonly layer: number;
  readonly unit: number;
  /** The tangent t_i as a dense vector laid out like θ. */
  readonly vector: Float64Array;
}

/**
 * The rescaling tangent of every unit of every positively homogeneous hidden layer whose weights are not all within
 * RESCALING_UNIT_TOLERANCE·max(1, max|θ|) of 0: the tangent of a unit at rounding level points wherever the rounding
 * does, and projecting it out can remove a direction of negative curvature (a saddle at such a unit's origin).
 */
export function rescalingDirections(architecture: Architecture, theta: Float64Array): RescalingDirection[] {
  const layout = parameterLayout(architecture);
  if (theta.length !== layout.size) {
    throw new InvalidArgumentError('theta', `${layout.size} parameters for this architecture`, theta.length);
  }
  let largest = 1;
  for (const value of theta) largest = Math.max(largest, Math.abs(value));
  const negligible = RESCALING_UNIT_TOLERANCE * largest;
  const directions: RescalingDirection[] = [];
  architecture.hidden.forEach((hidden, l) => {
    if (!positivelyHomogeneous(hidden.activation)) return;
    const incoming = layout.layers[l];
    const outgoing = layout.layers[l + 1];
    for (let unit = 0; unit < hidden.width; unit++) {
      const vector = new Float64Array(layout.size);
      let nonZero = false;
      for (const index of incomingIndices(incoming, unit)) {
        vector[index] = theta[index];
        nonZero ||= Math.abs(theta[index]) > negligible;
      }
      for (let o = 0; o < outgoing.outputs; o++) {
        const index = outgoing.weightOffset + o * outgoing.inputs + unit;
        vector[index] = -theta[index];
        nonZero ||= Math.abs(theta[index]) > negligible;
      }
      if (nonZero) directions.push({ layer: l, unit, vector });
    }
  });
  return directions;
}

/**
 * A representative of θ's class under hidden-unit permutations and positive rescalings, so that equal end points
 * of different restarts compare equal. Layer by layer from the input: each unit of a positively homogeneous layer
 * is rescaled so that its incoming weights and bias have unit Euclidean norm (units with all-zero incoming weights
 * are left as they are), then the units are sorted by their incoming weights and bias, lexicographically, carrying
 * the outgoing columns along; coordinates within CANONICAL_KEY_TOLERANCE (relative) of each other count as tied,
 * so rounding noise between two runs that reached the same point cannot reorder the units. Layers with other activations are only
 * sorted. The function of the network is unchanged. Used by the multistart search and by the sweeps'
 * `distinctMinima`, so both count end points the same way.
 */
export function canonicalise(architecture: Architecture, theta: ArrayLike<number>): Float64Array {
  const layout = parameterLayout(architecture);
  const out = normaliseUnitScales(architecture, theta);
  architecture.hidden.forEach((hidden, l) => {
    const incoming = layout.layers[l];
    const outgoing = layout.layers[l + 1];
    const units = Array.from({ length: hidden.width }, (_, unit) => ({
      key: incomingIndices(incoming, unit).map((index) => out[index]),
      column: Array.from(
        { length: outgoing.outputs },
        (_, o) => out[outgoing.weightOffset + o * outgoing.inputs + unit],
      ),
    }));
    units.sort((a, b) => compareKeys(a.key, b.key));
    units.forEach(({ key, column }, unit) => {
      incomingIndices(incoming, unit).forEach((index, k) => (out[index] = key[k]));
      column.forEach((value, o) => (out[outgoing.weightOffset + o * outgoing.inputs + unit] = value));
    });
  });
  return out;
}

/**
 * θ with every unit of every positively homogeneous hidden layer rescaled, layer by layer from the input, so that its
 * incoming weights and bias have unit Euclidean norm (the outgoing weights take the inverse factor; units whose
 * incoming weights are all 0 stay as they are). The network's function is unchanged. The rescaling part of
 * `canonicalise`, and the normal form in which `alignNetworks` compares two networks. With `like`, each unit gets the
 * incoming norm of the same unit of `like` instead of 1 (units where `like`'s is 0 stay as they are): layer by layer,
 * once layer l − 1 has `like`'s scales, layer l's incoming rows are in `like`'s form too.
 */
export function normaliseUnitScales(
  architecture: Architecture,
  theta: ArrayLike<number>,
  like?: ArrayLike<number>,
): Float64Array {
  const layout = parameterLayout(architecture);
  if (theta.length !== layout.size) {
    throw new InvalidArgumentError('theta', `${layout.size} parameters for this architecture`, theta.length);
  }
  if (like !== undefined && like.length !== layout.size) {
    throw new InvalidArgumentError('like', `${layout.size} parameters for this architecture`, like.length);
  }
  const out = Float64Array.from(theta);
  architecture.hidden.forEach((hidden, l) => {
    if (!positivelyHomogeneous(hidden.activation)) return;
    const incoming = layout.layers[l];
    const outgoing = layout.layers[l + 1];
    for (let unit = 0; unit < hidden.width; unit++) {
      const indices = incomingIndices(incoming, unit);
      const size = (v: ArrayLike<number>): number =>
        Math.sqrt(indices.reduce((sum, index) => sum + v[index] * v[index], 0));
      const current = size(out);
      const wanted = like === undefined ? 1 : size(like);
      if (current === 0 || wanted === 0) continue;
      // Dividing by the norm (not multiplying by its inverse) keeps canonical forms bit for bit what they were.
      for (const index of indices)
        out[index] = like === undefined ? out[index] / current : (out[index] / current) * wanted;
      const factor = like === undefined ? current : current / wanted;
      for (let o = 0; o < outgoing.outputs; o++)
        out[outgoing.weightOffset + o * outgoing.inputs + unit] *= factor;
    }
  });
  return out;
}

/** The indices of unit `unit`'s incoming weights and bias in θ, in order. */
export function incomingIndices(
  layer: { inputs: number; weightOffset: number; biasOffset: number | undefined },
  unit: number,
): number[] {
  const indices: number[] = [];
  for (let i = 0; i < layer.inputs; i++) indices.push(layer.weightOffset + unit * layer.inputs + i);
  if (layer.biasOffset !== undefined) indices.push(layer.biasOffset + unit);
  return indices;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let k = 0; k < a.length; k++) {
    if (Math.abs(a[k] - b[k]) > CANONICAL_KEY_TOLERANCE * Math.max(1, Math.abs(a[k]), Math.abs(b[k])))
      return a[k] - b[k];
  }
  return 0;
}

/**
 * Whether two canonical forms are the same end point: max_k |a_k − b_k| ≤ tolerance · max(1, max_k |a_k|), the one
 * test by which `basin search` and sweeps merge end points (a is the group's representative).
 */
export function sameCanonicalPoint(a: Float64Array, b: Float64Array, tolerance: number): boolean {
  let scale = 1;
  let difference = 0;
  for (let k = 0; k < a.length; k++) {
    scale = Math.max(scale, Math.abs(a[k]));
    difference = Math.max(difference, Math.abs(a[k] - b[k]));
  }
  return difference <= tolerance * scale;
}
