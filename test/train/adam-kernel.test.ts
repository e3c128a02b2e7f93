import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocate, type DType } from '../../src/core/dtype.js';
import { Rng } from '../../src/core/rng.js';
import { adamKernel } from '../../src/train/adam-kernel.js';
import { adamRule } from '../../src/train/update-rules.js';

const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-8];

/** Adam's update written out in JavaScript, the form the kernel must reproduce bit for bit. */
function javascriptAdam(length: number, dtype: DType) {
  const m = allocate(dtype, length);
  const v = allocate(dtype, length);
  let t = 0;
  return (theta: Float32Array | Float64Array, gradient: ArrayLike<number>, learningRate: number): void => {
    t++;
    const correction1 = 1 - Math.pow(beta1, t);
    const correction2 = 1 - Math.pow(beta2, t);
    for (let i = 0; i < theta.length; i++) {
      const g = gradient[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      theta[i] -= (learningRate * (m[i] / correction1)) / (Math.sqrt(v[i] / correction2) + epsilon);
    }
  };
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

describe('Adam SIMD kernel', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const length of [2, 3, 1001, 1002]) {
      it(`gives the JavaScript loop's θ, m and v bit for bit (${dtype}, ${length} parameters)`, () => {
        const kernel = adamKernel(dtype, length, beta1, beta2, epsilon);
        assert.ok(kernel, 'WebAssembly SIMD is available in Node 20');
        const reference = javascriptAdam(length, dtype);
        const rng = new Rng(5);
        const theta = allocate(dtype, length).map(() => rng.gaussian());
        const expected = theta.slice();
        for (let step = 1; step <= 30; step++) {
          // Gradients over many magnitudes, with zeros and signed zeros.
          const gradient = allocate(dtype, length).map((_, i) =>
            i % 13 === 0 ? (step % 2 === 0 ? -0 : 0) : rng.gaussian() * 10 ** ((i % 9) - 4),
          );
          const learningRate = 10 ** -(step % 4);
          reference(expected, gradient, learningRate);
          const correction1 = 1 - Math.pow(beta1, step);
          const correction2 = 1 - Math.pow(beta2, step);
          assert.equal(kernel.step(theta, gradient, learningRate, correction1, correction2), true);
          sameBits(theta, expected, `θ after step ${step}`);
        }
      });
    }
    it(`reports a non-finite gradient component (${dtype})`, () => {
      for (const length of [6, 7]) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          for (const at of [0, 3, length - 1]) {
            const kernel = adamKernel(dtype, length, beta1, beta2, epsilon)!;
            const gradient = allocate(dtype, length).fill(0.5);
            gradient[at] = bad;
            assert.equal(
              kernel.step(allocate(dtype, length), gradient, 0.1, 0.1, 0.001),
              false,
              `${bad} at ${at}`,
            );
          }
        }
      }
    });
  }

  it('adamRule gives the same θ through the kernel (typed gradients) as through the plain loop (plain arrays)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const rng = new Rng(9);
      const start = allocate(dtype, 257).map(() => rng.gaussian());
      const viaKernel = start.slice();
      const viaLoop = start.slice();
      const kernelRule = adamRule(beta1, beta2, epsilon);
      const loopRule = adamRule(beta1, beta2, epsilon);
      for (let step = 0; step < 10; step++) {
        const gradient = allocate(dtype, 257).map(() => rng.gaussian());
        assert.equal(kernelRule.applyIfFinite(viaKernel, gradient, 0.01), true);
        loopRule.apply(viaLoop, Array.from(gradient), 0.01);
        sameBits(viaKernel, viaLoop, `${dtype} θ after step ${step}`);
      }
      const nonFinite = allocate(dtype, 257);
      nonFinite[100] = NaN;
      assert.equal(kernelRule.applyIfFinite(viaKernel, nonFinite, 0.01), false);
      assert.equal(loopRule.applyIfFinite(viaLoop, Array.from(nonFinite), 0.01), false);
    }
  });
});
