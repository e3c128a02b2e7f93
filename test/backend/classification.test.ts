import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Backend } from '../../src/backend/backend.js';
import {
  type ClassificationCheck,
  oneHiddenLayerOutputs,
  preActivationBound,
  rowNorms,
  screenOutput,
} from '../../src/backend/classification.js';
import { buildPreActivationGraph } from '../../src/backend/onnx/onnx-classification.js';
import { onnxBackend } from '../../src/backend/onnx/onnx-backend.js';
import { type OnnxRuntime, onnxRuntimeStatus } from '../../src/backend/onnx/runtime.js';
import { referenceBackend } from '../../src/backend/reference-backend.js';
import { chooseBackend } from '../../src/backend/select.js';
import { type DType, type FloatArray } from '../../src/core/dtype.js';
import { BasinError, InvalidArgumentError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { type LabelEncoding, misclassificationError, threshold } from '../../src/data/labels.js';
import { type Architecture, mlp, parameterLayout } from '../../src/model/architecture.js';
import { predict } from '../../src/model/forward.js';
import { initialise } from '../../src/model/init.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';
import { onnxSkipReason } from '../support/onnx.js';

const status = onnxRuntimeStatus();
const skip = onnxSkipReason();
if (skip) console.log(`# skipping ONNX classification tests: ${skip}`);

const relu = { kind: 'leaky-relu', slope: 0 } as const;

/** What the float64 pass counts: `misclassificationError` of `oneHiddenLayerOutputs`, as a number of samples. */
function float64Count(
  architecture: Architecture,
  theta: FloatArray,
  samples: Samples,
  encoding: LabelEncoding,
) {
  const outputs = oneHiddenLayerOutputs(architecture, theta, samples);
  return Math.round(misclassificationError(outputs, samples.y, encoding) * samples.count);
}

/** Runs `body` with a check of `samples` on `backend`, disposed afterwards. */
function withCheck<T>(
  backend: Backend,
  architecture: Architecture,
  samples: Samples,
  encoding: LabelEncoding,
  body: (check: ClassificationCheck) => T,
): T {
  const check = backend.classificationCheck(architecture, samples, encoding);
  try {
    return body(check);
  } finally {
    check.dispose();
  }
}

function randomLabels(rng: Rng, count: number, encoding: LabelEncoding): Float64Array {
  const negative = encoding === 'pm1' ? -1 : 0;
  return Float64Array.from({ length: count }, () => (rng.uniform() < 0.5 ? negative : 1));
}

/**
 * Samples whose float64 output lies within a few ulps of the inputs of the threshold. Each is found by bisection
 * on the segment between a sample on either side, rounded to the data's precision, then moved by Newton steps on
 * its steepest input coordinate. The float32 pass's rounding (γ_d·|W||x|) is far larger than that margin, so it
 * lands on either side. Shifts θ's output bias (in place) so that random inputs fall on both sides. Labels are the
 * float64 pass's own decisions, so every sample another pass puts on the other side is an error it must not count.
 */
function nearThreshold(
  architecture: Architecture,
  theta: FloatArray,
  count: number,
  dtype: DType,
  encoding: LabelEncoding,
  rng: Rng,
): Samples {
  const [hidden, output] = parameterLayout(architecture).layers;
  const d = hidden.inputs;
  const m = hidden.outputs;
  const t = threshold(encoding);
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const weight = (i: number, k: number): number => theta[hidden.weightOffset + i * d + k];
  const slopeOf = (u: number): number => {
    const activation = architecture.hidden[0].activation;
    return u > 0 ? 1 : activation.kind === 'leaky-relu' ? activation.slope : NaN;
  };
  /** f(x) − t in float64 and ∂f/∂x. */
  const evaluate = (row: Float64Array, gradient: Float64Array): number => {
    let f = theta[output.biasOffset!] - t;
    gradient.fill(0);
    for (let i = 0; i < m; i++) {
      let u = theta[hidden.biasOffset! + i];
      for (let k = 0; k < d; k++) u += weight(i, k) * row[k];
      const zs = theta[output.weightOffset + i] * slopeOf(u);
      f += zs * u;
      for (let k = 0; k < d; k++) gradient[k] += zs * weight(i, k);
    }
    return f;
  };
  const gradient = new Float64Array(d);
  const pool = Array.from({ length: 64 }, () =>
    Float64Array.from({ length: d }, () => round(rng.gaussian())),
  );
  const values = pool.map((row) => evaluate(row, gradient)).sort((p, q) => p - q);
  theta[output.biasOffset!] -= values[32];
  const above = pool.filter((row) => evaluate(row, gradient) > 0);
  const below = pool.filter((row) => evaluate(row, gradient) < 0);
  const x = new Float64Array(count * d);
  const point = new Float64Array(d);
  for (let n = 0; n < count; n++) {
    const a = above[rng.integer(above.length)];
    const b = below[rng.integer(below.length)];
    let low = 0;
    let high = 1;
    for (let step = 0; step < 60; step++) {
      const s = (low + high) / 2;
      for (let k = 0; k < d; k++) point[k] = a[k] + s * (b[k] - a[k]);
      if (evaluate(point, gradient) > 0) low = s;
      else high = s;
    }
    const row = x.subarray(n * d, (n + 1) * d);
    for (let k = 0; k < d; k++) row[k] = round(a[k] + low * (b[k] - a[k]));
    for (let step = 0; step < 6; step++) {
      const f = evaluate(row, gradient);
      let j = 0;
      for (let k = 1; k < d; k++) if (Math.abs(gradient[k]) > Math.abs(gradient[j])) j = k;
      if (f === 0 || gradient[j] === 0) break;
      row[j] = round(row[j] - f / gradient[j]);
    }
  }
  const samples = makeSamples(x, new Float64Array(count), d, 1, dtype);
  const exact = oneHiddenLayerOutputs(architecture, theta, samples);
  const negative = encoding === 'pm1' ? -1 : 0;
  return { ...samples, y: Float64Array.from(exact, (f) => (f > t ? 1 : negative)) };
}

describe('oneHiddenLayerOutputs', () => {
  it('gives chosen rows (any order, repeated) bit for bit the values of the full pass', () => {
    const rng = new Rng(21);
    const architecture = mlp(70, [6], 1, { kind: 'leaky-relu', slope: 0.3 }, true);
    const theta = initialise(architecture, { kind: 'pytorch' }, 2, 'float32');
    const samples = makeSamples(
      rng.fillGaussian(new Float64Array(150 * 70)),
      new Float64Array(150),
      70,
      1,
      'float32',
    );
    const full = oneHiddenLayerOutputs(architecture, theta, samples);
    const rows = Int32Array.from([149, 3, 3, 77, 0, 64, 65, 128]);
    const out = new Float64Array(10).fill(NaN);
    oneHiddenLayerOutputs(architecture, theta, samples, { rows, out });
    rows.forEach((n, r) => assert.ok(Object.is(out[r], full[n]), `row ${n}`));
    assert.ok(Number.isNaN(out[8]), 'nothing written past the rows');
  });

  it('refuses what it cannot compute, naming the argument', () => {
    const architecture = mlp(3, [2], 1, relu, true);
    const theta = new Float64Array(11);
    const samples = makeSamples(new Float64Array(6), new Float64Array(2), 3);
    const noisy = { ...samples, slopeNoise: [new Float64Array(4)] };
    const named = (argument: string) => (error: unknown) =>
      error instanceof InvalidArgumentError && error.argument === argument;
    assert.throws(() => oneHiddenLayerOutputs(architecture, theta, noisy), named('samples'));
    assert.throws(
      () => oneHiddenLayerOutputs(mlp(3, [2, 2], 1, relu, true), theta, samples),
      named('architecture'),
    );
    assert.throws(() => oneHiddenLayerOutputs(architecture, new Float64Array(10), samples), named('theta'));
    assert.throws(
      () => oneHiddenLayerOutputs(architecture, theta, samples, { out: new Float64Array(1) }),
      named('out'),
    );
  });
});

describe('classification checks', () => {
  const engines: [string, () => Backend][] = [
    ['reference', () => referenceBackend],
    ['onnx', () => onnxBackend({ threads: 2 })],
  ];

  for (const [name, makeBackend] of engines) {
    it(
      `${name}: count what the float64 pass counts on random nets and data (float32/64, ReLU/leaky, ±1/{0,1})`,
      {
        skip: name === 'onnx' && skip,
      },
      () => {
        const backend = makeBackend();
        const rng = new Rng(5);
        let seed = 0;
        for (const dtype of ['float32', 'float64'] as const) {
          for (const slope of [0, 0.2]) {
            for (const encoding of ['pm1', '01'] as const) {
              const architecture = mlp(90, [12], 1, { kind: 'leaky-relu', slope }, true);
              const samples = makeSamples(
                rng.fillGaussian(new Float64Array(1500 * 90)),
                randomLabels(rng, 1500, encoding),
                90,
                1,
                dtype,
              );
              withCheck(backend, architecture, samples, encoding, (check) => {
                for (const thetaType of ['float32', 'float64'] as const) {
                  const theta = initialise(architecture, { kind: 'pytorch' }, seed++, thetaType);
                  // {0,1} labels: move the outputs around the threshold 0.5.
                  if (encoding === '01') theta[theta.length - 1] += 0.5;
                  const result = check.count(theta);
                  const expected = float64Count(architecture, theta, samples, encoding);
                  const where = `${dtype} data, θ ${thetaType}, slope ${slope}, ${encoding}`;
                  assert.equal(result.misclassified, expected, where);
                  assert.equal(result.error, expected / samples.count, where);
                  assert.equal(check.engine, name);
                  // Random data sits well away from the threshold: few samples need another pass.
                  assert.ok(
                    result.rechecked <= 0.05 * samples.count,
                    `${where}: ${result.rechecked} re-checked`,
                  );
                }
              });
            }
          }
        }
        backend.dispose();
      },
    );
  }

  it(
    'onnx: decides outputs exactly on the threshold as float64 does (an output equal to it is an error)',
    { skip },
    () => {
      // Small integers everywhere: every product and sum is exact in float32 and float64, whatever the order, so the
      // tied samples tie in both passes. Units 0 and 1 are identical with opposite output weights (they cancel);
      // c = threshold and negative biases leave many samples with every other unit off: f = threshold exactly.
      const rng = new Rng(8);
      const d = 10;
      const m = 6;
      const architecture = mlp(d, [m], 1, relu, true);
      const layout = parameterLayout(architecture);
      const [hidden, output] = layout.layers;
      const backend = onnxBackend({ threads: 1 });
      for (const dtype of ['float32', 'float64'] as const) {
        for (const encoding of ['pm1', '01'] as const) {
          const theta = new Float32Array(layout.size);
          for (let i = 0; i < m; i++) {
            for (let k = 0; k < d; k++) theta[hidden.weightOffset + i * d + k] = rng.integer(7) - 3;
            theta[hidden.biasOffset! + i] = -rng.integer(8);
            theta[output.weightOffset + i] = rng.integer(5) - 2 || 1;
          }
          for (let k = 0; k < d; k++) theta[hidden.weightOffset + d + k] = theta[hidden.weightOffset + k];
          theta[hidden.biasOffset! + 1] = theta[hidden.biasOffset!];
          theta[output.weightOffset + 1] = -theta[output.weightOffset];
          theta[output.biasOffset!] = threshold(encoding);
          const count = 600;
          const x = Float64Array.from({ length: count * d }, () => rng.integer(9) - 4);
          const samples = makeSamples(x, randomLabels(rng, count, encoding), d, 1, dtype);
          const exact = oneHiddenLayerOutputs(architecture, theta, samples);
          const ties = exact.filter((f) => f === threshold(encoding)).length;
          assert.ok(ties >= 50, `${ties} tied samples: the construction should make many`);
          withCheck(backend, architecture, samples, encoding, (check) => {
            const result = check.count(theta);
            assert.equal(result.misclassified, float64Count(architecture, theta, samples, encoding));
            assert.ok(result.rechecked >= ties, 'a tie is never decided from the fast pass');
            // Both passes are exact here, so each tie reaches the reference kernel and nothing else does.
            assert.equal(result.referenceRechecked, ties);
          });
        }
      }
      backend.dispose();
    },
  );

  it(
    'onnx: counts samples within float32 rounding of the threshold as float64 does, where float32 alone miscounts',
    {
      skip,
    },
    () => {
      const rng = new Rng(13);
      const backend = onnxBackend({ threads: 2 });
      for (const encoding of ['pm1', '01'] as const) {
        for (const slope of [0, 0.25]) {
          const architecture = mlp(64, [10], 1, { kind: 'leaky-relu', slope }, true);
          const theta = initialise(architecture, { kind: 'pytorch' }, 17, 'float32');
          const samples = nearThreshold(architecture, theta, 400, 'float32', encoding, rng);
          withCheck(backend, architecture, samples, encoding, (check) => {
            const result = check.count(theta);
            const expected = float64Count(architecture, theta, samples, encoding);
            assert.equal(result.misclassified, expected);
            // The test can fail: deciding from the float32 outputs alone (a zero bound) gives another count.
            const fromFloat32 = Math.round(
              misclassificationError(result.outputs, samples.y, encoding) * samples.count,
            );
            assert.ok(fromFloat32 > expected, `float32 alone: ${fromFloat32}, float64: ${expected}`);
            // Every sample the float32 pass put on the other side was among those re-checked.
            assert.ok(result.rechecked >= fromFloat32 - expected);
            assert.ok(result.rechecked <= samples.count);
          });
        }
      }
      backend.dispose();
    },
  );

  it(
    'onnx: decides as float64 does where float32 summation loses many terms, so its error nears the bound',
    {
      skip,
    },
    () => {
      // u₀ = 1 + 2⁻¹²·2⁻¹³ + 2⁻¹²·2⁻¹³ + …: summed in order in float32 (as MLAS does within its blocks of 256), each
      // 2⁻²⁵ falls below half an ulp of the running sum and is lost: 128u or more, a fair share of γ_d·ā₀
      // (Cauchy–Schwarz is tight here: w ∥ x). c puts the float64 output 1.1e-6 above 0 and the fast one 6.5e-6 below
      // it, more than twice γ_32·ā₀: a bound that counted d/8 terms, not d (or √d, or none), would decide these
      // samples wrongly. In the second case b₀ = −1 leaves û₀ = 0 (off) where u₀ = 7.6e-6 (on): a bound that took
      // the unit as off in both passes without the error margin would decide them wrongly too. Whatever the
      // summation order, the true bound holds.
      const backend = onnxBackend({ threads: 1 });
      for (const [d, b0, c] of [
        [257, 0, -1 - 6.5e-6],
        [256, -1, -6.5e-6],
      ]) {
        const architecture = mlp(d, [3], 1, relu, true);
        const layout = parameterLayout(architecture);
        const [hidden, output] = layout.layers;
        const theta = new Float32Array(layout.size);
        theta.fill(2 ** -12, hidden.weightOffset, hidden.weightOffset + d);
        theta[hidden.weightOffset] = 1;
        theta[hidden.biasOffset!] = b0;
        theta[hidden.biasOffset! + 1] = -1;
        theta[hidden.biasOffset! + 2] = -1;
        theta[output.weightOffset] = 1;
        theta[output.biasOffset!] = c;
        const x = new Float64Array(4 * d).fill(2 ** -13);
        for (let n = 0; n < 4; n++) x[n * d] = 1;
        const samples = makeSamples(x, Float64Array.from([1, 1, 1, 1]), d, 1, 'float32');
        assert.ok(oneHiddenLayerOutputs(architecture, theta, samples)[0] > 0);
        withCheck(backend, architecture, samples, 'pm1', (check) => {
          const result = check.count(theta);
          assert.equal(result.misclassified, 0, `d = ${d}`);
          assert.equal(result.rechecked, 4);
        });
      }
      backend.dispose();
    },
  );

  it(
    'onnx: counts float64 data within float64 rounding of the threshold as the reference kernel does',
    { skip },
    () => {
      const rng = new Rng(14);
      const backend = onnxBackend({ threads: 2 });
      const architecture = mlp(64, [10], 1, relu, true);
      const theta = initialise(architecture, { kind: 'pytorch' }, 18, 'float64');
      const samples = nearThreshold(architecture, theta, 400, 'float64', 'pm1', rng);
      withCheck(backend, architecture, samples, 'pm1', (check) => {
        const result = check.count(theta);
        assert.equal(result.misclassified, float64Count(architecture, theta, samples, 'pm1'));
        assert.equal(result.referenceRechecked, result.rechecked, 'float64 data: no second engine pass');
      });
      backend.dispose();
    },
  );

  it(
    'onnx: float32 pre-activations give outputs within half their bound of the float64 ones (it is doubled)',
    {
      skip,
    },
    () => {
      const rng = new Rng(31);
      const runtime = (status as { runtime: OnnxRuntime }).runtime;
      for (const [slope, scale] of [
        [0, 1],
        [0.5, 300],
        [-2, 1e-3],
      ] as const) {
        const architecture = mlp(200, [16], 1, { kind: 'leaky-relu', slope }, true);
        const [hidden] = parameterLayout(architecture).layers;
        const theta = initialise(architecture, { kind: 'pytorch' }, 4, 'float32');
        const count = 800;
        const samples = makeSamples(
          rng.fillGaussian(new Float64Array(count * 200), 0.5, scale),
          new Float64Array(count),
          200,
          1,
          'float32',
        );
        const session = runtime.createSession(buildPreActivationGraph(architecture, 'float32'), {
          optimisation: 'all',
          threads: 2,
        });
        const pre = session.run(
          {
            x: new runtime.Tensor('float32', samples.x as Float32Array, [count, 200]),
            w0: new runtime.Tensor('float32', theta.subarray(0, 16 * 200) as Float32Array, [16, 200]),
            b0: new runtime.Tensor(
              'float32',
              theta.subarray(hidden.biasOffset!, hidden.biasOffset! + 16) as Float32Array,
              [16],
            ),
          },
          ['u'],
        ).u.data as Float32Array;
        session.dispose();
        const exact = oneHiddenLayerOutputs(architecture, theta, samples);
        const bound = preActivationBound(architecture, theta, 'float32');
        const { l2, l1 } = rowNorms(samples);
        const screened = new Float64Array(2);
        let worst = 0;
        for (let n = 0; n < count; n++) {
          screenOutput(bound, pre, n * 16, l2[n], l1[n], screened);
          assert.ok(Number.isFinite(screened[1]));
          worst = Math.max(worst, Math.abs(screened[0] - exact[n]) / screened[1]);
        }
        assert.ok(worst <= 0.5, `slope ${slope}: error / bound up to ${worst}`);
        assert.ok(worst > 0, 'float32 rounding was seen at all');
      }
    },
  );

  it('onnx: re-checks every sample when θ is not finite, and counts them as float64 does', { skip }, () => {
    const rng = new Rng(2);
    const architecture = mlp(20, [4], 1, relu, true);
    const samples = makeSamples(
      rng.fillGaussian(new Float64Array(50 * 20)),
      randomLabels(rng, 50, 'pm1'),
      20,
      1,
      'float32',
    );
    const theta = initialise(architecture, { kind: 'pytorch' }, 1, 'float32');
    theta[3] = NaN;
    const backend = onnxBackend({ threads: 1 });
    withCheck(backend, architecture, samples, 'pm1', (check) => {
      const result = check.count(theta);
      assert.equal(result.misclassified, float64Count(architecture, theta, samples, 'pm1'));
      assert.equal(result.rechecked, 50);
    });
    backend.dispose();
  });

  it(
    'onnx: falls back to the reference engine for other networks, and refuses bad θ and use after dispose',
    {
      skip,
    },
    () => {
      const rng = new Rng(3);
      const architecture = mlp(8, [5, 4], 1, { kind: 'tanh' }, true);
      const samples = makeSamples(
        rng.fillGaussian(new Float64Array(40 * 8)),
        randomLabels(rng, 40, 'pm1'),
        8,
      );
      const theta = initialise(architecture, { kind: 'pytorch' }, 1, 'float64');
      const backend = onnxBackend({ threads: 1 });
      const check = backend.classificationCheck(architecture, samples, 'pm1');
      assert.equal(check.engine, 'reference');
      assert.equal(
        check.count(theta).error,
        misclassificationError(predict(architecture, theta, samples), samples.y, 'pm1'),
      );
      check.dispose();
      const relu1 = mlp(8, [5], 1, relu, true);
      const fast = backend.classificationCheck(relu1, samples, 'pm1');
      assert.throws(
        () => fast.count(new Float64Array(3)),
        (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'theta',
      );
      backend.dispose();
      assert.throws(() => fast.count(initialise(relu1, { kind: 'pytorch' }, 1, 'float64')), BasinError);
      assert.throws(
        () => backend.classificationCheck(mlp(8, [5], 2, relu, true), samples, 'pm1'),
        (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'architecture',
      );
    },
  );

  it('is chosen with the objective: chooseBackend’s backend makes it', () => {
    const architecture = mlp(4, [3], 1, relu, true);
    const samples = makeSamples(new Float64Array(8), Float64Array.from([1, -1]), 4);
    const { backend } = chooseBackend('reference', { architecture, loss: 'mse', samples });
    withCheck(backend, architecture, samples, 'pm1', (check) => {
      assert.equal(check.engine, 'reference');
      const result = check.count(new Float64Array(19));
      assert.equal(result.misclassified, 2, 'f = 0 on both samples: no class predicted');
      assert.equal(result.rechecked, 0);
    });
  });
});
