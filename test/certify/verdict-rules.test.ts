import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectDecision } from '../support/decisions.js';
import { certify, type Certificate, type CertifyOptions } from '../../src/certify/certificate.js';
import type { DenseSpectrum, LanczosSpectrum } from '../../src/certify/spectrum.js';
import { leastSquares } from '../../src/core/linalg/index.js';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { swirszczD1, swirszczD2 } from '../../src/data/swirszcz.js';
import { type Architecture, mlp, validateArchitecture } from '../../src/model/architecture.js';
import { lossValue } from '../../src/model/gradient.js';
import type { LossKind } from '../../src/model/loss.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';

/*
 * Every row of the rule table in docs/certification.md, reached through the real `certify` pipeline on a point
 * whose answer is known from a closed form or from its construction, expecting exactly (verdict, rule, strength).
 * Points are certified as given (`polish: false`) unless a test says otherwise, so the construction is what is
 * certified.
 */

const relu = { kind: 'leaky-relu', slope: 0 } as const;
const linear = { kind: 'linear' } as const;

function certifyAsGiven(
  architecture: Architecture,
  loss: LossKind,
  theta: readonly number[] | Float64Array,
  samples: Samples,
  options: CertifyOptions = {},
): Certificate {
  return certify(architecture, loss, Float64Array.from(theta), samples, { polish: false, ...options });
}

// Two samples with the same input and targets 0 and 2: every network outputs one value p at x = 1 for both, so
// L = p² + (p − 2)² = 2(p − 1)² + 2 ≥ 2 for every θ of every architecture, with equality exactly when p = 1.
const sameInput = makeSamples([1, 1], [0, 2], 1);
// The linear 1-1-1 net without biases: p = ab, θ = (a, b).
const linear111 = mlp(1, [1], 1, linear, false);

// D1's data, where Prop. 1's point w = 1, b = −3, v = 1, c = 0 is a local minimum with L = 18 on a kink at x = 3.
const d1 = swirszczD1();
const d1Mean = 3 / 5; // ȳ = (2 + 1 + 0 − 3 + 3)/5

// Four samples built so that the 1-1-1 ReLU net u = x, v = 1, c = 0 has a kink at x = 0 with a non-zero residual
// there (see the convex-pieces minimum below).
const kinkMinimum = makeSamples([-1, 0, 1, 2], [1, -2, 3, 1], 1);

describe('global', () => {
  it('zero-loss: D2’s perfect fit (L = 0 exactly) is decided by the loss value before anything else', () => {
    const d2 = swirszczD2();
    const point = d2.points.find((p) => p.name === 'global')!;
    // knownOptimum 0 is passed too: the zero-loss rule comes first in the table, so it decides.
    const c = certifyAsGiven(d2.architecture, d2.loss, point.theta, d2.dataset, { knownOptimum: 0 });
    assert.equal(c.lossValue, 0);
    expectDecision(c, 'global', 'zero-loss', 'proved');
  });

  it('known-optimum: L = 2 > 0 at p = ab = 1 on the same-input data, whose minimum over all nets is 2', () => {
    const c = certifyAsGiven(linear111, 'sse', [1, 1], sameInput, { knownOptimum: 2 });
    assert.equal(c.lossValue, 2);
    assert.ok(c.lossValue > 1e-20 * c.lossScale, 'not decided by the zero-loss rule');
    expectDecision(c, 'global', 'known-optimum', 'proved');
    // A stated optimum that the loss does not reach decides nothing: the point falls through to the Hessian.
    const wrong = certifyAsGiven(linear111, 'sse', [1, 1], sameInput, { knownOptimum: 1.5 });
    assert.equal(wrong.decision.rule, 'second-order');
  });
});

describe('not-critical', () => {
  it('gradient at a smooth point: ∇L = 2(ab − 1)·(b, a) = (−0.75, −0.75) for the linear 1-1-1 net at a = b = 0.5', () => {
    // One sample (1, 1): L(a, b) = (ab − 1)².
    const c = certifyAsGiven(linear111, 'sse', [0.5, 0.5], makeSamples([1], [1], 1));
    assert.ok(Math.abs(c.gradientNorm - 0.75 * Math.SQRT2) < 1e-15, `‖∇L‖ = ${c.gradientNorm}`);
    expectDecision(c, 'not-critical', 'gradient', 'proved');
    assert.match(c.decision.explanation, /at a differentiable point/);
  });

  it('gradient of the output layer at a kink: D1’s minimum with c raised by 1 has ∂L/∂c = 2·Σeₙ = 10', () => {
    // At D1's minimum Σeₙ = 0 (∂L/∂c = 0); raising c by 1 adds 1 to every residual of the 5 samples.
    const c = certifyAsGiven(d1.architecture, 'sse', [1, -3, 1, 1], d1.dataset);
    assert.equal(c.kinks.nearKinkCount, 1, 'still on the kink at x = 3');
    assert.ok(c.pieces.applicable && Math.abs(c.pieces.outputGradient - 10) < 1e-12);
    expectDecision(c, 'not-critical', 'gradient', 'proved');
    assert.match(c.decision.explanation, /output-layer weights/);
  });

  it('gradient along the kinks where the kink test does not apply (a unit with v = 0): ∂L/∂c = 10 survives', () => {
    // D1's minimum as unit 1 of a 1-2-1 net, c raised by 1; unit 2 copies unit 1's incoming weights (its own kink
    // at x = 3) with v₂ = 0, so the exact kink test is out. The kink normals (xₙ, 1) live in the (w, b) coordinates,
    // so removing them leaves ∂L/∂c = 10 untouched: the gradient along the kinks is at least 10.
    const net = mlp(1, [2], 1, relu, true);
    const c = certifyAsGiven(net, 'sse', [1, 1, -3, -3, 1, 0, 1], d1.dataset);
    assert.equal(c.kinks.nearKinkCount, 2);
    assert.equal(c.pieces.applicable, false);
    assert.ok(c.tangentialGradientNorm >= 10 - 1e-12, `${c.tangentialGradientNorm}`);
    expectDecision(c, 'not-critical', 'gradient', 'proved');
    assert.match(c.decision.explanation, /along the kinks/);
  });

  it('convex-pieces: a ReLU unit on a kink whose active side goes down, though ∇L = 0 by the kink convention', () => {
    // Data (−1, −1), (0, 1), (2, 2); 1-1-1 ReLU with w = 1, b = 0, v = 1, c = 0, so u = x: sample 2 is active and
    // fitted exactly, sample 0 inactive (residual +1), sample 1 on the kink (output 0, residual −1). L = 2, and
    // ∂L/∂c = 2Σe = 0, ∂L/∂v = 2Σe·relu(u) = 0, ∂L/∂(w, b) = 2v·Σ_active e·(x, 1) = 0 with relu'(0) = 0. Yet
    // raising b by ε > 0 makes sample 1 active: L(ε) = 1 + (ε − 1)² + ε² = 2 − 2ε + 2ε², slope −2 along b.
    const data = makeSamples([-1, 0, 2], [-1, 1, 2], 1);
    const theta = [1, 0, 1, 0];
    const c = certifyAsGiven(d1.architecture, 'sse', theta, data);
    assert.equal(c.lossValue, 2);
    assert.equal(c.gradientNorm, 0);
    expectDecision(c, 'not-critical', 'convex-pieces', 'proved');
    assert.ok(c.pieces.applicable && c.pieces.outcome === 'descent');
    const witness = c.pieces.witness!;
    assert.ok(Math.abs(witness.slope + 2) < 1e-12, `slope ${witness.slope}`);
    const eps = 1e-3;
    const along = lossValue(
      d1.architecture,
      'sse',
      Float64Array.from(theta, (v, i) => v + eps * witness.direction[i]),
      data,
    );
    assert.ok(Math.abs(along - (2 - 2 * eps + 2 * eps * eps)) < 1e-12, `L = ${along}`);
  });
});

describe('local-min', () => {
  it('constant-output: D1 with a dead unit (u = x − 10 < 0 on every sample) and c = ȳ gives L = Σ(y − ȳ)² = 21.2', () => {
    const c = certifyAsGiven(d1.architecture, 'sse', [1, -10, 1, d1Mean], d1.dataset);
    assert.ok(Math.abs(c.lossValue - 21.2) < 1e-12, `L = ${c.lossValue}`);
    assert.equal(c.deadLayer, 0);
    expectDecision(c, 'local-min', 'constant-output', 'proved');
  });

  it('convex-pieces: D1’s Prop. 1 point, a local minimum on a kink (L = 18)', () => {
    const point = d1.points[0];
    const c = certifyAsGiven(d1.architecture, d1.loss, point.theta, d1.dataset);
    assert.equal(c.lossValue, 18);
    assert.equal(c.kinks.nearKinkCount, 1);
    expectDecision(c, 'local-min', 'convex-pieces', 'proved');
  });

  it("convex-pieces: a kink minimum whose gradient with relu'(0) = 0 is not 0 (only its kink normal is)", () => {
    // 1-1-1 ReLU at w = 1, b = 0, v = 1, c = 0 (u = x) on kinkMinimum: outputs 0, 0, 1, 2, residuals −1, 2, −2, 1
    // (L = 10). Σe = 0 and ∂L/∂v = 2Σ_active e·x = 2(−2 + 2) = 0. With the kinked sample x = 0 inactive the
    // (w, b)-gradient is 2Σ_active e·(x, 1) = (0, −2), with it active (0, −2 + 2·2) = (0, 2). The pieces are b ≤ 0
    // and b ≥ 0 (for w near 1), and the directional derivatives −2·δb ≥ 0 and 2·δb ≥ 0 hold on them: on each piece
    // F is a convex quadratic with no descent direction, so this is a local minimum, yet ‖∇L‖ = 2.
    const c = certifyAsGiven(d1.architecture, 'sse', [1, 0, 1, 0], kinkMinimum);
    assert.equal(c.lossValue, 10);
    assert.equal(c.gradientNorm, 2);
    assert.ok(c.tangentialGradientNorm < 1e-15);
    expectDecision(c, 'local-min', 'convex-pieces', 'proved');
  });

  it('second-order: the linear 1-1-1 net at a = b = 1 on the same-input data (L = 2, H = 4·(1, 1)(1, 1)ᵀ)', () => {
    // p = ab = 1 is optimal (L ≥ 2 above). Σe = (1 − 0) + (1 − 2) = 0 kills the residual curvature, so
    // H = 2·2·∇p∇pᵀ with ∇p = (b, a) = (1, 1): eigenvalue 8 on (1, 1), and 0 on the rescaling tangent (a, −b).
    // Off that symmetry the Hessian is the 1 × 1 matrix (8): a strict minimum up to the symmetry.
    const c = certifyAsGiven(linear111, 'sse', [1, 1], sameInput);
    expectDecision(c, 'local-min', 'second-order', 'proved');
    const spectrum = c.spectrum as DenseSpectrum;
    assert.equal(spectrum.symmetry.rank, 1);
    assert.equal(spectrum.complementEigenvalues.length, 1);
    assert.ok(Math.abs(spectrum.complementEigenvalues[0] - 8) < 1e-12);
  });
});

describe('saddle and degenerate (smooth critical points, dense Hessian)', () => {
  it('saddle / second-order: the linear 1-1-1 net at the origin, L(a, b) = (ab − 1)², H = [[0, −2], [−2, 0]]', () => {
    // ∇L = 2(ab − 1)(b, a) = 0 at the origin; H's eigenvalues are ±2, and with all weights 0 there is no rescaling
    // tangent to remove. L(t, t) = (t² − 1)² < 1 for small t ≠ 0: a saddle of Morse index 1.
    const c = certifyAsGiven(linear111, 'sse', [0, 0], makeSamples([1], [1], 1));
    expectDecision(c, 'saddle', 'second-order', 'proved');
    assert.equal(c.decision.morseIndex, 1);
    const spectrum = c.spectrum as DenseSpectrum;
    assert.equal(spectrum.symmetry.rank, 0);
    const [low, high] = spectrum.complementEigenvalues;
    assert.ok(Math.abs(low + 2) < 1e-14 && Math.abs(high - 2) < 1e-14, `${low}, ${high}`);
    assert.ok(c.probes!.named.some((p) => p.label.startsWith('negative-curvature') && p.descent));
  });

  it('degenerate / second-order: a deep linear net at the origin, where only the third-order term descends', () => {
    // 1-1-1-1 linear net, no hidden biases, output bias d: output a·b·c·x + d. Data (1, 1), (−1, −1):
    // L = (abc + d − 1)² + (−abc + d + 1)² = 2(abc − 1)² + 2d². At the origin ∇L = 0 and the Hessian is diag(0, 0, 0, 4):
    // every second derivative of abc vanishes there, and all weights are 0, so no rescaling tangent is removed.
    // Positive semi-definite with three zero eigenvalues, yet along a = b = c = t, L = 2(1 − t³)² < 2 for t > 0:
    // a third-order saddle that no second-order rule can decide, hence `undecided`.
    const deep = validateArchitecture({
      inputDim: 1,
      hidden: [
        { width: 1, activation: linear, bias: false },
        { width: 1, activation: linear, bias: false },
      ],
      outputDim: 1,
      outputBias: true,
    });
    const data = makeSamples([1, -1], [1, -1], 1);
    const c = certifyAsGiven(deep, 'sse', [0, 0, 0, 0], data);
    assert.equal(c.lossValue, 2);
    expectDecision(c, 'degenerate', 'second-order', 'undecided');
    const spectrum = c.spectrum as DenseSpectrum;
    const eigenvalues = Array.from(spectrum.complementEigenvalues);
    assert.equal(eigenvalues.length, 4);
    eigenvalues.slice(0, 3).forEach((value) => assert.ok(Math.abs(value) < 1e-15, `${eigenvalues}`));
    assert.ok(Math.abs(eigenvalues[3] - 4) < 1e-14, `${eigenvalues}`);
    const t = 0.1;
    const along = lossValue(deep, 'sse', Float64Array.from([t, t, t, 0]), data);
    assert.ok(Math.abs(along - 2 * (1 - t ** 3) ** 2) < 1e-14 && along < 2, `L = ${along}`);
  });
});

describe('non-differentiable', () => {
  it('kink-undecided: a unit with v = 0 on a kink (D1’s minimum as unit 1, its copy with v₂ = 0 as unit 2)', () => {
    // The same 1-2-1 point as the tangential-gradient test but with c = 0: ∂L/∂v₂ = 2Σe·relu(x − 3) = ∂L/∂v₁ = 0
    // at D1's minimum, and v₂ = 0 makes ∂L/∂(w₂, b₂) = 0, so every gradient rule passes; v₂ = 0 rules out the exact
    // kink test, and the point has kinks: no exact rule applies.
    const net = mlp(1, [2], 1, relu, true);
    const c = certifyAsGiven(net, 'sse', [1, 1, -3, -3, 1, 0, 0], d1.dataset);
    assert.equal(c.lossValue, 18);
    assert.equal(c.kinks.nearKinkCount, 2);
    assert.ok(!c.pieces.applicable && /vᵢ ≠ 0/.test(c.pieces.reason));
    expectDecision(c, 'non-differentiable', 'kink-undecided', 'undecided');
  });

  it('kink-undecided: a kink in the second hidden layer, at a point that is in fact a local minimum', () => {
    // 1-1-1-1 ReLU with θ = (w₁ = 1, b₁ = 2, w₂ = 1, b₂ = −2, v = 1, c = 0) on the kinkMinimum data. The first
    // layer is strictly active on every sample (x + 2 ≥ 1), so near θ the net is v·relu(αx + β) + c with
    // α = w₂w₁, β = w₂b₁ + b₂: the 1-1-1 net at (α, β, v, c) = (1, 0, 1, 0), through a submersion (∂β/∂b₂ = 1,
    // ∂α/∂w₁ = w₂ ≠ 0), hence an open map. The 1-1-1 point is a proved local minimum (the convex-pieces test
    // above), so this one is too. Its kink (x = 0) is in the second layer, where no exact rule applies; its gradient
    // with relu'(0) = 0 is not 0 (∂L/∂b₂ = 2Σ_active e = −2), and the tangential rule must not read it as descent.
    const net = mlp(1, [1, 1], 1, relu, true);
    const c = certifyAsGiven(net, 'sse', [1, 2, 1, -2, 1, 0], kinkMinimum);
    assert.equal(c.lossValue, 10);
    assert.deepEqual(c.kinks.pairs, [{ layer: 1, sample: 1, unit: 0 }]);
    assert.ok(c.tangentialGradientNorm > 1, `${c.tangentialGradientNorm}`);
    expectDecision(c, 'non-differentiable', 'kink-undecided', 'undecided');
  });
});

describe('Lanczos beyond the dense limit (the same points also certified densely)', () => {
  // Gaussian inputs (N = 60, d = 30) with random ±1 labels, and linear nets without biases.
  const data = gaussianRandomLabels({ count: 60, inputDim: 30, seed: 5 });
  const lanczos = { spectrum: { denseLimit: 10 } } as const;

  it('saddle / lanczos: a 30-4-1 linear net at the origin has eigenvalues ±2‖g‖ (g = Σyₙxₙ), each 4 times', () => {
    // L = Σ(bᵀA·xₙ − yₙ)². At θ = 0 the gradient is 0 and the only non-zero second derivatives are
    // ∂²L/∂A_ij∂b_i = −2·g_j: on each unit's (A_i, b_i) the Hessian is [[0, −2g], [−2gᵀ, 0]], eigenvalues ±2‖g‖.
    const net = mlp(30, [4], 1, linear, false);
    const theta = new Float64Array(124);
    const g = new Float64Array(30);
    for (let n = 0; n < 60; n++) for (let j = 0; j < 30; j++) g[j] += data.y[n] * data.x[n * 30 + j];
    const lambda = -2 * Math.hypot(...g);
    const dense = certifyAsGiven(net, 'sse', theta, data, { probes: false });
    expectDecision(dense, 'saddle', 'second-order', 'proved');
    assert.equal(dense.decision.morseIndex, 4);
    const lanczosCertificate = certifyAsGiven(net, 'sse', theta, data, { probes: false, ...lanczos });
    const spectrum = lanczosCertificate.spectrum as LanczosSpectrum;
    assert.equal(spectrum.method, 'lanczos');
    expectDecision(lanczosCertificate, 'saddle', 'lanczos', 'proved');
    // A lower bound on the Morse index: at most the 3 Ritz values asked for, never more than the true 4.
    const index = lanczosCertificate.decision.morseIndex!;
    assert.ok(index >= 1 && index <= 3, `Morse index bound ${index}`);
    assert.ok(
      Math.abs(spectrum.smallest[0] - lambda) < 1e-10 * -lambda,
      `${spectrum.smallest[0]} vs ${lambda}`,
    );
  });

  it('local-min / lanczos (estimated): a 30-1-1 linear net at the least-squares fit, L = min over all linear maps', () => {
    // θ = (β, 1) with β = argmin‖Xβ − y‖²: the net computes the best linear map, so no θ is lower (every 30-1-1
    // linear net is a linear map); its loss is positive (60 random labels, 30 inputs). The residual curvature
    // 2Σeₙxₙ = 2Xᵀe vanishes (normal equations), so H = 2JᵀJ: positive semi-definite, null only on the rescaling
    // tangent (β, −1) when X has full column rank. Dense: proved; Lanczos: estimated, its Ritz values interlace.
    const net = mlp(30, [1], 1, linear, false);
    const fit = leastSquares(Float64Array.from(data.x), 60, 30, Float64Array.from(data.y));
    assert.equal(fit.rank, 30);
    const theta = Float64Array.from([...fit.x, 1]);
    const dense = certifyAsGiven(net, 'sse', theta, data, { probes: false });
    assert.ok(Math.abs(dense.lossValue - fit.residualNorm ** 2) < 1e-12 * dense.lossScale);
    assert.ok(dense.lossValue > 1);
    expectDecision(dense, 'local-min', 'second-order', 'proved');
    const complement = (dense.spectrum as DenseSpectrum).complementEigenvalues;
    const lanczosCertificate = certifyAsGiven(net, 'sse', theta, data, { probes: false, ...lanczos });
    const spectrum = lanczosCertificate.spectrum as LanczosSpectrum;
    assert.equal(spectrum.method, 'lanczos');
    expectDecision(lanczosCertificate, 'local-min', 'lanczos', 'estimated');
    // H's eigenvalues are {0 (the tangent)} ∪ the complement's; the k-th Ritz value is ≥ the k-th eigenvalue.
    assert.ok(spectrum.smallest[1] >= complement[0] - 1e-9 * spectrum.largest[0]);
  });
});
