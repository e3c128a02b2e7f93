import { BasinError, InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { choleskySolve, dot, norm, symmetricEigen } from '../core/linalg/index.js';
import { Rng } from '../core/rng.js';
import type { CurvatureOperator, CurvaturePoint } from '../backend/curvature.js';
import { referenceCurvature } from '../backend/reference-curvature.js';
import { activationRule } from '../model/activation.js';
import { type Architecture, parameterLayout } from '../model/architecture.js';
import { type ForwardCache, forward } from '../model/forward.js';
import { denseHessian } from '../model/hessian.js';
import { type LossKind, lossScale } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import { outputJacobian } from '../model/jacobian.js';
import { analyseKinkPieces, kinkPieceApplicability } from './kink-pieces.js';
import { firstLayerPreActivation, KinkWorkingSet } from './kink-set.js';
import { referenceLossScale } from './scale.js';

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
 * pseudo-inverse through its eigenvectors, eigenvalues within 1e-10·max|λ| of 0 left out so symmetry directions
 * are left alone); above it a trust-region Newton–CG (Steihaug–Toint) on Hessian-vector products, which also
 * handles indefinite curvature. Both accept steps under the same rule. Polishing never climbs: it refines the
 * critical point the optimiser was heading to.
 *
 * Products: every loss, gradient, J·v, Jᵀ·u, JᵀJ·v and H·v goes through a `CurvatureOperator` (src/backend/
 * curvature.ts): the reference kernels by default, or a fast backend's float64 graphs (`options.curvature`), so
 * the algorithm is the same on every engine. Inner linear solves are inexact (CG stops at a relative residual
 * η = min(0.1, √(‖∇L‖/lossScale)), the Eisenstat–Walker forcing that keeps Newton's superlinear rate).
 */
export interface PolishOptions {
  /** Stop when the stationarity measure ≤ gradientTolerance · lossScale (default 1e-12; see `referenceLossScale`). */
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
  /** |pre-activation| ≤ kinkTolerance counts as on a kink for the exit test (default 1e-9, as the certificate). */
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

/** Most exact least-squares solves on one activation pattern (see `patternSolve`), and CG steps for each. */
export const PATTERN_SOLVES = 8;
export const PATTERN_CG_ITERATIONS = 400;

/** Largest P for the dense Newton fallback (trust-region Newton–CG above it), and its iterations, by default. */
export const DEFAULT_NEWTON_LIMIT = 400;
export const DEFAULT_NEWTON_ITERATIONS = 20;

/** Matrix-free LM hands over to Newton when ‖∇L‖ fell less than tenfold over this many iterations. */
export const SLOW_WINDOW = 10;

export type PolishStopReason = 'converged' | 'max-iterations' | 'stalled' | 'non-finite' | 'time-limit';

export const POLISH_METHODS = ['auto', 'dense', 'matrix-free'] as const;

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
  readonly seconds: number;
}

interface State {
  readonly theta: Float64Array;
  readonly point: CurvaturePoint;
  readonly residual: Float64Array;
  readonly loss: number;
  readonly gradient: Float64Array;
  readonly gradientNorm: number;
  /** The reference forward pass, made on first use (dense solves and the kink test need it). */
  cache(): ForwardCache;
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
  const tolerance = requireFinite('gradientTolerance', options.gradientTolerance ?? 1e-12, 0);
  const maxIterations = requireInteger('maxIterations', options.maxIterations ?? 200, 0);
  const denseLimit = requireInteger('denseLimit', options.denseLimit ?? 2000, 1);
  const cgIterations = requireInteger('cgIterations', options.cgIterations ?? 100, 1);
  const newtonLimit = requireInteger('newtonLimit', options.newtonLimit ?? DEFAULT_NEWTON_LIMIT, 0);
  const newtonIterations = requireInteger(
    'newtonIterations',
    options.newtonIterations ?? DEFAULT_NEWTON_ITERATIONS,
    0,
  );
  const kinkTolerance = requireFinite('kinkTolerance', options.kinkTolerance ?? 1e-9, 0);
  const maxKinkExits = requireInteger('maxKinkExits', options.maxKinkExits ?? 20, 0);
  const timeLimit =
    options.timeLimitSeconds === undefined
      ? Infinity
      : requireFinite('timeLimitSeconds', options.timeLimitSeconds, 0);
  const methodOption = options.method ?? 'auto';
  if (!POLISH_METHODS.includes(methodOption)) {
    throw new InvalidArgumentError('method', POLISH_METHODS.join(', '), methodOption);
  }
  const started = performance.now();
  const layout = parameterLayout(architecture);
  const scale = referenceLossScale(samples, loss);
  const c = lossScale(loss, samples.count);
  const target = tolerance * scale;
  const rows = samples.count * samples.outputDim;
  const size = thetaStart.length;
  const method: 'dense' | 'matrix-free' =
    methodOption !== 'auto'
      ? methodOption
      : Math.min(rows, size) <= denseLimit && rows * size <= 2e7
        ? 'dense'
        : 'matrix-free';
  const firstActivation = architecture.hidden[0]?.activation;
  const followKinks =
    (options.followKinks ?? true) && firstActivation !== undefined && activationRule(firstActivation).hasKink;
  const working = new KinkWorkingSet(layout, samples);
  const firstLayer = layout.layers[0];
  const operator = options.curvature ?? referenceCurvature(architecture, loss, samples);
  if (operator.parameterCount !== size || operator.rows !== rows) {
    throw new InvalidArgumentError(
      'curvature',
      `an operator for ${size} parameters and ${rows} rows`,
      `${operator.parameterCount} parameters, ${operator.rows} rows`,
    );
  }
  const elapsed = (): number => (performance.now() - started) / 1000;

  const evaluate = (theta: Float64Array): State => {
    const point = operator.at(theta);
    let cache: ForwardCache | undefined;
    return {
      theta,
      point,
      residual: point.residual,
      loss: point.loss,
      gradient: point.gradient,
      gradientNorm: norm(point.gradient),
      cache: () => (cache ??= point.cache ?? forward(architecture, theta, samples)),
    };
  };
  const stationarity = (state: State): number =>
    working.size === 0 ? state.gradientNorm : norm(working.tangential(state.gradient));
  /** Eisenstat–Walker forcing: inner solves only as exact as the outer iteration can use. */
  const forcing = (at: State): number => Math.min(0.1, Math.sqrt(stationarity(at) / scale));
  const roundingOf = (value: number): number => 1e-13 * value + Number.MIN_VALUE;
  const better = (trial: State, current: State): boolean => {
    if (!Number.isFinite(trial.loss) || !Number.isFinite(trial.gradientNorm)) return false;
    if (trial.loss < current.loss - roundingOf(current.loss)) return true;
    return (
      trial.loss <= current.loss + roundingOf(current.loss) && stationarity(trial) < stationarity(current)
    );
  };

  let state = evaluate(Float64Array.from(thetaStart));
  if (!Number.isFinite(state.loss) || !Number.isFinite(state.gradientNorm)) {
    throw new InvalidArgumentError('theta', 'a point where the loss and gradient are finite', state.loss);
  }
  const initialLoss = state.loss;
  const initialGradientNorm = state.gradientNorm;
  /** First-layer pairs outside the working set whose sign differs between θ and θ + step, first crossing first. */
  const firstCrossing = (theta: Float64Array, trial: Float64Array) => {
    let best: { sample: number; unit: number; fraction: number } | undefined;
    for (let n = 0; n < samples.count; n++) {
      for (let i = 0; i < firstLayer.outputs; i++) {
        if (working.has(n, i)) continue;
        const u0 = firstLayerPreActivation(firstLayer, theta, samples, n, i);
        const u1 = firstLayerPreActivation(firstLayer, trial, samples, n, i);
        if (u0 > 0 === u1 > 0) continue;
        const fraction = u0 === u1 ? 0 : u0 / (u0 - u1);
        if (best === undefined || fraction < best.fraction) best = { sample: n, unit: i, fraction };
      }
    }
    return best;
  };

  let iterations = 0;
  let accepted = 0;
  let newtonSteps = 0;
  let innerSteps = 0;
  let patternSteps = 0;
  let newtonMethod: PolishResult['newtonMethod'];
  let kinkExits = 0;
  let kinkMode = false;
  let stopReason = 'max-iterations' as PolishStopReason;
  let detail = '';
  const solver = method === 'dense' ? new DenseSolver() : undefined;

  /** Levenberg–Marquardt from the current state until converged, stalled or out of iterations. */
  const levenbergMarquardt = (): void => {
    let lambda = 0;
    let growth = 2;
    let rejections = 0;
    const first = iterations;
    const history: number[] = [];
    for (;;) {
      if (stationarity(state) <= target) {
        stopReason = 'converged';
        detail =
          iterations === 0
            ? 'the starting point already meets the gradient tolerance'
            : `Levenberg–Marquardt reached ${describeStationarity(stationarity(state), target, working.size)}`;
        return;
      }
      if (iterations >= maxIterations) {
        stopReason = 'max-iterations';
        detail = `Levenberg–Marquardt used all ${maxIterations} iterations (${iterations - first} in its last run)`;
        return;
      }
      if (elapsed() >= timeLimit) {
        stopReason = 'time-limit';
        detail = `the time limit of ${timeLimit} s ran out after ${iterations} Levenberg–Marquardt iterations at ${describeStationarity(stationarity(state), target, working.size)}`;
        return;
      }
      history.push(stationarity(state));
      if (
        method === 'matrix-free' &&
        newtonLimit > 0 &&
        newtonIterations > 0 &&
        history.length > SLOW_WINDOW &&
        history[history.length - 1] > 0.1 * history[history.length - 1 - SLOW_WINDOW]
      ) {
        stopReason = 'stalled';
        detail = `Levenberg–Marquardt slowed down (‖∇L‖ fell less than tenfold in ${SLOW_WINDOW} iterations) at ${describeStationarity(stationarity(state), target, working.size)}`;
        return;
      }
      iterations++;
      const correction = working.correction(state.theta);
      if (solver) solver.prepare(architecture, state, samples, working, correction);
      if (lambda === 0) {
        const trace = solver ? solver.trace : estimateTrace(state.point, size);
        lambda = 1e-3 * Math.max(trace / size, Number.MIN_VALUE);
      }
      let cgSteps = 0;
      let step: Float64Array;
      if (solver) step = solver.solve(lambda);
      else {
        const solved = conjugateGradientStep(
          state,
          lambda,
          cgIterations,
          forcing(state),
          working,
          correction,
        );
        step = solved.step;
        cgSteps = solved.steps;
        innerSteps += cgSteps;
      }
      const trialTheta = addScaled(state.theta, step, 1);
      const trial = evaluate(trialTheta);
      const accept = better(trial, state);
      options.onProgress?.({
        phase: 'levenberg-marquardt',
        iteration: iterations,
        loss: accept ? trial.loss : state.loss,
        stationarity: stationarity(accept ? trial : state),
        target,
        innerSteps: cgSteps,
        seconds: elapsed(),
      });
      if (accept) {
        const js = state.point.jacobianVector(step);
        const predicted = c * (-2 * dot(state.residual, js) - dot(js, js));
        const gain = predicted > 0 ? (state.loss - trial.loss) / predicted : 1;
        state = trial;
        accepted++;
        rejections = 0;
        lambda *= Math.max(1 / 3, 1 - Math.pow(2 * Math.min(gain, 1) - 1, 3));
        growth = 2;
        continue;
      }
      const crossing = kinkMode ? firstCrossing(state.theta, trialTheta) : undefined;
      if (crossing !== undefined) {
        const partial = evaluate(addScaled(state.theta, step, crossing.fraction));
        if (crossing.fraction === 0 || partial.loss < state.loss - roundingOf(state.loss)) {
          working.add(crossing.sample, crossing.unit);
          if (crossing.fraction > 0) {
            state = partial;
            accepted++;
          }
          rejections = 0;
          continue;
        }
      }
      rejections++;
      lambda *= growth;
      growth *= 2;
      if (!Number.isFinite(lambda) || rejections >= 20) {
        stopReason = 'stalled';
        detail = `Levenberg–Marquardt found no acceptable step at ${describeStationarity(stationarity(state), target, working.size)}`;
        return;
      }
    }
  };

  /**
   * Newton steps on the exact Hessian: the fallback when LM did not reach the tolerance, and (dense only) a short
   * refinement when it converged with kinks held, so that the one-sided tests at the kinks see the point to
   * rounding level rather than to the tolerance. Dense for P ≤ newtonLimit, trust-region Newton–CG above.
   */
  const newtonFallback = (): void => {
    if (newtonLimit === 0 || newtonIterations === 0 || stopReason === 'time-limit') return;
    const dense = size <= newtonLimit;
    const refining = stopReason === 'converged';
    if (refining && (working.size === 0 || !dense)) return;
    let taken = 0;
    if (dense) {
      const limit = refining ? 3 : newtonIterations;
      for (let k = 0; k < limit && (refining || stationarity(state) > target); k++) {
        const step = newtonStep(architecture, loss, state, samples, working);
        const trial = evaluate(addScaled(state.theta, step, 1));
        if (!better(trial, state)) break;
        state = trial;
        taken++;
      }
    } else {
      taken = trustRegionNewton();
    }
    if (taken > 0) newtonMethod = dense ? 'dense' : 'trust-region-cg';
    newtonSteps += taken;
    if (refining) return;
    const what = dense ? 'the Newton fallback' : 'the trust-region Newton–CG fallback';
    if (stationarity(state) <= target) {
      stopReason = 'converged';
      detail = `${what} (after: ${detail}) reached ${describeStationarity(stationarity(state), target, working.size)}`;
    } else if (taken > 0) {
      detail = `${detail}; ${what} took ${taken} steps and stopped at ${describeStationarity(stationarity(state), target, working.size)}`;
    }
  };

  /**
   * Trust-region Newton with Steihaug–Toint conjugate gradients on ΠHΠ (Π keeps held kinks): each iteration
   * approximately minimises the quadratic model inside radius Δ, stopping at negative curvature or the boundary.
   * Δ shrinks to ¼‖p‖ when the model predicted badly (ρ < ¼) and doubles when it predicted well at the boundary.
   * Returns the steps taken.
   */
  const trustRegionNewton = (): number => {
    let radius = 0.1 * Math.max(1, norm(state.theta));
    let taken = 0;
    for (let k = 0; k < newtonIterations && stationarity(state) > target; k++) {
      if (elapsed() >= timeLimit) {
        stopReason = 'time-limit';
        detail = `the time limit of ${timeLimit} s ran out in the trust-region Newton–CG fallback at ${describeStationarity(stationarity(state), target, working.size)}`;
        break;
      }
      const project = (v: Float64Array): Float64Array => (working.size === 0 ? v : working.tangential(v));
      const point = state.point;
      const solved = steihaugStep(
        project(state.gradient),
        (v) => project(point.hessianVector(project(v))),
        radius,
        forcing(state),
        cgIterations,
      );
      innerSteps += solved.steps;
      const step = addScaled(working.correction(state.theta), solved.step, 1);
      const trial = evaluate(addScaled(state.theta, step, 1));
      const accept = better(trial, state);
      const actual = state.loss - trial.loss;
      const ratio = solved.predicted > 0 ? actual / solved.predicted : accept ? 1 : 0;
      const length = norm(solved.step);
      if (ratio < 0.25) radius = 0.25 * length;
      else if (ratio > 0.75 && length >= 0.99 * radius) radius *= 2;
      options.onProgress?.({
        phase: 'newton',
        iteration: k + 1,
        loss: accept ? trial.loss : state.loss,
        stationarity: stationarity(accept ? trial : state),
        target,
        innerSteps: solved.steps,
        seconds: elapsed(),
      });
      if (accept) {
        state = trial;
        taken++;
      }
      if (radius <= 1e-15 * Math.max(1, norm(state.theta))) break;
    }
    return taken;
  };

  /**
   * One hidden layer of (leaky-)ReLU units: with the outgoing weights v held and the activation pattern fixed, the
   * output is linear in the first layer and the output bias, so Gauss–Newton on those parameters is exact and one
   * accurate conjugate-gradient solve lands on the best point of the pattern (Soudry–Hoffer's folded weights
   * vᵢwᵢ make it a convex least-squares problem). A step that changes the pattern is taken only when it lowers the
   * loss; otherwise it is cut back to the first kink it crosses (first-layer pre-activations are linear in θ).
   * Matrix-free polishing runs this first: near a minimum whose residual is held up by samples no unit reaches,
   * plain Levenberg–Marquardt over all of θ creeps (the remaining gradient is tiny and badly conditioned).
   */
  const patternSolve = (): void => {
    if (
      solver !== undefined ||
      !followKinks ||
      kinkPieceApplicability(architecture, state.theta) !== undefined
    ) {
      return;
    }
    const output = layout.layers[layout.layers.length - 1];
    const mask = new Float64Array(size).fill(1);
    mask.fill(0, output.weightOffset, output.weightOffset + output.inputs * output.outputs);
    const masked = (v: Float64Array): Float64Array => v.map((value, p) => value * mask[p]);
    for (let k = 0; k < PATTERN_SOLVES && stationarity(state) > target; k++) {
      if (elapsed() >= timeLimit) return;
      const point = state.point;
      const solved = conjugateGradientSolve(
        masked(point.jacobianTransposeVector(state.residual)).map((v) => -v),
        (v) => masked(point.gaussNewtonVector(masked(v))),
        1e-13,
        PATTERN_CG_ITERATIONS,
      );
      innerSteps += solved.steps;
      const trialTheta = addScaled(state.theta, solved.x, 1);
      let trial = evaluate(trialTheta);
      if (!better(trial, state)) {
        const crossing = firstCrossing(state.theta, trialTheta);
        if (crossing === undefined || crossing.fraction <= 0) return;
        trial = evaluate(addScaled(state.theta, solved.x, crossing.fraction));
        if (!better(trial, state)) return;
      }
      // A pattern step that gains less than 1% is cut back at kinks again and again; Levenberg–Marquardt over
      // all of θ (which may also change v) does better from there.
      const gain = (state.loss - trial.loss) / Math.max(state.loss, Number.MIN_VALUE);
      state = trial;
      accepted++;
      patternSteps++;
      if (gain < 0.01) k = PATTERN_SOLVES;
      options.onProgress?.({
        phase: 'pattern',
        iteration: patternSteps,
        loss: state.loss,
        stationarity: stationarity(state),
        target,
        innerSteps: solved.steps,
        seconds: elapsed(),
      });
    }
  };

  /**
   * At a kink the gradient along the kinks can vanish although the point is not a minimum: some piece next to it
   * goes down. The exact one-hidden-layer test (kink-pieces.ts) finds such a piece and a descent direction into
   * it; polishing steps that way, releases the unit's held kinks and starts again.
   */
  const leaveKinkDownhill = (): boolean => {
    if (!followKinks || kinkExits >= maxKinkExits) return false;
    if (working.size === 0 && stopReason === 'converged') return false;
    if (kinkPieceApplicability(architecture, state.theta) !== undefined) return false;
    const analysis = analyseKinkPieces(architecture, loss, state.theta, samples, state.cache(), {
      gradientTolerance: target,
      kinkTolerance,
    });
    if (!analysis.applicable || analysis.witness === undefined) return false;
    const { direction, unit } = analysis.witness;
    const reach = Math.max(1, norm(state.theta));
    for (let t = 1e-2 * reach; t > 1e-14 * reach; t /= 10) {
      const trial = evaluate(addScaled(state.theta, direction, t));
      if (trial.loss < state.loss - roundingOf(state.loss)) {
        state = trial;
        working.releaseUnit(unit);
        kinkExits++;
        return true;
      }
    }
    return false;
  };

  patternSolve();
  for (;;) {
    levenbergMarquardt();
    newtonFallback();
    if (stopReason === 'time-limit') break;
    if (stopReason !== 'converged' && followKinks && !kinkMode && iterations < maxIterations) {
      // Plain LM stalled: most often next to a kink it keeps stepping across. Follow kinks from here on.
      kinkMode = true;
      continue;
    }
    if (!leaveKinkDownhill()) break;
  }
  if (kinkExits > 0) {
    detail = `${detail} (after leaving ${kinkExits} kink${kinkExits === 1 ? '' : 's'} along a descent direction)`;
  }
  if (!Number.isFinite(state.loss)) stopReason = 'non-finite';
  const finalStationarity = stationarity(state);
  return {
    theta: state.theta,
    loss: state.loss,
    gradientNorm: state.gradientNorm,
    stationarity: finalStationarity,
    relativeStationarity: finalStationarity / scale,
    lossScale: scale,
    gradientTolerance: tolerance,
    initialLoss,
    initialGradientNorm,
    method,
    engine: operator.engine,
    newtonMethod,
    innerSteps,
    iterations,
    acceptedSteps: accepted,
    newtonSteps,
    patternSteps,
    kinkExits,
    kinkWorkingSet: working.pairs.map((p) => ({ sample: p.sample, unit: p.unit })),
    stopReason,
    detail,
    seconds: (performance.now() - started) / 1000,
  };
}

function describeStationarity(value: number, target: number, kinks: number): string {
  const what = kinks === 0 ? '‖∇L‖' : `‖∇L‖ along ${kinks} held kink${kinks === 1 ? '' : 's'}`;
  return `${what} = ${value.toExponential(2)} (tolerance ${target.toExponential(2)})`;
}

function addScaled(x: Float64Array, y: Float64Array, alpha: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + alpha * y[i];
  return out;
}

/**
 * Dense LM step. With a kink working set, the step is δ₀ + η: δ₀ puts the held pairs back on their kinks exactly,
 * and η solves the LM system for the residual r + Jδ₀ with J's rows projected onto the kinks' tangent space, so η
 * keeps them there. Whichever Gram matrix is smaller (JᵀJ, or JJᵀ for the dual form) is factorised.
 */
class DenseSolver {
  private jacobian: Float64Array = new Float64Array(0);
  private gram: Float64Array = new Float64Array(0);
  private rows = 0;
  private size = 0;
  private jtr: Float64Array = new Float64Array(0);
  private residual: Float64Array = new Float64Array(0);
  private correction: Float64Array = new Float64Array(0);
  trace = 0;

  prepare(
    architecture: Architecture,
    state: State,
    samples: Samples,
    working: KinkWorkingSet,
    correction: Float64Array,
  ): void {
    const { theta } = state;
    const rows = state.residual.length;
    const size = theta.length;
    const jacobian = outputJacobian(architecture, theta, samples, state.cache());
    const residual = Float64Array.from(state.residual);
    for (let k = 0; k < rows; k++) {
      let row: Float64Array = jacobian.subarray(k * size, (k + 1) * size);
      if (working.size > 0) {
        residual[k] += dot(row, correction);
        row = working.tangential(row);
        jacobian.set(row, k * size);
      }
    }
    this.jacobian = jacobian;
    this.rows = rows;
    this.size = size;
    this.residual = residual;
    this.correction = correction;
    const jtr = new Float64Array(size);
    for (let k = 0; k < rows; k++) {
      const r = residual[k];
      for (let p = 0; p < size; p++) jtr[p] += jacobian[k * size + p] * r;
    }
    this.jtr = jtr;
    const dual = rows <= size;
    const n = dual ? rows : size;
    const gram = new Float64Array(n * n);
    if (dual) {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j <= i; j++) {
          let sum = 0;
          for (let p = 0; p < size; p++) sum += jacobian[i * size + p] * jacobian[j * size + p];
          gram[i * n + j] = sum;
          gram[j * n + i] = sum;
        }
      }
    } else {
      for (let k = 0; k < rows; k++) {
        const base = k * size;
        for (let i = 0; i < size; i++) {
          const a = jacobian[base + i];
          if (a === 0) continue;
          for (let j = 0; j <= i; j++) gram[i * n + j] += a * jacobian[base + j];
        }
      }
      for (let i = 0; i < size; i++) for (let j = 0; j < i; j++) gram[j * n + i] = gram[i * n + j];
    }
    this.gram = gram;
    let trace = 0;
    for (let i = 0; i < n; i++) trace += gram[i * n + i];
    this.trace = trace;
  }

  /** δ = δ₀ − (JᵀJ + λI)⁻¹Jᵀr, via the dual form −Jᵀ(JJᵀ + λI)⁻¹r when N·outputs ≤ P. */
  solve(lambda: number): Float64Array {
    const { rows, size, jacobian } = this;
    const dual = rows <= size;
    const n = dual ? rows : size;
    const shifted = Float64Array.from(this.gram);
    for (let i = 0; i < n; i++) shifted[i * n + i] += lambda;
    let solution: Float64Array;
    try {
      solution = choleskySolve(shifted, n, Float64Array.from(dual ? this.residual : this.jtr));
    } catch (error) {
      if (!(error instanceof BasinError)) throw error;
      // Only rounding can make JᵀJ + λI indefinite; a zero step is rejected and the caller raises λ.
      return new Float64Array(size);
    }
    const step = Float64Array.from(this.correction);
    if (!dual) {
      for (let p = 0; p < size; p++) step[p] -= solution[p];
      return step;
    }
    for (let k = 0; k < rows; k++) {
      const z = solution[k];
      if (z === 0) continue;
      for (let p = 0; p < size; p++) step[p] -= z * jacobian[k * size + p];
    }
    return step;
  }
}

/** Hutchinson's estimate of trace(JᵀJ) = ‖J‖²_F from a few Rademacher probes (it only sets the first λ). */
function estimateTrace(point: CurvaturePoint, size: number): number {
  const probes = 4;
  const rng = new Rng(1);
  let sum = 0;
  for (let k = 0; k < probes; k++) {
    const v = new Float64Array(size);
    for (let p = 0; p < v.length; p++) v[p] = rng.uniform() < 0.5 ? 1 : -1;
    const jv = point.jacobianVector(v);
    sum += dot(jv, jv);
  }
  return sum / probes;
}

/**
 * Matrix-free LM step: conjugate gradients on (ΠJᵀJΠ + λI)η = −ΠJᵀ(r + Jδ₀), step δ₀ + η, stopped once the CG
 * residual is below `forcing` times the right-hand side.
 */
function conjugateGradientStep(
  state: State,
  lambda: number,
  maxIterations: number,
  forcing: number,
  working: KinkWorkingSet,
  correction: Float64Array,
): { step: Float64Array; steps: number } {
  const { point } = state;
  const project = (v: Float64Array): Float64Array => (working.size === 0 ? v : working.tangential(v));
  const apply = (v: Float64Array): Float64Array => {
    const out = project(point.gaussNewtonVector(project(v)));
    for (let p = 0; p < out.length; p++) out[p] += lambda * v[p];
    return out;
  };
  let residual = state.residual;
  if (working.size > 0) {
    const jd = point.jacobianVector(correction);
    residual = residual.map((value, k) => value + jd[k]);
  }
  const b = project(point.jacobianTransposeVector(residual)).map((v) => -v);
  const { x, steps } = conjugateGradientSolve(b, apply, forcing, maxIterations);
  for (let p = 0; p < x.length; p++) x[p] += correction[p];
  return { step: x, steps };
}

/** Conjugate gradients on A·x = b from x = 0, until ‖b − A·x‖ ≤ relative·‖b‖ or `maxIterations` products. */
function conjugateGradientSolve(
  b: Float64Array,
  apply: (v: Float64Array) => Float64Array,
  relative: number,
  maxIterations: number,
): { x: Float64Array; steps: number } {
  const x = new Float64Array(b.length);
  const r = Float64Array.from(b);
  const d = Float64Array.from(b);
  let rr = dot(r, r);
  const stop = relative * relative * rr;
  let steps = 0;
  while (steps < maxIterations && rr > stop) {
    const ad = apply(d);
    steps++;
    const curvature = dot(d, ad);
    if (!(curvature > 0)) break;
    const alpha = rr / curvature;
    for (let p = 0; p < x.length; p++) {
      x[p] += alpha * d[p];
      r[p] -= alpha * ad[p];
    }
    const next = dot(r, r);
    const beta = next / rr;
    rr = next;
    for (let p = 0; p < d.length; p++) d[p] = r[p] + beta * d[p];
  }
  return { x, steps };
}

/**
 * Steihaug–Toint truncated CG for min gᵀp + ½pᵀHp subject to ‖p‖ ≤ radius: CG from p = 0 until the residual
 * falls below forcing·‖g‖, a direction of non-positive curvature appears, or the iterate leaves the ball (both end
 * on the boundary). `predicted` is the model decrease −(gᵀp + ½pᵀHp), tracked without extra products.
 */
export function steihaugStep(
  gradient: Float64Array,
  hessianVector: (v: Float64Array) => Float64Array,
  radius: number,
  forcing: number,
  maxIterations: number,
): { step: Float64Array; predicted: number; steps: number; boundary: boolean } {
  const n = gradient.length;
  const z = new Float64Array(n);
  const r = Float64Array.from(gradient);
  const d = Float64Array.from(gradient, (g) => -g);
  let rr = dot(r, r);
  const stop = forcing * forcing * rr;
  let model = 0;
  let steps = 0;
  /** τ ≥ 0 with ‖z + τd‖ = radius. */
  const toBoundary = (): number => {
    const dd = dot(d, d);
    const zd = dot(z, d);
    const zz = dot(z, z);
    return (-zd + Math.sqrt(Math.max(zd * zd + dd * (radius * radius - zz), 0))) / dd;
  };
  const finish = (tau: number, curvature: number) => {
    // m(z + τd) = m(z) + τ·rᵀd + ½τ²·dᵀHd, with r = Hz + g the CG residual.
    const rd = dot(r, d);
    model += tau * rd + 0.5 * tau * tau * curvature;
    for (let i = 0; i < n; i++) z[i] += tau * d[i];
    return { step: z, predicted: -model, steps, boundary: true };
  };
  while (steps < maxIterations && rr > stop) {
    const hd = hessianVector(d);
    steps++;
    const curvature = dot(d, hd);
    if (!(curvature > 0)) return finish(toBoundary(), curvature);
    const alpha = rr / curvature;
    let outside = 0;
    for (let i = 0; i < n; i++) outside += (z[i] + alpha * d[i]) ** 2;
    if (Math.sqrt(outside) >= radius) return finish(toBoundary(), curvature);
    model += alpha * dot(r, d) + 0.5 * alpha * alpha * curvature;
    for (let i = 0; i < n; i++) {
      z[i] += alpha * d[i];
      r[i] += alpha * hd[i];
    }
    const next = dot(r, r);
    const beta = next / rr;
    rr = next;
    for (let i = 0; i < n; i++) d[i] = -r[i] + beta * d[i];
  }
  return { step: z, predicted: -model, steps, boundary: false };
}

/**
 * δ = δ₀ − (ΠHΠ)⁺Π∇L with the exact dense Hessian H and Π the projector onto the kinks' tangent space (the identity
 * when no kink is held); eigenvalues within 1e-10·max|λ| of 0 are left out.
 */
function newtonStep(
  architecture: Architecture,
  loss: LossKind,
  state: State,
  samples: Samples,
  working: KinkWorkingSet,
): Float64Array {
  const size = state.theta.length;
  const hessian = denseHessian(architecture, loss, state.theta, samples);
  let gradient = state.gradient;
  if (working.size > 0) {
    for (let i = 0; i < size; i++)
      hessian.set(working.tangential(hessian.subarray(i * size, (i + 1) * size)), i * size);
    const column = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) column[i] = hessian[i * size + j];
      const projected = working.tangential(column);
      for (let i = 0; i < size; i++) hessian[i * size + j] = projected[i];
    }
    gradient = working.tangential(gradient);
  }
  const { values, vectors } = symmetricEigen(hessian, size, { vectors: true });
  const largest = Math.max(Math.abs(values[0]), Math.abs(values[size - 1]));
  const cutoff = 1e-10 * largest;
  let newton: Float64Array = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    if (Math.abs(values[k]) <= cutoff) continue;
    let projection = 0;
    for (let i = 0; i < size; i++) projection += vectors![i * size + k] * gradient[i];
    const coefficient = -projection / values[k];
    for (let i = 0; i < size; i++) newton[i] += coefficient * vectors![i * size + k];
  }
  // Eigenvectors of small eigenvalues can carry rounding-level components along the kink normals (eigenvalue 0 of
  // ΠHΠ), amplified by 1/λ; projecting again keeps the held kinks at exactly 0.
  if (working.size > 0) newton = working.tangential(newton);
  const step = working.correction(state.theta);
  for (let i = 0; i < size; i++) step[i] += newton[i];
  return step;
}
