import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import {
  acquireWebGpuDevice,
  type ProductKernel,
  webGpuModeFromEnvironment,
  webGpuUnsupportedReason,
  WebGpuEngine,
} from '../../src/backend/webgpu/index.js';
import { BasinError, InvalidArgumentError } from '../../src/core/errors.js';
import type { Activation } from '../../src/model/activation.js';
import { lossAndGradient } from '../../src/model/gradient.js';
import type { Samples } from '../../src/model/samples.js';
import { referenceObjective } from '../../src/train/objective.js';
import {
  float32Problem,
  type Float32Problem,
  type NetShape,
  referenceAdam,
  relativeError,
} from '../support/float32-problems.js';
import { webGpuSkipReason } from '../support/webgpu.js';

// One device for the whole file (BASIN_WEBGPU chooses the adapter; auto: a GPU, else llvmpipe in software).
const acquisition = await acquireWebGpuDevice();
const skip = webGpuSkipReason(acquisition);
console.error(
  acquisition.available ? `# WebGPU adapter: ${acquisition.summary}` : `# skipping WebGPU tests: ${skip}`,
);
// A Node process holding a live Dawn device may not exit; destroy it when the file's tests are done.
after(() => {
  if (acquisition.available) acquisition.device.destroy();
});

async function withEngine<T>(
  problem: Float32Problem,
  body: (engine: WebGpuEngine) => Promise<T>,
  products?: ProductKernel,
): Promise<T> {
  if (!acquisition.available) throw new Error('unreachable: tests are skipped without a device');
  const engine = await WebGpuEngine.create(problem.architecture, problem.loss, problem.samples, {
    context: acquisition,
    ...(products === undefined ? {} : { products }),
  });
  if (products !== undefined) assert.equal(engine.products, products);
  try {
    return await body(engine);
  } finally {
    engine.dispose();
  }
}

const relu: Activation = { kind: 'leaky-relu', slope: 0 };
const leaky: Activation = { kind: 'leaky-relu', slope: 0.1 };

// Sizes that are not multiples of the 16- and 64-wide tiles; the (130, 70, 66) one uses the 4×4-per-invocation
// product kernels, the others the 1×1 ones; [] is a linear model (output layer only).
const SHAPES: readonly NetShape[] = [
  { inputDim: 7, widths: [5], outputDim: 1, count: 33, activation: relu, bias: true, loss: 'mse' },
  { inputDim: 7, widths: [5], outputDim: 1, count: 33, activation: leaky, bias: false, loss: 'sse' },
  { inputDim: 7, widths: [5, 4], outputDim: 2, count: 33, activation: leaky, bias: true, loss: 'sse' },
  { inputDim: 70, widths: [66], outputDim: 3, count: 130, activation: relu, bias: true, loss: 'mse' },
  {
    inputDim: 9,
    widths: [17, 6, 3],
    outputDim: 1,
    count: 41,
    activation: { kind: 'linear' },
    bias: false,
    loss: 'mse',
  },
  { inputDim: 3, widths: [], outputDim: 1, count: 20, activation: relu, bias: true, loss: 'sse' },
];

function label(shape: NetShape): string {
  const activation = shape.activation.kind === 'leaky-relu' ? `leaky(${shape.activation.slope})` : 'linear';
  return `${[shape.inputDim, ...shape.widths, shape.outputDim].join('-')} N=${shape.count} ${activation} bias=${shape.bias} ${shape.loss}`;
}

// float32 arithmetic against the float64 reference: sums of at most a few hundred terms, so a relative error of
// 1e-5 (about 100 float32 roundings) leaves a wide margin over the ~2e-7 measured on llvmpipe, yet any wrong term
// (an index, a missing bias, the wrong kink convention) shows as an O(1) error.
const GRADIENT_TOLERANCE = 1e-5;

describe('webgpu engine agrees with the float64 reference', { skip }, () => {
  for (const products of ['tiled', 'direct'] as const) {
    SHAPES.forEach((shape, i) => {
      it(`loss and gradient (${products} products): ${label(shape)}`, async (t) => {
        const problem = float32Problem(500 + i, shape);
        await withEngine(
          problem,
          async (engine) => {
            const a = await engine.evaluate(problem.theta);
            const b = lossAndGradient(
              problem.architecture,
              problem.loss,
              Float64Array.from(problem.theta),
              problem.samples,
            );
            assert.ok(a.gradient instanceof Float32Array);
            assert.ok(
              Math.abs(a.loss - b.loss) <= GRADIENT_TOLERANCE * b.loss,
              `loss ${a.loss} vs ${b.loss}`,
            );
            const error = relativeError(a.gradient, b.gradient);
            t.diagnostic(`loss relative error ${Math.abs(a.loss - b.loss) / b.loss}, gradient ${error}`);
            assert.ok(error <= GRADIENT_TOLERANCE, `gradient relative error ${error}`);
          },
          products,
        );
      });
    });
  }

  it('puts ReLU′(0) = 0 and leaky ReLU′(0) = ρ at an exact kink, as the reference', async () => {
    // One hidden unit whose pre-activation is exactly 0 on every sample (zero weights and bias): its outgoing weight
    // gets gradient 0 under either convention, but its incoming weights get ρ·(…), 0 for ReLU.
    for (const activation of [relu, leaky]) {
      const problem = float32Problem(600, { ...SHAPES[0], activation });
      const theta = Float32Array.from(problem.theta);
      theta.fill(0, 0, 7); // W_1 row of unit 0
      theta[5 * 7] = 0; // b_1 of unit 0
      await withEngine({ ...problem, theta }, async (engine) => {
        const a = await engine.evaluate(theta);
        const b = lossAndGradient(
          problem.architecture,
          problem.loss,
          Float64Array.from(theta),
          problem.samples,
        );
        assert.ok(relativeError(a.gradient, b.gradient) <= GRADIENT_TOLERANCE);
        const incoming = Array.from(a.gradient.subarray(0, 7));
        if (activation.slope === 0) assert.deepEqual(incoming, new Array(7).fill(0));
        else
          assert.ok(
            incoming.some((g) => Math.abs(g) > 1e-3),
            'leaky unit at its kink passes gradient',
          );
      });
    }
  });

  it('evaluates minibatches as the reference objective (1/B for mse, repeats allowed)', async () => {
    const problem = float32Problem(700, SHAPES[0]);
    const reference = referenceObjective(problem.architecture, problem.loss, problem.samples);
    const theta64 = Float64Array.from(problem.theta);
    await withEngine(problem, async (engine) => {
      for (const batch of [
        Int32Array.of(3, 0, 32, 3, 17),
        Int32Array.of(8),
        Int32Array.of(1, 2, 4, 5, 6, 7, 9),
      ]) {
        const a = await engine.evaluate(problem.theta, batch);
        const b = reference.evaluate(theta64, batch);
        assert.ok(Math.abs(a.loss - b.loss) <= GRADIENT_TOLERANCE * b.loss, `loss ${a.loss} vs ${b.loss}`);
        assert.ok(relativeError(a.gradient, b.gradient) <= GRADIENT_TOLERANCE);
      }
      // The full batch is unaffected by the minibatch plans.
      const full = await engine.evaluate(problem.theta);
      assert.ok(Math.abs(full.loss - reference.evaluate(theta64).loss) <= GRADIENT_TOLERANCE * full.loss);
    });
  });

  it('serialises overlapping calls: each gets the result for its own θ', async () => {
    const problem = float32Problem(720, SHAPES[2]);
    const other = Float32Array.from(problem.theta, (value) => -0.5 * value);
    await withEngine(problem, async (engine) => {
      const [a, b, c, d] = await Promise.all([
        engine.evaluate(problem.theta),
        engine.evaluate(other),
        engine.trainAdam({ theta0: other, steps: 3, learningRate: 1e-2 }),
        engine.evaluate(problem.theta, Int32Array.of(4, 5)),
      ]);
      const reference = referenceObjective(problem.architecture, problem.loss, problem.samples);
      assert.ok(
        relativeError(a.gradient, reference.evaluate(Float64Array.from(problem.theta)).gradient) <=
          GRADIENT_TOLERANCE,
      );
      assert.ok(
        relativeError(b.gradient, reference.evaluate(Float64Array.from(other)).gradient) <=
          GRADIENT_TOLERANCE,
      );
      assert.ok(
        Math.abs(c.losses[0] - reference.evaluate(Float64Array.from(other)).loss) <=
          GRADIENT_TOLERANCE * c.losses[0],
      );
      const batch = reference.evaluate(Float64Array.from(problem.theta), Int32Array.of(4, 5));
      assert.ok(relativeError(d.gradient, batch.gradient) <= GRADIENT_TOLERANCE);
    });
  });

  it('acquires and releases its own device when given none', async () => {
    const problem = float32Problem(730, SHAPES[0]);
    const engine = await WebGpuEngine.create(problem.architecture, problem.loss, problem.samples);
    try {
      const { loss } = await engine.evaluate(problem.theta);
      const expected = lossAndGradient(
        problem.architecture,
        problem.loss,
        Float64Array.from(problem.theta),
        problem.samples,
      ).loss;
      assert.ok(Math.abs(loss - expected) <= GRADIENT_TOLERANCE * expected);
    } finally {
      engine.dispose();
    }
  });

  it('leaves the gradient on the device and reads back only the loss (evaluateLossOnDevice)', async () => {
    const problem = float32Problem(710, SHAPES[3]);
    await withEngine(problem, async (engine) => {
      const loss = await engine.evaluateLossOnDevice(problem.theta);
      const b = lossAndGradient(
        problem.architecture,
        problem.loss,
        Float64Array.from(problem.theta),
        problem.samples,
      );
      assert.ok(Math.abs(loss - b.loss) <= GRADIENT_TOLERANCE * b.loss, `loss ${loss} vs ${b.loss}`);
    });
  });

  /** basin's Adam (`adamRule`) on the float64 reference objective, with the loss before each step. */
  for (const [steps, shape, every, products] of [
    [1, SHAPES[0], 64, 'tiled'],
    [20, SHAPES[2], 7, 'direct'],
    [20, SHAPES[3], 64, 'tiled'],
    [20, SHAPES[3], 64, 'direct'],
  ] as const) {
    it(`takes the reference's Adam steps on the GPU: ${steps} step(s), ${label(shape)}, read back every ${every}, ${products} products`, async (t) => {
      const problem = float32Problem(800 + steps, shape);
      const learningRate = 1e-2;
      const expected = referenceAdam(problem, steps, learningRate);
      const progress: number[] = [];
      await withEngine(
        problem,
        async (engine) => {
          const run = await engine.trainAdam({
            theta0: problem.theta,
            steps,
            learningRate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            readbackEvery: every,
            onProgress: ({ step }) => progress.push(step),
          });
          assert.equal(run.losses.length, steps);
          assert.deepEqual(
            progress,
            Array.from({ length: Math.ceil(steps / every) }, (_, k) => Math.min(steps, (k + 1) * every)),
          );
          let moved = 0;
          let error = 0;
          for (let i = 0; i < run.theta.length; i++) {
            moved = Math.max(moved, Math.abs(expected.theta[i] - problem.theta[i]));
            error = Math.max(error, Math.abs(run.theta[i] - expected.theta[i]));
          }
          t.diagnostic(`θ moved by up to ${moved}; max |θ_gpu − θ_reference| = ${error}`);
          // Adam moves every coordinate by about lr per step; the GPU must land within a small fraction of one step.
          assert.ok(moved >= 0.5 * learningRate, `the optimiser moved θ by ${moved}`);
          assert.ok(error <= 1e-3 * learningRate, `θ differs from the reference by ${error}`);
          run.losses.forEach((loss, t) => {
            const reference = expected.losses[t];
            assert.ok(
              Math.abs(loss - reference) <= GRADIENT_TOLERANCE * reference,
              `loss[${t}] ${loss} vs ${reference}`,
            );
          });
        },
        products,
      );
    });
  }
});

describe('webgpu engine reports bad input by name', { skip }, () => {
  const problem = float32Problem(900, SHAPES[0]);
  const named = (argument: string) => (error: unknown) =>
    error instanceof InvalidArgumentError && error.argument === argument;

  it('rejects a θ of the wrong length, a NaN, a float64 θ and bad sample indices', async () => {
    await withEngine(problem, async (engine) => {
      await assert.rejects(engine.evaluate(new Float32Array(problem.theta.length + 1)), named('theta'));
      const nan = Float32Array.from(problem.theta);
      nan[2] = NaN;
      await assert.rejects(engine.evaluate(nan), named('theta[2]'));
      await assert.rejects(
        engine.evaluate(Float64Array.from(problem.theta) as unknown as Float32Array),
        named('theta'),
      );
      await assert.rejects(engine.evaluate(problem.theta, Int32Array.of(0, 33)), named('batch[1]'));
      await assert.rejects(engine.evaluate(problem.theta, new Int32Array(0)), named('batch'));
      // The engine still works after rejected calls.
      const { loss } = await engine.evaluate(problem.theta);
      assert.ok(Number.isFinite(loss));
    });
  });

  it('a minibatch beyond the adapter limits is refused and leaves the current minibatch plan working (regression)', async () => {
    if (!acquisition.available) throw new Error('unreachable: tests are skipped without a device');
    const problem = float32Problem(41, SHAPES[0]);
    await withEngine(problem, async (engine) => {
      const small = Int32Array.of(3, 1, 4);
      const before = await engine.evaluate(problem.theta, small);
      // More rows than one dispatch dimension can cover (the plan's own limit check): refused before any allocation.
      const tooMany = new Int32Array(32 * acquisition.device.limits.maxComputeWorkgroupsPerDimension + 1);
      await assert.rejects(engine.evaluate(problem.theta, tooMany), named('batch'));
      // It used to release the 3-row plan first, so this call ran on destroyed buffers.
      const after = await engine.evaluate(problem.theta, small);
      assert.equal(after.loss, before.loss);
      assert.deepEqual(after.gradient, before.gradient);
    });
  });

  it('rejects bad Adam settings', async () => {
    await withEngine(problem, async (engine) => {
      const base = { theta0: problem.theta, steps: 2, learningRate: 1e-2 };
      await assert.rejects(engine.trainAdam({ ...base, steps: 0 }), named('steps'));
      await assert.rejects(engine.trainAdam({ ...base, learningRate: NaN }), named('learningRate'));
      await assert.rejects(engine.trainAdam({ ...base, beta2: 1 }), named('beta2'));
      await assert.rejects(engine.trainAdam({ ...base, theta0: new Float32Array(3) }), named('theta0'));
    });
  });

  it('refuses unsupported problems at creation, and use after dispose()', async () => {
    if (!acquisition.available) return;
    const tanh = {
      ...problem.architecture,
      hidden: [{ width: 5, activation: { kind: 'tanh' as const }, bias: true }],
    };
    await assert.rejects(
      WebGpuEngine.create(tanh, 'mse', problem.samples, { context: acquisition }),
      named('problem'),
    );
    const engine = await WebGpuEngine.create(problem.architecture, 'mse', problem.samples, {
      context: acquisition,
    });
    engine.dispose();
    await assert.rejects(engine.evaluate(problem.theta), BasinError);
  });
});

describe('webgpu support checks (no device needed)', () => {
  const problem = float32Problem(950, SHAPES[0]);

  it('says why a problem is unsupported', () => {
    assert.equal(webGpuUnsupportedReason(problem.architecture, 'mse', problem.samples), undefined);
    const sigmoid = {
      ...problem.architecture,
      hidden: [{ width: 5, activation: { kind: 'sigmoid' as const }, bias: true }],
    };
    assert.match(
      webGpuUnsupportedReason(sigmoid, 'mse', problem.samples) ?? '',
      /hidden\[0\] activation sigmoid/,
    );
    const noisy: Samples = { ...problem.samples, slopeNoise: [new Float64Array(33 * 5).fill(1)] };
    assert.match(webGpuUnsupportedReason(problem.architecture, 'mse', noisy) ?? '', /slope noise/);
  });

  it('reads BASIN_WEBGPU, rejects unknown values by name, and honours off', async () => {
    const saved = process.env.BASIN_WEBGPU;
    try {
      process.env.BASIN_WEBGPU = 'software';
      assert.equal(webGpuModeFromEnvironment(), 'software');
      process.env.BASIN_WEBGPU = 'cuda';
      assert.throws(webGpuModeFromEnvironment, named('BASIN_WEBGPU'));
      delete process.env.BASIN_WEBGPU;
      assert.equal(webGpuModeFromEnvironment(), 'auto');
    } finally {
      if (saved === undefined) delete process.env.BASIN_WEBGPU;
      else process.env.BASIN_WEBGPU = saved;
    }
    const off = await acquireWebGpuDevice({ mode: 'off' });
    assert.equal(off.available, false);
    assert.match(off.available ? '' : off.reason, /BASIN_WEBGPU=off/);
  });

  function named(argument: string) {
    return (error: unknown) => error instanceof InvalidArgumentError && error.argument === argument;
  }
});
