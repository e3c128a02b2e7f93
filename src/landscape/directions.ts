import type { FloatArray } from '../core/dtype.js';
import { InvalidArgumentError, requireAllFinite } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { type Architecture, parameterLayout } from '../model/architecture.js';

/**
 * How a neuron's bias enters filter normalisation.
 * - `with-filter`: the bias is one more coordinate of the neuron's incoming-weight vector, normalised with it.
 * - `zero`: the direction does not move biases at all (Li et al. 2018's default, `ignore='biasbn'`).
 *
 * basin defaults to `with-filter`: with 1-D inputs and `zero`, every hidden filter has a single coordinate, and a
 * single coordinate cannot hold two orthogonal non-zero directions, so the second direction of a slice would vanish
 * there.
 */
export type BiasTreatment = 'with-filter' | 'zero';

/**
 * The "filters" of a fully connected net: one per unit of every layer, holding that unit's incoming weights (and its
 * bias under `with-filter`). Each entry lists the θ indices of the filter.
 */
export function filterIndices(architecture: Architecture, bias: BiasTreatment): Int32Array[] {
  const filters: Int32Array[] = [];
  for (const layer of parameterLayout(architecture).layers) {
    const withBias = bias === 'with-filter' && layer.biasOffset !== undefined;
    for (let j = 0; j < layer.outputs; j++) {
      const indices = new Int32Array(layer.inputs + (withBias ? 1 : 0));
      for (let i = 0; i < layer.inputs; i++) indices[i] = layer.weightOffset + j * layer.inputs + i;
      if (withBias) indices[layer.inputs] = layer.biasOffset! + j;
      filters.push(indices);
    }
  }
  return filters;
}

export interface SliceDirectionOptions {
  readonly architecture: Architecture;
  /** The point the directions are normalised against. */
  readonly centre: FloatArray;
  readonly rng: Rng;
  readonly bias?: BiasTreatment;
}

/**
 * Two random directions for a 2-D slice around `centre` that are both filter-normalised (Li et al. 2018: every
 * filter of a direction has the norm of the same filter of θ, so the picture does not depend on the scale
 * invariance of ReLU units) and exactly orthogonal.
 *
 * Both properties hold at once because the orthogonalisation is done filter by filter: inside each filter the second
 * direction loses its component along the first (Gram–Schmidt), then both are scaled to the filter's norm in θ.
 * Orthogonal blocks make orthogonal vectors, and scaling a block keeps it orthogonal to the other's block.
 * Coordinates outside every filter (biases under `zero`) are 0 in both directions.
 */
export function sliceDirections(options: SliceDirectionOptions): [Float64Array, Float64Array] {
  const { architecture, centre, rng } = options;
  const filters = checkedFilters(architecture, centre, options.bias ?? 'with-filter');
  const first = new Float64Array(centre.length);
  const second = new Float64Array(centre.length);
  for (const filter of filters) {
    for (const p of filter) first[p] = rng.gaussian();
    for (const p of filter) second[p] = rng.gaussian();
    const firstNorm2 = dotOn(filter, first, first);
    if (firstNorm2 > 0) {
      const projection = dotOn(filter, first, second) / firstNorm2;
      for (const p of filter) second[p] -= projection * first[p];
    }
    const target = Math.sqrt(dotOn(filter, centre, centre));
    scaleTo(filter, first, target);
    scaleTo(filter, second, target);
  }
  return [first, second];
}

/**
 * `direction` rescaled filter by filter to the norms of `centre`'s filters (a copy). Used for a single random
 * direction, and to put a given direction (e.g. towards another minimum) on the same footing.
 */
export function filterNormalise(
  architecture: Architecture,
  direction: FloatArray,
  centre: FloatArray,
  bias: BiasTreatment = 'with-filter',
): Float64Array {
  const filters = checkedFilters(architecture, centre, bias);
  if (direction.length !== centre.length) {
    throw new InvalidArgumentError(
      'direction',
      `${centre.length} entries (one per parameter)`,
      direction.length,
    );
  }
  requireAllFinite('direction', direction);
  const out = new Float64Array(centre.length);
  for (const filter of filters) {
    for (const p of filter) out[p] = direction[p];
    scaleTo(filter, out, Math.sqrt(dotOn(filter, centre, centre)));
  }
  return out;
}

function checkedFilters(architecture: Architecture, centre: FloatArray, bias: BiasTreatment): Int32Array[] {
  const size = parameterLayout(architecture).size;
  if (centre.length !== size) {
    throw new InvalidArgumentError('centre', `${size} parameters for this architecture`, centre.length);
  }
  requireAllFinite('centre', centre);
  if (bias !== 'with-filter' && bias !== 'zero') {
    throw new InvalidArgumentError('bias', 'with-filter or zero', bias);
  }
  return filterIndices(architecture, bias);
}

function dotOn(filter: Int32Array, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (const p of filter) sum += a[p] * b[p];
  return sum;
}

/** Scales the block `filter` of `values` to Euclidean norm `target`; a zero block stays zero. */
function scaleTo(filter: Int32Array, values: Float64Array, target: number): void {
  const norm = Math.sqrt(dotOn(filter, values, values));
  const factor = norm > 0 ? target / norm : 0;
  for (const p of filter) values[p] *= factor;
}
