import { firstLayerKinkNormal, firstLayerPreActivation, kinkedPairs } from '../certify/kink-set.js';
import { referenceLossScale } from '../certify/scale.js';
import { Subspace } from '../certify/subspace.js';
import { rescalingDirections } from '../certify/symmetry.js';
import type { Verdict } from '../certify/verdict.js';
import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { symmetricEigen } from '../core/linalg/index.js';
import { EIGENVALUE_ZERO_TOLERANCE, GRADIENT_TOLERANCE, KINK_TOLERANCE } from '../core/tolerances.js';
import { activationRule, slopeOf } from '../model/activation.js';
import { type Architecture, parameterLayout } from '../model/architecture.js';
import type { ForwardCache } from '../model/forward.js';
import { lossAndGradient, outputDelta, throughActivation } from '../model/gradient.js';
import { denseHessian } from '../model/hessian.js';
import { backpropInput } from '../model/kernels.js';
import type { LossKind } from '../model/loss.js';
import { samplesAs, type Samples } from '../model/samples.js';
import { gradientNewton } from './gradient-newton.js';
import { requireParameterVector } from './segment.js';
import { dot, norm2 as norm } from '../train/vector.js';

/*
 * Saddles on a kink ("ridge saddles") of a ReLU network: the certificate for the top of a path that sits on a
 * first-layer kink, where the smooth second-order rule cannot apply. docs/landscape.md, "Saddles on a kink".
 *
 * The pre-activation u = w_u·x_n + b_u of a first-layer pair (n, u) is linear in θ: u = a·θ with a constant normal a
 * (`firstLayerKinkNormal`), so its kink is the hyperplane K = {θ : a·θ = 0}; write n = a/‖a‖. Near a point θ of K at
 * which no other pair is on its kink, L is smooth on each side of K: L = L₋ where a·θ ≤ 0 (the pair inactive) and
 * L = L₊ where a·θ ≥ 0, with L₋ = L₊ on K (L is continuous). Their gradients g₋, g₊ at θ differ only along a:
 * g₊ − g₋ = (1 − ρ)·ε·δ·a, with δ = ∂L/∂h of the pair and ε its slope noise (the forward pass is the same on K, only
 * f'(0) changes from ρ to 1). So both share one tangential part t = (I − nnᵀ)g, and their normal parts are α = g₋·n
 * and β = g₊·n. The one-sided directional derivatives off K are L'(θ; +n) = β and L'(θ; −n) = −α.
 *
 * θ is a transition state ("index 1" in the non-smooth sense: one pair of descending directions ±n) when
 * 1. t = 0: θ is a critical point of L restricted to K;
 * 2. β < 0 and −α < 0: leaving K to either side descends (a concave kink); then 0 = (−β·g₋ + α·g₊)/(α − β) is in
 *    conv{g₋, g₊}, so θ is Clarke critical;
 * 3. the Hessian of L restricted to K, (I − nnᵀ)·H·(I − nnᵀ) with H either piece's Hessian (they agree on K's
 *    tangent space since L₋ = L₊ on the hyperplane K), is positive definite on the complement of n and the
 *    rescaling directions (symmetry.ts; every rescaling tangent lies in K, since it scales u by the same factor, and
 *    is a null direction of the restricted Hessian at a critical point of L on K).
 * Then θ is a local minimum of L on K (strict up to symmetry), while L decreases off K on both sides: every path from
 * one side of K to the other near θ crosses K at a loss ≥ L(θ), and θ is the lowest point of the ridge nearby. A
 * negative restricted eigenvalue makes θ a ridge point of higher index (L on K descends); a zero one beyond the
 * symmetry directions leaves it undecided. Only one kinked pair (codimension 1) is covered: two or more kinked
 * first-layer pairs make a corner of several hyperplanes, and a kink in a deeper layer is curved.
 */

export interface RidgeEvidence {
  readonly loss: number;
  readonly lossScale: number;
  /** The higher end's loss and the rounding of a barrier above it (`barrierRounding`). */
  readonly higherEnd: number;
  readonly barrierRounding: number;
  readonly gradientTolerance: number;
  /** First-layer pairs on their kink (|u| ≤ KINK_TOLERANCE), and pairs of deeper layers. */
  readonly kinkedPairs: number;
  readonly deepKinkedPairs: number;
  /** The pair whose kink K is, as `(sample n, unit u)`. */
  readonly pair: { readonly sample: number; readonly unit: number };
  /** Why the minimisation on K stopped early (another pair reached its kink), when it did. */
  readonly blocked: string | undefined;
  readonly converged: boolean;
  readonly iterations: number;
  /** ‖(I − nnᵀ)∇L‖ / lossScale. */
  readonly relativeTangentialGradient: number;
  /** L'(θ; +n) = β and L'(θ; −n) = −α (the pair activated and deactivated), in loss per unit step. */
  readonly slopePlus: number;
  readonly slopeMinus: number;
  /** Eigenvalue counts of the Hessian restricted to K, on the complement of the symmetry directions. */
  readonly restricted: {
    readonly dimension: number;
    readonly symmetryDimensions: number;
    readonly negative: number;
    readonly zero: number;
    readonly positive: number;
    readonly smallest: number;
    readonly largest: number;
  };
}

export interface RidgeDecision {
  readonly certified: boolean;
  readonly rule: 'kink-saddle';
  readonly strength: 'proved' | 'undecided';
  /** What the point is: `saddle` (index 1 when certified, higher when L on K descends), `local-min` (a convex kink
   * with L rising on both sides), `not-critical`, or `non-differentiable` (undecided). */
  readonly verdict: Verdict;
  readonly explanation: string;
}

/** The pure decision of the kink-saddle rule (see the comment at the top of this file). */
export function decideRidgeSaddle(evidence: RidgeEvidence): RidgeDecision {
  const undecided = (explanation: string): RidgeDecision => ({
    certified: false,
    rule: 'kink-saddle',
    strength: 'undecided',
    verdict: 'non-differentiable',
    explanation,
  });
  const proved = (verdict: Verdict, explanation: string, certified = false): RidgeDecision => ({
    certified,
    rule: 'kink-saddle',
    strength: 'proved',
    verdict,
    explanation,
  });
  const { pair, restricted } = evidence;
  const where = `on the kink of sample ${pair.sample}, unit ${pair.unit}`;
  if (evidence.deepKinkedPairs > 0) {
    return undecided(
      `${evidence.deepKinkedPairs} pair(s) of a deeper layer on their kink: curved kinks are not covered by the ` +
        `kink-saddle rule`,
    );
  }
  if (evidence.blocked !== undefined) {
    return undecided(
      `the minimisation along the kink stopped where ${evidence.blocked}: the lowest point there is a corner of ` +
        `two or more kinks, which the kink-saddle rule does not cover`,
    );
  }
  if (evidence.kinkedPairs !== 1) {
    return undecided(
      `${evidence.kinkedPairs} first-layer pairs on their kink: the kink-saddle rule covers exactly one ` +
        `(a single hyperplane)`,
    );
  }
  const relative = evidence.relativeTangentialGradient.toExponential(2);
  if (!evidence.converged || evidence.relativeTangentialGradient > evidence.gradientTolerance) {
    return undecided(
      `the minimisation on the kink did not converge: ‖tangential ∇L‖/lossScale = ${relative} after ` +
        `${evidence.iterations} step(s)`,
    );
  }
  const tolerance = evidence.gradientTolerance * evidence.lossScale;
  const plus = evidence.slopePlus;
  const minus = evidence.slopeMinus;
  const slopes = `L'(+n) = ${plus.toExponential(3)}, L'(−n) = ${minus.toExponential(3)}`;
  if (Math.abs(plus) <= tolerance || Math.abs(minus) <= tolerance) {
    return undecided(
      `a one-sided slope off the kink is zero within tolerance (${slopes}): L is flat to first order on that ` +
        `side (exactly so when the pair is its unit's last active sample, so that the unit dies there); higher ` +
        `orders decide`,
    );
  }
  if (plus > 0 && minus > 0) {
    if (restricted.negative === 0 && restricted.zero === 0) {
      return proved(
        'local-min',
        `a kink minimum, not a saddle: L rises on both sides of the kink (${slopes}) and has a strict minimum ` +
          `along it ${where}`,
      );
    }
    return undecided(
      `a convex kink (${slopes}), not a saddle; L along the kink is not proved minimal ${where}`,
    );
  }
  if (plus > 0 || minus > 0) {
    return proved(
      'not-critical',
      `a convex kink, not a saddle: L decreases on one side of the kink and rises on the other (${slopes}), so ` +
        `0 is not in the convex hull of the two gradients ${where}`,
    );
  }
  const spectrum =
    `restricted Hessian on ${restricted.dimension} direction(s) beyond ${restricted.symmetryDimensions} ` +
    `symmetry one(s): eigenvalues in [${restricted.smallest.toExponential(3)}, ${restricted.largest.toExponential(3)}]`;
  if (restricted.negative > 0) {
    return proved(
      'saddle',
      `a ridge point of index ${1 + restricted.negative}: L decreases off the kink on both sides (${slopes}) and ` +
        `along it in ${restricted.negative} direction(s) (${spectrum}) ${where}`,
    );
  }
  if (restricted.zero > 0) {
    return undecided(
      `L along the kink has ${restricted.zero} zero eigenvalue(s) beyond the symmetry directions (${spectrum}): ` +
        `higher orders decide`,
    );
  }
  if (evidence.loss <= evidence.higherEnd + evidence.barrierRounding) {
    return undecided(
      `no barrier: the ridge point's loss ${evidence.loss} is not above the higher end's ${evidence.higherEnd}`,
    );
  }
  return proved(
    'saddle',
    `an index 1 saddle on a kink: L has a strict minimum along the kink up to symmetry (${spectrum}) and ` +
      `decreases off it on both sides (${slopes}) ${where}`,
    true,
  );
}

/** The first-layer pairs whose pre-activation changes sign between the points a and b (none without kinks). */
export function crossedFirstLayerKinks(
  architecture: Architecture,
  samples: Samples,
  a: Float64Array,
  b: Float64Array,
): { readonly sample: number; readonly unit: number }[] {
  const layer = parameterLayout(architecture).layers[0];
  if (layer.activation === undefined || !activationRule(layer.activation).hasKink) return [];
  const crossed: { sample: number; unit: number }[] = [];
  for (let n = 0; n < samples.count; n++) {
    for (let unit = 0; unit < layer.outputs; unit++) {
      const ua = firstLayerPreActivation(layer, a, samples, n, unit);
      const ub = firstLayerPreActivation(layer, b, samples, n, unit);
      if (ua > 0 !== ub > 0) crossed.push({ sample: n, unit });
    }
  }
  return crossed;
}

export interface RidgeSearchOptions {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  /** The pair whose kink hyperplane K is minimised on. */
  readonly pair: { readonly sample: number; readonly unit: number };
  /** Two points on either side of K (the band's top and a neighbour): the start is where their segment meets K. */
  readonly top: Float64Array;
  readonly neighbour: Float64Array;
  /** The higher end's loss and the barrier rounding above it. */
  readonly higherEnd: number;
  readonly barrierRounding: number;
  readonly maxIterations?: number;
  readonly gradientTolerance?: number;
}

export interface RidgeSaddle {
  readonly theta: Float64Array;
  /** The unit kink normal n (pointing to the side where the pair is active). */
  readonly normal: Float64Array;
  readonly evidence: RidgeEvidence;
  readonly decision: RidgeDecision;
}

/**
 * Puts the start on K where the segment top → neighbour crosses it, minimises L on K (`minimiseOnKink`), and measures
 * the kink-saddle rule's evidence there; `decideRidgeSaddle` decides.
 */
export function refineRidgeSaddle(options: RidgeSearchOptions): RidgeSaddle {
  const { architecture, loss, pair } = options;
  const samples = samplesAs(options.samples, 'float64');
  const layout = parameterLayout(architecture);
  const size = layout.size;
  const first = layout.layers[0];
  if (first.activation === undefined || !activationRule(first.activation).hasKink) {
    throw new InvalidArgumentError(
      'architecture',
      'a first hidden layer of (leaky-)ReLU units',
      'no kinks there',
    );
  }
  requireParameterVector('top', options.top, size);
  requireParameterVector('neighbour', options.neighbour, size);
  requireInteger('pair.sample', pair.sample, 0, samples.count - 1);
  requireInteger('pair.unit', pair.unit, 0, first.outputs - 1);
  requireFinite('higherEnd', options.higherEnd);
  requireFinite('barrierRounding', options.barrierRounding, 0);
  const a = firstLayerKinkNormal(layout, samples, { layer: 0, ...pair });
  const aa = dot(a, a);
  const normal = a.map((value) => value / Math.sqrt(aa));
  const ut = dot(a, options.top);
  const un = dot(a, options.neighbour);
  const s = ut === un ? 0 : ut / (ut - un);
  const start = new Float64Array(size);
  for (let i = 0; i < size; i++) start[i] = options.top[i] + s * (options.neighbour[i] - options.top[i]);
  const onKink = (theta: Float64Array): Float64Array => {
    const u = dot(a, theta) / aa;
    for (let i = 0; i < size; i++) theta[i] -= u * a[i];
    return theta;
  };
  onKink(start);
  const lossScale = referenceLossScale(samples, loss);
  const gradientTolerance = options.gradientTolerance ?? GRADIENT_TOLERANCE;
  const search = minimiseOnKink(architecture, loss, samples, pair, normal, onKink, start, {
    maxIterations: requireInteger('maxIterations', options.maxIterations ?? 100, 0, 100_000),
    target: gradientTolerance * lossScale,
  });
  const theta = search.theta;
  const { gradient, cache } = lossAndGradient(architecture, loss, theta, samples);
  const g = gradient as Float64Array;
  // The computed gradient is the piece that the rounding sign of u picks (f'(0) = ρ); the other differs by the jump.
  const jump = kinkJump(cache, loss, theta, pair) * Math.sqrt(aa);
  const computedNormal = dot(g, normal);
  const uHere = cache.pre[0][pair.sample * layout.layers[0].outputs + pair.unit];
  const alpha = uHere > 0 ? computedNormal - jump : computedNormal;
  const beta = alpha + jump;
  const all = kinkedPairs(cache, KINK_TOLERANCE);
  const restricted = restrictedSpectrum(architecture, loss, samples, theta, normal);
  const evidence: RidgeEvidence = {
    loss: search.loss,
    lossScale,
    higherEnd: options.higherEnd,
    barrierRounding: options.barrierRounding,
    gradientTolerance,
    kinkedPairs: all.filter((p) => p.layer === 0).length,
    deepKinkedPairs: all.filter((p) => p.layer > 0).length,
    pair,
    blocked: search.blocked,
    converged: search.converged,
    iterations: search.iterations,
    relativeTangentialGradient: norm(tangential(g, normal)) / lossScale,
    slopePlus: beta,
    slopeMinus: -alpha,
    restricted,
  };
  return { theta, normal, evidence, decision: decideRidgeSaddle(evidence) };
}

/**
 * (1 − ρ)·ε·∂L/∂h of one first-layer pair: how much ∂L/∂u jumps when the pair goes from inactive to active, so that
 * g₊ − g₋ = jump·a. Backprop to the first hidden layer's activations, as `lossAndGradient` does it.
 */
function kinkJump(
  cache: ForwardCache,
  loss: LossKind,
  theta: Float64Array,
  pair: { sample: number; unit: number },
): number {
  const { layers } = cache.layout;
  const rows = cache.samples.count;
  let delta = outputDelta(cache, loss);
  for (let l = layers.length - 1; l >= 1; l--) {
    const upstream = new Float64Array(rows * layers[l].inputs);
    backpropInput(delta, rows, theta, layers[l], upstream);
    if (l > 1) throughActivation(cache, l - 1, upstream);
    delta = upstream;
  }
  const width = layers[0].outputs;
  const noise = cache.samples.slopeNoise?.[0];
  const k = pair.sample * width + pair.unit;
  return (1 - slopeOf(layers[0].activation!)) * (noise ? noise[k] : 1) * delta[k];
}

interface KinkSearch {
  readonly theta: Float64Array;
  readonly loss: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly blocked: string | undefined;
}

/**
 * Levenberg–Marquardt on the tangential gradient t = (I − nnᵀ)∇L with the restricted Hessian (I − nnᵀ)H(I − nnᵀ),
 * the same step as `findCriticalPoint` (saddle.ts) within K: every step is projected onto K's tangent space and the
 * point back onto K, so that a·θ = 0 holds to rounding throughout. A trial step that moves any other pair across its
 * kink is refused like one that does not lower ‖t‖; when no step is left, the search stops and says which pair.
 */
function minimiseOnKink(
  architecture: Architecture,
  loss: LossKind,
  samples: Samples,
  pair: { sample: number; unit: number },
  normal: Float64Array,
  onKink: (theta: Float64Array) => Float64Array,
  start: Float64Array,
  options: { readonly maxIterations: number; readonly target: number },
): KinkSearch {
  const size = start.length;
  const evaluate = (theta: Float64Array) => {
    const result = lossAndGradient(architecture, loss, theta, samples);
    const t = tangential(result.gradient as Float64Array, normal);
    return { loss: result.loss, t, norm: norm(t), pattern: activationPattern(result.cache, pair) };
  };
  let theta: Float64Array = Float64Array.from(start);
  let current = evaluate(theta);
  const pattern = current.pattern;
  let damping = 0;
  let iterations = 0;
  let blocked: string | undefined;
  while (current.norm > options.target && iterations < options.maxIterations) {
    const hessian = projectedHessian(denseHessian(architecture, loss, theta, samples), normal);
    const newton = gradientNewton(hessian, current.t, size);
    if (newton === undefined) break;
    let accepted = false;
    let crossing: string | undefined;
    while (damping <= newton.maxDamping) {
      const trial = onKink(add(theta, tangential(newton.step(damping), normal)));
      const next = evaluate(trial);
      const changed = firstDifference(pattern, next.pattern);
      if (changed !== undefined) crossing = changed;
      else if (next.norm < current.norm) {
        theta = trial;
        current = next;
        accepted = true;
        crossing = undefined;
        damping = newton.lower(damping);
        break;
      }
      damping = newton.raise(damping);
    }
    iterations++;
    if (!accepted) {
      if (crossing !== undefined) blocked = `${crossing} reaches its kink`;
      break;
    }
  }
  return { theta, loss: current.loss, iterations, converged: current.norm <= options.target, blocked };
}

interface PatternLayer {
  readonly layer: number;
  readonly width: number;
  /** 1 active, 0 inactive, 2 the held pair (ignored). */
  readonly signs: Uint8Array;
}

/** The side of every kinked activation's pre-activation, the held pair's marked as ignored. */
function activationPattern(cache: ForwardCache, pair: { sample: number; unit: number }): PatternLayer[] {
  const pattern: PatternLayer[] = [];
  cache.layout.layers.forEach((layer, l) => {
    if (layer.activation === undefined || !activationRule(layer.activation).hasKink) return;
    const u = cache.pre[l];
    const signs = new Uint8Array(u.length);
    for (let k = 0; k < u.length; k++) signs[k] = u[k] > 0 ? 1 : 0;
    if (l === 0) signs[pair.sample * layer.outputs + pair.unit] = 2;
    pattern.push({ layer: l, width: layer.outputs, signs });
  });
  return pattern;
}

/** The first pair on a different side in b than in a, described; undefined when none is. */
function firstDifference(a: PatternLayer[], b: PatternLayer[]): string | undefined {
  for (let p = 0; p < a.length; p++) {
    const { layer, width, signs } = a[p];
    for (let k = 0; k < signs.length; k++) {
      if (signs[k] === 2 || signs[k] === b[p].signs[k]) continue;
      return `another pair (layer ${layer}, sample ${Math.floor(k / width)}, unit ${k % width})`;
    }
  }
  return undefined;
}

/**
 * The Hessian restricted to K on the complement of the rescaling directions: an orthonormal basis Q of the
 * complement of span{n, tangents} (the coordinate vectors projected, then Gram–Schmidt), and the eigenvalues of
 * QᵀHQ counted against EIGENVALUE_ZERO_TOLERANCE·max|λ|.
 */
function restrictedSpectrum(
  architecture: Architecture,
  loss: LossKind,
  samples: Samples,
  theta: Float64Array,
  normal: Float64Array,
): RidgeEvidence['restricted'] {
  const size = theta.length;
  const symmetry = rescalingDirections(architecture, theta).map((d) => d.vector);
  const removed = new Subspace([normal, ...symmetry], size);
  const columns: Float64Array[] = [];
  for (let i = 0; i < size; i++) {
    const e = new Float64Array(size);
    e[i] = 1;
    columns.push(removed.complementOf(e));
  }
  // The projected coordinate vectors span the complement; Gram–Schmidt drops the dependent ones (rounding only).
  const basis = new Subspace(columns, size).basis.slice(0, size - removed.rank);
  const m = basis.length;
  const hessian = denseHessian(architecture, loss, theta, samples);
  const hq = basis.map((q) => {
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      let sum = 0;
      for (let j = 0; j < size; j++) sum += hessian[i * size + j] * q[j];
      out[i] = sum;
    }
    return out;
  });
  const reduced = new Float64Array(m * m);
  for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) reduced[r * m + c] = dot(basis[r], hq[c]);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < r; c++) {
      const mean = (reduced[r * m + c] + reduced[c * m + r]) / 2;
      reduced[r * m + c] = mean;
      reduced[c * m + r] = mean;
    }
  }
  const values = m === 0 ? new Float64Array(0) : symmetricEigen(reduced, m).values;
  let largest = 0;
  for (const value of values) largest = Math.max(largest, Math.abs(value));
  const zero = EIGENVALUE_ZERO_TOLERANCE * largest;
  let negative = 0;
  let zeros = 0;
  let positive = 0;
  for (const value of values) {
    if (value < -zero) negative++;
    else if (value > zero) positive++;
    else zeros++;
  }
  return {
    dimension: m,
    symmetryDimensions: removed.rank - 1,
    negative,
    zero: zeros,
    positive,
    smallest: m === 0 ? 0 : Math.min(...values),
    largest: m === 0 ? 0 : Math.max(...values),
  };
}

/** (I − nnᵀ)H(I − nnᵀ) for a unit n, H dense row-major. */
function projectedHessian(hessian: Float64Array, n: Float64Array): Float64Array {
  const size = n.length;
  const hn = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let sum = 0;
    for (let j = 0; j < size; j++) sum += hessian[i * size + j] * n[j];
    hn[i] = sum;
  }
  const nhn = dot(n, hn);
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      out[i * size + j] = hessian[i * size + j] - n[i] * hn[j] - hn[i] * n[j] + n[i] * n[j] * nhn;
    }
  }
  return out;
}

function tangential(v: Float64Array, n: Float64Array): Float64Array {
  const along = dot(v, n);
  return v.map((value, i) => value - along * n[i]);
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((value, i) => value + b[i]);
}
