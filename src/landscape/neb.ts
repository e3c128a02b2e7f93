import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { bytesOf, requireMemory } from '../core/limits.js';
import {
  LOSS_ROUNDING,
  NEB_CLIMB_FORCE,
  NEB_FORCE_TOLERANCE,
  ZERO_LOSS_TOLERANCE,
} from '../core/tolerances.js';
import { referenceLossScale } from '../certify/scale.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import { lossAndGradient } from '../model/gradient.js';
import type { LossKind } from '../model/loss.js';
import { samplesAs, type Samples } from '../model/samples.js';
import type { PathProfileRecord } from './records.js';
import { requireParameterVector } from './segment.js';
import { distance, dot, norm2 as norm } from '../train/vector.js';

/** A smooth objective: its value and gradient at θ (θ is not modified). */
export type Objective = (theta: Float64Array) => { readonly loss: number; readonly gradient: Float64Array };

/** The loss of a network on its samples, in float64. */
export interface NetworkProblem {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
}

/** Any objective, with the scale its forces are measured against (lossScale for a network). */
export interface PlainProblem {
  readonly objective: Objective;
  readonly lossScale: number;
}

export type NebOptions = (NetworkProblem | PlainProblem) & {
  /** The fixed end points (minima, typically aligned with `alignNetworks` first). */
  readonly from: Float64Array;
  readonly to: Float64Array;
  /** Movable images between the ends (default 12); ignored when `initialImages` is given. */
  readonly images?: number;
  /** Start from these movable images instead of the straight line (e.g. a trained curve), in order from → to. */
  readonly initialImages?: readonly Float64Array[];
  /** FIRE steps at most (default DEFAULT_NEB_ITERATIONS). */
  readonly maxIterations?: number;
  /** Converged when every perpendicular force is ≤ forceTolerance·lossScale (default NEB_FORCE_TOLERANCE). */
  readonly forceTolerance?: number;
  /** Spring constant, in lossScale per squared parameter distance (default 1). */
  readonly springConstant?: number;
  /** Whether the highest image climbs (default true). */
  readonly climb?: boolean;
  /** Called after every iteration with the largest relative force. */
  readonly onProgress?: (done: number, total: number, maxForce: number) => void;
};

export interface NebResult {
  /** M + 2 images: the fixed ends at 0 and M + 1, the movable ones between. */
  readonly images: readonly Float64Array[];
  readonly losses: Float64Array;
  /** Index into `images` of the climbing image; null when no image rose above the higher end (no barrier). */
  readonly climbingImage: number | null;
  /** Unit tangent of the band at each image (improved tangent; the ends use their one neighbour). */
  readonly tangents: readonly Float64Array[];
  readonly iterations: number;
  readonly converged: boolean;
  /** Largest perpendicular force (the climbing image's whole force) over lossScale, at the end. */
  readonly maxForce: number;
  readonly lossScale: number;
  /** The loss along the band on t = normalised arc length through the images. */
  readonly profile: PathProfileRecord;
}

/*
 * The optimiser is FIRE (Bitzek et al. 2006) rather than velocity projection (quick-min): both need only forces,
 * which matters because the NEB force is not the gradient of any function (so no line search or quasi-Newton model
 * applies), but FIRE adapts its time step (growing it while the band moves downhill, halving it and stopping at the
 * first uphill step), so one set of defaults works across losses whose curvature differs by orders of magnitude;
 * Sheppard, Terrell & Henkelman (J. Chem. Phys. 128, 134106, 2008) found it among the most robust NEB optimisers.
 * Forces are measured in lossScale units so that these defaults do not depend on the data's scale.
 */
/** FIRE steps when `maxIterations` is not given. */
export const DEFAULT_NEB_ITERATIONS = 2000;
/** Movable images of a band when neither `images` nor `initialImages` is given. */
export const DEFAULT_NEB_IMAGES = 12;
/** Largest accepted `images` and `maxIterations`: beyond them a band is a mistake, not a request. */
export const NEB_MAX_IMAGES = 10_000;
export const NEB_MAX_ITERATIONS = 10_000_000;

const FIRE = {
  dtStart: 0.1,
  dtMax: 1,
  minSteps: 5,
  grow: 1.1,
  shrink: 0.5,
  alphaStart: 0.1,
  alphaDecay: 0.99,
};

/**
 * Henkelman & Jónsson's improved-tangent nudged elastic band (J. Chem. Phys. 113, 9978, 2000) with a climbing image
 * (Henkelman, Uberuaga & Jónsson, J. Chem. Phys. 113, 9901, 2000), as AutoNEB uses it for networks (Draxler et al.
 * 2018). Each movable image feels the true force perpendicular to the band's tangent and a spring force along it;
 * once the band is roughly converged the highest image feels −∇L with its component along the tangent reversed
 * (−∇L + 2(∇L·τ)τ) and no spring, so that it climbs to the top of the minimum-energy path, a saddle.
 *
 * @example
 * ```ts
 * import { landscape } from 'basin';
 *
 * // Two wells joined by a curved valley y = 1 − x², whose top (0, 1) is a saddle at height 1.
 * const objective = (p: Float64Array) => {
 *   const [x, y] = p;
 *   const g = y - 1 + x * x;
 *   return { loss: (x * x - 1) ** 2 + 2 * g * g, gradient: Float64Array.of(4 * x * (x * x - 1) + 8 * g * x, 4 * g) };
 * };
 * const band = landscape.nudgedElasticBand({
 *   objective, lossScale: 1, from: Float64Array.of(-1, 0), to: Float64Array.of(1, 0), images: 9,
 * });
 * console.log(band.converged, band.profile.maxLoss.toFixed(6)); // true 1.000000
 * ```
 */
export function nudgedElasticBand(options: NebOptions): NebResult {
  const { objective, lossScale, size } = resolveProblem(options);
  const { from, to } = options;
  requireParameterVector('from', from, size);
  requireParameterVector('to', to, size);
  const maxIterations = requireInteger(
    'maxIterations',
    options.maxIterations ?? DEFAULT_NEB_ITERATIONS,
    0,
    NEB_MAX_ITERATIONS,
  );
  const tolerance = requireFinite('forceTolerance', options.forceTolerance ?? NEB_FORCE_TOLERANCE, 0);
  const spring = requireFinite('springConstant', options.springConstant ?? 1, 0);
  if (options.climb !== undefined && typeof options.climb !== 'boolean') {
    throw new InvalidArgumentError('climb', 'true or false', options.climb);
  }
  const climb = options.climb ?? true;
  const declared = options.initialImages?.length ?? options.images ?? DEFAULT_NEB_IMAGES;
  if (Number.isInteger(declared)) {
    // Images, gradients, velocities, forces and tangents: five vectors of P doubles per image.
    requireMemory(
      'images',
      `a band of ${declared} images of ${size} parameters`,
      bytesOf(5 * (declared + 2) * size, 8),
    );
  }
  const movable = initialBand(options, size);
  const count = movable.length;
  const images = [Float64Array.from(from), ...movable, Float64Array.from(to)];

  const losses = new Float64Array(count + 2);
  const gradients: Float64Array[] = images.map(() => new Float64Array(size));
  const evaluate = (i: number): void => {
    const { loss, gradient } = objective(images[i]);
    if (!Number.isFinite(loss)) {
      throw new InvalidArgumentError(`images[${i}]`, 'a finite loss along the band', loss);
    }
    losses[i] = loss;
    gradients[i].set(gradient);
  };
  images.forEach((_, i) => evaluate(i));
  const higherEnd = Math.max(losses[0], losses[count + 1]);
  const rounding = barrierRounding(higherEnd, lossScale);

  const spacing = distance(from, to) / (count + 1);
  // A cap on each image's step keeps an early large time step from throwing images across the landscape; half the
  // initial spacing still lets the band move a long way within a few hundred steps.
  const maxStep = 0.5 * Math.max(spacing, Number.EPSILON);
  const velocity = images.map(() => new Float64Array(size));
  const forces = images.map(() => new Float64Array(size));
  let tangents: Float64Array[] = images.map(() => new Float64Array(size));
  let dt = FIRE.dtStart;
  let alpha = FIRE.alphaStart;
  let downhillSteps = 0;
  let climbing = false;
  let climber: number | null = null;
  let iterations = 0;
  let converged = false;

  const computeForces = (): number => {
    tangents = images.map((_, i) => improvedTangent(images, losses, i));
    climber = highestMovable(losses, higherEnd + rounding);
    let perpendicularMax = 0;
    for (let i = 1; i <= count; i++) {
      const tau = tangents[i];
      const g = gradients[i];
      const along = dot(g, tau);
      const force = forces[i];
      if (climbing && i === climber) {
        for (let p = 0; p < size; p++) force[p] = (-g[p] + 2 * along * tau[p]) / lossScale;
        perpendicularMax = Math.max(perpendicularMax, norm(force));
        continue;
      }
      const stretch = spring * (distance(images[i + 1], images[i]) - distance(images[i], images[i - 1]));
      let perpendicular = 0;
      for (let p = 0; p < size; p++) {
        const value = (-g[p] + along * tau[p]) / lossScale;
        perpendicular += value * value;
        force[p] = value + stretch * tau[p];
      }
      perpendicularMax = Math.max(perpendicularMax, Math.sqrt(perpendicular));
    }
    return perpendicularMax;
  };

  let maxForce = computeForces();
  for (;;) {
    if (climb && !climbing && climber !== null) {
      if (maxForce <= NEB_CLIMB_FORCE || iterations >= maxIterations / 2) {
        climbing = true;
        maxForce = computeForces();
      }
    }
    if (maxForce <= tolerance && (climbing || !climb || climber === null)) {
      converged = true;
      break;
    }
    if (iterations >= maxIterations) break;
    fireStep();
    iterations++;
    for (let i = 1; i <= count; i++) evaluate(i);
    maxForce = computeForces();
    options.onProgress?.(iterations, maxIterations, maxForce);
  }

  function fireStep(): void {
    let power = 0;
    let velocityNorm = 0;
    let forceNorm = 0;
    for (let i = 1; i <= count; i++) {
      power += dot(forces[i], velocity[i]);
      velocityNorm += dot(velocity[i], velocity[i]);
      forceNorm += dot(forces[i], forces[i]);
    }
    if (power > 0) {
      const mix = forceNorm > 0 ? (alpha * Math.sqrt(velocityNorm)) / Math.sqrt(forceNorm) : 0;
      for (let i = 1; i <= count; i++) {
        for (let p = 0; p < size; p++) velocity[i][p] = (1 - alpha) * velocity[i][p] + mix * forces[i][p];
      }
      if (++downhillSteps > FIRE.minSteps) {
        dt = Math.min(dt * FIRE.grow, FIRE.dtMax);
        alpha *= FIRE.alphaDecay;
      }
    } else {
      velocity.forEach((v) => v.fill(0));
      dt *= FIRE.shrink;
      alpha = FIRE.alphaStart;
      downhillSteps = 0;
    }
    for (let i = 1; i <= count; i++) {
      const v = velocity[i];
      for (let p = 0; p < size; p++) v[p] += dt * forces[i][p];
      const length = dt * norm(v);
      const factor = length > maxStep ? maxStep / length : 1;
      for (let p = 0; p < size; p++) images[i][p] += factor * dt * v[p];
    }
  }

  return {
    images,
    losses,
    climbingImage: climber,
    tangents,
    iterations,
    converged,
    maxForce,
    lossScale,
    profile: bandProfile(images, losses),
  };
}

/**
 * How far a loss must rise above the higher end `higherEnd` to count as a barrier: the rounding of that loss value
 * (LOSS_ROUNDING relative), plus the zero-loss tolerance so that the threshold stays positive between two
 * zero-loss minima.
 */
export function barrierRounding(higherEnd: number, lossScale: number): number {
  return LOSS_ROUNDING * Math.abs(higherEnd) + ZERO_LOSS_TOLERANCE * lossScale;
}

function resolveProblem(options: NebOptions): { objective: Objective; lossScale: number; size: number } {
  if ('objective' in options) {
    if (typeof options.objective !== 'function') {
      throw new InvalidArgumentError(
        'objective',
        'a function of θ returning { loss, gradient }',
        options.objective,
      );
    }
    const lossScale = requireFinite('lossScale', options.lossScale, Number.MIN_VALUE);
    return { objective: options.objective, lossScale, size: options.from?.length ?? 0 };
  }
  const { architecture, loss } = options;
  const exact = samplesAs(options.samples, 'float64');
  return {
    objective: networkObjective(architecture, loss, exact),
    lossScale: referenceLossScale(exact, loss),
    size: parameterCount(architecture),
  };
}

/** The float64 loss and gradient of a network as an `Objective`. */
export function networkObjective(architecture: Architecture, loss: LossKind, samples: Samples): Objective {
  const exact = samplesAs(samples, 'float64');
  return (theta) => {
    const result = lossAndGradient(architecture, loss, theta, exact);
    return { loss: result.loss, gradient: result.gradient as Float64Array };
  };
}

function initialBand(options: NebOptions, size: number): Float64Array[] {
  const { from, to, initialImages } = options;
  if (initialImages !== undefined) {
    if (!Array.isArray(initialImages) || initialImages.length === 0) {
      throw new InvalidArgumentError(
        'initialImages',
        'a non-empty array of parameter vectors',
        initialImages,
      );
    }
    return initialImages.map((image, k) => {
      requireParameterVector(`initialImages[${k}]`, image, size);
      return Float64Array.from(image);
    });
  }
  const count = requireInteger('images', options.images ?? DEFAULT_NEB_IMAGES, 1, NEB_MAX_IMAGES);
  return Array.from({ length: count }, (_, k) => {
    const t = (k + 1) / (count + 1);
    const image = new Float64Array(size);
    for (let p = 0; p < size; p++) image[p] = (1 - t) * from[p] + t * to[p];
    return image;
  });
}

/**
 * The improved tangent of Henkelman & Jónsson (2000), eqs. 8–11: towards the higher neighbour when the image is
 * between its neighbours in energy, and at an extremum a mix of both sides weighted by the energy differences, so
 * that the tangent turns smoothly and kinks do not form where the path bends.
 */
export function improvedTangent(
  images: readonly Float64Array[],
  losses: Float64Array,
  i: number,
): Float64Array {
  const size = images[i].length;
  const last = images.length - 1;
  const tau = new Float64Array(size);
  const forward = (p: number): number => images[Math.min(i + 1, last)][p] - images[i][p];
  const backward = (p: number): number => images[i][p] - images[Math.max(i - 1, 0)][p];
  if (i === 0 || i === last) {
    for (let p = 0; p < size; p++) tau[p] = i === 0 ? forward(p) : backward(p);
  } else {
    const up = losses[i + 1] - losses[i];
    const down = losses[i - 1] - losses[i];
    if (up > 0 && down < 0) for (let p = 0; p < size; p++) tau[p] = forward(p);
    else if (up < 0 && down > 0) for (let p = 0; p < size; p++) tau[p] = backward(p);
    else {
      const big = Math.max(Math.abs(up), Math.abs(down));
      const small = Math.min(Math.abs(up), Math.abs(down));
      const [wf, wb] = losses[i + 1] > losses[i - 1] ? [big, small] : [small, big];
      for (let p = 0; p < size; p++) tau[p] = wf * forward(p) + wb * backward(p);
      // Equal energies on all three give no weights; the central difference is the natural tangent then.
      if (norm(tau) === 0) for (let p = 0; p < size; p++) tau[p] = forward(p) + backward(p);
    }
  }
  const length = norm(tau);
  if (length > 0) for (let p = 0; p < size; p++) tau[p] /= length;
  return tau;
}

/** The movable image of highest loss when it is above `floor`, else null. */
function highestMovable(losses: Float64Array, floor: number): number | null {
  let best: number | null = null;
  for (let i = 1; i < losses.length - 1; i++) {
    if (losses[i] > floor && (best === null || losses[i] > losses[best])) best = i;
  }
  return best;
}

function bandProfile(images: readonly Float64Array[], losses: Float64Array): PathProfileRecord {
  const arc = [0];
  for (let i = 1; i < images.length; i++) arc.push(arc[i - 1] + distance(images[i], images[i - 1]));
  const total = arc[arc.length - 1];
  const t = arc.map((s, i) => (total > 0 ? s / total : i / (images.length - 1)));
  t[t.length - 1] = 1;
  return gridProfileRecord('neb', t, losses);
}

/**
 * A path's losses on a grid of t as a record: the highest grid point (the first, on ties) is its top, and the barrier
 * is measured from the higher end. The straight line's and the band's profiles; trained curves refine their top.
 */
export function gridProfileRecord(
  method: PathProfileRecord['method'],
  t: ArrayLike<number>,
  loss: ArrayLike<number>,
): PathProfileRecord {
  let peak = 0;
  for (let k = 1; k < loss.length; k++) if (loss[k] > loss[peak]) peak = k;
  return {
    method,
    t: Array.from(t),
    loss: Array.from(loss),
    maxLoss: loss[peak],
    peakT: t[peak],
    barrier: loss[peak] - Math.max(loss[0], loss[loss.length - 1]),
  };
}
