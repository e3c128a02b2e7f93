import { type Certificate, certify, type CertifyOptions } from '../certify/certificate.js';
import { firstLayerPreActivation } from '../certify/kink-set.js';
import { referenceLossScale } from '../certify/scale.js';
import { requireInteger } from '../core/errors.js';
import { GRADIENT_TOLERANCE } from '../core/tolerances.js';
import { activationRule } from '../model/activation.js';
import { type Architecture, parameterCount, parameterLayout } from '../model/architecture.js';
import { lossAndGradient, lossValue } from '../model/gradient.js';
import { denseHessian } from '../model/hessian.js';
import type { LossKind } from '../model/loss.js';
import { samplesAs, type Samples } from '../model/samples.js';
import { gradientNewton } from './gradient-newton.js';
import { barrierRounding } from './neb.js';
import type { SaddleRecord } from './records.js';
import { crossedFirstLayerKinks, refineRidgeSaddle, type RidgeSaddle } from './ridge.js';
import { requireParameterVector } from './segment.js';
import { distance, dot, norm2 as norm } from '../train/vector.js';

export interface RefineSaddleOptions {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  /** Where to start: the climbing image of a band (or the top of another path). */
  readonly start: Float64Array;
  /** The path's unit tangent there, for `tangentOverlap` (null overlap without it). */
  readonly tangent?: Float64Array;
  /**
   * The band's images next to `start` (before and after it). When the smooth refinement does not certify, each
   * first-layer kink crossed between `start` and one of them is tried as a ridge (ridge.ts).
   */
  readonly neighbours?: readonly Float64Array[];
  /** The path's end minima: the barrier is measured above the higher one, the displacement relative to ‖to − from‖. */
  readonly from: Float64Array;
  readonly to: Float64Array;
  /** Newton steps at most (default 100). */
  readonly maxIterations?: number;
  /** Largest parameter count refined with the dense Hessian (default 600; beyond it the start is certified as is). */
  readonly denseLimit?: number;
  /** Certificate options; the refined point is certified as given (`polish: false`). */
  readonly certify?: Omit<CertifyOptions, 'polish'>;
}

export interface SaddleRefinement {
  readonly record: SaddleRecord;
  /** The certificate of the smooth refinement's point (the ridge rule's point is in `ridge`). */
  readonly certificate: Certificate;
  /** The kink-saddle attempt, when one was made (see `neighbours`). */
  readonly ridge?: RidgeSaddle;
  /** Newton steps taken and whether ‖∇L‖ reached gradientTolerance·lossScale. */
  readonly iterations: number;
  readonly converged: boolean;
}

export interface CriticalPointSearch {
  readonly theta: Float64Array;
  readonly gradientNorm: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Converges to the critical point near `start` whatever its curvature: Levenberg–Marquardt on the gradient map, i.e.
 * Gauss–Newton on ½‖∇L‖² with the dense Hessian as the Jacobian of ∇L. With H = V·diag(λ)·Vᵀ the step is
 * δ = −V·diag(λ/(λ² + μ))·Vᵀ∇L: at μ = 0 the pseudo-inverse Newton step −H⁺∇L (eigenvalues within
 * NEWTON_EIGENVALUE_CUTOFF of 0, the symmetry modes, left out), which converges quadratically to a saddle as to a
 * minimum; a step is kept only when it lowers ‖∇L‖, and μ grows tenfold until one does (large μ is a short
 * gradient step on ½‖∇L‖²). polish() cannot do this: it only ever lowers the loss, so it slides off a saddle.
 */
export function findCriticalPoint(
  architecture: Architecture,
  loss: LossKind,
  samples: Samples,
  start: Float64Array,
  options: { readonly maxIterations?: number; readonly gradientTolerance?: number } = {},
): CriticalPointSearch {
  const exact = samplesAs(samples, 'float64');
  const size = start.length;
  const maxIterations = requireInteger('maxIterations', options.maxIterations ?? 100, 0, 100_000);
  const target = (options.gradientTolerance ?? GRADIENT_TOLERANCE) * referenceLossScale(exact, loss);
  const gradientAt = (theta: Float64Array): Float64Array =>
    lossAndGradient(architecture, loss, theta, exact).gradient as Float64Array;
  let theta = Float64Array.from(start);
  let gradient = gradientAt(theta);
  let gradientNorm = norm(gradient);
  let damping = 0;
  let iterations = 0;
  while (gradientNorm > target && iterations < maxIterations) {
    const newton = gradientNewton(denseHessian(architecture, loss, theta, exact), gradient, size);
    if (newton === undefined) break;
    let accepted = false;
    while (damping <= newton.maxDamping) {
      const step = newton.step(damping);
      const trial = Float64Array.from(theta, (value, i) => value + step[i]);
      const trialGradient = gradientAt(trial);
      const trialNorm = norm(trialGradient);
      if (trialNorm < gradientNorm) {
        theta = trial;
        gradient = trialGradient;
        gradientNorm = trialNorm;
        accepted = true;
        damping = newton.lower(damping);
        break;
      }
      damping = newton.raise(damping);
    }
    iterations++;
    if (!accepted) break;
  }
  return { theta, gradientNorm, iterations, converged: gradientNorm <= target };
}

/**
 * Refines the top of a path into a critical point (`findCriticalPoint`) and certifies it exactly as found. The
 * record is `certified` only for a proved Morse index 1 saddle: verdict `saddle` by the dense Hessian on the
 * complement of the symmetry directions (rule `second-order`, strength `proved`) with exactly one negative
 * eigenvalue, above the higher end by more than rounding. `tangentOverlap` is |cos| between the path's tangent and
 * the certificate's eigenvector of the most negative eigenvalue (the direction a minimum-energy path crosses a
 * saddle along). Otherwise `reason` says why not, naming the verdict and its rule.
 *
 * The barriers of ReLU networks often sit on kinks, where Newton from the band's top falls into a neighbouring
 * piece's minimum or stalls. So when the smooth point is not certified and the band crosses first-layer kinks
 * between `start` and its neighbours, the kink-saddle rule of ridge.ts is tried on each (highest crossing first); a
 * certified one becomes the record (rule `kink-saddle`, which needs exactly one kinked pair at the point it reaches).
 * When it fails too, the record stays the smooth one and `reason` gives both reasons.
 */
export function refineSaddle(options: RefineSaddleOptions): SaddleRefinement {
  const { architecture, loss } = options;
  const samples = samplesAs(options.samples, 'float64');
  const size = parameterCount(architecture);
  requireParameterVector('start', options.start, size);
  requireParameterVector('from', options.from, size);
  requireParameterVector('to', options.to, size);
  if (options.tangent !== undefined) requireParameterVector('tangent', options.tangent, size);
  options.neighbours?.forEach((image, k) => requireParameterVector(`neighbours[${k}]`, image, size));
  const denseLimit = requireInteger('denseLimit', options.denseLimit ?? 600, 0);
  const gradientTolerance = options.certify?.gradientTolerance ?? GRADIENT_TOLERANCE;
  const search =
    size <= denseLimit
      ? findCriticalPoint(architecture, loss, samples, options.start, {
          maxIterations: options.maxIterations,
          gradientTolerance,
        })
      : undefined;
  const theta = search?.theta ?? Float64Array.from(options.start);
  const spectrum = options.certify?.spectrum;
  const certificate = certify(architecture, loss, theta, samples, {
    ...options.certify,
    polish: false,
    spectrum: spectrum === false ? false : { ...spectrum, negativeDirections: true },
  });
  const decision = certificate.decision;
  const lossScale = certificate.lossScale;
  const higherEnd = Math.max(
    lossValue(architecture, loss, options.from, samples),
    lossValue(architecture, loss, options.to, samples),
  );
  const aboveEnds = certificate.lossValue > higherEnd + barrierRounding(higherEnd, lossScale);
  const dense = certificate.spectrum?.method === 'dense' ? certificate.spectrum : undefined;
  const morseIndex =
    decision.morseIndex ??
    (dense !== undefined && decision.rule === 'second-order' ? dense.complementCounts.negative : null);
  const negative = certificate.spectrum?.negativeDirections[0];
  const tangentOverlap =
    negative === undefined || options.tangent === undefined
      ? null
      : absoluteCosine(negative, options.tangent);
  const certified =
    decision.verdict === 'saddle' &&
    decision.rule === 'second-order' &&
    decision.strength === 'proved' &&
    morseIndex === 1 &&
    aboveEnds;
  const relativeGradient = certificate.gradientNorm / lossScale;
  const tag = ` (verdict ${decision.verdict}, rule ${decision.rule}, ${decision.strength})`;
  let reason: string;
  if (certified) reason = `a Morse index 1 saddle: ${decision.explanation}`;
  else if (decision.verdict === 'local-min' || decision.verdict === 'global') {
    reason = `the refined point is a minimum: ${decision.explanation}${tag}`;
  } else if (
    decision.verdict === 'non-differentiable' ||
    ['kink-undecided', 'kink-descent', 'convex-pieces'].includes(decision.rule)
  ) {
    reason = `${decision.explanation}${tag}`;
  } else if (search === undefined) {
    reason = `not refined: P = ${size} > denseLimit = ${denseLimit}, the start was certified as is${tag}`;
  } else if (!search.converged) {
    reason =
      `Newton did not converge: ‖∇L‖/lossScale = ${relativeGradient.toExponential(2)} after ` +
      `${search.iterations} step(s)${tag}`;
  } else if (!aboveEnds) {
    reason =
      `no barrier: the refined critical point's loss ${certificate.lossValue} is not above the higher end's ` +
      `${higherEnd}${tag}`;
  } else if (decision.verdict === 'saddle' && morseIndex !== 1) {
    reason = `index ${morseIndex ?? '?'} > 1${decision.rule === 'lanczos' ? ' (a Lanczos lower bound)' : ''}${tag}`;
  } else reason = `${decision.explanation}${tag}`;
  const smooth: SaddleRecord = {
    certified,
    reason,
    verdict: decision.verdict,
    rule: decision.rule,
    strength: decision.strength,
    morseIndex,
    loss: certificate.lossValue,
    relativeGradient,
    tangentOverlap,
    displacement:
      distance(theta, options.start) / Math.max(distance(options.from, options.to), Number.MIN_VALUE),
    theta: Array.from(theta),
  };
  const base = {
    certificate,
    iterations: search?.iterations ?? 0,
    converged: search?.converged ?? false,
  };
  const firstActivation = architecture.hidden[0]?.activation;
  const kinked = firstActivation !== undefined && activationRule(firstActivation).hasKink;
  if (certified || !kinked || options.neighbours === undefined || options.neighbours.length === 0) {
    return { record: smooth, ...base };
  }
  const attempt =
    size > denseLimit
      ? `not tried: P = ${size} > denseLimit = ${denseLimit}`
      : ridgeAttempt(options, samples, higherEnd, barrierRounding(higherEnd, lossScale));
  if (typeof attempt === 'string') {
    return { record: { ...smooth, reason: `${reason}; no kink-saddle either: ${attempt}` }, ...base };
  }
  const { decision: ridge, evidence } = attempt;
  if (!ridge.certified) {
    return {
      record: { ...smooth, reason: `${reason}; no kink-saddle either: ${ridge.explanation}` },
      ridge: attempt,
      ...base,
    };
  }
  return {
    record: {
      certified: true,
      reason: ridge.explanation,
      verdict: ridge.verdict,
      rule: ridge.rule,
      strength: ridge.strength,
      morseIndex: 1,
      loss: evidence.loss,
      relativeGradient: evidence.relativeTangentialGradient,
      tangentOverlap: options.tangent === undefined ? null : absoluteCosine(attempt.normal, options.tangent),
      displacement:
        distance(attempt.theta, options.start) /
        Math.max(distance(options.from, options.to), Number.MIN_VALUE),
      theta: Array.from(attempt.theta),
    },
    ridge: attempt,
    ...base,
  };
}

/**
 * Kinks tried as ridges at one band top, highest crossing first: each try costs up to maxIterations dense
 * eigendecompositions, and a segment of a wide net can cross hundreds of kinks whose lower crossings are not the top.
 */
const MAX_RIDGE_CANDIDATES = 8;

/**
 * The kink-saddle attempts from the band's top: every first-layer kink that the segments from `start` to its
 * neighbours cross, tried in order of the loss where the segment meets it (the highest first: the ridge the band
 * passes over); the first certified ridge, else the highest one's attempt; a sentence when no segment crosses a kink.
 */
function ridgeAttempt(
  options: RefineSaddleOptions,
  samples: Samples,
  higherEnd: number,
  rounding: number,
): RidgeSaddle | string {
  const { architecture, loss, start } = options;
  const layer = parameterLayout(architecture).layers[0];
  const candidates: { pair: { sample: number; unit: number }; neighbour: Float64Array; loss: number }[] = [];
  for (const neighbour of options.neighbours ?? []) {
    for (const pair of crossedFirstLayerKinks(architecture, samples, start, neighbour)) {
      const ut = firstLayerPreActivation(layer, start, samples, pair.sample, pair.unit);
      const un = firstLayerPreActivation(layer, neighbour, samples, pair.sample, pair.unit);
      const t = ut / (ut - un);
      const crossing = start.map((value, i) => value + t * (neighbour[i] - value));
      candidates.push({ pair, neighbour, loss: lossValue(architecture, loss, crossing, samples) });
    }
  }
  if (candidates.length === 0)
    return "the band's top and its neighbours lie on one activation piece (no kink between them)";
  candidates.sort((a, b) => b.loss - a.loss);
  let first: RidgeSaddle | undefined;
  for (const candidate of candidates.slice(0, MAX_RIDGE_CANDIDATES)) {
    const ridge = refineRidgeSaddle({
      architecture,
      loss,
      samples,
      pair: candidate.pair,
      top: start,
      neighbour: candidate.neighbour,
      higherEnd,
      barrierRounding: rounding,
      maxIterations: options.maxIterations,
      gradientTolerance: options.certify?.gradientTolerance,
    });
    if (ridge.decision.certified) return ridge;
    first ??= ridge;
  }
  return first as RidgeSaddle;
}

function absoluteCosine(a: Float64Array, b: Float64Array): number {
  const denominator = norm(a) * norm(b);
  if (denominator === 0) return 0;
  return Math.abs(dot(a, b)) / denominator;
}
