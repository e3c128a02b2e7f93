import { InvalidArgumentError } from '../core/errors.js';
import type { CurvatureOperator } from '../backend/curvature.js';
import type { Architecture } from '../model/architecture.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import { kinkPieceApplicability } from './kink-pieces.js';
import { KinkWorkingSet } from './kink-set.js';
import {
  decideContinuation,
  evaluatePoint,
  kinkExitPhase,
  levenbergMarquardtOutcome,
  levenbergMarquardtPhase,
  newtonOutcome,
  newtonPhase,
  patternPhase,
  patternPhaseBlocked,
  planNewton,
  type PhaseResult,
  polishContext,
  type PolishOutcome,
  type PolishPhaseRecord,
  stationarity,
} from './polish-phases.js';

export {
  DEFAULT_NEWTON_ITERATIONS,
  DEFAULT_NEWTON_LIMIT,
  PATTERN_CG_ITERATIONS,
  PATTERN_SOLVES,
  POLISH_METHODS,
  REFINE_NEWTON_STEPS,
  SLOW_WINDOW,
} from './polish-phases.js';
export type {
  ContinuationRecord,
  ContinuationRule,
  KinkExitPhaseRecord,
  LevenbergMarquardtPhaseRecord,
  NewtonPhaseRecord,
  PatternPhaseRecord,
  PhaseMeasures,
  PolishPhaseRecord,
} from './polish-phases.js';
export { steihaugStep } from './polish-steps.js';

/**
 * Polishing: refine a trained point in float64 until the gradient vanishes to rounding level.
 *
 * Method: Levenberg–Marquardt on the residual r = output − y of the quadratic loss L = c‖r‖². Each step solves
 * (JᵀJ + λI)δ = −Jᵀr, with J the output Jacobian, either densely (J formed; the smaller of JᵀJ and JJᵀ is
 * factorised by Cholesky) or matrix-free (conjugate gradients on J·v and Jᵀ·u products) when J would be large.
 * λ follows Nielsen's update (shrink after good steps, double the growth factor after each rejection).
 *
 * Acceptance: a step is taken when the loss drops, or, once the loss only changes at rounding level, when it does
 * not rise beyond rounding and the stationarity measure drops. Near a minimum with non-zero loss a step lowers L by
 * about ‖∇L‖²/λ, below the rounding of L long before ‖∇L‖ reaches 1e-12, so the loss alone cannot steer the last
 * digits.
 *
 * Kinks: minima of ReLU networks often sit exactly on a kink (Swirszcz's D1, D3), where the gradient jumps and
 * never vanishes, so plain LM stalls next to them. Once it has stalled, polishing keeps an active set of first-layer
 * kinks: a step rejected because it crossed a kink is cut back to the first kink it crosses, that (sample, unit)
 * pair joins the working set, and later steps move along the kink (its pre-activation held at exactly 0, since first-layer
 * pre-activations are linear in θ). The stationarity measure is then the gradient with the kink normals projected
 * out, which is the same on both sides of each kink. Whether such a point is a minimum is the certificate's job
 * (one-sided conditions on every adjacent piece), not polishing's.
 *
 * Fallback: Gauss–Newton ignores the residual curvature Σ rₙ∇²outputₙ and so converges only linearly at minima
 * with non-zero loss. When LM ends without meeting the tolerance (or, matrix-free, when it only creeps: the
 * stationarity measure fell less than tenfold over its last `SLOW_WINDOW` iterations), polishing continues with
 * Newton steps on the exact Hessian: for P ≤ `newtonLimit` dense, δ = −H⁺∇L (restricted to the kink working set;
 * pseudo-inverse through its eigenvectors, eigenvalues within NEWTON_EIGENVALUE_CUTOFF·max|λ| of 0 left out so
 * symmetry directions are left alone); above it a trust-region Newton–CG (Steihaug–Toint) on Hessian-vector
 * products, which also handles indefinite curvature. Both accept steps under the same rule. Polishing never climbs:
 * it refines the critical point the optimiser was heading to.
 *
 * Products: every loss, gradient, J·v, Jᵀ·u, JᵀJ·v and H·v goes through a `CurvatureOperator` (src/backend/
 * curvature.ts): the reference kernels by default, or a fast backend's float64 graphs (`options.curvature`), so
 * the algorithm is the same on every engine. Inner linear solves are inexact (CG stops at a relative residual
 * η = min(0.1, √(‖∇L‖/lossScale)), the Eisenstat–Walker forcing that keeps Newton's superlinear rate).
 *
 * Phases (polish-phases.ts): pattern solves (matrix-free, one hidden layer), Levenberg–Marquardt, Newton, then a
 * decision to stop, to run LM again following kinks, or to step off a kink (kink exit) and start over. Each phase
 * reports what it did in `PolishResult.phases`; the totals of the result are sums over those records.
 */
export interface PolishOptions {
  /** Stop when the stationarity measure ≤ gradientTolerance · lossScale (default GRADIENT_TOLERANCE = 1e-12). */
  readonly gradientTolerance?: number;
  /** Levenberg–Marquardt iterations, accepted or not (default 200). */
  readonly maxIterations?: number;
  /** `auto` (default): dense when min(N·outputs, P) ≤ denseLimit and N·outputs·P ≤ 2·10⁷ entries. */
  readonly method?: 'auto' | 'dense' | 'matrix-free';
  /** Largest min(N·outputs, P) solved densely by `auto` (default 2000). */
  readonly denseLimit?: number;
  /** Conjugate-gradient iterations per matrix-free step (default 100). */
  readonly cgIterations?: number;
  /** Largest P for the Newton fallback (default 400); 0 disables it. */
  readonly newtonLimit?: number;
  /** Newton fallback iterations (default 20). */
  readonly newtonIterations?: number;
  /** Follow first-layer kinks as described above (default true). */
  readonly followKinks?: boolean;
  /** |pre-activation| ≤ kinkTolerance counts as on a kink for the exit test (default KINK_TOLERANCE = 1e-9). */
  readonly kinkTolerance?: number;
  /** Most descent steps off a kink (default 20). */
  readonly maxKinkExits?: number;
  /** The engine of every product (default: the reference kernels on these samples); the caller disposes it. */
  readonly curvature?: CurvatureOperator;
  /** Stop with `time-limit` once this many seconds have passed (checked between iterations; default none). */
  readonly timeLimitSeconds?: number;
  /** Called after every Levenberg–Marquardt or Newton iteration. */
  readonly onProgress?: (progress: PolishProgress) => void;
}

export interface PolishProgress {
  readonly phase: 'pattern' | 'levenberg-marquardt' | 'newton';
  /** Iterations of that phase so far. */
  readonly iteration: number;
  readonly loss: number;
  /** The stationarity measure and the tolerance it is compared with (both absolute). */
  readonly stationarity: number;
  readonly target: number;
  /** Conjugate-gradient steps of the iteration (0 for dense solves). */
  readonly innerSteps: number;
  readonly seconds: number;
}

export type PolishStopReason = 'converged' | 'max-iterations' | 'stalled' | 'non-finite' | 'time-limit';

export interface PolishResult {
  readonly theta: Float64Array;
  readonly loss: number;
  /** ‖∇L‖₂ with the kink convention of src/model/activation.ts. */
  readonly gradientNorm: number;
  /** ‖∇L‖₂ with the directions normal to the kink working set removed (= gradientNorm when the set is empty). */
  readonly stationarity: number;
  /** stationarity / lossScale, the quantity compared with the tolerance. */
  readonly relativeStationarity: number;
  readonly lossScale: number;
  readonly gradientTolerance: number;
  readonly initialLoss: number;
  readonly initialGradientNorm: number;
  readonly method: 'dense' | 'matrix-free';
  /** The engine that computed the products. */
  readonly engine: CurvatureOperator['engine'];
  /** How the Newton steps were solved, when there were any. */
  readonly newtonMethod: 'dense' | 'trust-region-cg' | undefined;
  /** Conjugate-gradient steps over all iterations (each one product with JᵀJ or H). */
  readonly innerSteps: number;
  readonly iterations: number;
  readonly acceptedSteps: number;
  readonly newtonSteps: number;
  /** Exact least-squares steps on one activation pattern (one hidden layer, matrix-free; see polish). */
  readonly patternSteps: number;
  /** Steps taken off a kink along a descent direction of an adjacent piece. */
  readonly kinkExits: number;
  /** First-layer (sample, unit) pairs held on their kink at the end. */
  readonly kinkWorkingSet: readonly { readonly sample: number; readonly unit: number }[];
  readonly stopReason: PolishStopReason;
  /** One sentence on why polishing stopped. */
  readonly detail: string;
  /** What each phase did, in order (decisions between phases included). */
  readonly phases: readonly PolishPhaseRecord[];
  readonly seconds: number;
}

/** Refines θ to a critical point in float64; see the description above. */
export function polish(
  architecture: Architecture,
  loss: LossKind,
  thetaStart: Float64Array,
  samples: Samples,
  options: PolishOptions = {},
): PolishResult {
  if (!(thetaStart instanceof Float64Array)) {
    throw new InvalidArgumentError('theta', 'a Float64Array (polishing runs in float64)', thetaStart);
  }
  const context = polishContext(architecture, loss, samples, thetaStart.length, options);
  let point = evaluatePoint(context, Float64Array.from(thetaStart));
  if (!Number.isFinite(point.loss) || !Number.isFinite(point.gradientNorm)) {
    throw new InvalidArgumentError('theta', 'a point where the loss and gradient are finite', point.loss);
  }
  const initial = point;
  const working = new KinkWorkingSet(context.layout, samples);
  const phases: PolishPhaseRecord[] = [];
  const run = <R extends PolishPhaseRecord>(result: PhaseResult<R>): R => {
    point = result.point;
    phases.push(result.record);
    return result.record;
  };

  if (patternPhaseBlocked(context, point.theta) === undefined) run(patternPhase(context, point, working));
  let followingKinks = false;
  let iterations = 0;
  let kinkExits = 0;
  let outcome: PolishOutcome;
  for (;;) {
    const descent = run(
      levenbergMarquardtPhase(context, point, working, {
        followsKinks: followingKinks,
        iterationsBefore: iterations,
      }),
    );
    iterations += descent.iterations;
    outcome = levenbergMarquardtOutcome(descent);
    const plan = planNewton(context, point.theta.length, outcome.stopReason, working.size);
    if (plan.run)
      outcome = newtonOutcome(outcome, run(newtonPhase(context, point, working, plan)), context.target);
    const decision = decideContinuation({
      stopReason: outcome.stopReason,
      followKinks: context.followKinks,
      followingKinks,
      iterations,
      maxIterations: context.maxIterations,
      kinkExits,
      maxKinkExits: context.maxKinkExits,
      heldKinks: working.size,
      kinkTestBlocked: kinkPieceApplicability(architecture, point.theta),
    });
    phases.push(decision);
    if (decision.action === 'stop') break;
    if (decision.action === 'follow-kinks') {
      followingKinks = true;
      continue;
    }
    if (run(kinkExitPhase(context, point, working)).stop !== 'left') break;
    kinkExits++;
  }
  let { detail } = outcome;
  if (kinkExits > 0) {
    detail = `${detail} (after leaving ${kinkExits} kink${kinkExits === 1 ? '' : 's'} along a descent direction)`;
  }
  const finalStationarity = stationarity(point, working);
  return {
    theta: point.theta,
    loss: point.loss,
    gradientNorm: point.gradientNorm,
    stationarity: finalStationarity,
    relativeStationarity: finalStationarity / context.lossScale,
    lossScale: context.lossScale,
    gradientTolerance: context.gradientTolerance,
    initialLoss: initial.loss,
    initialGradientNorm: initial.gradientNorm,
    method: context.method,
    engine: context.operator.engine,
    ...totals(phases),
    kinkExits,
    kinkWorkingSet: working.pairs.map((p) => ({ sample: p.sample, unit: p.unit })),
    stopReason: Number.isFinite(point.loss) ? outcome.stopReason : 'non-finite',
    detail,
    phases,
    seconds: context.elapsed(),
  };
}

/**
 * The counts of the result, summed over the phase records: `acceptedSteps` counts pattern and Levenberg–Marquardt
 * steps (Newton steps and kink exits have counts of their own), `newtonMethod` is the solver of the last Newton
 * phase that took a step.
 */
function totals(
  phases: readonly PolishPhaseRecord[],
): Pick<
  PolishResult,
  'iterations' | 'acceptedSteps' | 'newtonSteps' | 'patternSteps' | 'innerSteps' | 'newtonMethod'
> {
  let iterations = 0;
  let acceptedSteps = 0;
  let newtonSteps = 0;
  let patternSteps = 0;
  let innerSteps = 0;
  let newtonMethod: PolishResult['newtonMethod'];
  for (const record of phases) {
    if (record.phase === 'decision') continue;
    innerSteps += record.innerSteps;
    if (record.phase === 'levenberg-marquardt') {
      iterations += record.iterations;
      acceptedSteps += record.acceptedSteps;
    } else if (record.phase === 'pattern') {
      patternSteps += record.acceptedSteps;
      acceptedSteps += record.acceptedSteps;
    } else if (record.phase === 'newton') {
      newtonSteps += record.acceptedSteps;
      if (record.acceptedSteps > 0) newtonMethod = record.solver;
    }
  }
  return { iterations, acceptedSteps, newtonSteps, patternSteps, innerSteps, newtonMethod };
}
