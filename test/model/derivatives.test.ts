import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { type Activation } from '../../src/model/activation.js';
import { type Architecture, parameterCount } from '../../src/model/architecture.js';
import { lossAndGradient, lossValue } from '../../src/model/gradient.js';
import { denseHessian, hessianVectorProduct } from '../../src/model/hessian.js';
import { type LossKind } from '../../src/model/loss.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';

const activations: Activation[] = [
  { kind: 'leaky-relu', slope: 0 },
  { kind: 'leaky-relu', slope: 0.1 },
  { kind: 'linear' },
  { kind: 'tanh' },
  { kind: 'sigmoid' },
];

function randomProblem(
  seed: number,
  depth: number,
  activation: Activation,
  bias: boolean,
  outputDim: number,
  noise = false,
): { architecture: Architecture; theta: Float64Array; samples: Samples } {
  const rng = new Rng(seed);
  const inputDim = 3;
  const count = 7;
  const widths = [4, 3, 5].slice(0, depth);
  const architecture: Architecture = {
    inputDim,
    hidden: widths.map((width) => ({ width, activation, bias })),
    outputDim,
    outputBias: bias,
  };
  const theta = rng.fillGaussian(new Float64Array(parameterCount(architecture)), 0, 0.8) as Float64Array;
  const x = rng.fillGaussian(new Float64Array(count * inputDim));
  const y = rng.fillGaussian(new Float64Array(count * outputDim));
  const base = makeSamples(x, y, inputDim, outputDim);
  const samples: Samples = noise
    ? { ...base, slopeNoise: widths.map((w) => rng.fillGaussian(new Float64Array(count * w), 1, 0.3)) }
    : base;
  return { architecture, theta, samples };
}

/** Central differences with step h; errors of order h² (and rounding of order ε/h). */
function finiteDifferenceGradient(
  f: (t: Float64Array) => number,
  theta: Float64Array,
  h = 1e-5,
): Float64Array {
  const out = new Float64Array(theta.length);
  const probe = Float64Array.from(theta);
  for (let p = 0; p < theta.length; p++) {
    probe[p] = theta[p] + h;
    const plus = f(probe);
    probe[p] = theta[p] - h;
    const minus = f(probe);
    probe[p] = theta[p];
    out[p] = (plus - minus) / (2 * h);
  }
  return out;
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    norm = Math.max(norm, Math.abs(a[i]), Math.abs(b[i]));
  }
  return diff / Math.max(norm, 1e-300);
}

describe('closed-form gradient', () => {
  for (const activation of activations) {
    for (const depth of [1, 2, 3]) {
      for (const bias of [true, false]) {
        for (const outputDim of [1, 2]) {
          for (const loss of ['mse', 'sse'] as LossKind[]) {
            const name = `${activation.kind}(${'slope' in activation ? activation.slope : ''}) depth ${depth} bias ${bias} out ${outputDim} ${loss}`;
            it(`matches central finite differences: ${name}`, () => {
              const { architecture, theta, samples } = randomProblem(
                depth * 31 + outputDim,
                depth,
                activation,
                bias,
                outputDim,
              );
              const { gradient } = lossAndGradient(architecture, loss, theta, samples);
              const fd = finiteDifferenceGradient((t) => lossValue(architecture, loss, t, samples), theta);
              assert.ok(relativeError(gradient, fd) <= 1e-7, `relative error ${relativeError(gradient, fd)}`);
            });
          }
        }
      }
    }
  }

  it('matches finite differences with Soudry–Carmon slope noise', () => {
    const { architecture, theta, samples } = randomProblem(
      5,
      2,
      { kind: 'leaky-relu', slope: 0.1 },
      false,
      1,
      true,
    );
    const { gradient } = lossAndGradient(architecture, 'mse', theta, samples);
    const fd = finiteDifferenceGradient((t) => lossValue(architecture, 'mse', t, samples), theta);
    assert.ok(relativeError(gradient, fd) <= 1e-7);
  });

  it('float32 gradients agree with float64 to float32 precision', () => {
    for (const activation of activations) {
      const { architecture, theta, samples } = randomProblem(11, 2, activation, true, 1);
      const g64 = lossAndGradient(architecture, 'mse', theta, samples).gradient;
      const s32 = makeSamples(samples.x, samples.y, samples.inputDim, samples.outputDim, 'float32');
      const g32 = lossAndGradient(architecture, 'mse', Float32Array.from(theta), s32).gradient;
      assert.ok(g32 instanceof Float32Array);
      assert.ok(relativeError(g32, g64) <= 1e-5, `${activation.kind}: ${relativeError(g32, g64)}`);
    }
  });
});

describe('Hessian', () => {
  for (const activation of activations) {
    for (const depth of [1, 2, 3]) {
      it(`matches finite differences of the gradient and is symmetric: ${activation.kind} depth ${depth}`, () => {
        const { architecture, theta, samples } = randomProblem(
          depth + 100,
          depth,
          activation,
          true,
          2,
          depth === 2,
        );
        const hessian = denseHessian(architecture, 'mse', theta, samples);
        const size = theta.length;
        const probe = Float64Array.from(theta);
        const h = 1e-5;
        let maxError = 0;
        let maxEntry = 0;
        for (let p = 0; p < size; p++) {
          probe[p] = theta[p] + h;
          const plus = lossAndGradient(architecture, 'mse', probe, samples).gradient;
          probe[p] = theta[p] - h;
          const minus = lossAndGradient(architecture, 'mse', probe, samples).gradient;
          probe[p] = theta[p];
          for (let q = 0; q < size; q++) {
            const fd = (plus[q] - minus[q]) / (2 * h);
            maxError = Math.max(maxError, Math.abs(fd - hessian[q * size + p]));
            maxEntry = Math.max(maxEntry, Math.abs(fd));
          }
        }
        assert.ok(maxError / maxEntry <= 1e-6, `relative error ${maxError / maxEntry}`);
        const v = new Rng(3).fillGaussian(new Float64Array(size)) as Float64Array;
        const hv = hessianVectorProduct(architecture, 'mse', theta, samples, v);
        let asym = 0;
        let scale = 0;
        for (let p = 0; p < size; p++) {
          let row = 0;
          for (let q = 0; q < size; q++) row += hessian[p * size + q] * v[q];
          asym = Math.max(asym, Math.abs(row - hv[p]));
          scale = Math.max(scale, Math.abs(hv[p]));
        }
        assert.ok(asym / scale <= 1e-12, `H·v differs from the symmetrised dense H by ${asym / scale}`);
      });
    }
  }
});
