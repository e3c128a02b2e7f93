import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certify } from '../../src/certify/certificate.js';
import type { DenseSpectrum } from '../../src/certify/spectrum.js';
import { polish } from '../../src/certify/polish.js';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import {
  constantOutputLoss,
  type KnownAnswerProblem,
  saturatedNetwork,
  swirszczD1,
  swirszczD2,
  swirszczD3,
} from '../../src/data/swirszcz.js';
import { teacherDataset } from '../../src/data/teacher.js';
import { mlp } from '../../src/model/architecture.js';
import { lossValue } from '../../src/model/gradient.js';
import { denseHessian } from '../../src/model/hessian.js';
import { initialise } from '../../src/model/init.js';
import { referenceObjective } from '../../src/train/objective.js';
import { train } from '../../src/train/train.js';
import { pythonSkipReason, withPython } from './python-oracle.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;

function certifyPoint(problem: KnownAnswerProblem, name: string, polishing = true) {
  const point = problem.points.find((p) => p.name === name)!;
  return certify(problem.architecture, problem.loss, point.theta, problem.dataset, {
    knownOptimum: problem.knownOptimum,
    ...(polishing ? {} : { polish: false as const }),
  });
}

describe('certificates of the Swirszcz et al. points (papers.md targets 1–3)', () => {
  it('D1: L = 18, a local minimum on a kink, decided exactly; 2000 probes per radius find no descent', () => {
    const c = certifyPoint(swirszczD1(), 'local-min');
    assert.ok(Math.abs(c.lossValue - 18) < 1e-12, `L = ${c.lossValue}`);
    assert.equal(c.verdict, 'local-min');
    assert.equal(c.decision.rule, 'convex-pieces');
    assert.equal(c.decision.strength, 'proved');
    assert.equal(c.kinks.nearKinkCount, 1);
    assert.equal(c.kinks.minAbsPreActivation, 0);
    assert.ok(c.probes !== undefined && !c.probes.anyDescent);
    for (const radius of c.probes.random) {
      assert.equal(radius.probes, 2000);
      assert.ok(radius.minChange >= -1e-9, `r = ${radius.radius}: ${radius.minChange}`);
    }
  });

  it('D2 with the sign fix: the perfect fit is global (L = 0) and the other point a local minimum with L = 8/3', () => {
    const d2 = swirszczD2();
    const global = certifyPoint(d2, 'global');
    assert.equal(global.lossValue, 0);
    assert.equal(global.verdict, 'global');
    const local = certifyPoint(d2, 'local-min');
    assert.ok(Math.abs(local.lossValue - 8 / 3) < 1e-12, `L = ${local.lossValue}`);
    assert.equal(local.verdict, 'local-min');
    assert.equal(local.decision.rule, 'convex-pieces');
  });

  it('D2 as printed (w₂ = −1): L = 29 and 23/3, and neither point is a minimum', () => {
    const d2 = swirszczD2();
    for (const [name, loss] of [
      ['printed-global', 29],
      ['printed-local-min', 23 / 3],
    ] as const) {
      const c = certifyPoint(d2, name, false);
      assert.ok(Math.abs(c.lossValue - loss) < 1e-12, `${name}: L = ${c.lossValue}`);
      assert.equal(c.verdict, 'not-critical', name);
      assert.ok(c.probes!.anyDescent, `${name}: the probes see the descent too`);
      // Polishing from the printed point ends strictly lower: it was not a minimum.
      const polished = certifyPoint(d2, name);
      assert.ok(polished.lossValue < loss - 1, `${name}: polished to ${polished.lossValue}`);
    }
  });

  it('D3: both of Prop. 3’s points are local minima, with L = 1/6 and 2/3', () => {
    const d3 = swirszczD3();
    for (const [name, loss] of [
      ['better-local-min', 1 / 6],
      ['worse-local-min', 2 / 3],
    ] as const) {
      const c = certifyPoint(d3, name);
      assert.ok(Math.abs(c.lossValue - loss) < 1e-12, `${name}: L = ${c.lossValue}`);
      assert.equal(c.verdict, 'local-min', name);
      assert.ok(!c.probes!.anyDescent, name);
    }
  });
});

describe('saturated first layer (papers.md target 4)', () => {
  const d3 = swirszczD3();
  for (const widths of [[3], [3, 3]]) {
    it(`${widths.length} hidden layer(s) of ${widths.join(', ')} units: a local minimum at Σ(y − ȳ)², and a strictly lower loss exists`, () => {
      const architecture = mlp(1, widths, 1, relu, true);
      const theta = saturatedNetwork({ architecture, samples: d3.dataset, seed: 3 });
      const c = certify(architecture, 'sse', theta, d3.dataset);
      const bound = constantOutputLoss(d3.dataset, 'sse');
      assert.ok(Math.abs(c.lossValue - bound) < 1e-12 * bound);
      assert.equal(c.verdict, 'local-min');
      assert.equal(c.decision.rule, 'constant-output');
      assert.equal(c.deadLayer, 0);
      // Theorem 1 (ii): with ≥ 3 first-layer units a better point exists; polishing from random starts finds one.
      let best = Infinity;
      for (let seed = 0; seed < 5; seed++) {
        const start = initialise(architecture, { kind: 'pytorch' }, seed) as Float64Array;
        best = Math.min(best, polish(architecture, 'sse', start, d3.dataset).loss);
      }
      assert.ok(best < bound - 1, `best ${best} vs Σ(y − ȳ)² = ${bound}`);
    });
  }
});

describe('Soudry–Hoffer Fig. 5.2 end point (d0 = d1 = 10, N = ⌊d²/5⌋ = 20, no biases)', () => {
  it('trains, polishes to ‖∇L‖ ≤ 1e-12 relative and certifies a global minimum away from every kink', () => {
    const d = 10;
    const data = gaussianRandomLabels({ count: Math.floor((d * d) / 5), inputDim: d, seed: 52 });
    const architecture = mlp(d, [d], 1, relu, false);
    const trained = train({
      objective: referenceObjective(architecture, 'mse', data),
      initialTheta: initialise(architecture, { kind: 'pytorch' }, 2),
      optimiser: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      schedule: { kind: 'constant', learningRate: 1e-2 },
      stopping: { maxEpochs: 100 },
      shuffleSeed: 1,
    });
    const c = certify(architecture, 'mse', trained.theta, data, { labelEncoding: 'pm1' });
    assert.equal(c.polish!.stopReason, 'converged', c.polish!.detail);
    assert.ok(c.polish!.initialLoss > 1e-8, 'training alone did not finish the job');
    assert.ok(c.gradientNorm <= 1e-12 * c.lossScale);
    assert.ok(c.lossValue < 1e-25, `L = ${c.lossValue}`);
    assert.equal(c.misclassificationError, 0);
    assert.ok(c.kinks.minAbsPreActivation > 1e-6, `kink margin ${c.kinks.minAbsPreActivation}`);
    assert.equal(c.kinks.nearKinkCount, 0);
    const spectrum = c.spectrum as DenseSpectrum;
    assert.equal(spectrum.counts.negative, 0, 'positive semi-definite');
    assert.equal(spectrum.complementCounts.negative, 0);
    // Zero loss in an over-parameterised net: H = 2c·JᵀJ has rank ≤ N, so ≥ P − N zero eigenvalues, far more than
    // the d symmetry directions. That is the manifold of global minima, not a defect of this one.
    assert.ok(spectrum.counts.zero >= c.parameterCount - data.count);
    assert.equal(spectrum.symmetry.rank, d);
    assert.equal(c.verdict, 'global');
    assert.equal(c.decision.rule, 'zero-loss');
    assert.equal(c.region!.rank, data.count, 'rank(A∘X) = N forces e = 0 (Lemma 2)');
  });
});

describe('a saddle made on purpose', () => {
  // Student unit 1 = the best one-unit fit to a two-unit teacher; unit 2 has v₂ = 0 and is active on every sample
  // (w₂ = 0, b₂ = 1). Then ∂L/∂θ = 0, and the (w₂, v₂) block of the Hessian couples v₂ with the residual
  // correlation g = Σₙ eₙxₙ ≠ 0 while its (w₂, w₂) block is 0: exactly one negative eigenvalue (Courant–Fischer:
  // the form is ≥ 0 on the hyperplane v₂ = 0, and unbounded below off it).
  const data = teacherDataset({
    count: 40,
    teacher: mlp(2, [2], 1, relu, true),
    seed: 11,
    target: 'regression',
  });
  const one = mlp(2, [1], 1, relu, true);
  const fit = polish(one, 'mse', initialise(one, { kind: 'pytorch' }, 0) as Float64Array, data);
  const t = fit.theta; // (w₁ (2), b₁, v₁, c)
  const two = mlp(2, [2], 1, relu, true);
  const theta = Float64Array.from([t[0], t[1], 0, 0, t[2], 1, t[3], 0, t[4]]);

  it('is certified a saddle with Morse index 1, and the descent along its eigenvector is real', () => {
    assert.equal(fit.stopReason, 'converged', fit.detail);
    const c = certify(two, 'mse', theta, data, { polish: false });
    assert.ok(c.gradientNorm <= 1e-12 * c.lossScale);
    assert.equal(c.verdict, 'saddle');
    assert.equal(c.decision.morseIndex, 1);
    const spectrum = c.spectrum as DenseSpectrum;
    assert.equal(spectrum.counts.negative, 1);
    // Finite differences along the eigenvector: the second difference quotient is the eigenvalue.
    const d = spectrum.negativeDirections[0];
    const h = 1e-4;
    const at = (s: number) =>
      lossValue(
        two,
        'mse',
        theta.map((v, p) => v + s * d[p]),
        data,
      );
    const curvature = (at(h) - 2 * at(0) + at(-h)) / (h * h);
    const lambda = spectrum.complementEigenvalues[0];
    assert.ok(Math.abs(curvature - lambda) < 1e-5 * Math.abs(lambda), `${curvature} vs ${lambda}`);
    assert.ok(c.probes!.named.some((p) => p.label.startsWith('negative-curvature') && p.descent));
  });

  it('has the same eigenvalues as numpy eigvalsh on its Hessian', { skip: pythonSkipReason() }, () => {
    const c = certify(two, 'mse', theta, data, { polish: false, probes: false });
    const hessian = denseHessian(two, 'mse', theta, data);
    const values = withPython<number[]>(
      { h: hessian },
      `
import sys, json, numpy as np
h = np.fromfile(sys.argv[1] + '/h.bin').reshape(9, 9)
print(json.dumps(np.linalg.eigvalsh(h).tolist()))
`,
    );
    const spectrum = c.spectrum as DenseSpectrum;
    values.forEach((value, k) =>
      assert.ok(Math.abs(spectrum.eigenvalues[k] - value) < 1e-12 * Math.abs(values[8])),
    );
    assert.equal(values.filter((v) => v < -spectrum.zeroThreshold).length, 1);
  });
});

describe('bad input', () => {
  const d1 = swirszczD1();
  it('names the argument in one line', () => {
    assert.throws(
      () => certify(d1.architecture, 'sse', new Float64Array(3), d1.dataset),
      (error: Error) => error.message === 'theta: expected 4 parameters for this architecture, got 3',
    );
    const wide = mlp(2, [1], 1, relu, true);
    assert.throws(
      () => certify(wide, 'sse', new Float64Array(5), d1.dataset),
      /^InvalidArgumentError: samples\.inputDim: expected 2 \(the network's input dimension\), got 1$/,
    );
    assert.throws(
      () => certify(d1.architecture, 'sse', d1.points[0].theta, d1.dataset, { kinkTolerance: -1 }),
      /kinkTolerance: expected a finite number in \[0, Infinity\], got -1/,
    );
  });
});
