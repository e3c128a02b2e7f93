import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { dot, norm } from '../core/linalg/index.js';
import {
  EXACT_SOLVE_RESIDUAL,
  GRADIENT_TOLERANCE,
  KINK_EXIT_MIN_STEP,
  KINK_TOLERANCE,
  LOSS_ROUNDING,
  TRUST_REGION_MIN_RADIUS,
} from '../core/tolerances.js';
import type { CurvatureOperator, CurvaturePoint } from '../backend/curvature.js';
import { referenceCurvature } from '../backend/reference-curvature.js';
import { activationRule } from '../model/activation.js';
import { type Architecture, type ParameterLayout, parameterLayout } from '../model/architecture.js';
import { type ForwardCache, forward } from '../model/forward.js';
import { type LossKind, lossScale } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import { analyseKinkPieces, kinkPieceApplicability } from './kink-pieces.js';
import { firstLayerPreActivation, type KinkWorkingSet } from './kink-set.js';
import type { PolishOptions, PolishProgress, PolishStopReason } from './polish.js';
import {
  addScaled,
  conjugateGradientSolve,
  conjugateGradientStep,
  DenseSolver,
  estimateTrace,
  newtonStep,
  steihaugStep,
} from './polish-steps.js';
import { referenceLossScale } from './scale.js';

/*
 * Polishing in phases (see `polish` for the method). Each phase takes the point it starts from, the kink working set
 * and the run's fixed settings, and returns the point it ended at with a record of what it did and why it stopped:
 *
 *   pattern → levenberg-marquardt → newton → decision ─┬─ stop
 *                 ↑                                     ├─ follow-kinks ──→ levenberg-marquardt again
 *                 └──────────── kink-exit ←─────────────┴─ exit-kink
 *
 * A kink exit that finds no way off ends polishing like a decision to stop. The working set is the one state the
 * phases share: Levenberg–Marquardt adds the kinks it runs into, a kink exit releases a unit's; every record says
 * how many kinks were held when it ended. The decisions between phases
 * (`planNewton`, `decideContinuation`) are pure functions of what the phases reported.
 */

/** Exact least-squares solves on one activation pattern (see `patternPhase`), and CG steps for each. */
export const PATTERN_SOLVES = 8;
export const PATTERN_CG_ITERATIONS = 400;

/** Largest P for the dense Newton fallback (trust-region Newton–CG above it), and its iterations, by default. */
export const DEFAULT_NEWTON_LIMIT = 400;
export const DEFAULT_NEWTON_ITERATIONS = 20;

/** Matrix-free LM hands over to Newton when ‖∇L‖ fell less than tenfold over this many iterations. */
export const SLOW_WINDOW = 10;

/** Dense Newton steps after Levenberg–Marquardt converged with kinks held (see `planNewton`). */
export const REFINE_NEWTON_STEPS = 3;

export const POLISH_METHODS = ['auto', 'dense', 'matrix-free'] as const;

/** The first λ is this fraction of the mean diagonal of JᵀJ: small enough that the first step is nearly Gauss–Newton. */
const INITIAL_DAMPING = 1e-3;

/** A pattern solve that gains less than this fraction of the loss ends the pattern phase (see `patternPhase`). */
const PATTERN_MIN_GAIN = 0.01;

/** The first step of a kink exit, relative to max(1, ‖θ‖); it shrinks tenfold to `KINK_EXIT_MIN_STEP`. */
const KINK_EXIT_FIRST_STEP = 1e-2;

/** What every phase of one polishing run shares; nothing in it changes while polishing runs. */
export interface PolishContext {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  readonly layout: ParameterLayout;
  readonly operator: CurvatureOperator;
  /** The scale of the relative tolerances (`referenceLossScale`). */
  readonly lossScale: number;
  /** c of L = c‖r‖² (`lossScale` of src/model/loss.ts), for the loss decrease a step predicts. */
  readonly residualWeight: number;
  readonly gradientTolerance: number;
  /** gradientTolerance·lossScale: the stationarity to reach (absolute). */
  readonly target: number;
  readonly method: 'dense' | 'matrix-free';
  /** `followKinks` asked for and the first hidden layer has a kink to follow. */
  readonly followKinks: boolean;
  readonly maxIterations: number;
  readonly cgIterations: number;
  readonly newtonLimit: number;
  readonly newtonIterations: number;
  readonly kinkTolerance: number;
  readonly maxKinkExits: number;
  /** Seconds (Infinity: none). */
  readonly timeLimit: number;
  /** Seconds since polishing started. */
  elapsed(): number;
  readonly onProgress: ((progress: PolishProgress) => void) | undefined;
}

/** Checks the options and fixes every setting of a run, as `polish` does before its first phase. */
export function polishContext(
  architecture: Architecture,
  loss: LossKind,
  samples: Samples,
  size: number,
  options: PolishOptions = {},
): PolishContext {
  const started = performance.now();
  const gradientTolerance = requireFinite(
    'gradientTolerance',
    options.gradientTolerance ?? GRADIENT_TOLERANCE,
    0,
  );
  const maxIterations = requireInteger('maxIterations', options.maxIterations ?? 200, 0);
  const denseLimit = requireInteger('denseLimit', options.denseLimit ?? 2000, 1);
  const cgIterations = requireInteger('cgIterations', options.cgIterations ?? 100, 1);
  const newtonLimit = requireInteger('newtonLimit', options.newtonLimit ?? DEFAULT_NEWTON_LIMIT, 0);
  const newtonIterations = requireInteger(
    'newtonIterations',
    options.newtonIterations ?? DEFAULT_NEWTON_ITERATIONS,
    0,
  );
  const kinkTolerance = requireFinite('kinkTolerance', options.kinkTolerance ?? KINK_TOLERANCE, 0);
  const maxKinkExits = requireInteger('maxKinkExits', options.maxKinkExits ?? 20, 0);
  const timeLimit =
    options.timeLimitSeconds === undefined
      ? Infinity
      : requireFinite('timeLimitSeconds', options.timeLimitSeconds, 0);
  const methodOption = options.method ?? 'auto';
  if (!POLISH_METHODS.includes(methodOption)) {
    throw new InvalidArgumentError('method', POLISH_METHODS.join(', '), methodOption);
  }
  const scale = referenceLossScale(samples, loss);
  const rows = samples.count * samples.outputDim;
  const method: 'dense' | 'matrix-free' =
    methodOption !== 'auto'
      ? methodOption
      : Math.min(rows, size) <= denseLimit && rows * size <= 2e7
        ? 'dense'
        : 'matrix-free';
  const firstActivation = architecture.hidden[0]?.activation;
  const followKinks =
    (options.followKinks ?? true) && firstActivation !== undefined && activationRule(firstActivation).hasKink;
  const operator = options.curvature ?? referenceCurvature(architecture, loss, samples);
  if (operator.parameterCount !== size || operator.rows !== rows) {
    throw new InvalidArgumentError(
      'curvature',
      `an operator for ${size} parameters and ${rows} rows`,
      `${operator.parameterCount} parameters, ${operator.rows} rows`,
    );
  }
  return {
    architecture,
    loss,
    samples,
    layout: parameterLayout(architecture),
    operator,
    lossScale: scale,
    residualWeight: lossScale(loss, samples.count),
    gradientTolerance,
    target: gradientTolerance * scale,
    method,
    followKinks,
    maxIterations,
    cgIterations,
    newtonLimit,
    newtonIterations,
    kinkTolerance,
    maxKinkExits,
    timeLimit,
    elapsed: () => (performance.now() - started) / 1000,
    onProgress: options.onProgress,
  };
}

/** A point of polishing with everything its steps need. */
export interface PolishPoint {
  readonly theta: Float64Array;
  readonly curvature: CurvaturePoint;
  readonly residual: Float64Array;
  readonly loss: number;
  readonly gradient: Float64Array;
  readonly gradientNorm: number;
  /** The reference forward pass, made on first use (dense solves and the kink test need it). */
  cache(): ForwardCache;
}

export function evaluatePoint(context: PolishContext, theta: Float64Array): PolishPoint {
  const curvature = context.operator.at(theta);
  let cache: ForwardCache | undefined;
  return {
    theta,
    curvature,
    residual: curvature.residual,
    loss: curvature.loss,
    gradient: curvature.gradient,
    gradientNorm: norm(curvature.gradient),
    cache: () => (cache ??= curvature.cache ?? forward(context.architecture, theta, context.samples)),
  };
}

/** The stationarity measure: ‖∇L‖ with the held kinks' normals removed, the same on both sides of each kink. */
export function stationarity(point: PolishPoint, working: KinkWorkingSet): number {
  return working.size === 0 ? point.gradientNorm : norm(working.tangential(point.gradient));
}

/** The rounding of a loss value (see LOSS_ROUNDING); MIN_VALUE keeps it positive at L = 0. */
function roundingOf(loss: number): number {
  return LOSS_ROUNDING * loss + Number.MIN_VALUE;
}

/**
 * The acceptance rule of every phase: the loss drops beyond rounding, or it stays within rounding and the
 * stationarity measure drops. Near a minimum with L > 0 a step lowers L by about ‖∇L‖²/λ, below the rounding of L
 * long before ‖∇L‖ meets the tolerance, so the loss alone cannot steer the last digits.
 */
export function improves(trial: PolishPoint, current: PolishPoint, working: KinkWorkingSet): boolean {
  if (!Number.isFinite(trial.loss) || !Number.isFinite(trial.gradientNorm)) return false;
  if (trial.loss < current.loss - roundingOf(current.loss)) return true;
  return (
    trial.loss <= current.loss + roundingOf(current.loss) &&
    stationarity(trial, working) < stationarity(current, working)
  );
}

/** Eisenstat–Walker forcing: inner solves only as exact as the outer iteration can use. */
function forcing(context: PolishContext, at: PolishPoint, working: KinkWorkingSet): number {
  return Math.min(0.1, Math.sqrt(stationarity(at, working) / context.lossScale));
}

/**
 * The first first-layer (sample, unit) pair outside the working set whose pre-activation changes sign between θ
 * and `trial`, with the fraction of the step at which it reaches 0 (pre-activations are linear in θ, so the
 * fraction is exact); undefined when the step crosses no kink.
 */
export function firstKinkCrossing(
  context: PolishContext,
  working: KinkWorkingSet,
  theta: Float64Array,
  trial: Float64Array,
): { readonly sample: number; readonly unit: number; readonly fraction: number } | undefined {
  const firstLayer = context.layout.layers[0];
  let best: { sample: number; unit: number; fraction: number } | undefined;
  for (let n = 0; n < context.samples.count; n++) {
    for (let i = 0; i < firstLayer.outputs; i++) {
      if (working.has(n, i)) continue;
      const u0 = firstLayerPreActivation(firstLayer, theta, context.samples, n, i);
      const u1 = firstLayerPreActivation(firstLayer, trial, context.samples, n, i);
      if (u0 > 0 === u1 > 0) continue;
      const fraction = u0 === u1 ? 0 : u0 / (u0 - u1);
      if (best === undefined || fraction < best.fraction) best = { sample: n, unit: i, fraction };
    }
  }
  return best;
}

function describeStationarity(value: number, target: number, kinks: number): string {
  const what = kinks === 0 ? '‖∇L‖' : `‖∇L‖ along ${kinks} held kink${kinks === 1 ? '' : 's'}`;
  return `${what} = ${value.toExponential(2)} (tolerance ${target.toExponential(2)})`;
}

/** What every phase that moves the point reports besides its own fields. */
export interface PhaseMeasures {
  /** Steps tried (solves, iterations, trial steps), and those taken. */
  readonly iterations: number;
  readonly acceptedSteps: number;
  /** Conjugate-gradient steps (each one product with JᵀJ or H). */
  readonly innerSteps: number;
  /** Loss and stationarity measure where the phase started and where it ended. */
  readonly lossBefore: number;
  readonly lossAfter: number;
  readonly stationarityBefore: number;
  readonly stationarityAfter: number;
  /** First-layer kinks held when the phase ended. */
  readonly heldKinks: number;
  readonly seconds: number;
  /** One sentence on why the phase stopped. */
  readonly why: string;
}

/**
 * - `converged`: the stationarity measure met the tolerance.
 * - `solves-used`: all `PATTERN_SOLVES` solves were taken.
 * - `small-gain`: a solve lowered the loss by less than 1%; steps that small are cut back at kinks again and again.
 * - `no-lower-point`: neither the solve's point nor the first kink on the way lowers the loss.
 * - `time-limit`: the time limit ran out.
 */
export interface PatternPhaseRecord extends PhaseMeasures {
  readonly phase: 'pattern';
  readonly stop: 'converged' | 'solves-used' | 'small-gain' | 'no-lower-point' | 'time-limit';
}

/**
 * - `converged`, `max-iterations` (polishing's iteration budget, shared by every run of the phase), `time-limit`.
 * - `slow`: matrix-free, the stationarity measure fell less than tenfold over `SLOW_WINDOW` iterations.
 * - `no-acceptable-step`: 20 rejections in a row, or λ overflowed.
 */
export interface LevenbergMarquardtPhaseRecord extends PhaseMeasures {
  readonly phase: 'levenberg-marquardt';
  /** Whether rejected steps were cut back at the first kink they cross (after a stall without). */
  readonly followsKinks: boolean;
  /** Kinks that joined the working set. */
  readonly kinksAdded: number;
  /** λ when the phase ended (0 when it took no iteration). */
  readonly damping: number;
  readonly stop: 'converged' | 'max-iterations' | 'time-limit' | 'slow' | 'no-acceptable-step';
}

/**
 * - `converged`; `iterations-used`; `time-limit` (trust region only).
 * - `no-lower-point`: a dense Newton step did not improve the point (dense Newton stops at the first).
 * - `radius-collapsed`: the trust region shrank below `TRUST_REGION_MIN_RADIUS`.
 */
export interface NewtonPhaseRecord extends PhaseMeasures {
  readonly phase: 'newton';
  readonly solver: 'dense' | 'trust-region-cg';
  /** `fallback`: Levenberg–Marquardt did not converge; `refine`: it did, with kinks held (see `planNewton`). */
  readonly mode: 'fallback' | 'refine';
  readonly stop: 'converged' | 'iterations-used' | 'no-lower-point' | 'time-limit' | 'radius-collapsed';
}

/**
 * - `left`: a step along the descent direction lowered the loss; the unit's kinks were released.
 * - `no-descent-piece`: the exact kink test found no piece that goes down (or does not apply).
 * - `no-lower-point`: it found one, but no step down to `KINK_EXIT_MIN_STEP` lowered the loss beyond rounding.
 */
export interface KinkExitPhaseRecord extends PhaseMeasures {
  readonly phase: 'kink-exit';
  /** The unit stepped off and the step length (when it left). */
  readonly unit: number | undefined;
  readonly step: number | undefined;
  /** Held pairs released. */
  readonly released: number;
  readonly stop: 'left' | 'no-descent-piece' | 'no-lower-point';
}

/**
 * Why polishing goes on after Newton, or stops.
 * - `time-limit` (stop).
 * - `stalled-off-kinks` (follow-kinks): unconverged without following kinks, with iterations left.
 * - `kinks-not-followed` (stop): `followKinks` is off or the first layer has no kink.
 * - `kink-exits-used` (stop): `maxKinkExits` reached.
 * - `smooth-converged` (stop): converged with no kink held; there is no kink to leave.
 * - `kink-test-not-applicable` (stop): the exact one-hidden-layer kink test cannot look for a descending piece.
 * - `kink-test-applies` (exit-kink): a piece next to the point may go down; the kink exit looks.
 */
export type ContinuationRule =
  | 'time-limit'
  | 'stalled-off-kinks'
  | 'kinks-not-followed'
  | 'kink-exits-used'
  | 'smooth-converged'
  | 'kink-test-not-applicable'
  | 'kink-test-applies';

export interface ContinuationRecord {
  readonly phase: 'decision';
  readonly action: 'stop' | 'follow-kinks' | 'exit-kink';
  readonly rule: ContinuationRule;
  readonly why: string;
}

export type PolishPhaseRecord =
  | PatternPhaseRecord
  | LevenbergMarquardtPhaseRecord
  | NewtonPhaseRecord
  | KinkExitPhaseRecord
  | ContinuationRecord;

export interface PhaseResult<R> {
  /** Where the phase ended (its start when it took no step). */
  readonly point: PolishPoint;
  readonly record: R;
}

/** The stop reason and sentence polishing reports, as they stand after a phase. */
export interface PolishOutcome {
  readonly stopReason: PolishStopReason;
  readonly detail: string;
}

/**
 * Starts measuring a phase at `start`: the returned function gives the common measures of the phase as it ends at
 * `end` (the stationarity measured with the working set as it is then).
 */
function measuring(
  context: PolishContext,
  start: PolishPoint,
  working: KinkWorkingSet,
): (
  end: PolishPoint,
  counts: { iterations: number; acceptedSteps: number; innerSteps: number },
  why: string,
) => PhaseMeasures {
  const began = context.elapsed();
  const stationarityBefore = stationarity(start, working);
  return (end, counts, why) => ({
    ...counts,
    lossBefore: start.loss,
    lossAfter: end.loss,
    stationarityBefore,
    stationarityAfter: stationarity(end, working),
    heldKinks: working.size,
    seconds: context.elapsed() - began,
    why,
  });
}

/**
 * Why the pattern phase cannot run at θ, or undefined when it can: it needs matrix-free polishing that follows
 * kinks (dense LM already solves exactly), on a net the exact kink-piece analysis covers.
 */
export function patternPhaseBlocked(context: PolishContext, theta: Float64Array): string | undefined {
  if (context.method === 'dense') return 'dense Levenberg–Marquardt steps are exact solves already';
  if (!context.followKinks) return 'kinks are not followed';
  return kinkPieceApplicability(context.architecture, theta);
}

/**
 * Exact least-squares solves on one activation pattern. One hidden layer of (leaky-)ReLU units: with the outgoing
 * weights v held and the activation pattern fixed, the output is linear in the first layer and the output bias, so
 * Gauss–Newton on those parameters is exact and one accurate conjugate-gradient solve lands on the best point of
 * the pattern (Soudry–Hoffer's folded weights vᵢwᵢ make it a convex least-squares problem). A step that changes the
 * pattern is taken only when it lowers the loss; otherwise it is cut back to the first kink it crosses. Matrix-free
 * polishing runs this first: near a minimum whose residual is held up by samples no unit reaches, plain
 * Levenberg–Marquardt over all of θ creeps (the remaining gradient is tiny and badly conditioned).
 */
export function patternPhase(
  context: PolishContext,
  start: PolishPoint,
  working: KinkWorkingSet,
): PhaseResult<PatternPhaseRecord> {
  const measuresAt = measuring(context, start, working);
  const { target } = context;
  const size = start.theta.length;
  const output = context.layout.layers[context.layout.layers.length - 1];
  const mask = new Float64Array(size).fill(1);
  mask.fill(0, output.weightOffset, output.weightOffset + output.inputs * output.outputs);
  const masked = (v: Float64Array): Float64Array => v.map((value, p) => value * mask[p]);
  let point = start;
  let iterations = 0;
  let acceptedSteps = 0;
  let innerSteps = 0;
  const finish = (stop: PatternPhaseRecord['stop'], why: string): PhaseResult<PatternPhaseRecord> => ({
    point,
    record: {
      phase: 'pattern',
      stop,
      ...measuresAt(point, { iterations, acceptedSteps, innerSteps }, why),
    },
  });
  const converged = (value: number) =>
    finish('converged', `the pattern solves reached ${describeStationarity(value, target, working.size)}`);
  for (;;) {
    const measure = stationarity(point, working);
    if (measure <= target) return converged(measure);
    if (iterations >= PATTERN_SOLVES)
      return finish('solves-used', `all ${PATTERN_SOLVES} pattern solves were used`);
    if (context.elapsed() >= context.timeLimit) {
      return finish('time-limit', `the time limit of ${context.timeLimit} s ran out`);
    }
    const curvature = point.curvature;
    const solved = conjugateGradientSolve(
      masked(curvature.jacobianTransposeVector(point.residual)).map((v) => -v),
      (v) => masked(curvature.gaussNewtonVector(masked(v))),
      EXACT_SOLVE_RESIDUAL,
      PATTERN_CG_ITERATIONS,
    );
    iterations++;
    innerSteps += solved.steps;
    const trialTheta = addScaled(point.theta, solved.x, 1);
    let trial = evaluatePoint(context, trialTheta);
    if (!improves(trial, point, working)) {
      const crossing = firstKinkCrossing(context, working, point.theta, trialTheta);
      const noLower = 'neither the solve nor the first kink it crosses lowers the loss';
      if (crossing === undefined || crossing.fraction <= 0) return finish('no-lower-point', noLower);
      trial = evaluatePoint(context, addScaled(point.theta, solved.x, crossing.fraction));
      if (!improves(trial, point, working)) return finish('no-lower-point', noLower);
    }
    const gain = (point.loss - trial.loss) / Math.max(point.loss, Number.MIN_VALUE);
    point = trial;
    acceptedSteps++;
    context.onProgress?.({
      phase: 'pattern',
      iteration: acceptedSteps,
      loss: point.loss,
      stationarity: stationarity(point, working),
      target,
      innerSteps: solved.steps,
      seconds: context.elapsed(),
    });
    // A pattern step that gains less than 1% is cut back at kinks again and again; Levenberg–Marquardt over all
    // of θ (which may also change v) does better from there.
    if (gain < PATTERN_MIN_GAIN) {
      const reached = stationarity(point, working);
      if (reached <= target) return converged(reached);
      return finish('small-gain', `a solve lowered the loss by ${(100 * gain).toPrecision(2)}% (< 1%)`);
    }
  }
}

/**
 * Levenberg–Marquardt from `start` until converged, stalled or out of iterations. Each step solves
 * (JᵀJ + λI)δ = −Jᵀr on the kinks' tangent space (dense, or by conjugate gradients with Eisenstat–Walker forcing);
 * λ follows Nielsen's update. Following kinks, a rejected step that crosses a kink is cut back to the first one it
 * crosses and that pair joins the working set. `iterationsBefore` are the iterations of earlier runs, which count
 * against `maxIterations`.
 */
export function levenbergMarquardtPhase(
  context: PolishContext,
  start: PolishPoint,
  working: KinkWorkingSet,
  input: { readonly followsKinks: boolean; readonly iterationsBefore: number },
): PhaseResult<LevenbergMarquardtPhaseRecord> {
  const measuresAt = measuring(context, start, working);
  const { target, maxIterations } = context;
  const size = start.theta.length;
  const solver = context.method === 'dense' ? new DenseSolver() : undefined;
  const heldBefore = working.size;
  let point = start;
  let lambda = 0;
  let growth = 2;
  let rejections = 0;
  let iterations = 0;
  let acceptedSteps = 0;
  let innerSteps = 0;
  const history: number[] = [];
  const finish = (
    stop: LevenbergMarquardtPhaseRecord['stop'],
    why: string,
  ): PhaseResult<LevenbergMarquardtPhaseRecord> => ({
    point,
    record: {
      phase: 'levenberg-marquardt',
      stop,
      followsKinks: input.followsKinks,
      kinksAdded: working.size - heldBefore,
      damping: lambda,
      ...measuresAt(point, { iterations, acceptedSteps, innerSteps }, why),
    },
  });
  for (;;) {
    const measure = stationarity(point, working);
    const where = (): string => describeStationarity(measure, target, working.size);
    const total = input.iterationsBefore + iterations;
    if (measure <= target) {
      return finish(
        'converged',
        total === 0
          ? 'the starting point already meets the gradient tolerance'
          : `Levenberg–Marquardt reached ${where()}`,
      );
    }
    if (total >= maxIterations) {
      return finish(
        'max-iterations',
        `Levenberg–Marquardt used all ${maxIterations} iterations (${iterations} in its last run)`,
      );
    }
    if (context.elapsed() >= context.timeLimit) {
      return finish(
        'time-limit',
        `the time limit of ${context.timeLimit} s ran out after ${total} Levenberg–Marquardt iterations at ${where()}`,
      );
    }
    history.push(measure);
    if (
      context.method === 'matrix-free' &&
      context.newtonLimit > 0 &&
      context.newtonIterations > 0 &&
      history.length > SLOW_WINDOW &&
      history[history.length - 1] > 0.1 * history[history.length - 1 - SLOW_WINDOW]
    ) {
      return finish(
        'slow',
        `Levenberg–Marquardt slowed down (‖∇L‖ fell less than tenfold in ${SLOW_WINDOW} iterations) at ${where()}`,
      );
    }
    iterations++;
    const correction = working.correction(point.theta);
    if (solver) solver.prepare(context.architecture, point, context.samples, working, correction);
    if (lambda === 0) {
      const trace = solver ? solver.trace : estimateTrace(point.curvature, size);
      lambda = INITIAL_DAMPING * Math.max(trace / size, Number.MIN_VALUE);
    }
    let cgSteps = 0;
    let step: Float64Array;
    if (solver) step = solver.solve(lambda);
    else {
      const solved = conjugateGradientStep(
        point,
        lambda,
        context.cgIterations,
        forcing(context, point, working),
        working,
        correction,
      );
      step = solved.step;
      cgSteps = solved.steps;
      innerSteps += cgSteps;
    }
    const trialTheta = addScaled(point.theta, step, 1);
    const trial = evaluatePoint(context, trialTheta);
    const accept = improves(trial, point, working);
    context.onProgress?.({
      phase: 'levenberg-marquardt',
      iteration: input.iterationsBefore + iterations,
      loss: accept ? trial.loss : point.loss,
      stationarity: stationarity(accept ? trial : point, working),
      target,
      innerSteps: cgSteps,
      seconds: context.elapsed(),
    });
    if (accept) {
      const js = point.curvature.jacobianVector(step);
      const predicted = context.residualWeight * (-2 * dot(point.residual, js) - dot(js, js));
      const gain = predicted > 0 ? (point.loss - trial.loss) / predicted : 1;
      point = trial;
      acceptedSteps++;
      rejections = 0;
      lambda *= Math.max(1 / 3, 1 - Math.pow(2 * Math.min(gain, 1) - 1, 3));
      growth = 2;
      continue;
    }
    const crossing = input.followsKinks
      ? firstKinkCrossing(context, working, point.theta, trialTheta)
      : undefined;
    if (crossing !== undefined) {
      const partial = evaluatePoint(context, addScaled(point.theta, step, crossing.fraction));
      if (crossing.fraction === 0 || partial.loss < point.loss - roundingOf(point.loss)) {
        working.add(crossing.sample, crossing.unit);
        if (crossing.fraction > 0) {
          point = partial;
          acceptedSteps++;
        }
        rejections = 0;
        continue;
      }
    }
    rejections++;
    lambda *= growth;
    growth *= 2;
    if (!Number.isFinite(lambda) || rejections >= 20) {
      // A rejected step leaves the point and the working set as they were at the top of the loop.
      return finish('no-acceptable-step', `Levenberg–Marquardt found no acceptable step at ${where()}`);
    }
  }
}

/** The stop reason polishing reports for a Levenberg–Marquardt phase (both ways of stalling are `stalled`). */
export function levenbergMarquardtOutcome(record: LevenbergMarquardtPhaseRecord): PolishOutcome {
  const stopReason: PolishStopReason =
    record.stop === 'slow' || record.stop === 'no-acceptable-step' ? 'stalled' : record.stop;
  return { stopReason, detail: record.why };
}

export type NewtonPlan =
  | { readonly run: false; readonly why: string }
  | {
      readonly run: true;
      readonly solver: 'dense' | 'trust-region-cg';
      readonly mode: 'fallback' | 'refine';
      /** Most steps. */
      readonly iterations: number;
    };

/**
 * Whether Newton steps on the exact Hessian follow Levenberg–Marquardt, and how. Gauss–Newton ignores the residual
 * curvature Σ rₙ∇²outputₙ and so converges only linearly at minima with L > 0: when LM ended unconverged, Newton is
 * the fallback, dense for P ≤ newtonLimit and trust-region Newton–CG above. When LM converged with kinks held, a few
 * dense steps refine the point so that the one-sided tests at the kinks see it to rounding level rather than to the
 * tolerance.
 */
export function planNewton(
  context: PolishContext,
  size: number,
  stopReason: PolishStopReason,
  heldKinks: number,
): NewtonPlan {
  if (context.newtonLimit === 0 || context.newtonIterations === 0) {
    return { run: false, why: 'the Newton fallback is switched off' };
  }
  if (stopReason === 'time-limit') return { run: false, why: 'the time limit ran out' };
  const dense = size <= context.newtonLimit;
  if (stopReason !== 'converged') {
    return {
      run: true,
      solver: dense ? 'dense' : 'trust-region-cg',
      mode: 'fallback',
      iterations: context.newtonIterations,
    };
  }
  if (heldKinks === 0) return { run: false, why: 'converged at a smooth point' };
  if (!dense)
    return { run: false, why: `converged on kinks, and P = ${size} is above the dense Newton limit` };
  return { run: true, solver: 'dense', mode: 'refine', iterations: REFINE_NEWTON_STEPS };
}

/** Runs the Newton steps a plan asks for. */
export function newtonPhase(
  context: PolishContext,
  start: PolishPoint,
  working: KinkWorkingSet,
  plan: Extract<NewtonPlan, { run: true }>,
): PhaseResult<NewtonPhaseRecord> {
  return plan.solver === 'dense'
    ? denseNewton(context, start, working, plan.mode, plan.iterations)
    : trustRegionNewton(context, start, working, plan.iterations);
}

/**
 * δ = −H⁺∇L on the kinks' tangent space (dense Hessian; pseudo-inverse through its eigenvectors, leaving out the
 * near-zero eigenvalues so that symmetry directions are left alone), until one is not an improvement. A fallback
 * stops at the tolerance; a refinement takes its steps regardless.
 */
function denseNewton(
  context: PolishContext,
  start: PolishPoint,
  working: KinkWorkingSet,
  mode: 'fallback' | 'refine',
  limit: number,
): PhaseResult<NewtonPhaseRecord> {
  const measuresAt = measuring(context, start, working);
  let point = start;
  let iterations = 0;
  let acceptedSteps = 0;
  const finish = (stop: NewtonPhaseRecord['stop'], why: string): PhaseResult<NewtonPhaseRecord> => ({
    point,
    record: {
      phase: 'newton',
      solver: 'dense',
      mode,
      stop,
      ...measuresAt(point, { iterations, acceptedSteps, innerSteps: 0 }, why),
    },
  });
  for (;;) {
    if (mode === 'fallback' && stationarity(point, working) <= context.target) {
      return finish('converged', 'the gradient tolerance is met');
    }
    if (iterations >= limit) return finish('iterations-used', `all ${limit} Newton steps were taken`);
    iterations++;
    const step = newtonStep(context.architecture, context.loss, point, context.samples, working);
    const trial = evaluatePoint(context, addScaled(point.theta, step, 1));
    if (!improves(trial, point, working)) {
      return finish('no-lower-point', 'a Newton step did not improve the point');
    }
    point = trial;
    acceptedSteps++;
  }
}

/**
 * Trust-region Newton with Steihaug–Toint conjugate gradients on ΠHΠ (Π keeps held kinks): each iteration
 * approximately minimises the quadratic model inside radius Δ, stopping at negative curvature or the boundary, so
 * it also handles indefinite curvature. Δ shrinks to ¼‖p‖ when the model predicted badly (ρ < ¼) and doubles when
 * it predicted well at the boundary.
 */
function trustRegionNewton(
  context: PolishContext,
  start: PolishPoint,
  working: KinkWorkingSet,
  limit: number,
): PhaseResult<NewtonPhaseRecord> {
  const measuresAt = measuring(context, start, working);
  const { target } = context;
  let point = start;
  let radius = 0.1 * Math.max(1, norm(start.theta));
  let iterations = 0;
  let acceptedSteps = 0;
  let innerSteps = 0;
  const finish = (stop: NewtonPhaseRecord['stop'], why: string): PhaseResult<NewtonPhaseRecord> => ({
    point,
    record: {
      phase: 'newton',
      solver: 'trust-region-cg',
      mode: 'fallback',
      stop,
      ...measuresAt(point, { iterations, acceptedSteps, innerSteps }, why),
    },
  });
  const project = (v: Float64Array): Float64Array => (working.size === 0 ? v : working.tangential(v));
  for (;;) {
    const measure = stationarity(point, working);
    if (measure <= target) return finish('converged', 'the gradient tolerance is met');
    if (iterations >= limit)
      return finish('iterations-used', `all ${limit} trust-region iterations were used`);
    if (context.elapsed() >= context.timeLimit) {
      const where = describeStationarity(measure, target, working.size);
      return finish(
        'time-limit',
        `the time limit of ${context.timeLimit} s ran out in the trust-region Newton–CG fallback at ${where}`,
      );
    }
    iterations++;
    const curvature = point.curvature;
    const solved = steihaugStep(
      project(point.gradient),
      (v) => project(curvature.hessianVector(project(v))),
      radius,
      forcing(context, point, working),
      context.cgIterations,
    );
    innerSteps += solved.steps;
    const step = addScaled(working.correction(point.theta), solved.step, 1);
    const trial = evaluatePoint(context, addScaled(point.theta, step, 1));
    const accept = improves(trial, point, working);
    const actual = point.loss - trial.loss;
    const ratio = solved.predicted > 0 ? actual / solved.predicted : accept ? 1 : 0;
    const length = norm(solved.step);
    if (ratio < 0.25) radius = 0.25 * length;
    else if (ratio > 0.75 && length >= 0.99 * radius) radius *= 2;
    context.onProgress?.({
      phase: 'newton',
      iteration: iterations,
      loss: accept ? trial.loss : point.loss,
      stationarity: stationarity(accept ? trial : point, working),
      target,
      innerSteps: solved.steps,
      seconds: context.elapsed(),
    });
    if (accept) {
      point = trial;
      acceptedSteps++;
    }
    if (radius <= TRUST_REGION_MIN_RADIUS * Math.max(1, norm(point.theta))) {
      return finish('radius-collapsed', `the trust region shrank to ${radius.toExponential(2)}`);
    }
  }
}

/**
 * The stop reason and sentence after a Newton phase. A refinement changes neither; a fallback reports convergence
 * when it reached the tolerance, and otherwise adds what it did to the sentence of the phase before.
 */
export function newtonOutcome(
  before: PolishOutcome,
  record: NewtonPhaseRecord,
  target: number,
): PolishOutcome {
  if (record.mode === 'refine') return before;
  const timedOut = record.stop === 'time-limit';
  const stopReason = timedOut ? 'time-limit' : before.stopReason;
  const detail = timedOut ? record.why : before.detail;
  const what = record.solver === 'dense' ? 'the Newton fallback' : 'the trust-region Newton–CG fallback';
  const reached = describeStationarity(record.stationarityAfter, target, record.heldKinks);
  if (record.stationarityAfter <= target) {
    return { stopReason: 'converged', detail: `${what} (after: ${detail}) reached ${reached}` };
  }
  if (record.acceptedSteps > 0) {
    return {
      stopReason,
      detail: `${detail}; ${what} took ${record.acceptedSteps} steps and stopped at ${reached}`,
    };
  }
  return { stopReason, detail };
}

export interface ContinuationEvidence {
  readonly stopReason: PolishStopReason;
  /** The run's `followKinks`, and whether Levenberg–Marquardt follows them already. */
  readonly followKinks: boolean;
  readonly followingKinks: boolean;
  readonly iterations: number;
  readonly maxIterations: number;
  readonly kinkExits: number;
  readonly maxKinkExits: number;
  readonly heldKinks: number;
  /** Why the exact kink test does not apply at the point (`kinkPieceApplicability`), or undefined. */
  readonly kinkTestBlocked: string | undefined;
}

/**
 * What polishing does after Levenberg–Marquardt and Newton: stop, run Levenberg–Marquardt again following kinks
 * (plain LM stalls most often next to a kink it keeps stepping across), or look for a way off a kink. At a kink the
 * gradient along the kinks can vanish although the point is not a minimum (some piece next to it goes down), so
 * convergence with kinks held is not the end while the exact test can look. Rules apply in order; the first that
 * decides wins.
 */
export function decideContinuation(evidence: ContinuationEvidence): ContinuationRecord {
  const { stopReason } = evidence;
  if (stopReason === 'time-limit') return continuation('stop', 'time-limit', 'the time limit ran out');
  if (
    stopReason !== 'converged' &&
    evidence.followKinks &&
    !evidence.followingKinks &&
    evidence.iterations < evidence.maxIterations
  ) {
    return continuation(
      'follow-kinks',
      'stalled-off-kinks',
      `Levenberg–Marquardt ended ${stopReason} without following kinks and has ` +
        `${evidence.maxIterations - evidence.iterations} iterations left: run it again, cutting steps back at kinks`,
    );
  }
  if (!evidence.followKinks) {
    return continuation('stop', 'kinks-not-followed', 'kinks are not followed, so there is no kink to leave');
  }
  if (evidence.kinkExits >= evidence.maxKinkExits) {
    return continuation('stop', 'kink-exits-used', `all ${evidence.maxKinkExits} kink exits were used`);
  }
  if (evidence.heldKinks === 0 && stopReason === 'converged') {
    return continuation('stop', 'smooth-converged', 'converged with no kink held: there is no kink to leave');
  }
  if (evidence.kinkTestBlocked !== undefined) {
    return continuation(
      'stop',
      'kink-test-not-applicable',
      `the exact kink test cannot look for a piece that goes down: ${evidence.kinkTestBlocked}`,
    );
  }
  const where =
    stopReason === 'converged'
      ? `converged with ${evidence.heldKinks} kink${evidence.heldKinks === 1 ? '' : 's'} held`
      : `ended ${stopReason}`;
  return continuation(
    'exit-kink',
    'kink-test-applies',
    `${where}; the exact kink test applies, so look for a piece next to the point that goes down`,
  );
}

function continuation(
  action: ContinuationRecord['action'],
  rule: ContinuationRule,
  why: string,
): ContinuationRecord {
  return { phase: 'decision', action, rule, why };
}

/**
 * A step off a kink: the exact one-hidden-layer test (kink-pieces.ts) finds a piece next to the point that goes down
 * and a descent direction into it; steps of decreasing length along it are tried until one lowers the loss beyond
 * rounding, and then the unit's held kinks are released.
 */
export function kinkExitPhase(
  context: PolishContext,
  start: PolishPoint,
  working: KinkWorkingSet,
): PhaseResult<KinkExitPhaseRecord> {
  const measuresAt = measuring(context, start, working);
  let iterations = 0;
  const finish = (
    stop: KinkExitPhaseRecord['stop'],
    why: string,
    left?: { point: PolishPoint; unit: number; step: number; released: number },
  ): PhaseResult<KinkExitPhaseRecord> => {
    const point = left?.point ?? start;
    return {
      point,
      record: {
        phase: 'kink-exit',
        stop,
        unit: left?.unit,
        step: left?.step,
        released: left?.released ?? 0,
        ...measuresAt(point, { iterations, acceptedSteps: left === undefined ? 0 : 1, innerSteps: 0 }, why),
      },
    };
  };
  const analysis = analyseKinkPieces(
    context.architecture,
    context.loss,
    start.theta,
    context.samples,
    start.cache(),
    {
      gradientTolerance: context.target,
      kinkTolerance: context.kinkTolerance,
    },
  );
  if (!analysis.applicable)
    return finish('no-descent-piece', `the exact kink test does not apply: ${analysis.reason}`);
  if (analysis.witness === undefined) {
    return finish(
      'no-descent-piece',
      `the exact kink test finds no piece that goes down (${analysis.outcome})`,
    );
  }
  const { direction, unit } = analysis.witness;
  const reach = Math.max(1, norm(start.theta));
  for (let t = KINK_EXIT_FIRST_STEP * reach; t > KINK_EXIT_MIN_STEP * reach; t /= 10) {
    iterations++;
    const trial = evaluatePoint(context, addScaled(start.theta, direction, t));
    if (trial.loss < start.loss - roundingOf(start.loss)) {
      const held = working.size;
      working.releaseUnit(unit);
      return finish(
        'left',
        `a step of ${t.toExponential(2)} into a descending piece of unit ${unit} lowered the loss`,
        {
          point: trial,
          unit,
          step: t,
          released: held - working.size,
        },
      );
    }
  }
  return finish(
    'no-lower-point',
    `unit ${unit} has a descending piece, but no step along its direction lowered the loss beyond rounding`,
  );
}
