import { requireFinite, requireInteger, InvalidArgumentError } from '../core/errors.js';
import { norm } from '../core/linalg/index.js';
import { Rng } from '../core/rng.js';
import { PROBE_DESCENT_TOLERANCE } from '../core/tolerances.js';
import type { Architecture } from '../model/architecture.js';
import { lossValue } from '../model/gradient.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';

/**
 * Random directional probes: the loss at θ + r·d for unit directions d drawn uniformly on the sphere (normalised
 * Gaussian vectors), at several radii r, plus named directions (kink normals, negative-curvature eigenvectors)
 * in both signs. A sampled check, never a proof: a minimum can hide a descent direction that no probe hits (a
 * saddle's one negative direction among thousands is found by random probes with probability near 0, which is
 * why the certificate adds its negative eigenvectors as named probes), and a descent seen at radius r says nothing
 * about radii below it.
 */
/** Random probes per radius run even when `workLimit` allows fewer (unless `count` asks for fewer still). */
export const MIN_PROBES_PER_RADIUS = 4;

export interface ProbeOptions {
  /** Radii (absolute, in θ units; default 1e-2, 1e-3, 1e-4, as in papers.md §3.4's check). */
  readonly radii?: readonly number[];
  /** Random directions per radius (default 2000), reduced to stay within `workLimit` (but not below 4). */
  readonly count?: number;
  readonly seed?: number;
  /**
   * A probe counts as a descent when ΔL < −tolerance·(L + lossScale) (default PROBE_DESCENT_TOLERANCE = 1e-12,
   * above rounding).
   */
  readonly tolerance?: number;
  /** Most multiply-adds spent on probes: evaluations × N × P (default 2·10⁹, about 7 s here). */
  readonly workLimit?: number;
}

export interface NamedDirection {
  readonly label: string;
  readonly direction: Float64Array;
}

export interface RadiusReport {
  readonly radius: number;
  readonly probes: number;
  /** Smallest L(θ + r·d) − L(θ) seen. */
  readonly minChange: number;
  readonly descents: number;
}

export interface NamedProbe {
  readonly label: string;
  readonly radius: number;
  /** min over ± of L(θ ± r·d) − L(θ). */
  readonly change: number;
  readonly descent: boolean;
}

export interface ProbeReport {
  readonly random: readonly RadiusReport[];
  readonly named: readonly NamedProbe[];
  /** The absolute ΔL threshold used. */
  readonly threshold: number;
  readonly anyDescent: boolean;
  /** Random probes per radius after the work limit. */
  readonly perRadius: number;
}

export function probeLoss(
  architecture: Architecture,
  loss: LossKind,
  theta: Float64Array,
  samples: Samples,
  lossScale: number,
  named: readonly NamedDirection[],
  options: ProbeOptions = {},
  lossOf: (point: Float64Array) => number = (point) => lossValue(architecture, loss, point, samples),
): ProbeReport {
  const radii = options.radii ?? [1e-2, 1e-3, 1e-4];
  radii.forEach((r, k) => requireFinite(`probes.radii[${k}]`, r, Number.MIN_VALUE));
  if (radii.length === 0) throw new InvalidArgumentError('probes.radii', 'at least one radius', 'none');
  const requested = requireInteger('probes.count', options.count ?? 2000, 0);
  const tolerance = requireFinite('probes.tolerance', options.tolerance ?? PROBE_DESCENT_TOLERANCE, 0);
  const workLimit = requireFinite('probes.workLimit', options.workLimit ?? 2e9, 0);
  const size = theta.length;
  const evaluationCost = Math.max(1, samples.count * size);
  const namedEvaluations = 2 * named.length * radii.length;
  const affordable = Math.max(0, Math.floor(workLimit / evaluationCost) - namedEvaluations);
  // A few random probes per radius even on the largest nets: a certificate without any sampled check reads as if
  // the check had passed.
  const perRadius = Math.min(
    requested,
    Math.max(MIN_PROBES_PER_RADIUS, Math.floor(affordable / radii.length)),
  );
  const base = lossOf(theta);
  const threshold = tolerance * (Math.abs(base) + lossScale);
  const rng = new Rng(options.seed ?? 1);
  const point = new Float64Array(size);
  const changeAt = (direction: Float64Array, radius: number): number => {
    for (let p = 0; p < size; p++) point[p] = theta[p] + radius * direction[p];
    return lossOf(point) - base;
  };

  const random: RadiusReport[] = radii.map((radius) => {
    let minChange = Infinity;
    let descents = 0;
    const direction = new Float64Array(size);
    for (let k = 0; k < perRadius; k++) {
      rng.fillGaussian(direction);
      const length = norm(direction);
      for (let p = 0; p < size; p++) direction[p] /= length;
      const change = changeAt(direction, radius);
      minChange = Math.min(minChange, change);
      if (change < -threshold) descents++;
    }
    return { radius, probes: perRadius, minChange, descents };
  });
  const namedProbes: NamedProbe[] = [];
  for (const { label, direction } of named) {
    const length = norm(direction);
    if (length === 0) continue;
    const unit = direction.map((value) => value / length);
    for (const radius of radii) {
      const change = Math.min(changeAt(unit, radius), changeAt(unit, -radius));
      namedProbes.push({ label, radius, change, descent: change < -threshold });
    }
  }
  return {
    random,
    named: namedProbes,
    threshold,
    anyDescent: random.some((r) => r.descents > 0) || namedProbes.some((p) => p.descent),
    perRadius,
  };
}
