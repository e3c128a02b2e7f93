import { requireInteger } from '../core/errors.js';
import { dot, leastSquares, norm } from '../core/linalg/index.js';
import { INTERIOR_COSINE_TOLERANCE, WITNESS_MARGIN_TOLERANCE } from '../core/tolerances.js';
import { accumulateLayerGradient, backpropInput } from '../model/kernels.js';
import type { Architecture } from '../model/architecture.js';
import type { ForwardCache } from '../model/forward.js';
import { lossFromCache, lossValue, outputDelta, throughActivation } from '../model/gradient.js';
import { type LossKind, lossScale } from '../model/loss.js';
import { backpropSample } from '../model/jacobian.js';
import type { Samples } from '../model/samples.js';
import { projectOntoCone } from './cone.js';
import { type KinkPair, kinkedPairs } from './kink-set.js';

/**
 * A sound descent test for kinks in any layer (the half of issue 12 that can prove "not a minimum").
 *
 * Let the kinked pairs be j = 1..k (any hidden layer, |u_j(θ₀)| ≤ kinkTolerance, treated as u_j(θ₀) = 0). A side
 * pattern σ ∈ {+, −}^k fixes each kinked unit's slope (s_j = +1: slope 1, s_j = −1: slope ρ) and defines the
 * smooth loss L_σ of the network with those slopes frozen. On R_σ = {θ : s_j·u_j(θ) ≥ 0 ∀j} near θ₀, L = L_σ, and
 * u_j = u_j^σ (the pre-activation computed with σ's slopes at kinked pairs of earlier layers); both agree with L and
 * u_j at θ₀ because f(0) = 0 on either side.
 *
 * With g_σ = ∇L_σ(θ₀) and b_j = s_j·∇u_j^σ(θ₀): if some d has b_jᵀd > 0 for every j and g_σᵀd < 0, then along
 * θ₀ + t·d every kinked unit sits strictly on its σ side for small t > 0 (earlier layers first, by induction over
 * the layers), every other unit keeps its strict side, so L(θ₀ + t·d) = L_σ(θ₀ + t·d) = L(θ₀) + t·g_σᵀd + O(t²):
 * θ₀ is not a local minimum. Such a d is found from the cone projection of g_σ onto cone{b_j} (`projectOntoCone`):
 * the residual r satisfies rᵀb_j ≤ 0 and rᵀg_σ = ‖r‖² (Moreau), so d = −r descends in the closed linearised cone,
 * and d' = d + ε·z with b_jᵀz > 0 ∀j (z = B⁺·1, the minimum-norm solution of b_jᵀz = 1) makes it strict for an ε
 * small enough to keep g_σᵀd' < 0. The witness is then checked numerically: L(θ₀ + t·d') < L(θ₀) with a secant
 * slope that matches g_σᵀd' within a factor 2. Only when both agree is descent reported.
 *
 * When every pattern has g_σ ∈ cone{b_j} (residual within the tolerance), every piece passes the first-order test;
 * this does not prove a minimum (the kinks beyond the first layer are curved and second-order terms of L_σ are
 * not examined), so the caller stays undecided and says which pairs block the decision.
 *
 * Cost per pattern: one backprop on each kinked sample and one per kinked pair (O(P) each, one sample) and a cone
 * projection with k generators in ℝ^P; 2^k patterns (limit `maxPairs`, default 12).
 */
export interface DeepKinkOptions {
  /** Absolute tolerance on ‖∂L/∂θ‖-sized quantities (the cone residual ‖r‖). */
  readonly gradientTolerance: number;
  /** |u| at or below this counts as a kink (absolute). */
  readonly kinkTolerance: number;
  /** Most kinked pairs whose 2^k side patterns are enumerated (default 12, i.e. 4096 patterns). */
  readonly maxPairs?: number;
  /** Most failing patterns whose witness is built and checked, steepest first (default 8). */
  readonly maxWitnessAttempts?: number;
}

export interface SidedKinkPair extends KinkPair {
  /** +1: the unit is treated as active (slope 1); −1: inactive (slope ρ). */
  readonly side: 1 | -1;
}

export interface DeepKinkWitness {
  /** The piece: a side for every kinked pair. */
  readonly pattern: readonly SidedKinkPair[];
  /** A unit direction strictly inside the piece along which L decreases. */
  readonly direction: Float64Array;
  /** The one-sided directional derivative L'(θ₀; direction) = g_σᵀdirection < 0. */
  readonly slope: number;
  /** ‖r‖, the distance of g_σ from the cone of the piece's kink normals (> tolerance). */
  readonly coneResidual: number;
  /** min_j s_j·a_jᵀdirection/‖a_j‖ > 0: how strictly the direction enters the piece. */
  readonly margin: number;
  /** Whether the kink normals a_j are linearly independent (then z = B⁺·1 satisfies every b_jᵀz = 1). */
  readonly independentNormals: boolean;
  /** The numerical check: the step t, L(θ₀) − L(θ₀ + t·direction) > 0, and the secant slope. */
  readonly step: number;
  readonly lossDecrease: number;
  readonly secantSlope: number;
}

export interface DeepKinkAnalysis {
  /**
   * `descent`: a verified witness (θ₀ is not a local minimum); `first-order`: every piece passes the first-order
   * test (undecided); `unresolved`: some piece fails it but no witness could be verified; `too-many-pairs`: not run.
   */
  readonly outcome: 'descent' | 'first-order' | 'unresolved' | 'too-many-pairs';
  /** The kinked pairs (at most 100 listed; `kinkedPairs` has the count). */
  readonly pairs: readonly KinkPair[];
  readonly kinkedPairs: number;
  /** Side patterns whose cone test ran (2^kinkedPairs, 0 when there are too many). */
  readonly patterns: number;
  /** Patterns whose cone residual exceeds the tolerance. */
  readonly failingPatterns: number;
  /** Largest cone residual over the patterns. */
  readonly worstResidual: number;
  readonly witness: DeepKinkWitness | undefined;
  /** Why no witness was verified (`unresolved`), or why the test did not run (`too-many-pairs`). */
  readonly reason: string | undefined;
  readonly gradientTolerance: number;
}

/** The side each kinked pair of one sample takes, by (layer, unit). */
type SideOf = (layer: number, unit: number) => 1 | -1 | undefined;

/** ∇L over the samples with no kinked pair (identical on every piece). */
function smoothPartGradient(
  cache: ForwardCache,
  loss: LossKind,
  theta: Float64Array,
  kinkedSamples: ReadonlySet<number>,
): Float64Array {
  const { layers } = cache.layout;
  const rows = cache.samples.count;
  const outputs = layers[layers.length - 1].outputs;
  const gradient = new Float64Array(theta.length);
  let delta = Float64Array.from(outputDelta(cache, loss));
  for (const n of kinkedSamples) delta.fill(0, n * outputs, (n + 1) * outputs);
  for (let l = layers.length - 1; l >= 0; l--) {
    const input = l === 0 ? cache.samples.x : cache.post[l - 1];
    accumulateLayerGradient(delta, input, rows, layers[l], gradient);
    if (l === 0) break;
    const upstream = new Float64Array(rows * layers[l].inputs);
    backpropInput(delta, rows, theta, layers[l], upstream);
    throughActivation(cache, l - 1, upstream);
    delta = upstream;
  }
  return gradient;
}

function sidesOfSample(pattern: readonly SidedKinkPair[], sample: number): SideOf {
  const own = pattern.filter((p) => p.sample === sample);
  return (layer, unit) => own.find((p) => p.layer === layer && p.unit === unit)?.side;
}

/**
 * g_σ = ∇L_σ(θ₀): the loss gradient with the derivative at every kinked pair set by its side in `pattern`.
 * `smooth` is the part from samples without kinked pairs (computed once when omitted).
 */
export function pieceGradient(
  cache: ForwardCache,
  loss: LossKind,
  theta: Float64Array,
  pattern: readonly SidedKinkPair[],
  smooth?: Float64Array,
): Float64Array {
  const kinkedSamples = new Set(pattern.map((p) => p.sample));
  const gradient = Float64Array.from(smooth ?? smoothPartGradient(cache, loss, theta, kinkedSamples));
  const { samples } = cache;
  const outputs = samples.outputDim;
  const factor = 2 * lossScale(loss, samples.count);
  for (const n of kinkedSamples) {
    const seed = new Float64Array(outputs);
    for (let o = 0; o < outputs; o++)
      seed[o] = factor * (cache.output[n * outputs + o] - samples.y[n * outputs + o]);
    backpropSample(
      cache,
      theta,
      n,
      cache.layout.layers.length - 1,
      seed,
      gradient,
      sidesOfSample(pattern, n),
    );
  }
  return gradient;
}

/** a = ∇_θ u(θ₀) for one hidden pre-activation, with σ's slopes at the kinked pairs of earlier layers. */
export function preActivationGradient(
  cache: ForwardCache,
  theta: Float64Array,
  pair: KinkPair,
  pattern: readonly SidedKinkPair[],
): Float64Array {
  const gradient = new Float64Array(theta.length);
  const seed = new Float64Array(cache.layout.layers[pair.layer].outputs);
  seed[pair.unit] = 1;
  backpropSample(cache, theta, pair.sample, pair.layer, seed, gradient, sidesOfSample(pattern, pair.sample));
  return gradient;
}

function patternOf(pairs: readonly KinkPair[], bits: number): SidedKinkPair[] {
  return pairs.map((pair, j) => ({ ...pair, side: (bits >> j) & 1 ? 1 : -1 }));
}

/** Lists pairs as "(layer, sample, unit)" triples, at most `limit`, with the count of the rest. */
export function describeKinkPairs(pairs: readonly KinkPair[], total = pairs.length, limit = 10): string {
  const listed = pairs
    .slice(0, limit)
    .map((p) => `(${p.layer}, ${p.sample}, ${p.unit})`)
    .join(', ');
  return total > limit ? `${listed} and ${total - limit} more` : listed;
}

interface WitnessAttempt {
  readonly witness?: DeepKinkWitness;
  readonly failure?: string;
}

function buildWitness(
  architecture: Architecture,
  loss: LossKind,
  theta: Float64Array,
  samples: Samples,
  cache: ForwardCache,
  pairs: readonly KinkPair[],
  bits: number,
  smooth: Float64Array,
): WitnessAttempt {
  const pattern = patternOf(pairs, bits);
  const size = theta.length;
  const g = pieceGradient(cache, loss, theta, pattern, smooth);
  const normals = pairs.map((pair) => preActivationGradient(cache, theta, pair, pattern));
  const generators = normals.map((a, j) => a.map((value) => pattern[j].side * value));
  const projection = projectOntoCone(generators, g);
  const d = projection.residual.map((value) => -value);
  // z = B⁺·1: b_jᵀz = 1 for every j when the normals are independent; otherwise check what it achieves.
  const b = new Float64Array(pairs.length * size);
  generators.forEach((row, j) => b.set(row, j * size));
  const fit = leastSquares(b, pairs.length, size, new Float64Array(pairs.length).fill(1));
  const z = fit.x;
  const zNorm = norm(z);
  const interior = generators.map((row) => dot(row, z) / (norm(row) * zNorm));
  if (!(zNorm > 0) || interior.some((value) => !(value > INTERIOR_COSINE_TOLERANCE))) {
    return {
      failure:
        `the kink normals of piece [${describeSides(pattern)}] are linearly dependent (rank ${fit.rank} of ` +
        `${pairs.length}) and admit no direction strictly inside the piece`,
    };
  }
  const gd = dot(g, d);
  const gz = dot(g, z);
  let epsilon = norm(d) / zNorm;
  if (gz > 0) epsilon = Math.min(epsilon, (0.5 * Math.abs(gd)) / gz);
  const strict = d.map((value, p) => value + epsilon * z[p]);
  const length = norm(strict);
  const direction = strict.map((value) => value / length);
  const slope = dot(g, direction);
  const margin = Math.min(...generators.map((row) => dot(row, direction) / norm(row)));
  if (!(slope < 0) || !(margin > WITNESS_MARGIN_TOLERANCE)) {
    return {
      failure:
        `piece [${describeSides(pattern)}] fails the cone test (residual ${projection.residualNorm.toExponential(2)}) ` +
        `but the strict direction has slope ${slope.toExponential(2)} and margin ${margin.toExponential(2)}`,
    };
  }
  const check = checkNumerically(
    architecture,
    loss,
    theta,
    samples,
    lossFromCache(cache, loss),
    direction,
    slope,
  );
  if (check === undefined) {
    return {
      failure:
        `piece [${describeSides(pattern)}] fails the cone test (slope ${slope.toExponential(2)}) but no step ` +
        'along its witness lowered the loss at the predicted rate',
    };
  }
  return {
    witness: {
      pattern,
      direction,
      slope,
      coneResidual: projection.residualNorm,
      margin,
      independentNormals: fit.rank === pairs.length,
      ...check,
    },
  };
}

/** A piece as "(layer, sample, unit)±" entries, at most `limit`, with the count of the rest. */
export function describeSides(pattern: readonly SidedKinkPair[], limit = 10): string {
  const shown = pattern
    .slice(0, limit)
    .map((p) => `(${p.layer}, ${p.sample}, ${p.unit})${p.side > 0 ? '+' : '−'}`);
  return pattern.length > limit ? `${shown.join(' ')} and ${pattern.length - limit} more` : shown.join(' ');
}

/**
 * Steps t = t₀, t₀/4, … (t₀ = 1e-2·max(1, ‖θ₀‖), down to ~1e-12 of it) until L(θ₀ + t·d) < L(θ₀) with a secant
 * slope within a factor 2 of the predicted one; the first such step is returned.
 */
function checkNumerically(
  architecture: Architecture,
  loss: LossKind,
  theta: Float64Array,
  samples: Samples,
  base: number,
  direction: Float64Array,
  slope: number,
): { step: number; lossDecrease: number; secantSlope: number } | undefined {
  const start = 1e-2 * Math.max(1, norm(theta));
  for (let step = start, tries = 0; tries < 20; step /= 4, tries++) {
    const moved = theta.map((value, p) => value + step * direction[p]);
    const change = lossValue(architecture, loss, moved, samples) - base;
    const secantSlope = change / step;
    if (change < 0 && Math.abs(secantSlope - slope) <= 0.5 * Math.abs(slope)) {
      return { step, lossDecrease: -change, secantSlope };
    }
  }
  return undefined;
}

/**
 * The descent test on the 2^k pieces around every kinked pair of any layer (see the comment at the top). Returns
 * undefined when there are no kinked pairs.
 */
export function analyseDeepKinks(
  architecture: Architecture,
  loss: LossKind,
  theta: Float64Array,
  samples: Samples,
  cache: ForwardCache,
  options: DeepKinkOptions,
): DeepKinkAnalysis | undefined {
  const maxPairs = requireInteger('maxPairs', options.maxPairs ?? 12, 0);
  const attempts = requireInteger('maxWitnessAttempts', options.maxWitnessAttempts ?? 8, 1);
  const pairs = kinkedPairs(cache, options.kinkTolerance);
  if (pairs.length === 0) return undefined;
  const tolerance = options.gradientTolerance;
  const common = {
    pairs: pairs.slice(0, 100),
    kinkedPairs: pairs.length,
    gradientTolerance: tolerance,
  };
  if (pairs.length > maxPairs) {
    return {
      ...common,
      outcome: 'too-many-pairs',
      patterns: 0,
      failingPatterns: 0,
      worstResidual: NaN,
      witness: undefined,
      reason: `${pairs.length} kinked pairs give 2^${pairs.length} pieces, more than the limit of ${maxPairs} pairs`,
    };
  }
  const smooth = smoothPartGradient(cache, loss, theta, new Set(pairs.map((p) => p.sample)));
  const patterns = 2 ** pairs.length;
  const failing: { bits: number; residual: number }[] = [];
  let worst = 0;
  for (let bits = 0; bits < patterns; bits++) {
    const pattern = patternOf(pairs, bits);
    const g = pieceGradient(cache, loss, theta, pattern, smooth);
    const generators = pairs.map((pair, j) => {
      const a = preActivationGradient(cache, theta, pair, pattern);
      return a.map((value) => pattern[j].side * value);
    });
    const residual = projectOntoCone(generators, g).residualNorm;
    worst = Math.max(worst, residual);
    if (residual > tolerance) failing.push({ bits, residual });
  }
  failing.sort((x, y) => y.residual - x.residual);
  let witness: DeepKinkWitness | undefined;
  let reason: string | undefined;
  for (const { bits } of failing.slice(0, attempts)) {
    const attempt = buildWitness(architecture, loss, theta, samples, cache, pairs, bits, smooth);
    if (attempt.witness !== undefined) {
      witness = attempt.witness;
      break;
    }
    reason ??= attempt.failure;
  }
  if (witness === undefined && failing.length > attempts) {
    reason = `${reason ?? ''}; ${failing.length - attempts} more failing piece(s) not tried`;
  }
  return {
    ...common,
    outcome: witness !== undefined ? 'descent' : failing.length > 0 ? 'unresolved' : 'first-order',
    patterns,
    failingPatterns: failing.length,
    worstResidual: worst,
    witness,
    reason: witness === undefined ? reason : undefined,
  };
}
