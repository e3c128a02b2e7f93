import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { onnxBackend } from '../../src/backend/onnx/onnx-backend.js';
import { onnxRestartsObjective } from '../../src/backend/onnx/onnx-restarts.js';
import { onnxRuntimeStatus } from '../../src/backend/onnx/runtime.js';
import { referenceBackend } from '../../src/backend/reference-backend.js';
import { summedObjective } from '../../src/backend/restarts.js';
import { type FloatArray } from '../../src/core/dtype.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { type Activation } from '../../src/model/activation.js';
import { type Architecture, parameterCount } from '../../src/model/architecture.js';
import { type LossKind } from '../../src/model/loss.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';
import { train } from '../../src/train/train.js';
import { relativeError } from '../support/float32-problems.js';
import { onnxSkipReason } from '../support/onnx.js';

const status = onnxRuntimeStatus();
const skip = onnxSkipReason();
if (skip) console.log(`# skipping ONNX restarts tests: ${skip}`);

const RESTARTS = 5;

function problem(
  seed: number,
  activation: Activation,
  bias: boolean,
  noise: boolean,
  widths: readonly number[] = [4],
): { architecture: Architecture; thetas: Float64Array; samples: Samples } {
  const rng = new Rng(seed);
  const inputDim = 3;
  const count = 29;
  const architecture: Architecture = {
    inputDim,
    hidden: widths.map((width) => ({ width, activation, bias })),
    outputDim: 1,
    outputBias: bias,
  };
  const thetas = rng.fillGaussian(
    new Float64Array(RESTARTS * parameterCount(architecture)),
    0,
    0.7,
  ) as Float64Array;
  const base = makeSamples(
    rng.fillGaussian(new Float64Array(count * inputDim)),
    rng.fillGaussian(new Float64Array(count)),
    inputDim,
  );
  const samples = noise
    ? { ...base, slopeNoise: widths.map((w) => rng.fillGaussian(new Float64Array(count * w), 1, 0.3)) }
    : base;
  return { architecture, thetas, samples };
}

describe('batched restarts (ONNX) agree with one network at a time (reference)', { skip }, () => {
  const cases: [string, Activation, boolean, boolean, LossKind][] = [
    ['relu, biases, mse', { kind: 'leaky-relu', slope: 0 }, true, false, 'mse'],
    ['leaky relu 0.2, no biases, sse', { kind: 'leaky-relu', slope: 0.2 }, false, false, 'sse'],
    ['tanh, slope noise, mse', { kind: 'tanh' }, true, true, 'mse'],
    ['linear, slope noise, sse', { kind: 'linear' }, true, true, 'sse'],
    ['sigmoid, no biases, mse', { kind: 'sigmoid' }, false, false, 'mse'],
  ];
  cases.forEach(([label, activation, bias, noise, loss], i) => {
    const p = problem(40 + i, activation, bias, noise);
    for (const [dtype, tolerance] of [
      ['float64', 1e-12],
      ['float32', 1e-5],
    ] as const) {
      it(`${label}, ${dtype}, groups of 2 networks (last group partial), full batch and minibatch`, () => {
        const thetas: FloatArray = dtype === 'float64' ? p.thetas : Float32Array.from(p.thetas);
        const backend = onnxBackend({ threads: 2 });
        const batched = backend.restartsObjective(p.architecture, loss, p.samples, RESTARTS);
        const looped = referenceBackend.restartsObjective(p.architecture, loss, p.samples, RESTARTS);
        try {
          assert.equal(batched.backend, 'onnx');
          for (const batch of [undefined, Int32Array.of(5, 1, 28, 5)]) {
            const a = batched.evaluateEach(thetas, batch);
            const b = looped.evaluateEach(Float64Array.from(thetas), batch);
            assert.ok(a.gradients instanceof (dtype === 'float64' ? Float64Array : Float32Array));
            assert.ok(relativeError(a.losses, b.losses) <= tolerance, `losses ${a.losses} vs ${b.losses}`);
            const error = relativeError(a.gradients, b.gradients);
            assert.ok(error <= tolerance, `gradient relative error ${error}`);
          }
        } finally {
          backend.dispose();
        }
      });
    }
  });

  it('gives the same numbers for every group size and thread count (partial last group included)', () => {
    const p = problem(50, { kind: 'leaky-relu', slope: 0 }, true, false);
    assert.ok(status.available);
    const reference = referenceBackend
      .restartsObjective(p.architecture, 'mse', p.samples, RESTARTS)
      .evaluateEach(p.thetas);
    for (const [threads, groupSize] of [
      [1, 1],
      [1, RESTARTS],
      [3, 1],
      [2, 2],
      [4, 16],
    ]) {
      const objective = onnxRestartsObjective(status.runtime, p.architecture, 'mse', p.samples, RESTARTS, {
        threads,
        groupSize,
      });
      const error = relativeError(objective.evaluateEach(p.thetas).gradients, reference.gradients);
      assert.ok(error <= 1e-12, `threads ${threads}, group ${groupSize}: ${error}`);
      objective.dispose();
    }
  });

  it('falls back to one network at a time for deeper nets, with the same numbers', () => {
    const p = problem(60, { kind: 'leaky-relu', slope: 0 }, true, false, [4, 3]);
    const backend = onnxBackend({ threads: 1 });
    const a = backend.restartsObjective(p.architecture, 'mse', p.samples, RESTARTS).evaluateEach(p.thetas);
    const b = referenceBackend
      .restartsObjective(p.architecture, 'mse', p.samples, RESTARTS)
      .evaluateEach(p.thetas);
    assert.ok(relativeError(a.gradients, b.gradients) <= 1e-12);
    backend.dispose();
  });

  it('names the argument when θ does not hold K × P values', () => {
    const p = problem(70, { kind: 'leaky-relu', slope: 0 }, true, false);
    const backend = onnxBackend({ threads: 1 });
    const objective = backend.restartsObjective(p.architecture, 'mse', p.samples, RESTARTS);
    assert.throws(
      () => objective.evaluateEach(p.thetas.subarray(1)),
      (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'thetas',
    );
    backend.dispose();
  });
});

describe('the summed objective trains K networks in lock-step', () => {
  it('loss is Σ_k loss_k and the gradient is the K gradients side by side', () => {
    const p = problem(80, { kind: 'leaky-relu', slope: 0 }, true, false);
    const summed = summedObjective(
      referenceBackend.restartsObjective(p.architecture, 'mse', p.samples, RESTARTS),
    );
    const size = parameterCount(p.architecture);
    const single = referenceBackend.objective(p.architecture, 'mse', p.samples);
    const { loss, gradient } = summed.evaluate(p.thetas);
    let total = 0;
    for (let k = 0; k < RESTARTS; k++) {
      const own = single.evaluate(p.thetas.subarray(k * size, (k + 1) * size));
      total += own.loss;
      assert.deepEqual(gradient.subarray(k * size, (k + 1) * size), own.gradient);
    }
    assert.ok(Math.abs(loss - total) <= 1e-12 * total);
  });

  it('Adam on the stacked θ equals K independent Adam runs', () => {
    const p = problem(90, { kind: 'leaky-relu', slope: 0 }, true, false);
    const size = parameterCount(p.architecture);
    const settings = {
      optimiser: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      schedule: { kind: 'constant', learningRate: 1e-2 },
      stopping: { maxEpochs: 20 },
      shuffleSeed: 3,
    } as const;
    const backend = status.available ? onnxBackend({ threads: 2 }) : referenceBackend;
    const stacked = train({
      ...settings,
      objective: summedObjective(backend.restartsObjective(p.architecture, 'mse', p.samples, RESTARTS)),
      initialTheta: p.thetas,
    }).theta;
    for (let k = 0; k < RESTARTS; k++) {
      const alone = train({
        ...settings,
        objective: referenceBackend.objective(p.architecture, 'mse', p.samples),
        initialTheta: p.thetas.subarray(k * size, (k + 1) * size),
      }).theta;
      for (let i = 0; i < size; i++) {
        assert.ok(Math.abs(stacked[k * size + i] - alone[i]) <= 1e-10, `network ${k}, θ[${i}]`);
      }
    }
    backend.dispose();
  });
});
