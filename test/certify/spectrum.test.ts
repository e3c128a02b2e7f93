import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certify } from '../../src/certify/certificate.js';
import { polish } from '../../src/certify/polish.js';
import { type DenseSpectrum, hessianSpectrum, type LanczosSpectrum } from '../../src/certify/spectrum.js';
import { canonicalise, rescalingDirections } from '../../src/certify/symmetry.js';
import { teacherDataset } from '../../src/data/teacher.js';
import { mlp } from '../../src/model/architecture.js';
import { predict } from '../../src/model/forward.js';
import { denseHessian } from '../../src/model/hessian.js';
import { initialise } from '../../src/model/init.js';
import { makeSamples } from '../../src/model/samples.js';
import { pythonSkipReason, withPython } from './python-oracle.js';

const leaky = { kind: 'leaky-relu', slope: 0.1 } as const;
const data = teacherDataset({
  count: 25,
  teacher: mlp(3, [4], 1, leaky, true),
  seed: 8,
  target: 'regression',
});
const architecture = mlp(3, [2], 1, leaky, true);
const start = initialise(architecture, { kind: 'pytorch' }, 2) as Float64Array;
const tangentsAt = (theta: Float64Array) => rescalingDirections(architecture, theta).map((d) => d.vector);

describe('Hessian spectrum', () => {
  const skip = pythonSkipReason();
  it(
    'agrees with numpy eigvalsh on the same dense Hessian, also restricted to the symmetry complement',
    { skip },
    () => {
      const theta = polish(architecture, 'mse', start, data).theta;
      const tangents = tangentsAt(theta);
      const spectrum = hessianSpectrum(architecture, 'mse', theta, data, tangents) as DenseSpectrum;
      assert.equal(spectrum.method, 'dense');
      const size = theta.length;
      const hessian = denseHessian(architecture, 'mse', theta, data);
      const t = new Float64Array(tangents.length * size);
      tangents.forEach((v, k) => t.set(v, k * size));
      const numpy = withPython<{ all: number[]; complement: number[] }>(
        { h: hessian, t },
        `
import sys, json, numpy as np, scipy.linalg
d = sys.argv[1]
h = np.fromfile(d + '/h.bin').reshape(${size}, ${size})
t = np.fromfile(d + '/t.bin').reshape(${tangents.length}, ${size})
q = scipy.linalg.null_space(t)
print(json.dumps({'all': np.linalg.eigvalsh(h).tolist(), 'complement': np.linalg.eigvalsh(q.T @ h @ q).tolist()}))
`,
      );
      const scale = Math.abs(numpy.all[size - 1]);
      numpy.all.forEach((value, k) =>
        assert.ok(Math.abs(spectrum.eigenvalues[k] - value) < 1e-11 * scale, `λ${k}`),
      );
      assert.equal(spectrum.complementEigenvalues.length, numpy.complement.length);
      numpy.complement.forEach((value, k) =>
        assert.ok(Math.abs(spectrum.complementEigenvalues[k] - value) < 1e-11 * scale, `complement λ${k}`),
      );
    },
  );

  it('finds the rescaling tangents in the null space at a critical point, and not at an arbitrary point', () => {
    const polished = polish(architecture, 'mse', start, data);
    assert.equal(polished.stopReason, 'converged', polished.detail);
    assert.equal(polished.kinkWorkingSet.length, 0, 'a smooth critical point');
    const theta = polished.theta;
    const critical = hessianSpectrum(architecture, 'mse', theta, data, tangentsAt(theta)) as DenseSpectrum;
    assert.equal(critical.symmetry.directions, 2);
    assert.ok(critical.symmetry.relativeResidual < 1e-12, `residual ${critical.symmetry.relativeResidual}`);
    // H·t = −(∂t/∂θ)ᵀ∇L away from critical points: the residual is then clearly non-zero.
    const arbitrary = hessianSpectrum(architecture, 'mse', start, data, tangentsAt(start)) as DenseSpectrum;
    assert.ok(arbitrary.symmetry.relativeResidual > 1e-4, `residual ${arbitrary.symmetry.relativeResidual}`);
    // Every symmetry direction is a zero eigenvalue: the full spectrum has at least as many zeros.
    assert.ok(critical.counts.zero >= critical.symmetry.rank);
    assert.equal(critical.complementCounts.zero + critical.symmetry.rank, critical.counts.zero);
  });

  it('gives the same extreme eigenvalues off the symmetry tangents by Lanczos on Hessian-vector products as densely', () => {
    const theta = polish(architecture, 'mse', start, data).theta;
    const tangents = tangentsAt(theta);
    const dense = hessianSpectrum(architecture, 'mse', theta, data, tangents) as DenseSpectrum;
    const lanczos = hessianSpectrum(architecture, 'mse', theta, data, tangents, {
      denseLimit: 0,
      lanczosIterations: theta.length,
    }) as LanczosSpectrum;
    assert.equal(lanczos.method, 'lanczos');
    // Lanczos runs on H restricted to the complement of the rescaling tangents, as the dense complement spectrum.
    const complement = dense.complementEigenvalues;
    const scale = complement[complement.length - 1];
    assert.ok(Math.abs(lanczos.largest[0] - scale) < 1e-9 * scale);
    assert.ok(Math.abs(lanczos.smallest[0] - complement[0]) < 1e-9 * scale);
    assert.ok(
      complement[0] > 1e-6 * scale,
      'the off-symmetry spectrum is positive here, unlike the full one',
    );
    assert.ok(Math.abs(dense.eigenvalues[0]) < 1e-9 * scale);
  });

  it('runs Lanczos with its default count on a net with fewer than 3 parameters (regression: it threw)', () => {
    // y = v·relu(w·x): two parameters, Hessian 2 × 2 in closed form checked against the dense spectrum.
    const tiny = mlp(1, [1], 1, { kind: 'leaky-relu', slope: 0 }, false);
    const samples = {
      count: 3,
      inputDim: 1,
      outputDim: 1,
      x: Float64Array.of(1, 2, 3),
      y: Float64Array.of(1, 3, 2),
    };
    const theta = Float64Array.of(0.7, 1.3);
    const dense = hessianSpectrum(tiny, 'mse', theta, samples, []) as DenseSpectrum;
    const lanczos = hessianSpectrum(tiny, 'mse', theta, samples, [], { denseLimit: 0 }) as LanczosSpectrum;
    assert.equal(lanczos.method, 'lanczos');
    assert.equal(lanczos.largest.length, 2);
    assert.ok(Math.abs(lanczos.largest[0] - dense.eigenvalues[1]) < 1e-10 * Math.abs(dense.eigenvalues[1]));
    assert.ok(Math.abs(lanczos.smallest[0] - dense.eigenvalues[0]) < 1e-9 * Math.abs(dense.eigenvalues[1]));
  });
});

describe('symmetries', () => {
  it('canonicalises hidden-unit permutations and positive rescalings to the same θ without changing the function', () => {
    const theta = start;
    // Swap the two units and rescale each by its own α > 0.
    const order = [1, 0];
    const alpha = [0.5, 3];
    const other = Float64Array.from(theta);
    const vOffset = 2 * 3 + 2;
    order.forEach((source, unit) => {
      for (let i = 0; i < 3; i++) other[unit * 3 + i] = alpha[unit] * theta[source * 3 + i];
      other[6 + unit] = alpha[unit] * theta[6 + source];
      other[vOffset + unit] = theta[vOffset + source] / alpha[unit];
    });
    const a = canonicalise(architecture, theta);
    const b = canonicalise(architecture, other);
    for (let p = 0; p < a.length; p++) assert.ok(Math.abs(a[p] - b[p]) < 1e-12, `θ[${p}]`);
    const before = predict(architecture, theta, data);
    const after = predict(architecture, a, data);
    for (let n = 0; n < before.length; n++) assert.ok(Math.abs(before[n] - after[n]) < 1e-12);
    // A genuinely different point does not collapse onto it.
    const moved = Float64Array.from(theta);
    moved[0] += 0.1;
    const c = canonicalise(architecture, moved);
    assert.ok(c.some((value, p) => Math.abs(value - a[p]) > 1e-3));
  });
});

describe('rescaling tangents of units at rounding level', () => {
  // L = (w1·w2 − 1)² (a linear 1-1-1 net on x = y = 1) has its saddle at the origin: H = [[0, −2], [−2, 0]]. Newton
  // stops a few 1e-23 away from it, where the unit's tangent (w1, −w2) is rounding pointing anywhere, here along the
  // descent direction (1, 1): projecting it out made the certificate call this saddle a strict local minimum.
  const product = mlp(1, [1], 1, { kind: 'linear' }, false);
  const samples = makeSamples([1], [1], 1);
  it('leaves out the tangent of a unit whose weights are rounding, so a saddle next to 0 stays a saddle', () => {
    const nearOrigin = Float64Array.of(-4.3e-23, 4.0e-23);
    assert.equal(rescalingDirections(product, nearOrigin).length, 0);
    const certificate = certify(product, 'mse', nearOrigin, samples, { polish: false, probes: false });
    assert.equal(certificate.verdict, 'saddle', certificate.decision.explanation);
    assert.equal(certificate.decision.morseIndex, 1);
    // A unit of ordinary size keeps its tangent.
    assert.equal(rescalingDirections(product, Float64Array.of(2, 0.5)).length, 1);
  });
});
