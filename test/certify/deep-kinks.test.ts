import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectDecision } from '../support/decisions.js';
import { certify, type Certificate } from '../../src/certify/certificate.js';
import {
  analyseDeepKinks,
  pieceGradient,
  preActivationGradient,
  type SidedKinkPair,
} from '../../src/certify/deep-kinks.js';
import { kinkedPairs } from '../../src/certify/kink-set.js';
import { decideVerdict } from '../../src/certify/verdict.js';
import { dot, leastSquares } from '../../src/core/linalg/index.js';
import { type Architecture, mlp } from '../../src/model/architecture.js';
import { forward } from '../../src/model/forward.js';
import { lossValue } from '../../src/model/gradient.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';

/*
 * The descent test on the pieces of kinks in any layer (src/certify/deep-kinks.ts), on points whose answer is known
 * in closed form: a second-layer kink with a one-sided descent (not-critical / kink-descent / proved), a
 * second-layer kink that is a local minimum (stays non-differentiable / kink-undecided / undecided, every piece
 * passing first order), a vector-output kink with descent, and finite-difference oracles for the piece gradients
 * and kink normals of a random 2-3-3-2 leaky-ReLU net with kinks in both hidden layers on the same sample.
 */

const relu = { kind: 'leaky-relu', slope: 0 } as const;
const net1111 = mlp(1, [1, 1], 1, relu, true);

function asGiven(architecture: Architecture, theta: readonly number[], samples: Samples): Certificate {
  return certify(architecture, 'sse', Float64Array.from(theta), samples, { polish: false });
}

function along(
  architecture: Architecture,
  theta: readonly number[],
  d: Float64Array,
  t: number,
  data: Samples,
) {
  return lossValue(
    architecture,
    'sse',
    Float64Array.from(theta, (v, i) => v + t * d[i]),
    data,
  );
}

describe('deep kinks: descent on a piece proves not-critical', () => {
  // 1-1-1-1 ReLU, θ = (w₁, b₁, w₂, b₂, v, c) = (1, 2, 1, −2, 1, 0) on data (−1, −1), (0, 1), (2, 2). The first layer
  // is x + 2 ≥ 1 > 0 on every sample, the second u₂ = x: sample 0 inactive (residual +1), sample 2 active and fitted,
  // sample 1 exactly on the second-layer kink (output 0, residual −1). L = 2 and ∇L = 0 with relu'(0) = 0.
  // Kink normal a = ∂u₂(x = 0)/∂θ = (w₂x, w₂, h₁, 1, 0, 0) = (0, 1, 2, 1, 0, 0). With sample 1 active the piece
  // gradient is g₊ = 2·e₁·v·a = −2a, outside cone{+a}: the steepest direction into that piece is a/‖a‖ with
  // slope −2‖a‖ = −2√6. Along θ + s·a: u₂(0) = 6s + 2s², u₂(−1) = −1 + 4s + 2s², u₂(2) = 2 + 10s + 2s², so
  // L = 1 + (6s + 2s² − 1)² + (10s + 2s²)² for small s > 0 (dL/ds = −12 at 0).
  const data = makeSamples([-1, 0, 2], [-1, 1, 2], 1);
  const theta = [1, 2, 1, -2, 1, 0];

  it('a second-layer ReLU kink whose active side goes down: not-critical / kink-descent / proved', () => {
    const c = asGiven(net1111, theta, data);
    assert.equal(c.lossValue, 2);
    assert.equal(c.gradientNorm, 0);
    assert.deepEqual(c.kinks.pairs, [{ layer: 1, sample: 1, unit: 0 }]);
    assert.equal(c.pieces.applicable, false);
    expectDecision(c, 'not-critical', 'kink-descent', 'proved');
    const deep = c.deepKinks!;
    assert.equal(deep.outcome, 'descent');
    assert.equal(deep.patterns, 2);
    assert.equal(deep.failingPatterns, 1);
    const w = deep.witness!;
    assert.deepEqual(w.pattern, [{ layer: 1, sample: 1, unit: 0, side: 1 }]);
    assert.ok(w.independentNormals);
    assert.ok(Math.abs(w.slope + 2 * Math.sqrt(6)) < 1e-12, `slope ${w.slope}`);
    const expected = [0, 1, 2, 1, 0, 0].map((v) => v / Math.sqrt(6));
    w.direction.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-14, `${Array.from(w.direction)}`));
    // The closed form of L along the witness, and its one-sided finite difference against the witness's slope.
    for (const t of [1e-3, 1e-2]) {
      const s = t / Math.sqrt(6);
      const closed = 1 + (6 * s + 2 * s * s - 1) ** 2 + (10 * s + 2 * s * s) ** 2;
      assert.ok(Math.abs(along(net1111, theta, w.direction, t, data) - closed) < 1e-13);
    }
    const h = 1e-7;
    const difference = (along(net1111, theta, w.direction, h, data) - 2) / h;
    assert.ok(Math.abs(difference - w.slope) < 1e-5, `finite difference ${difference}`);
    assert.ok(w.lossDecrease > 0 && w.step > 0);
    assert.match(c.decision.explanation, /\(1, 1, 0\)\+/);
    assert.ok(c.probes!.named.some((p) => p.label === 'descent witness of the deep kink test' && p.descent));
  });

  it('duplicated kinked samples (dependent kink normals) still give a strict witness, reported as dependent', () => {
    // The same point with samples (−1, −1) and (0, 1) twice (so Σe = 0 still): both kinked pairs have the normal a.
    // The piece (+, +) has g = −4a, outside cone{a, a}; z = B⁺·1 = a/‖a‖² satisfies both b_jᵀz = 1 though
    // rank B = 1. The pieces (+, −) and (−, +) are thin (cone{a, −a} is a line, which contains g = −2a).
    const twice = makeSamples([-1, -1, 0, 0, 2], [-1, -1, 1, 1, 2], 1);
    const c = asGiven(net1111, theta, twice);
    expectDecision(c, 'not-critical', 'kink-descent', 'proved');
    assert.equal(c.deepKinks!.patterns, 4);
    assert.equal(c.deepKinks!.failingPatterns, 1);
    const w = c.deepKinks!.witness!;
    assert.equal(w.independentNormals, false);
    assert.deepEqual(
      w.pattern.map((p) => p.side),
      [1, 1],
    );
    assert.ok(Math.abs(w.slope + 4 * Math.sqrt(6)) < 1e-12, `slope ${w.slope}`);
  });

  it('a vector-output (1-1-2) kink where the exact one-layer test does not apply: descent −2 along b', () => {
    // u = x (w = 1, b = 0), outputs (relu(u), 2·relu(u)), data x = −1, 0, 2 with targets (−1, 0), (1, 0), (2, 4).
    // Residuals (1, 0), (−1, 0), (0, 0): ∂L/∂c = ∂L/∂v = 0 and ∇L = 0 with relu'(0) = 0. Raising b by ε activates
    // sample 1: L(ε) = 1 + (ε − 1)² + ε² + (2ε)² + (2ε)² = 2 − 2ε + 10ε², slope −2 along b.
    const net = mlp(1, [1], 2, relu, true);
    const vectorData = makeSamples([-1, 0, 2], [-1, 0, 1, 0, 2, 4], 1, 2);
    const point = [1, 0, 1, 2, 0, 0];
    const c = asGiven(net, point, vectorData);
    assert.equal(c.lossValue, 2);
    assert.equal(c.gradientNorm, 0);
    assert.ok(!c.pieces.applicable && /scalar output/.test(c.pieces.reason));
    expectDecision(c, 'not-critical', 'kink-descent', 'proved');
    const w = c.deepKinks!.witness!;
    assert.ok(Math.abs(w.slope + 2) < 1e-14, `slope ${w.slope}`);
    assert.deepEqual(Array.from(w.direction), [0, 1, 0, 0, 0, 0]);
    for (const t of [1e-3, 1e-2]) {
      assert.ok(Math.abs(along(net, point, w.direction, t, vectorData) - (2 - 2 * t + 10 * t * t)) < 1e-14);
    }
  });
});

describe('deep kinks: every piece passing first order stays undecided', () => {
  it('the 1-1-1-1 net that is locally the 1-1-1 kink minimum (test/certify/verdict-rules.test.ts)', () => {
    // θ = (1, 2, 1, −2, 1, 0) on data (−1, 1), (0, −2), (1, 3), (2, 1): through the open map (α, β) = (w₂w₁,
    // w₂b₁ + b₂) this is the 1-1-1 kink minimum, so it is a local minimum; its kink is in the second layer. The
    // piece gradients are g₋ = −2∇β and g₊ = +2∇β, with kink normal a = ∇β: g₋ ∈ cone{−a}, g₊ ∈ cone{+a}.
    const kinkMinimum = makeSamples([-1, 0, 1, 2], [1, -2, 3, 1], 1);
    const c = asGiven(net1111, [1, 2, 1, -2, 1, 0], kinkMinimum);
    assert.equal(c.lossValue, 10);
    expectDecision(c, 'non-differentiable', 'kink-undecided', 'undecided');
    const deep = c.deepKinks!;
    assert.equal(deep.outcome, 'first-order');
    assert.equal(deep.patterns, 2);
    assert.equal(deep.failingPatterns, 0);
    assert.ok(deep.worstResidual < 1e-14, `${deep.worstResidual}`);
    assert.match(c.decision.explanation, /every one of the 2 pieces/);
    assert.match(c.decision.explanation, /\(layer, sample, unit\) = \(1, 1, 0\)/);
    assert.match(c.decision.explanation, /passes the first-order test/);
    assert.match(c.decision.explanation, /second-order conditions on the curved kinks are not checked/);
  });
});

/** A 2-3-3-2 leaky-ReLU (ρ = 0.1) net with seeded weights and two kinks on sample 0: layer 0 unit 0, layer 1 unit 1. */
function twoLayerKinks(): { architecture: Architecture; theta: Float64Array; data: Samples } {
  const architecture = mlp(2, [3, 3], 2, { kind: 'leaky-relu', slope: 0.1 }, true);
  let state = 12345;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const theta = Float64Array.from({ length: 9 + 12 + 8 }, () => 2 * next());
  const data = makeSamples(
    Array.from({ length: 10 }, () => 2 * next()),
    Array.from({ length: 10 }, () => next()),
    2,
    2,
  );
  // Layer 0: W₀ at 0..5 (3 × 2), b₀ at 6..8. Put unit 0 on its kink at sample 0.
  theta[6] = -(data.x[0] * theta[0] + data.x[1] * theta[1]);
  // Layer 1: W₁ at 9..17, b₁ at 18..20. Put unit 1 on its kink at sample 0.
  theta[19] -= forward(architecture, theta, data).pre[1][1];
  return { architecture, theta, data };
}

describe('deep kinks: piece gradients and kink normals against finite differences', () => {
  const { architecture, theta, data } = twoLayerKinks();
  const cache = forward(architecture, theta, data);
  const pairs = kinkedPairs(cache, 1e-9);

  it('finds both kinks, and on each of the 4 pieces L and u_j move at the rates g_σ and a_j predict', () => {
    assert.deepEqual(pairs, [
      { layer: 0, sample: 0, unit: 0 },
      { layer: 1, sample: 0, unit: 1 },
    ]);
    for (const sides of [
      [1, 1],
      [1, -1],
      [-1, 1],
      [-1, -1],
    ] as const) {
      const pattern: SidedKinkPair[] = pairs.map((p, j) => ({ ...p, side: sides[j] }));
      const g = pieceGradient(cache, 'sse', theta, pattern);
      const normals = pairs.map((p) => preActivationGradient(cache, theta, p, pattern));
      // A direction strictly inside the piece: s_j·a_jᵀd = 1 for both (least squares on the 2 × P system).
      const b = new Float64Array(2 * theta.length);
      normals.forEach((a, j) => a.forEach((v, i) => (b[j * theta.length + i] = sides[j] * v)));
      const d = leastSquares(b, 2, theta.length, Float64Array.of(1, 1)).x;
      const t = 1e-6;
      const moved = Float64Array.from(theta, (v, i) => v + t * d[i]);
      const after = forward(architecture, moved, data);
      pairs.forEach((p, j) => {
        const u = after.pre[p.layer][p.sample * 3 + p.unit];
        assert.ok(sides[j] * u > 0, `pair ${j} left its side ${sides[j]}: u = ${u}`);
        assert.ok(Math.abs(u / t - dot(normals[j], d)) < 1e-5, `a_${j}: ${u / t} vs ${dot(normals[j], d)}`);
      });
      const slope =
        (lossValue(architecture, 'sse', moved, data) - lossValue(architecture, 'sse', theta, data)) / t;
      assert.ok(Math.abs(slope - dot(g, d)) < 1e-5 * (1 + Math.abs(slope)), `${slope} vs ${dot(g, d)}`);
    }
  });

  it('the random point is not critical: kink-descent with a witness whose slope a finite difference confirms', () => {
    const c = certify(architecture, 'sse', theta, data, { polish: false, spectrum: false, region: false });
    expectDecision(c, 'not-critical', 'kink-descent', 'proved');
    const w = c.deepKinks!.witness!;
    assert.ok(w.margin > 0 && w.independentNormals);
    const h = 1e-7;
    const moved = Float64Array.from(theta, (v, i) => v + h * w.direction[i]);
    const difference = (lossValue(architecture, 'sse', moved, data) - c.lossValue) / h;
    assert.ok(Math.abs(difference - w.slope) < 1e-5 * (1 + Math.abs(w.slope)), `${difference} vs ${w.slope}`);
  });

  it('beyond maxPairs the test does not run, and the verdict lists the pairs', () => {
    const deep = analyseDeepKinks(architecture, 'sse', theta, data, cache, {
      gradientTolerance: 1e-12,
      kinkTolerance: 1e-9,
      maxPairs: 1,
    })!;
    assert.equal(deep.outcome, 'too-many-pairs');
    assert.equal(deep.witness, undefined);
    const decision = decideVerdict({
      loss: 1,
      lossScale: 1,
      zeroLossTolerance: 1e-20,
      knownOptimum: undefined,
      optimumTolerance: 1e-12,
      relativeGradient: 0,
      relativeTangentialGradient: 0,
      gradientTolerance: 1e-12,
      kinkedPairs: 2,
      deepKinkedPairs: 1,
      pieces: { applicable: false, reason: 'it needs exactly one hidden layer (this net has 2)' },
      deepKinks: deep,
      constantOutput: undefined,
      spectrum: undefined,
    });
    assert.deepEqual(
      [decision.verdict, decision.rule, decision.strength],
      ['non-differentiable', 'kink-undecided', 'undecided'],
    );
    assert.match(decision.explanation, /\(0, 0, 0\), \(1, 0, 1\)/);
    assert.match(decision.explanation, /more than the limit of 1 pairs/);
  });
});
