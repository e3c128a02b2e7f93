import { canonicalise, sameCanonicalPoint } from '../certify/symmetry.js';
import { requireFinite } from '../core/errors.js';
import { MINIMA_MERGE_TOLERANCE } from '../core/tolerances.js';
import type { Architecture } from '../model/architecture.js';

/*
 * Distinct minima up to the symmetries of a fully connected network: hidden-unit permutations and, for positively
 * homogeneous activations, positive rescalings of a unit. The canonical form that removes both is `canonicalise`
 * (src/certify/symmetry.ts), shared with the multistart search so that sweeps and `basin search` merge end points
 * the same way.
 */

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
  tolerance = MINIMA_MERGE_TOLERANCE,
): DistinctMinimum[] {
  requireFinite('tolerance', tolerance, 0);
  const groups: { canonical: Float64Array; members: string[]; loss: number }[] = [];
  for (const point of points) {
    const canonical = canonicalise(architecture, point.theta);
    const group = groups.find((g) => sameCanonicalPoint(g.canonical, canonical, tolerance));
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
