import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { polish, type PolishOptions } from '../../src/certify/polish.js';
import {
  type ContinuationEvidence,
  decideContinuation,
  evaluatePoint,
  firstKinkCrossing,
  improves,
  kinkExitPhase,
  levenbergMarquardtOutcome,
  levenbergMarquardtPhase,
  type NewtonPhaseRecord,
  newtonOutcome,
  newtonPhase,
  patternPhase,
  patternPhaseBlocked,
  planNewton,
  polishContext,
  type PolishPoint,
  REFINE_NEWTON_STEPS,
} from '../../src/certify/polish-phases.js';
import { firstLayerPreActivation, KinkWorkingSet } from '../../src/certify/kink-set.js';
import { swirszczD3 } from '../../src/data/swirszcz.js';
import { teacherDataset } from '../../src/data/teacher.js';
import { type Architecture, mlp, parameterCount } from '../../src/model/architecture.js';
import { initialise } from '../../src/model/init.js';
import type { LossKind } from '../../src/model/loss.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;

function setUp(architecture: Architecture, loss: LossKind, samples: Samples, options: PolishOptions = {}) {
  const context = polishContext(architecture, loss, samples, parameterCount(architecture), options);
  const working = new KinkWorkingSet(context.layout, samples);
  const at = (theta: readonly number[] | Float64Array): PolishPoint =>
    evaluatePoint(context, Float64Array.from(theta));
  return { context, working, at };
}

/**
 * Linear regression y ≈ w·x + b on x = 0, 1, 2 and y = 1, 3, 2 with L = ‖r‖²: the least-squares line is w = 1/2,
 * b = 3/2 (residuals ½, −1, ½, so L* = 3/2), and from θ = 0 the loss is 1 + 9 + 4 = 14. L is a quadratic of θ.
 */
const line = mlp(1, [], 1, relu, true);
const lineSamples = makeSamples([0, 1, 2], [1, 3, 2], 1);
const lineOptimum = [0.5, 1.5];

function assertNear(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, what: string) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance,
      `${what}[${i}] = ${actual[i]}, expected ${expected[i]}`,
    );
  }
}

describe('polish phases: the acceptance rule and kink crossings', () => {
  const working = new KinkWorkingSet(
    { layers: [{ inputs: 1, outputs: 1, weightOffset: 0, biasOffset: 1, activation: relu }], size: 2 },
    lineSamples,
  );
  const fake = (loss: number, gradientNorm: number) => ({ loss, gradientNorm }) as PolishPoint;

  it('takes a lower loss, or an equal one (within rounding) with a smaller gradient, and nothing else', () => {
    assert.equal(improves(fake(0.9, 5), fake(1, 1), working), true, 'lower loss, larger gradient');
    assert.equal(
      improves(fake(1 + 1e-14, 1e-3), fake(1, 1), working),
      true,
      'loss equal to rounding, smaller gradient',
    );
    assert.equal(
      improves(fake(1 + 1e-14, 2), fake(1, 1), working),
      false,
      'loss equal to rounding, larger gradient',
    );
    assert.equal(improves(fake(1 + 1e-10, 0), fake(1, 1), working), false, 'loss higher beyond rounding');
    assert.equal(improves(fake(NaN, 0), fake(1, 1), working), false, 'non-finite');
  });

  it('finds the first kink a step crosses and the exact fraction of the step where it does', () => {
    // One ReLU unit u = w·x + b on x = 0, 1, 2, from (w, b) = (1, 1): u = 1, 2, 3. Towards (−3, 1): u = 1, −2, −5.
    // Sample 1 reaches 0 at fraction 2/(2 + 2) = ½ and sample 2 at 3/(3 + 5) = 3/8, so sample 2 comes first.
    const unit = mlp(1, [1], 1, relu, true);
    const { context, working: set } = setUp(unit, 'sse', lineSamples);
    const theta = Float64Array.of(1, 1, 1, 0);
    const trial = Float64Array.of(-3, 1, 1, 0);
    assert.deepEqual(firstKinkCrossing(context, set, theta, trial), { sample: 2, unit: 0, fraction: 3 / 8 });
    set.add(2, 0);
    assert.deepEqual(firstKinkCrossing(context, set, theta, trial), { sample: 1, unit: 0, fraction: 1 / 2 });
    assert.equal(firstKinkCrossing(context, set, theta, Float64Array.of(2, 1, 1, 0)), undefined);
  });
});

describe('polish phases: Levenberg–Marquardt', () => {
  it('converges on a linear least-squares problem to the known line, and says so', () => {
    const { context, working, at } = setUp(line, 'sse', lineSamples);
    const { point, record } = levenbergMarquardtPhase(context, at([0, 0]), working, {
      followsKinks: false,
      iterationsBefore: 0,
    });
    assert.equal(record.stop, 'converged', record.why);
    assert.match(record.why, /^Levenberg–Marquardt reached ‖∇L‖ = /);
    assert.equal(record.lossBefore, 14);
    assert.ok(Math.abs(record.lossAfter - 1.5) < 1e-14, `L = ${record.lossAfter}`);
    assert.ok(record.stationarityAfter <= context.target);
    assert.equal(record.stationarityAfter, point.gradientNorm);
    assertNear(point.theta, lineOptimum, 1e-11, 'θ');
    assert.ok(
      record.iterations >= 1 && record.acceptedSteps >= 1 && record.acceptedSteps <= record.iterations,
    );
    assert.equal(record.kinksAdded, 0);
    assert.ok(record.damping > 0);
    assert.deepEqual(levenbergMarquardtOutcome(record), { stopReason: 'converged', detail: record.why });
  });

  it('stops without a step when it starts converged, out of iterations or out of time', () => {
    const { context, working, at } = setUp(line, 'sse', lineSamples, { maxIterations: 5 });
    const optimum = levenbergMarquardtPhase(context, at(lineOptimum), working, {
      followsKinks: false,
      iterationsBefore: 0,
    }).record;
    assert.equal(optimum.stop, 'converged');
    assert.equal(optimum.iterations, 0);
    assert.equal(optimum.why, 'the starting point already meets the gradient tolerance');

    const spent = levenbergMarquardtPhase(context, at([0, 0]), working, {
      followsKinks: false,
      iterationsBefore: 5,
    });
    assert.equal(spent.record.stop, 'max-iterations');
    assert.equal(spent.record.iterations, 0);
    assert.equal(spent.record.why, 'Levenberg–Marquardt used all 5 iterations (0 in its last run)');
    assert.deepEqual(levenbergMarquardtOutcome(spent.record).stopReason, 'max-iterations');
    assert.deepEqual(Array.from(spent.point.theta), [0, 0]);

    const late = setUp(line, 'sse', lineSamples, { timeLimitSeconds: 0 });
    const timed = levenbergMarquardtPhase(late.context, late.at([0, 0]), late.working, {
      followsKinks: false,
      iterationsBefore: 0,
    }).record;
    assert.equal(timed.stop, 'time-limit');
    assert.equal(timed.lossAfter, 14);
  });

  it('stalls beside Swirszcz D3’s worse minimum, and following kinks puts a pair exactly on its kink', () => {
    const d3 = swirszczD3();
    const known = d3.points.find((p) => p.name === 'worse-local-min')!;
    const start = Float64Array.from(known.theta, (v, i) => v + 1e-3 * Math.sin(7.1 * i + 1));
    const { context, working, at } = setUp(d3.architecture, d3.loss, d3.dataset);
    const plain = levenbergMarquardtPhase(context, at(start), working, {
      followsKinks: false,
      iterationsBefore: 0,
    });
    assert.equal(plain.record.stop, 'no-acceptable-step', plain.record.why);
    assert.equal(levenbergMarquardtOutcome(plain.record).stopReason, 'stalled');
    assert.equal(plain.record.kinksAdded, 0);
    assert.ok(plain.record.stationarityAfter > context.target);

    const following = levenbergMarquardtPhase(context, plain.point, working, {
      followsKinks: true,
      iterationsBefore: plain.record.iterations,
    });
    assert.ok(following.record.kinksAdded >= 1, following.record.why);
    assert.equal(following.record.heldKinks, working.size);
    assert.ok(following.record.stationarityAfter < plain.record.stationarityAfter);
    for (const pair of working.pairs) {
      const u = firstLayerPreActivation(
        context.layout.layers[0],
        following.point.theta,
        d3.dataset,
        pair.sample,
        pair.unit,
      );
      assert.ok(Math.abs(u) <= 1e-12, `pre-activation of (${pair.sample}, ${pair.unit}) = ${u}`);
    }
  });
});

describe('polish phases: Newton', () => {
  const stalled = { stopReason: 'stalled', detail: 'LM stalled' } as const;

  it('lands on the minimum of a quadratic in exactly one dense step', () => {
    const { context, working, at } = setUp(line, 'sse', lineSamples);
    const plan = planNewton(context, 2, 'stalled', 0);
    assert.deepEqual(plan, { run: true, solver: 'dense', mode: 'fallback', iterations: 20 });
    if (!plan.run) return;
    const { point, record } = newtonPhase(context, at([0, 0]), working, plan);
    assert.equal(record.stop, 'converged', record.why);
    assert.equal(record.iterations, 1);
    assert.equal(record.acceptedSteps, 1);
    assertNear(point.theta, lineOptimum, 1e-14, 'θ');
    assert.ok(Math.abs(record.lossAfter - 1.5) < 1e-14);
    const outcome = newtonOutcome(stalled, record, context.target);
    assert.equal(outcome.stopReason, 'converged');
    assert.match(outcome.detail, /^the Newton fallback \(after: LM stalled\) reached ‖∇L‖ = /);
  });

  it('reaches the same minimum by trust-region Newton–CG above the dense limit', () => {
    const { context, working, at } = setUp(line, 'sse', lineSamples, { newtonLimit: 1 });
    const plan = planNewton(context, 2, 'stalled', 0);
    assert.deepEqual(plan, { run: true, solver: 'trust-region-cg', mode: 'fallback', iterations: 20 });
    if (!plan.run) return;
    const { point, record } = newtonPhase(context, at([0, 0]), working, plan);
    assert.equal(record.stop, 'converged', record.why);
    // The model of a quadratic is exact (ρ = 1), so the radius doubles after each boundary step: 0.1, 0.2, 0.4
    // and 0.8 cover 1.5 of ‖θ* − 0‖ = 1.58, and the fifth step, Newton's, lies inside the radius 1.6.
    assert.equal(record.acceptedSteps, 5);
    assert.equal(record.iterations, 5);
    assert.ok(record.innerSteps >= record.acceptedSteps);
    assertNear(point.theta, lineOptimum, 1e-12, 'θ');
  });

  it('refines a converged point on kinks by a fixed number of steps, and a refinement changes no outcome', () => {
    const { context, working, at } = setUp(line, 'sse', lineSamples);
    const plan = planNewton(context, 2, 'converged', 1);
    assert.deepEqual(plan, { run: true, solver: 'dense', mode: 'refine', iterations: REFINE_NEWTON_STEPS });
    if (!plan.run) return;
    const { record } = newtonPhase(context, at(lineOptimum), working, plan);
    // Already at the minimum: the first step cannot improve it, and refining does not stop at the tolerance.
    assert.equal(record.stop, 'no-lower-point');
    assert.equal(record.iterations, 1);
    const before = { stopReason: 'converged', detail: 'LM converged' } as const;
    assert.deepEqual(newtonOutcome(before, record, context.target), before);
  });

  it('is planned only when it can help', () => {
    const { context } = setUp(line, 'sse', lineSamples);
    assert.equal(planNewton(context, 2, 'converged', 0).run, false);
    assert.equal(planNewton(context, 2, 'time-limit', 0).run, false);
    assert.equal(planNewton(context, 500, 'converged', 3).run, false, 'refinement is dense only');
    const off = setUp(line, 'sse', lineSamples, { newtonIterations: 0 }).context;
    assert.deepEqual(planNewton(off, 2, 'stalled', 0), {
      run: false,
      why: 'the Newton fallback is switched off',
    });
  });

  it('reports a fallback that did not converge after the sentence before it, and a time limit as its own', () => {
    const record = (stop: NewtonPhaseRecord['stop'], acceptedSteps: number): NewtonPhaseRecord => ({
      phase: 'newton',
      solver: 'trust-region-cg',
      mode: 'fallback',
      stop,
      iterations: 4,
      acceptedSteps,
      innerSteps: 9,
      lossBefore: 2,
      lossAfter: 1,
      stationarityBefore: 1,
      stationarityAfter: 1e-3,
      heldKinks: 0,
      seconds: 0,
      why: 'the time limit of 1 s ran out in the trust-region Newton–CG fallback',
    });
    assert.deepEqual(newtonOutcome(stalled, record('iterations-used', 3), 1e-12), {
      stopReason: 'stalled',
      detail:
        'LM stalled; the trust-region Newton–CG fallback took 3 steps and stopped at ‖∇L‖ = 1.00e-3 (tolerance 1.00e-12)',
    });
    assert.deepEqual(newtonOutcome(stalled, record('radius-collapsed', 0), 1e-12), stalled);
    assert.deepEqual(newtonOutcome(stalled, record('time-limit', 0), 1e-12), {
      stopReason: 'time-limit',
      detail: 'the time limit of 1 s ran out in the trust-region Newton–CG fallback',
    });
  });
});

describe('polish phases: pattern solves', () => {
  // One ReLU unit: y = 1.5·relu(2x + 1) + 0.5 = 3x + 2 on x = 1, 2, 3. From w = 1, b = 1 (all samples active, and
  // active at the answer too) with v = 1.5 held, the output 1.5(wx + b) + c is linear in (w, b, c), so one exact
  // least-squares solve fits the data.
  const unit = mlp(1, [1], 1, relu, true);
  const samples = makeSamples([1, 2, 3], [5, 8, 11], 1);

  it('fits the pattern in one exact solve and leaves the output weight alone', () => {
    const { context, working, at } = setUp(unit, 'sse', samples, { method: 'matrix-free' });
    const start = at([1, 1, 1.5, 0]);
    assert.equal(patternPhaseBlocked(context, start.theta), undefined);
    const { point, record } = patternPhase(context, start, working);
    assert.equal(record.stop, 'converged', record.why);
    assert.equal(record.iterations, 1);
    assert.equal(record.acceptedSteps, 1);
    // Outputs 1.5·(x + 1) = 3, 4.5, 6 against 5, 8, 11: residuals −2, −3.5, −5.
    assert.equal(record.lossBefore, 4 + 12.25 + 25);
    assert.ok(record.lossAfter < 1e-20, `L = ${record.lossAfter}`);
    assert.equal(point.theta[2], 1.5, 'v is held');
    assert.ok(Math.abs(1.5 * point.theta[0] - 3) < 1e-12, `slope 1.5·w = ${1.5 * point.theta[0]}`);
  });

  it('does not run on dense polishing, and stops at once out of time', () => {
    const dense = setUp(unit, 'sse', samples, { method: 'dense' });
    assert.match(patternPhaseBlocked(dense.context, Float64Array.of(1, 1, 1.5, 0)) ?? '', /dense/);
    const late = setUp(unit, 'sse', samples, { method: 'matrix-free', timeLimitSeconds: 0 });
    const { record } = patternPhase(late.context, late.at([1, 1, 1.5, 0]), late.working);
    assert.equal(record.stop, 'time-limit');
    assert.equal(record.iterations, 0);
  });
});

describe('polish phases: kink exit', () => {
  // One ReLU unit on x = −1, 1 with y = 0, 2, at w = 1, b = −1, v = 1, c = 1: u = −2, 0, so sample 1 sits on the
  // kink; both outputs are c = 1, the residuals ±1 make ∂L/∂c = ∂L/∂v = 0, and with relu′(0) = 0 the gradient
  // vanishes. Yet activating sample 1 (u > 0) raises its output towards 2: a piece next to the point goes down.
  const unit = mlp(1, [1], 1, relu, true);
  const samples = makeSamples([-1, 1], [0, 2], 1);

  it('steps into the piece that goes down and releases the unit’s kinks', () => {
    const { context, working, at } = setUp(unit, 'sse', samples);
    working.add(1, 0);
    const start = at([1, -1, 1, 1]);
    assert.equal(start.loss, 2);
    assert.equal(start.gradientNorm, 0);
    const { point, record } = kinkExitPhase(context, start, working);
    assert.equal(record.stop, 'left', record.why);
    assert.equal(record.unit, 0);
    assert.equal(record.released, 1);
    assert.equal(record.heldKinks, 0);
    assert.equal(working.size, 0);
    assert.ok(record.step !== undefined && record.step > 0);
    assert.ok(point.loss < 2 && record.lossAfter === point.loss, `L = ${point.loss}`);
    assert.ok(
      firstLayerPreActivation(context.layout.layers[0], point.theta, samples, 1, 0) > 0,
      'sample 1 active',
    );
  });

  it('finds no piece that goes down at Swirszcz D3’s worse local minimum', () => {
    const d3 = swirszczD3();
    const known = d3.points.find((p) => p.name === 'worse-local-min')!;
    const { context, working, at } = setUp(d3.architecture, d3.loss, d3.dataset);
    const start = at(known.theta);
    const { point, record } = kinkExitPhase(context, start, working);
    assert.equal(record.stop, 'no-descent-piece', record.why);
    assert.match(record.why, /\(local-min\)$/);
    assert.equal(point, start);
    assert.equal(record.acceptedSteps, 0);
  });
});

describe('polish phases: what follows Levenberg–Marquardt and Newton', () => {
  const base: ContinuationEvidence = {
    stopReason: 'converged',
    followKinks: true,
    followingKinks: false,
    iterations: 10,
    maxIterations: 200,
    kinkExits: 0,
    maxKinkExits: 20,
    heldKinks: 2,
    kinkTestBlocked: undefined,
  };
  const decide = (change: Partial<ContinuationEvidence>) => {
    const d = decideContinuation({ ...base, ...change });
    return [d.action, d.rule];
  };

  it('applies its rules in order', () => {
    assert.deepEqual(decide({ stopReason: 'time-limit', heldKinks: 0 }), ['stop', 'time-limit']);
    assert.deepEqual(decide({ stopReason: 'stalled' }), ['follow-kinks', 'stalled-off-kinks']);
    assert.deepEqual(decide({ stopReason: 'max-iterations' }), ['follow-kinks', 'stalled-off-kinks']);
    assert.deepEqual(decide({ stopReason: 'stalled', iterations: 200 }), ['exit-kink', 'kink-test-applies']);
    assert.deepEqual(decide({ stopReason: 'stalled', followingKinks: true }), [
      'exit-kink',
      'kink-test-applies',
    ]);
    assert.deepEqual(decide({ stopReason: 'stalled', followKinks: false }), ['stop', 'kinks-not-followed']);
    assert.deepEqual(decide({ kinkExits: 20 }), ['stop', 'kink-exits-used']);
    assert.deepEqual(decide({ heldKinks: 0 }), ['stop', 'smooth-converged']);
    assert.deepEqual(decide({ stopReason: 'stalled', followingKinks: true, heldKinks: 0 }), [
      'exit-kink',
      'kink-test-applies',
    ]);
    assert.deepEqual(decide({ kinkTestBlocked: 'it needs exactly one hidden layer' }), [
      'stop',
      'kink-test-not-applicable',
    ]);
  });

  it('says why', () => {
    assert.equal(
      decideContinuation({ ...base, kinkTestBlocked: 'it needs a scalar output' }).why,
      'the exact kink test cannot look for a piece that goes down: it needs a scalar output',
    );
    assert.match(decideContinuation(base).why, /^converged with 2 kinks held; the exact kink test applies/);
    assert.match(decideContinuation({ ...base, stopReason: 'stalled' }).why, /has 190 iterations left/);
  });
});

describe('polish reports its phases', () => {
  it('sums the phase records into its totals and ends on a decision to stop', () => {
    const data = teacherDataset({
      count: 30,
      teacher: mlp(2, [3], 1, relu, true),
      seed: 4,
      target: 'regression',
    });
    const architecture = mlp(2, [2], 1, relu, true);
    const start = initialise(architecture, { kind: 'pytorch' }, 3) as Float64Array;
    const result = polish(architecture, 'mse', start, data, { method: 'matrix-free' });
    const kinds = result.phases.map((p) => p.phase);
    assert.equal(kinds[0], 'pattern');
    assert.ok(
      kinds.includes('levenberg-marquardt') && kinds.includes('newton') && kinds.includes('kink-exit'),
    );
    const last = result.phases[result.phases.length - 1];
    assert.equal(last.phase, 'decision');
    assert.equal(last.phase === 'decision' && last.action, 'stop');
    const sum = (phase: string, field: 'iterations' | 'acceptedSteps' | 'innerSteps') =>
      result.phases.reduce((s, p) => (p.phase === phase && p.phase !== 'decision' ? s + p[field] : s), 0);
    assert.equal(result.iterations, sum('levenberg-marquardt', 'iterations'));
    assert.equal(result.patternSteps, sum('pattern', 'acceptedSteps'));
    assert.equal(result.newtonSteps, sum('newton', 'acceptedSteps'));
    assert.equal(result.acceptedSteps, sum('levenberg-marquardt', 'acceptedSteps') + result.patternSteps);
    assert.equal(
      result.innerSteps,
      sum('pattern', 'innerSteps') + sum('levenberg-marquardt', 'innerSteps') + sum('newton', 'innerSteps'),
    );
    assert.equal(
      result.kinkExits,
      result.phases.filter((p) => p.phase === 'kink-exit' && p.stop === 'left').length,
    );
    // Each phase starts where the one before it ended.
    const moving = result.phases.filter((p) => p.phase !== 'decision');
    for (let k = 1; k < moving.length; k++) assert.equal(moving[k].lossBefore, moving[k - 1].lossAfter);
    assert.equal(moving[0].lossBefore, result.initialLoss);
    assert.equal(moving[moving.length - 1].lossAfter, result.loss);
  });
});
