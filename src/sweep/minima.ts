import { requireFinite } from '../core/errors.js';
import { type Architecture, parameterLayout } from '../model/architecture.js';

/**
 * Distinct minima up to the symmetries of a fully connected network.
 *
 * Two parameter vectors compute the same function when (1) the hidden units of a layer are permuted, together with
 * the matching columns of the next layer, or (2) for a positively homogeneous activation (leaky ReLU, f(αu) = αf(u)
 * for α > 0), a unit's incoming weights and bias are scaled by α and its outgoing weights by 1/α. The canonical form
 * removes both: layer by layer, each unit's incoming vector (weights, bias) is scaled to unit Euclidean norm (the
 * scale moved to its outgoing weights), then the units are sorted by their incoming vectors. Points that are equal
 * up to these symmetries have equal canonical forms.
 */
export function canonicalParameters(architecture: Architecture, theta: ArrayLike<number>): Float64Array {
  const layout = parameterLayout(architecture);
  const out = Float64Array.from(theta);
  for (let l = 0; l + 1 < layout.layers.length; l++) {
    const layer = layout.layers[l];
    const next = layout.layers[l + 1];
    const incoming = (unit: number): number[] => {
      const row = Array.from(
        out.subarray(
          layer.weightOffset + unit * layer.inputs,
          layer.weightOffset + (unit + 1) * layer.inputs,
        ),
      );
      if (layer.biasOffset !== undefined) row.push(out[layer.biasOffset + unit]);
      return row;
    };
    const homogeneous = layer.activation?.kind === 'leaky-relu';
    const units: { incoming: number[]; outgoing: number[] }[] = [];
    for (let j = 0; j < layer.outputs; j++) {
      const vector = incoming(j);
      const outgoing: number[] = [];
      for (let i = 0; i < next.outputs; i++) outgoing.push(out[next.weightOffset + i * next.inputs + j]);
      const norm = Math.hypot(...vector);
      if (homogeneous && norm > 0) {
        for (let k = 0; k < vector.length; k++) vector[k] /= norm;
        for (let i = 0; i < outgoing.length; i++) outgoing[i] *= norm;
      }
      units.push({ incoming: vector, outgoing });
    }
    units.sort((a, b) => compareVectors(a.incoming, b.incoming));
    units.forEach((unit, j) => {
      for (let k = 0; k < layer.inputs; k++)
        out[layer.weightOffset + j * layer.inputs + k] = unit.incoming[k];
      if (layer.biasOffset !== undefined) out[layer.biasOffset + j] = unit.incoming[layer.inputs];
      for (let i = 0; i < next.outputs; i++) out[next.weightOffset + i * next.inputs + j] = unit.outgoing[i];
    });
  }
  return out;
}

/** Lexicographic order that treats coordinates within 1e-9 of each other as tied, so rounding noise cannot reorder. */
function compareVectors(a: readonly number[], b: readonly number[]): number {
  for (let k = 0; k < a.length; k++) {
    if (Math.abs(a[k] - b[k]) > 1e-9 * Math.max(1, Math.abs(a[k]), Math.abs(b[k]))) return a[k] - b[k];
  }
  return 0;
}

export interface EndPoint {
  readonly id: string;
  readonly loss: number;
  readonly theta: ArrayLike<number>;
}

export interface DistinctMinimum {
  /** The first end point of the group, in input order. */
  readonly representative: string;
  readonly members: readonly string[];
  readonly multiplicity: number;
  /** The lowest loss among the members. */
  readonly loss: number;
}

/**
 * Groups end points that are the same minimum up to symmetry: two points join when their canonical forms differ by
 * at most `tolerance` relative to the larger entry magnitude (and at least absolutely), i.e.
 * max|a − b| ≤ tolerance·max(1, ‖a‖∞). Groups are listed by multiplicity, then by loss.
 */
export function distinctMinima(
  architecture: Architecture,
  points: readonly EndPoint[],
  tolerance = 1e-3,
): DistinctMinimum[] {
  requireFinite('tolerance', tolerance, 0);
  const groups: { canonical: Float64Array; members: string[]; loss: number }[] = [];
  for (const point of points) {
    const canonical = canonicalParameters(architecture, point.theta);
    const group = groups.find(
      (g) => maxAbsDifference(g.canonical, canonical) <= tolerance * Math.max(1, maxAbs(g.canonical)),
    );
    if (group === undefined) groups.push({ canonical, members: [point.id], loss: point.loss });
    else {
      group.members.push(point.id);
      group.loss = Math.min(group.loss, point.loss);
    }
  }
  return groups
    .map((g) => ({
      representative: g.members[0],
      members: g.members,
      multiplicity: g.members.length,
      loss: g.loss,
    }))
    .sort((a, b) => b.multiplicity - a.multiplicity || a.loss - b.loss);
}

function maxAbs(values: Float64Array): number {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
}

function maxAbsDifference(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}
