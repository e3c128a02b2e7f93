import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectMinima } from '../../src/landscape/path.js';
import { decideRidgeSaddle, type RidgeEvidence, refineRidgeSaddle } from '../../src/landscape/ridge.js';
import { refineSaddle } from '../../src/landscape/saddle.js';
import { mlp } from '../../src/model/architecture.js';
import { lossValue } from '../../src/model/gradient.js';
import { makeSamples } from '../../src/model/samples.js';

const EPS = Number.EPSILON;

/*
 * One ReLU unit, two inputs, no biases, output v·relu(w·x), `sse`, θ = (w1, w2, v); three samples
 * A = (1, 0) → yA, B = (1, 1) → 0.5, C = (−1, 1) → 1.5. With q = v·w (v > 0) and B, C active near w = (0, 1):
 *   L₋ = (q1 + q2 − 0.5)² + (−q1 + q2 − 1.5)² + yA²   (A inactive, q1 < 0),   L₊ = L₋ − yA² + (q1 − yA)²   (A active).
 * A's kink is K = {w1 = 0}, normal n = (1, 0, 0). On K, L = (q2 − 0.5)² + (q2 − 1.5)² + yA², least at q2 = 1 with
 * L = yA² + 0.5; there ∂L₋/∂q1 = 2 and ∂L₊/∂q1 = 2 − 2yA, so L'(θ; +n) = v(2 − 2yA) and L'(θ; −n) = −2v.
 * yA = 2: both < 0, a concave kink: the ridge point q = (0, 1) with L = 4.5 is a saddle between the minima of the two
 * pieces, q = (−1/2, 1) (L = 4, B and C fitted) and q = (1/3, 1) (least squares on all three, L = 75/18).
 * On K the Hessian in (w2, v) at w2 = v = 1 is 4·[[1, 1], [1, 1]]: 8 along (1, 1), 0 along the rescaling (1, −1).
 */
const net = mlp(2, [1], 1, { kind: 'leaky-relu', slope: 0 }, false);
const problem = (yA: number, yB = 0.5, yC = 1.5) => makeSamples([1, 0, 1, 1, -1, 1], [yA, yB, yC], 2);
const lower = Float64Array.of(-0.5, 1, 1);
const upper = Float64Array.of(1 / 3, 1, 1);

test('the closed-form ridge saddle of one ReLU unit: connectMinima certifies it on the kink, L = 4.5', () => {
  const samples = problem(2);
  assert.equal(lossValue(net, 'sse', lower, samples), 4);
  assert.ok(Math.abs(lossValue(net, 'sse', upper, samples) - 75 / 18) < 8 * EPS);
  const edge = connectMinima({ architecture: net, loss: 'sse', samples, from: lower, to: upper, images: 6 });
  const saddle = edge.saddle;
  assert.ok(saddle !== null, 'a saddle record');
  assert.equal(saddle.certified, true, saddle.reason);
  assert.equal(saddle.rule, 'kink-saddle');
  assert.equal(saddle.verdict, 'saddle');
  assert.equal(saddle.strength, 'proved');
  assert.equal(saddle.morseIndex, 1);
  assert.ok(Math.abs(saddle.loss - 4.5) <= 8 * EPS * 4.5, `${saddle.loss}`);
  assert.equal(edge.topLoss, saddle.loss);
  const [w1, w2, v] = saddle.theta;
  assert.equal(w1, 0, 'exactly on K');
  assert.ok(Math.abs(v * w2 - 1) < 1e-12, `q2 = ${v * w2}`);
  // Started on the straight line (no trained curve), the band runs along w1 and crosses K along its normal.
  const straight = connectMinima({
    architecture: net,
    loss: 'sse',
    samples,
    from: lower,
    to: upper,
    images: 6,
    curve: false,
  }).saddle;
  assert.equal(straight?.certified, true, straight?.reason);
  assert.ok(Math.abs((straight?.loss ?? 0) - 4.5) <= 8 * EPS * 4.5, `${straight?.loss}`);
  const overlap = straight?.tangentOverlap ?? 0;
  assert.ok(overlap > 0.999, `${overlap}`);
});

test('the ridge point from an off-centre start on K: L along ±n descends, along K (beyond rescaling) it rises', () => {
  const samples = problem(2);
  const ridge = refineRidgeSaddle({
    architecture: net,
    loss: 'sse',
    samples,
    pair: { sample: 0, unit: 0 },
    top: Float64Array.of(0.2, 1.4, 0.8),
    neighbour: Float64Array.of(-0.3, 1.2, 0.9),
    higherEnd: 75 / 18,
    barrierRounding: 1e-12,
  });
  assert.equal(ridge.decision.certified, true, ridge.decision.explanation);
  const theta = ridge.theta;
  const [, w2, v] = theta;
  assert.equal(theta[0], 0);
  assert.ok(Math.abs(v * w2 - 1) < 1e-12, `q2 = ${v * w2}`);
  const at = (d: readonly number[], h: number) =>
    lossValue(
      net,
      'sse',
      theta.map((x, i) => x + h * d[i]),
      samples,
    );
  const L = at([0, 0, 0], 0);
  assert.ok(Math.abs(L - 4.5) <= 8 * EPS * 4.5, `${L}`);
  // The slopes off K are ∓ 2v (the closed form above with yA = 2).
  assert.ok(Math.abs(ridge.evidence.slopePlus + 2 * v) < 1e-12, `${ridge.evidence.slopePlus}`);
  assert.ok(Math.abs(ridge.evidence.slopeMinus + 2 * v) < 1e-12, `${ridge.evidence.slopeMinus}`);
  assert.deepEqual(Array.from(ridge.normal), [1, 0, 0]);
  for (const h of [1e-2, 1e-4]) {
    assert.ok(at([1, 0, 0], h) < L, `+n, h = ${h}`);
    assert.ok(at([-1, 0, 0], h) < L, `−n, h = ${h}`);
    // Along K, changing q2 = v·w2 raises L; w2 up with v up does.
    assert.ok(at([0, v, w2], h) > L, `along K, h = ${h}`);
    assert.ok(at([0, -v, -w2], h) > L, `along K backwards, h = ${h}`);
  }
  // One restricted direction beyond the one rescaling direction, positive.
  assert.equal(ridge.evidence.restricted.dimension, 1);
  assert.equal(ridge.evidence.restricted.symmetryDimensions, 1);
  assert.equal(ridge.evidence.restricted.positive, 1);
  // L on K at (w2, v) is 4.5 + 2(v·w2 − 1)²: its Hessian at the point, on the unit vector ⊥ (w2, −v), is 4‖(v, w2)‖².
  const expected = 4 * (v * v + w2 * w2);
  assert.ok(
    Math.abs(ridge.evidence.restricted.largest - expected) < 1e-10 * expected,
    `${ridge.evidence.restricted.largest}`,
  );
});

test('a convex kink is no saddle: one side ascending is not critical, both sides ascending is a kink minimum', () => {
  const run = (samples: ReturnType<typeof problem>) =>
    refineRidgeSaddle({
      architecture: net,
      loss: 'sse',
      samples,
      pair: { sample: 0, unit: 0 },
      top: Float64Array.of(0.2, 1.4, 0.8),
      neighbour: Float64Array.of(-0.3, 1.2, 0.9),
      higherEnd: 0,
      barrierRounding: 1e-12,
    });
  // yA = −1: L'(+n) = v(2 + 2) > 0, L'(−n) = −2v < 0.
  const oneSide = run(problem(-1));
  assert.equal(oneSide.decision.certified, false);
  assert.equal(oneSide.decision.verdict, 'not-critical', oneSide.decision.explanation);
  assert.ok(oneSide.evidence.slopePlus > 0 && oneSide.evidence.slopeMinus < 0, 'slopes');
  assert.match(oneSide.decision.explanation, /convex kink/);
  // yB = 1.5, yC = 0.5, yA = −2: ∂L₋/∂q1 = −2 and ∂L₊/∂q1 = 2, so L rises on both sides.
  const bothSides = run(problem(-2, 1.5, 0.5));
  assert.equal(bothSides.decision.certified, false);
  assert.equal(bothSides.decision.verdict, 'local-min', bothSides.decision.explanation);
  const [, w2, v] = bothSides.theta;
  assert.ok(Math.abs(bothSides.evidence.slopePlus - 2 * v) < 1e-12, `${bothSides.evidence.slopePlus}`);
  assert.ok(Math.abs(bothSides.evidence.slopeMinus - 2 * v) < 1e-12, `${bothSides.evidence.slopeMinus}`);
  assert.ok(Math.abs(v * w2 - 1) < 1e-12, `q2 = ${v * w2}`);
});

test('refineSaddle keeps the smooth reason when the kink-saddle rule fails too, in one sentence', () => {
  const samples = problem(-1);
  const start = Float64Array.of(0.05, 1, 1);
  const refined = refineSaddle({
    architecture: net,
    loss: 'sse',
    samples,
    start,
    neighbours: [Float64Array.of(-0.1, 1, 1), Float64Array.of(0.2, 1, 1)],
    from: lower,
    to: upper,
  });
  assert.equal(refined.record.certified, false);
  assert.notEqual(refined.record.rule, 'kink-saddle');
  assert.match(
    refined.record.reason,
    /\(verdict [a-z-]+, rule [a-z-]+, [a-z]+\); no kink-saddle either: a convex kink/,
  );
  assert.ok(refined.ridge !== undefined, 'the ridge was tried');
});

const evidence: RidgeEvidence = {
  loss: 4.5,
  lossScale: 6.5,
  higherEnd: 75 / 18,
  barrierRounding: 1e-12,
  gradientTolerance: 1e-12,
  kinkedPairs: 1,
  deepKinkedPairs: 0,
  pair: { sample: 0, unit: 0 },
  blocked: undefined,
  converged: true,
  iterations: 3,
  relativeTangentialGradient: 1e-16,
  slopePlus: -2,
  slopeMinus: -2,
  restricted: {
    dimension: 1,
    symmetryDimensions: 1,
    negative: 0,
    zero: 0,
    positive: 1,
    smallest: 8,
    largest: 8,
  },
};

test('decideRidgeSaddle: each failing condition decides what it should, and only all of them certify', () => {
  const decide = (change: Partial<RidgeEvidence>) => decideRidgeSaddle({ ...evidence, ...change });
  assert.deepEqual(
    { ...decide({}), explanation: '' },
    { certified: true, rule: 'kink-saddle', strength: 'proved', verdict: 'saddle', explanation: '' },
  );
  const higher = decide({
    restricted: { ...evidence.restricted, dimension: 2, negative: 1, smallest: -3 },
  });
  assert.equal(higher.certified, false);
  assert.equal(higher.verdict, 'saddle');
  assert.equal(higher.strength, 'proved');
  assert.match(higher.explanation, /index 2/);
  const cases: [Partial<RidgeEvidence>, RegExp][] = [
    [{ restricted: { ...evidence.restricted, zero: 1, positive: 0, smallest: 0 } }, /zero eigenvalue/],
    [{ kinkedPairs: 2 }, /2 first-layer pairs/],
    [{ deepKinkedPairs: 1 }, /deeper layer/],
    [{ blocked: 'another pair (layer 0, sample 1, unit 0) reaches its kink' }, /corner/],
    [{ converged: false, relativeTangentialGradient: 1e-3 }, /did not converge/],
    [{ slopeMinus: 0 }, /zero within tolerance/],
    [{ loss: 4 }, /no barrier/],
  ];
  for (const [change, pattern] of cases) {
    const decision = decide(change);
    assert.equal(decision.certified, false, JSON.stringify(change));
    assert.equal(decision.strength, 'undecided', JSON.stringify(change));
    assert.match(decision.explanation, pattern);
  }
});

test('refineRidgeSaddle refuses bad input with one-line errors that name the field', () => {
  const base = {
    architecture: net,
    loss: 'sse' as const,
    samples: problem(2),
    pair: { sample: 0, unit: 0 },
    top: Float64Array.of(0.2, 1.4, 0.8),
    neighbour: Float64Array.of(-0.3, 1.2, 0.9),
    higherEnd: 0,
    barrierRounding: 0,
  };
  assert.throws(() => refineRidgeSaddle({ ...base, pair: { sample: 3, unit: 0 } }), /pair\.sample: expected/);
  assert.throws(() => refineRidgeSaddle({ ...base, pair: { sample: 0, unit: 1 } }), /pair\.unit: expected/);
  assert.throws(() => refineRidgeSaddle({ ...base, top: Float64Array.of(1) }), /top: expected 3 parameters/);
  assert.throws(
    () => refineRidgeSaddle({ ...base, architecture: mlp(2, [1], 1, { kind: 'tanh' }, false) }),
    /architecture: expected a first hidden layer of \(leaky-\)ReLU units/,
  );
  assert.throws(
    () =>
      refineSaddle({ ...base, start: base.top, from: lower, to: upper, neighbours: [Float64Array.of(1)] }),
    /neighbours\[0\]: expected 3 parameters/,
  );
});
