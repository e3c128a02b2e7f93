import { solveAssignment } from '../core/linalg/assignment.js';
import { incomingIndices, normaliseUnitScales } from '../certify/symmetry.js';
import { type Architecture, parameterLayout } from '../model/architecture.js';
import { requireParameterVector } from './segment.js';
import { distance } from '../train/vector.js';

export interface Alignment {
  /** A copy of the reference, unchanged. */
  readonly reference: Float64Array;
  /**
   * θ with its hidden units permuted to match the reference's and each rescaled to the incoming norm of the unit it
   * matches (the same function as θ); θ itself, copied, when that is not closer to the reference than θ was.
   */
  readonly theta: Float64Array;
  /** Per hidden layer: aligned unit k is θ's unit `permutations[l][k]` (the identity when θ was kept). */
  readonly permutations: readonly Int32Array[];
  /** False when the permuted form was farther from the reference than θ itself, so θ was kept. */
  readonly permuted: boolean;
  /** ‖θ − reference‖ as given, and between the two aligned forms. */
  readonly distanceBefore: number;
  readonly distanceAfter: number;
}

/**
 * Brings θ as close as its symmetries allow to a reference network before the two are compared or connected by a
 * path. Units are matched scale-free: both networks are put in the positive-rescaling normal form (every unit's
 * incoming weights and bias of unit norm, src/certify/symmetry.ts), then, layer by layer from the input, θ's hidden
 * units are permuted by the assignment that minimises the summed squared distance between matched units' incoming
 * weights and biases (and, in the last hidden layer, their outgoing weights too: deeper layers' outgoing weights are
 * compared once the next layer is aligned, through its incoming weights). The assignment is solved exactly
 * (`solveAssignment`). Each matched unit of θ is then rescaled to its reference unit's incoming norm, so the
 * reference stays where it is: normalising both instead moved the ends of paths and made some straight lines
 * between aligned Gaussian minima climb higher than before (docs/landscape.md). Two permuted and rescaled copies of
 * one network align to distance 0 up to rounding whenever their units are distinct.
 *
 * @example
 * ```ts
 * import { landscape, model } from 'basin';
 *
 * const net = model.mlp(2, [3], 1, { kind: 'leaky-relu', slope: 0 }, true);
 * const a = model.initialise(net, { kind: 'pytorch' }, 1);
 * // Swap hidden units 0 and 2 (weights 0–5, biases 6–8, output weights 9–11) and double unit 1's scale.
 * const b = Float64Array.from(a);
 * for (const [i, j] of [[0, 4], [1, 5], [6, 8], [9, 11]]) [b[i], b[j]] = [a[j], a[i]];
 * for (const k of [2, 3, 7]) b[k] *= 2;
 * b[10] /= 2;
 * const aligned = landscape.alignNetworks(net, a, b);
 * console.log(aligned.distanceAfter < 1e-12); // true
 * ```
 */
export function alignNetworks(
  architecture: Architecture,
  reference: Float64Array,
  theta: Float64Array,
): Alignment {
  const layout = parameterLayout(architecture);
  requireParameterVector('reference', reference, layout.size);
  requireParameterVector('theta', theta, layout.size);
  const normalReference = normaliseUnitScales(architecture, reference);
  const normalTheta = normaliseUnitScales(architecture, theta);
  const permutations = architecture.hidden.map((hidden, l) => {
    const incoming = layout.layers[l];
    const outgoing = layout.layers[l + 1];
    const last = l === architecture.hidden.length - 1;
    const width = hidden.width;
    const unitVector = (vector: Float64Array, unit: number): number[] => {
      const values = incomingIndices(incoming, unit).map((index) => vector[index]);
      if (last) {
        for (let o = 0; o < outgoing.outputs; o++) {
          values.push(vector[outgoing.weightOffset + o * outgoing.inputs + unit]);
        }
      }
      return values;
    };
    const referenceUnits = Array.from({ length: width }, (_, unit) => unitVector(normalReference, unit));
    const thetaUnits = Array.from({ length: width }, (_, unit) => unitVector(normalTheta, unit));
    const cost = new Float64Array(width * width);
    for (let i = 0; i < width; i++) {
      for (let j = 0; j < width; j++) {
        let sum = 0;
        referenceUnits[i].forEach((value, k) => (sum += (value - thetaUnits[j][k]) ** 2));
        cost[i * width + j] = sum;
      }
    }
    const permutation = solveAssignment(cost, width);
    permuteUnits(normalTheta, incoming, outgoing, permutation);
    return permutation;
  });
  const aligned = normaliseUnitScales(architecture, normalTheta, reference);
  const distanceBefore = distance(reference, theta);
  const distanceAfter = distance(reference, aligned);
  if (distanceAfter > distanceBefore) {
    const identity = architecture.hidden.map((hidden) =>
      Int32Array.from({ length: hidden.width }, (_, k) => k),
    );
    return {
      reference: Float64Array.from(reference),
      theta: Float64Array.from(theta),
      permutations: identity,
      permuted: false,
      distanceBefore,
      distanceAfter: distanceBefore,
    };
  }
  return {
    reference: Float64Array.from(reference),
    theta: aligned,
    permutations,
    permuted: true,
    distanceBefore,
    distanceAfter,
  };
}

/** Reorders one hidden layer's units in place: new unit k is old unit permutation[k] (rows, bias, outgoing column). */
function permuteUnits(
  theta: Float64Array,
  incoming: { inputs: number; weightOffset: number; biasOffset: number | undefined },
  outgoing: { inputs: number; outputs: number; weightOffset: number },
  permutation: Int32Array,
): void {
  const source = Float64Array.from(theta);
  permutation.forEach((old, unit) => {
    const from = incomingIndices(incoming, old);
    incomingIndices(incoming, unit).forEach((index, k) => (theta[index] = source[from[k]]));
    for (let o = 0; o < outgoing.outputs; o++) {
      const row = outgoing.weightOffset + o * outgoing.inputs;
      theta[row + unit] = source[row + old];
    }
  });
}
