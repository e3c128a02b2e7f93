import { LOSS_ROUNDING } from '../core/tolerances.js';
import { type DeepKinkAnalysis, describeKinkPairs, describeSides } from './deep-kinks.js';
import type { KinkPieceAnalysis } from './kink-pieces.js';
import type { HessianSpectrum } from './spectrum.js';

/**
 * What a certificate concludes about a point.
 * - `global`: a global minimum: zero loss (the loss is ≥ 0), or a loss equal to a known optimum.
 * - `local-min`: a local minimum (not necessarily strict: flat directions are allowed when a rule proves it).
 * - `saddle`: a critical point with a direction of negative curvature (the Morse index is reported).
 * - `degenerate`: a smooth critical point whose Hessian, after removing the symmetry directions, is positive
 *   semi-definite with zero eigenvalues, and no exact rule decides it: higher-order terms would.
 * - `non-differentiable`: the point sits on a kink and no exact rule applies (probes are the only evidence).
 * - `not-critical`: the gradient (or, at a kink, a one-sided directional derivative) shows first-order descent.
 */
export type Verdict =
  'global' | 'local-min' | 'saddle' | 'degenerate' | 'non-differentiable' | 'not-critical';

export const VERDICTS: readonly Verdict[] = [
  'global',
  'local-min',
  'saddle',
  'degenerate',
  'non-differentiable',
  'not-critical',
];

/**
 * Which argument decided the verdict.
 * - `zero-loss`, `known-optimum`: the loss value alone.
 * - `gradient`: ‖∇L‖ above tolerance at a smooth point, or the gradient along the held kinks.
 * - `constant-output`: a ReLU layer dead on every sample makes the output locally constant; L equals the best
 *   constant's loss c·Σ‖yₙ − ȳ‖², so nothing nearby is lower (Swirszcz et al.'s Corollary 1).
 * - `convex-pieces`: the exact one-hidden-layer test of kink-pieces.ts (local-min, or a first-order descent witness).
 * - `second-order`: the dense Hessian restricted to the complement of the symmetry directions.
 * - `lanczos`: the extreme Ritz values of the Hessian (a negative one proves a saddle; their absence is strong
 *   evidence of a minimum, not a proof).
 * - `kink-descent`: the descent test of deep-kinks.ts: on one side pattern of the kinked pairs (any layer), a
 *   direction strictly inside that piece along which the piece's smooth loss decreases, confirmed numerically.
 * - `kink-undecided`: a kink the exact rules do not cover.
 */
export type VerdictRule =
  | 'zero-loss'
  | 'known-optimum'
  | 'gradient'
  | 'constant-output'
  | 'convex-pieces'
  | 'second-order'
  | 'lanczos'
  | 'kink-descent'
  | 'kink-undecided';

/** `proved`: follows from a stated theorem and computed quantities within stated tolerances; `estimated`: from an
 * iterative estimate that could miss part of the spectrum; `undecided`: no rule applies. */
export type VerdictStrength = 'proved' | 'estimated' | 'undecided';

export interface VerdictEvidence {
  readonly loss: number;
  readonly lossScale: number;
  readonly zeroLossTolerance: number;
  readonly knownOptimum: number | undefined;
  readonly optimumTolerance: number;
  /** ‖∇L‖ / lossScale (kink convention). */
  readonly relativeGradient: number;
  /** The same with the first-layer kink normals removed (equal to relativeGradient without kinks). */
  readonly relativeTangentialGradient: number;
  readonly gradientTolerance: number;
  readonly kinkedPairs: number;
  /** Kinked pairs outside the first hidden layer (their kink sets are curved). */
  readonly deepKinkedPairs: number;
  readonly pieces: KinkPieceAnalysis;
  /** The descent test on the pieces of every kinked pair, run where the exact one-hidden-layer test does not apply. */
  readonly deepKinks?: DeepKinkAnalysis;
  /** A ReLU layer dead on all samples, with the best constant output's loss, when there is one. */
  readonly constantOutput: { readonly layer: number; readonly bestConstantLoss: number } | undefined;
  readonly spectrum: HessianSpectrum | undefined;
}

export interface VerdictResult {
  readonly verdict: Verdict;
  readonly rule: VerdictRule;
  readonly strength: VerdictStrength;
  /** A sentence or two: what was proved (or estimated) and from what. */
  readonly explanation: string;
  /** Negative eigenvalues on the symmetry complement (dense), or a lower bound (Lanczos); for saddles. */
  readonly morseIndex: number | undefined;
}

const e = (value: number): string => value.toExponential(2);

/** Applies the rules in a fixed order; each returns only when it decides. */
export function decideVerdict(evidence: VerdictEvidence): VerdictResult {
  const { loss, lossScale } = evidence;
  if (loss <= evidence.zeroLossTolerance * lossScale) {
    return result(
      'global',
      'zero-loss',
      'proved',
      `L = ${e(loss)} ≤ ${e(evidence.zeroLossTolerance)}·lossScale: the loss is non-negative, so this is a global ` +
        'minimum (at zero loss an over-parameterised net has a manifold of minima: the Hessian is positive ' +
        'semi-definite with many zero eigenvalues, and that is not degeneracy)',
    );
  }
  if (
    evidence.knownOptimum !== undefined &&
    Math.abs(loss - evidence.knownOptimum) <= evidence.optimumTolerance * lossScale
  ) {
    return result(
      'global',
      'known-optimum',
      'proved',
      `L = ${loss} equals the known global optimum ${evidence.knownOptimum} within ${e(evidence.optimumTolerance)}·lossScale`,
    );
  }
  const { pieces } = evidence;
  if (pieces.applicable && pieces.outputGradient > pieces.gradientTolerance) {
    return result(
      'not-critical',
      'gradient',
      'proved',
      `the gradient of the output-layer weights, which no kink affects, is ${e(pieces.outputGradient)} > ${e(pieces.gradientTolerance)}`,
    );
  }
  if (evidence.kinkedPairs === 0 && evidence.relativeGradient > evidence.gradientTolerance) {
    return result(
      'not-critical',
      'gradient',
      'proved',
      `‖∇L‖/lossScale = ${e(evidence.relativeGradient)} > ${e(evidence.gradientTolerance)} at a differentiable point`,
    );
  }
  if (
    evidence.kinkedPairs > 0 &&
    evidence.deepKinkedPairs === 0 &&
    evidence.relativeTangentialGradient > evidence.gradientTolerance
  ) {
    return result(
      'not-critical',
      'gradient',
      'proved',
      `along the kinks (every kinked pre-activation held at 0) the loss is smooth and its gradient is ` +
        `${e(evidence.relativeTangentialGradient)}·lossScale > tolerance: first-order descent`,
    );
  }
  if (evidence.constantOutput !== undefined) {
    const { layer, bestConstantLoss } = evidence.constantOutput;
    if (Math.abs(loss - bestConstantLoss) <= evidence.gradientTolerance * lossScale + LOSS_ROUNDING * loss) {
      return result(
        'local-min',
        'constant-output',
        'proved',
        `hidden layer ${layer} is ReLU and strictly inactive on every sample, so the output is the same constant ` +
          `on all samples for every nearby θ; L equals the best constant's loss c·Σ(y − ȳ)² = ${bestConstantLoss}, ` +
          'so no nearby point is lower',
      );
    }
  }
  if (pieces.applicable) {
    if (pieces.outcome === 'local-min') {
      const where =
        pieces.kinkedPairs === 0
          ? 'at this differentiable point'
          : `on each of the ${pieces.pieces} pieces around the ${pieces.kinkedPairs} kinked pre-activation(s)`;
      return result(
        'local-min',
        'convex-pieces',
        'proved',
        `one hidden layer, scalar output, all outgoing weights ≠ 0: the loss is a convex quadratic of the folded ` +
          `weights on each activation piece, and ${where} the first-order condition holds within ` +
          `${e(pieces.gradientTolerance)}, which makes the point a local minimum`,
      );
    }
    if (pieces.outcome === 'descent' && pieces.witness !== undefined) {
      const w = pieces.witness;
      const side = w.pattern.map((p) => `${p.sample}${p.side > 0 ? '+' : '−'}`).join(' ');
      return result(
        'not-critical',
        'convex-pieces',
        'proved',
        `on the piece where unit ${w.unit}'s kinked samples sit on sides [${side}], the one-sided directional ` +
          `derivative along the returned direction is ${e(w.slope)} < 0: the point is not a minimum`,
      );
    }
  }
  const deep = evidence.deepKinks;
  if (evidence.kinkedPairs > 0 && deep?.outcome === 'descent' && deep.witness !== undefined) {
    const w = deep.witness;
    return result(
      'not-critical',
      'kink-descent',
      'proved',
      `on the piece where the kinked pairs (layer, sample, unit) sit on sides [${describeSides(w.pattern)}], the ` +
        `piece gradient lies ${e(w.coneResidual)} > ${e(deep.gradientTolerance)} outside the cone of its kink ` +
        `normals, so a direction strictly inside the piece has one-sided slope ${e(w.slope)} < 0 (a step of ` +
        `${e(w.step)} lowers L by ${e(w.lossDecrease)}): the point is not a minimum`,
    );
  }
  if (evidence.kinkedPairs > 0) {
    let why = pieces.applicable
      ? `the ${pieces.kinkedPairs} kinked pairs give too many pieces to enumerate`
      : `the exact kink test does not apply: ${pieces.reason}`;
    if (!pieces.applicable && deep !== undefined) why += `; ${describeDeepKinks(deep)}`;
    return result(
      'non-differentiable',
      'kink-undecided',
      'undecided',
      `${evidence.kinkedPairs} pre-activation(s) are on a kink and ${why}; only the directional probes speak to it`,
    );
  }
  const { spectrum } = evidence;
  if (spectrum === undefined) {
    return result(
      'degenerate',
      'second-order',
      'undecided',
      'a differentiable critical point; the Hessian spectrum was not computed, so its type is not decided',
    );
  }
  if (spectrum.method === 'dense') {
    const counts = spectrum.complementCounts;
    if (counts.negative > 0) {
      return result(
        'saddle',
        'second-order',
        'proved',
        `the Hessian has ${counts.negative} eigenvalue(s) below −${e(spectrum.zeroThreshold)} (most negative ` +
          `${e(spectrum.complementEigenvalues[0])}) off the symmetry directions: a descent direction of second order`,
        counts.negative,
      );
    }
    if (counts.zero > 0) {
      return result(
        'degenerate',
        'second-order',
        'undecided',
        `the Hessian off the ${spectrum.symmetry.rank} symmetry directions is positive semi-definite with ` +
          `${counts.zero} eigenvalue(s) within ±${e(spectrum.zeroThreshold)}: flat directions beyond the symmetries`,
      );
    }
    return result(
      'local-min',
      'second-order',
      'proved',
      `the Hessian off the ${spectrum.symmetry.rank} symmetry directions is positive definite (smallest ` +
        `${e(spectrum.complementEigenvalues[0])} > ${e(spectrum.zeroThreshold)}): a strict local minimum up to the symmetries`,
    );
  }
  const negatives = Array.from(spectrum.smallest).filter((v) => v < -spectrum.zeroThreshold).length;
  if (negatives > 0) {
    return result(
      'saddle',
      'lanczos',
      'proved',
      `Lanczos found ${negatives} Ritz value(s) of the Hessian below −${e(spectrum.zeroThreshold)} (Ritz values ` +
        `bound the smallest eigenvalues from above): at least ${negatives} negative direction(s)`,
      negatives,
    );
  }
  return result(
    'local-min',
    'lanczos',
    'estimated',
    `the smallest Ritz values of the Hessian are ≥ −${e(spectrum.zeroThreshold)}` +
      `${spectrum.converged ? '' : ' (Lanczos did not fully converge)'}; Lanczos reliably finds extreme eigenvalues ` +
      'but does not prove their absence',
  );
}

function describeDeepKinks(deep: DeepKinkAnalysis): string {
  const blocking = `(layer, sample, unit) = ${describeKinkPairs(deep.pairs, deep.kinkedPairs)}`;
  switch (deep.outcome) {
    case 'first-order':
      return (
        `every one of the ${deep.patterns} pieces around the kinked pairs ${blocking} passes the first-order test ` +
        `(its gradient lies in the cone of its kink normals within ${e(deep.gradientTolerance)}); second-order ` +
        'conditions on the curved kinks are not checked'
      );
    case 'unresolved':
      return `${deep.failingPatterns} of the ${deep.patterns} pieces around ${blocking} fail the first-order test, but no descent witness was verified: ${deep.reason ?? ''}`;
    case 'too-many-pairs':
      return `the descent test did not run on ${blocking}: ${deep.reason ?? ''}`;
    case 'descent':
      return `a descent witness was found around ${blocking}`;
  }
}

function result(
  verdict: Verdict,
  rule: VerdictRule,
  strength: VerdictStrength,
  explanation: string,
  morseIndex?: number,
): VerdictResult {
  return { verdict, rule, strength, explanation, morseIndex };
}
