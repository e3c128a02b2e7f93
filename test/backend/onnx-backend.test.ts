import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { BackendObjective } from '../../src/backend/backend.js';
import { onnxBackend } from '../../src/backend/onnx/onnx-backend.js';
import { referenceBackend } from '../../src/backend/reference-backend.js';
import { type FloatArray } from '../../src/core/dtype.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { type Activation } from '../../src/model/activation.js';
import { type Architecture, parameterCount } from '../../src/model/architecture.js';
import { lossValue } from '../../src/model/gradient.js';
import { type LossKind } from '../../src/model/loss.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';
import { train } from '../../src/train/train.js';
import { relativeError } from '../support/float32-problems.js';
import { onnxSkipReason } from '../support/onnx.js';

const skip = onnxSkipReason();
if (skip) console.log(`# skipping ONNX backend tests: ${skip}`);

interface RandomProblem {
  readonly architecture: Architecture;
  readonly theta: Float64Array;
  readonly samples: Samples;
}

function randomProblem(
  seed: number,
  widths: readonly number[],
  activation: Activation,
  bias: boolean,
  outputDim: number,
  noise: boolean,
): RandomProblem {
  const rng = new Rng(seed);
  const inputDim = 6;
  const count = 37;
  const architecture: Architecture = {
    inputDim,
    hidden: widths.map((width) => ({ width, activation, bias })),
    outputDim,
    outputBias: bias,
  };
  const theta = rng.fillGaussian(new Float64Array(parameterCount(architecture)), 0, 0.6) as Float64Array;
  const base = makeSamples(
    rng.fillGaussian(new Float64Array(count * inputDim)),
    rng.fillGaussian(new Float64Array(count * outputDim)),
    inputDim,
    outputDim,
  );
  const samples: Samples = noise
    ? { ...base, slopeNoise: widths.map((w) => rng.fillGaussian(new Float64Array(count * w), 1, 0.3)) }
    : base;
  return { architecture, theta, samples };
}

function withObjectives<T>(
  problem: RandomProblem,
  loss: LossKind,
  body: (onnx: BackendObjective, reference: BackendObjective) => T,
): T {
  const onnx = onnxBackend({ threads: 2 }).objective(problem.architecture, loss, problem.samples);
  const reference = referenceBackend.objective(problem.architecture, loss, problem.samples);
  try {
    return body(onnx, reference);
  } finally {
    onnx.dispose();
  }
}

const activations: Activation[] = [
  { kind: 'leaky-relu', slope: 0 },
  { kind: 'leaky-relu', slope: 0.1 },
  { kind: 'linear' },
  { kind: 'tanh' },
  { kind: 'sigmoid' },
];

describe('onnx backend agrees with the reference backprop', { skip }, () => {
  let seed = 100;
  for (const activation of activations) {
    for (const widths of [[5], [5, 4]]) {
      for (const [bias, outputDim, noise, loss] of [
        [true, 1, false, 'mse'],
        [false, 2, true, 'sse'],
      ] as const) {
        const label = `${activation.kind}${'slope' in activation ? `(${activation.slope})` : ''} widths=${widths} bias=${bias} out=${outputDim} noise=${noise} ${loss}`;
        const problem = randomProblem(seed++, widths, activation, bias, outputDim, noise);
        it(`float64 to 1e-12: ${label}`, () => {
          withObjectives(problem, loss, (onnx, reference) => {
            const b = reference.evaluate(problem.theta);
            // The first full-batch evaluation runs the minibatch graph, later ones the graph with a stored Xᵀ.
            for (const call of [1, 2, 3]) {
              const a = onnx.evaluate(problem.theta);
              assert.ok(a.gradient instanceof Float64Array);
              assert.ok(
                Math.abs(a.loss - b.loss) <= 1e-12 * b.loss,
                `call ${call}: loss ${a.loss} vs ${b.loss}`,
              );
              const error = relativeError(a.gradient, b.gradient);
              assert.ok(error <= 1e-12, `call ${call}: gradient relative error ${error}`);
            }
          });
        });
        it(`float32 to 1e-5: ${label}`, () => {
          withObjectives(problem, loss, (onnx, reference) => {
            const theta32 = Float32Array.from(problem.theta);
            const b = reference.evaluate(Float64Array.from(theta32));
            for (const call of [1, 2, 3]) {
              const a = onnx.evaluate(theta32);
              assert.ok(a.gradient instanceof Float32Array);
              assert.ok(
                Math.abs(a.loss - b.loss) <= 1e-5 * b.loss,
                `call ${call}: loss ${a.loss} vs ${b.loss}`,
              );
              const error = relativeError(a.gradient, b.gradient);
              assert.ok(error <= 1e-5, `call ${call}: gradient relative error ${error}`);
            }
          });
        });
      }
    }
  }

  it('matches central finite differences of the loss (independent oracle)', () => {
    const problem = randomProblem(7, [4, 3], { kind: 'tanh' }, true, 1, false);
    withObjectives(problem, 'mse', (onnx) => {
      const { gradient } = onnx.evaluate(problem.theta);
      const probe = Float64Array.from(problem.theta);
      const h = 1e-5;
      for (let p = 0; p < probe.length; p++) {
        probe[p] = problem.theta[p] + h;
        const plus = lossValue(problem.architecture, 'mse', probe, problem.samples);
        probe[p] = problem.theta[p] - h;
        const minus = lossValue(problem.architecture, 'mse', probe, problem.samples);
        probe[p] = problem.theta[p];
        const difference = (plus - minus) / (2 * h);
        assert.ok(Math.abs(gradient[p] - difference) <= 1e-8, `θ[${p}]: ${gradient[p]} vs ${difference}`);
      }
    });
  });

  it('evaluates minibatches as the reference does (1/B scaling for mse)', () => {
    const problem = randomProblem(11, [5], { kind: 'leaky-relu', slope: 0 }, true, 1, true);
    const batch = Int32Array.of(3, 0, 36, 3, 17);
    withObjectives(problem, 'mse', (onnx, reference) => {
      const a = onnx.evaluate(problem.theta, batch);
      const b = reference.evaluate(problem.theta, batch);
      assert.ok(Math.abs(a.loss - b.loss) <= 1e-12 * b.loss);
      assert.ok(relativeError(a.gradient, b.gradient) <= 1e-12);
      // The full batch still works after a minibatch (the cached full-batch tensors are untouched).
      assert.ok(Math.abs(onnx.evaluate(problem.theta).loss - reference.evaluate(problem.theta).loss) < 1e-12);
    });
  });

  it('fits a model without hidden layers (vector and scalar outputs, full batch and minibatch)', () => {
    for (const [outputDim, bias] of [
      [1, true],
      [2, false],
    ] as const) {
      const problem = randomProblem(15 + outputDim, [], { kind: 'linear' }, bias, outputDim, false);
      withObjectives(problem, 'mse', (onnx, reference) => {
        for (const batch of [undefined, undefined, Int32Array.of(4, 1, 4)]) {
          const a = onnx.evaluate(problem.theta, batch);
          const b = reference.evaluate(problem.theta, batch);
          assert.ok(Math.abs(a.loss - b.loss) <= 1e-12 * b.loss, `out=${outputDim}: ${a.loss} vs ${b.loss}`);
          assert.ok(relativeError(a.gradient, b.gradient) <= 1e-12, `out=${outputDim}`);
        }
      });
    }
  });

  it('evaluates every full batch through the minibatch graph when Xᵀ may not be stored', () => {
    const problem = randomProblem(14, [5, 4], { kind: 'leaky-relu', slope: 0 }, true, 1, false);
    const onnx = onnxBackend({ threads: 1, maxStoredTransposeBytes: 0 }).objective(
      problem.architecture,
      'mse',
      problem.samples,
    );
    const b = referenceBackend
      .objective(problem.architecture, 'mse', problem.samples)
      .evaluate(problem.theta);
    try {
      for (let call = 0; call < 3; call++) {
        const a = onnx.evaluate(problem.theta);
        assert.ok(Math.abs(a.loss - b.loss) <= 1e-12 * b.loss);
        assert.ok(relativeError(a.gradient, b.gradient) <= 1e-12);
      }
    } finally {
      onnx.dispose();
    }
  });

  it('gathers every minibatch afresh (batch sizes changing and repeating, vector output, slope noise)', () => {
    const problem = randomProblem(12, [5, 4], { kind: 'tanh' }, true, 2, true);
    const batches = [Int32Array.of(1, 2, 3), Int32Array.of(36, 0), Int32Array.of(5, 5, 9), Int32Array.of(7)];
    withObjectives(problem, 'sse', (onnx, reference) => {
      for (const batch of [...batches, ...batches]) {
        const a = onnx.evaluate(problem.theta, batch);
        const b = reference.evaluate(problem.theta, batch);
        assert.ok(Math.abs(a.loss - b.loss) <= 1e-12 * b.loss, `batch ${batch}: loss ${a.loss} vs ${b.loss}`);
        assert.ok(relativeError(a.gradient, b.gradient) <= 1e-12, `batch ${batch}`);
      }
    });
  });

  for (const dtype of ['float64', 'float32'] as const) {
    it(`takes the same Adam steps as the reference (${dtype})`, () => {
      const problem = randomProblem(13, [8], { kind: 'leaky-relu', slope: 0 }, true, 1, false);
      const initialTheta: FloatArray = dtype === 'float64' ? problem.theta : Float32Array.from(problem.theta);
      const run = (objective: BackendObjective): FloatArray =>
        train({
          objective,
          initialTheta,
          optimiser: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
          schedule: { kind: 'constant', learningRate: 1e-2 },
          stopping: { maxEpochs: 3 },
          shuffleSeed: 1,
        }).theta;
      withObjectives(problem, 'mse', (onnx, reference) => {
        const a = run(onnx);
        const b = run(reference);
        assert.ok(a instanceof (dtype === 'float64' ? Float64Array : Float32Array));
        let moved = 0;
        for (let i = 0; i < a.length; i++) moved = Math.max(moved, Math.abs(b[i] - initialTheta[i]));
        assert.ok(moved > 1e-3, 'the optimiser moved θ');
        // Adam divides by √v̂, so it amplifies relative gradient errors; still far below the step size.
        const tolerance = dtype === 'float64' ? 1e-12 : 1e-5;
        for (let i = 0; i < a.length; i++) {
          assert.ok(Math.abs(a[i] - b[i]) <= tolerance, `θ[${i}]: ${a[i]} vs ${b[i]}`);
        }
      });
    });
  }
});

describe('onnx backend reports bad input by name', { skip }, () => {
  const problem = randomProblem(21, [3], { kind: 'leaky-relu', slope: 0 }, true, 1, false);

  it('rejects a θ of the wrong length', () => {
    withObjectives(problem, 'mse', (onnx) => {
      assert.throws(
        () => onnx.evaluate(new Float64Array(problem.theta.length + 1)),
        (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'theta',
      );
    });
  });

  it('rejects sample indices outside [0, N)', () => {
    withObjectives(problem, 'mse', (onnx) => {
      assert.throws(
        () => onnx.evaluate(problem.theta, Int32Array.of(0, 37)),
        (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'batch[1]',
      );
      assert.throws(() => onnx.evaluate(problem.theta, new Int32Array(0)), /batch: expected at least one/);
    });
  });

  it('rejects samples that do not fit the architecture before the first step', () => {
    const wrong = makeSamples([1, 2, 3], [1], 3);
    assert.throws(
      () => onnxBackend().objective(problem.architecture, 'mse', wrong),
      (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'samples.inputDim',
    );
  });

  it('refuses to evaluate after dispose, also when disposed through the backend', () => {
    const backend = onnxBackend({ threads: 1 });
    const objective = backend.objective(problem.architecture, 'mse', problem.samples);
    assert.ok(Number.isFinite(objective.evaluate(problem.theta).loss));
    backend.dispose();
    assert.throws(() => objective.evaluate(problem.theta), /after dispose/);
  });
});
