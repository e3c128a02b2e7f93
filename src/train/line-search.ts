import { allocate, dtypeOf, type FloatArray } from '../core/dtype.js';
import type { Evaluation, Objective } from './objective.js';
import { addScaled, allFinite, dot } from './vector.js';

export interface LineSearchOptions {
  /** Sufficient-decrease (Armijo) constant c1 in φ(α) ≤ φ(0) + c1·α·φ'(0). */
  readonly c1: number;
  /** Curvature constant c2 in |φ'(α)| ≤ c2·|φ'(0)| (strong Wolfe). */
  readonly c2: number;
  readonly maxEvaluations: number;
}

export interface LineSearchResult {
  /** The accepted point θ + α·d and its evaluation; undefined when no step decreased the loss. */
  readonly step:
    { readonly alpha: number; readonly theta: FloatArray; readonly evaluation: Evaluation } | undefined;
  /** Which conditions the accepted step satisfies (see `strongWolfeLineSearch`). */
  readonly conditions: 'strong-wolfe' | 'approximate-wolfe' | 'sufficient-decrease' | undefined;
  readonly evaluations: number;
}

interface Trial {
  readonly alpha: number;
  readonly value: number;
  readonly slope: number;
  readonly theta: FloatArray;
  readonly evaluation: Evaluation;
}

/**
 * Line search along a descent direction d from θ for the strong Wolfe conditions: Nocedal & Wright, *Numerical
 * Optimization* (2nd ed.), Algorithm 3.5 (bracketing, expanding the step by cubic extrapolation up to ×10) and
 * Algorithm 3.6 (zoom, cubic interpolation safeguarded by bisection). φ(α) = L(θ + α·d) is evaluated in θ's
 * precision, so a float32 trial point is rounded like the network that will use it.
 *
 * Near a minimum the loss changes by less than its rounding error (at a non-zero minimum, once ‖∇L‖ ≲ √ε), so
 * sufficient decrease cannot be verified from values. Then a step is also accepted under Hager & Zhang's (2005)
 * approximate Wolfe conditions, which use slopes: φ(α) ≤ φ(0) + 16ε|φ(0)| (rounding-level slack only) and
 * c2·φ'(0) ≤ φ'(α) ≤ (2c1 − 1)·φ'(0). This lets L-BFGS keep reducing ‖∇L‖ below √ε.
 *
 * When the evaluation budget runs out, the best point that satisfies sufficient decrease is returned
 * (`conditions: 'sufficient-decrease'`); when none does, `step` is undefined and the caller decides what to do
 * (L-BFGS retries along −∇L, then stops).
 */
export function strongWolfeLineSearch(
  objective: Objective,
  theta: FloatArray,
  start: Evaluation,
  direction: Float64Array,
  initialStep: number,
  options: LineSearchOptions,
): LineSearchResult {
  const value0 = start.loss;
  const slope0 = dot(start.gradient, direction);
  let evaluations = 0;
  const evaluate = (alpha: number): Trial | undefined => {
    const point = allocate(dtypeOf(theta), theta.length);
    addScaled(point, theta, alpha, direction);
    const evaluation = objective.evaluate(point);
    evaluations++;
    if (!Number.isFinite(evaluation.loss) || !allFinite(evaluation.gradient)) return undefined;
    return {
      alpha,
      value: evaluation.loss,
      slope: dot(evaluation.gradient, direction),
      theta: point,
      evaluation,
    };
  };
  const armijo = (trial: Trial): boolean => trial.value <= value0 + options.c1 * trial.alpha * slope0;
  const curvature = (trial: Trial): boolean => Math.abs(trial.slope) <= -options.c2 * slope0;
  const roundingSlack = 16 * Number.EPSILON * Math.abs(value0);
  const approximateWolfe = (trial: Trial): boolean =>
    trial.value <= value0 + roundingSlack &&
    trial.slope >= options.c2 * slope0 &&
    trial.slope <= (2 * options.c1 - 1) * slope0;
  const finish = (trial: Trial, conditions: LineSearchResult['conditions']): LineSearchResult => ({
    step: { alpha: trial.alpha, theta: trial.theta, evaluation: trial.evaluation },
    conditions,
    evaluations,
  });
  const accept = (trial: Trial): LineSearchResult | undefined => {
    if (armijo(trial) && curvature(trial)) return finish(trial, 'strong-wolfe');
    if (approximateWolfe(trial)) return finish(trial, 'approximate-wolfe');
    return undefined;
  };
  const giveUp = (best: Trial): LineSearchResult =>
    best !== origin && best.value < value0
      ? finish(best, 'sufficient-decrease')
      : { step: undefined, conditions: undefined, evaluations };
  const origin: Trial = { alpha: 0, value: value0, slope: slope0, theta, evaluation: start };

  // Bracketing phase (Algorithm 3.5).
  let previous = origin;
  let alpha = initialStep;
  for (;;) {
    if (evaluations >= options.maxEvaluations) return giveUp(previous);
    const trial = evaluate(alpha);
    if (trial === undefined) {
      // A non-finite loss means the step overshot into overflow: treat it as "too long" and shrink.
      alpha = previous.alpha + 0.1 * (alpha - previous.alpha);
      continue;
    }
    const accepted = accept(trial);
    if (accepted) return accepted;
    if (!armijo(trial) || (previous !== origin && trial.value >= previous.value)) {
      return zoom(previous, trial);
    }
    if (trial.slope >= 0) return zoom(trial, previous);
    const next = cubicMinimiser(
      previous,
      trial,
      trial.alpha + 0.01 * (trial.alpha - previous.alpha),
      10 * trial.alpha,
    );
    previous = trial;
    alpha = next;
  }

  // Zoom phase (Algorithm 3.6): `low` satisfies sufficient decrease and has the lowest value so far; the interval
  // between `low` and `high` contains a strong-Wolfe point.
  function zoom(low: Trial, high: Trial): LineSearchResult {
    for (;;) {
      if (evaluations >= options.maxEvaluations) return giveUp(low);
      const left = Math.min(low.alpha, high.alpha);
      const right = Math.max(low.alpha, high.alpha);
      const width = right - left;
      if (width <= 1e-16 * Math.max(1, right)) return giveUp(low);
      let alphaJ = cubicMinimiser(low, high, left, right);
      // Safeguard: a cubic step that hugs an end of the interval makes too little progress; bisect instead.
      if (alphaJ < left + 0.1 * width || alphaJ > right - 0.1 * width) alphaJ = left + 0.5 * width;
      const trial = evaluate(alphaJ);
      const accepted = trial && accept(trial);
      if (accepted) return accepted;
      if (trial === undefined || !armijo(trial) || trial.value >= low.value) {
        high = trial ?? { ...high, alpha: alphaJ, value: Infinity };
        continue;
      }
      if (trial.slope * (high.alpha - low.alpha) >= 0) high = low;
      low = trial;
    }
  }
}

/**
 * The minimiser of the cubic that interpolates φ and φ' at two points, clamped to [lower, upper]; the midpoint of
 * the bounds when the cubic has no minimiser (or a value is infinite).
 */
function cubicMinimiser(a: Trial, b: Trial, lower: number, upper: number): number {
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.alpha - b.alpha);
  const discriminant = d1 * d1 - a.slope * b.slope;
  if (!(discriminant >= 0) || !Number.isFinite(d1)) return 0.5 * (lower + upper);
  const d2 = Math.sqrt(discriminant);
  const [x1, g1, x2, g2] =
    a.alpha <= b.alpha ? [a.alpha, a.slope, b.alpha, b.slope] : [b.alpha, b.slope, a.alpha, a.slope];
  const minimiser = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2));
  if (!Number.isFinite(minimiser)) return 0.5 * (lower + upper);
  return Math.min(Math.max(minimiser, lower), upper);
}
