import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { CurvatureOperator } from '../../src/backend/curvature.js';
import { onnxBackend } from '../../src/backend/onnx/onnx-backend.js';
import { referenceCurvature } from '../../src/backend/reference-curvature.js';
import { BasinError, InvalidArgumentError } from '../../src/core/errors.js';
import { dot } from '../../src/core/linalg/index.js';
import { Rng } from '../../src/core/rng.js';
import type { Activation } from '../../src/model/activation.js';
import { type Architecture, parameterCount } from '../../src/model/architecture.js';
import { lossAndGradient } from '../../src/model/gradient.js';
import { predict } from '../../src/model/forward.js';
import type { LossKind } from '../../src/model/loss.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';
import { relativeError } from '../support/float32-problems.js';
import { onnxSkipReason } from '../support/onnx.js';

const skip = onnxSkipReason();
if (skip) console.log(`# skipping ONNX curvature tests: ${skip}`);

interface Case {
  readonly name: string;
  readonly widths: readonly number[];
  readonly activation: Activation;
  readonly bias: boolean;
  readonly outputDim: number;
  readonly noise: boolean;
  readonly loss: LossKind;
}

const CASES: readonly Case[] = [
  {
    name: 'ReLU 1 hidden, bias',
    widths: [5],
    activation: relu(0),
    bias: true,
    outputDim: 1,
    noise: false,
    loss: 'mse',
  },
  {
    name: 'leaky 2 hidden, no bias, 2 outputs',
    widths: [4, 3],
    activation: relu(0.1),
    bias: false,
    outputDim: 2,
    noise: false,
    loss: 'sse',
  },
  {
    name: 'tanh 2 hidden, bias, slope noise',
    widths: [4, 3],
    activation: { kind: 'tanh' },
    bias: true,
    outputDim: 1,
    noise: true,
    loss: 'mse',
  },
  {
    name: 'sigmoid 3 hidden, bias, 3 outputs',
    widths: [3, 4, 2],
    activation: { kind: 'sigmoid' },
    bias: true,
    outputDim: 3,
    noise: false,
    loss: 'sse',
  },
  {
    name: 'ReLU 1 hidden with slope noise',
    widths: [6],
    activation: relu(0),
    bias: true,
    outputDim: 1,
    noise: true,
    loss: 'sse',
  },
  {
    name: 'no hidden layer',
    widths: [],
    activation: relu(0),
    bias: true,
    outputDim: 2,
    noise: false,
    loss: 'mse',
  },
];

function relu(slope: number): Activation {
  return { kind: 'leaky-relu', slope };
}

function problem(seed: number, c: Case) {
  const rng = new Rng(seed);
  const inputDim = 5;
  const count = 23;
  const architecture: Architecture = {
    inputDim,
    hidden: c.widths.map((width) => ({ width, activation: c.activation, bias: c.bias })),
    outputDim: c.outputDim,
    outputBias: c.bias,
  };
  const theta = rng.fillGaussian(new Float64Array(parameterCount(architecture)), 0, 0.7) as Float64Array;
  const base = makeSamples(
    rng.fillGaussian(new Float64Array(count * inputDim)),
    rng.fillGaussian(new Float64Array(count * c.outputDim)),
    inputDim,
    c.outputDim,
  );
  const samples: Samples = c.noise
    ? { ...base, slopeNoise: c.widths.map((w) => rng.fillGaussian(new Float64Array(count * w), 1, 0.3)) }
    : base;
  const v = rng.fillGaussian(new Float64Array(theta.length)) as Float64Array;
  const u = rng.fillGaussian(new Float64Array(count * c.outputDim)) as Float64Array;
  return { architecture, theta, samples, v, u };
}

type MakeOperator = (architecture: Architecture, loss: LossKind, samples: Samples) => CurvatureOperator;

function withOnnx<T>(work: (make: MakeOperator) => T): T {
  const backend = onnxBackend();
  try {
    return work((a, l, s) => backend.curvature(a, l, s));
  } finally {
    backend.dispose();
  }
}

describe('curvature operator: ONNX float64 against the reference kernels', { skip }, () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { architecture, theta, samples, v, u } = problem(11, c);
      const reference = referenceCurvature(architecture, c.loss, samples).at(theta);
      withOnnx((make) => {
        const fast = make(architecture, c.loss, samples).at(theta);
        assert.ok(
          relativeError([fast.loss], [reference.loss]) < 1e-13,
          `loss ${fast.loss} vs ${reference.loss}`,
        );
        assert.ok(relativeError(fast.residual, reference.residual) < 1e-13, 'residual');
        assert.ok(relativeError(fast.gradient, reference.gradient) < 1e-12, 'gradient');
        assert.ok(relativeError(fast.jacobianVector(v), reference.jacobianVector(v)) < 1e-12, 'J·v');
        assert.ok(
          relativeError(fast.jacobianTransposeVector(u), reference.jacobianTransposeVector(u)) < 1e-12,
          'Jᵀ·u',
        );
        assert.ok(relativeError(fast.gaussNewtonVector(v), reference.gaussNewtonVector(v)) < 1e-12, 'JᵀJ·v');
        assert.ok(relativeError(fast.hessianVector(v), reference.hessianVector(v)) < 1e-11, 'H·v');
      });
    });
  }
});

describe('curvature operator: independent oracles', () => {
  type Use = (a: Architecture, l: LossKind, s: Samples, f: (op: CurvatureOperator) => void) => void;
  const engines: [string, false | string, Use][] = [
    ['reference', false, (a, l, s, f) => f(referenceCurvature(a, l, s))],
    ['onnx', skip, (a, l, s, f) => withOnnx((make) => f(make(a, l, s)))],
  ];
  for (const [engine, engineSkip, use] of engines) {
    for (const c of CASES.filter((k) => k.activation.kind !== 'leaky-relu' || k.widths.length === 0)) {
      it(
        `${engine}: ${c.name}: H·v and J·v match central differences, Jᵀ is the adjoint of J`,
        { skip: engineSkip },
        () => {
          const { architecture, theta, samples, v, u } = problem(5, c);
          use(architecture, c.loss, samples, (operator) => {
            const point = operator.at(theta);
            const h = 1e-5;
            const shifted = (sign: number): Float64Array => theta.map((t, p) => t + sign * h * v[p]);
            // H·v ≈ (∇L(θ + hv) − ∇L(θ − hv)) / 2h, error O(h²).
            const plus = lossAndGradient(architecture, c.loss, shifted(1), samples).gradient;
            const minus = lossAndGradient(architecture, c.loss, shifted(-1), samples).gradient;
            const difference = plus.map((g, p) => (g - minus[p]) / (2 * h));
            assert.ok(relativeError(point.hessianVector(v), Float64Array.from(difference)) < 1e-7, 'H·v');
            const up = predict(architecture, shifted(1), samples);
            const down = predict(architecture, shifted(-1), samples);
            const jv = Float64Array.from(up, (o, k) => (o - down[k]) / (2 * h));
            assert.ok(relativeError(point.jacobianVector(v), jv) < 1e-7, 'J·v');
            // uᵀ(J·v) = (Jᵀ·u)ᵀv exactly up to rounding.
            const left = dot(u, point.jacobianVector(v));
            const right = dot(point.jacobianTransposeVector(u), v);
            assert.ok(Math.abs(left - right) <= 1e-12 * Math.max(1, Math.abs(left)), `${left} vs ${right}`);
          });
        },
      );
    }
  }
});

describe('curvature operator: errors', { skip }, () => {
  it('names a wrong θ, v or u, and refuses use after dispose', () => {
    const c = CASES[0];
    const { architecture, theta, samples } = problem(3, c);
    withOnnx((make) => {
      const operator = make(architecture, c.loss, samples);
      assert.throws(() => operator.at(new Float64Array(3)), InvalidArgumentError);
      const point = operator.at(theta);
      assert.throws(() => point.hessianVector(new Float64Array(2)), /v: expected/);
      assert.throws(() => point.jacobianTransposeVector(new Float64Array(2)), /u: expected/);
      operator.dispose();
      assert.throws(() => point.hessianVector(new Float64Array(theta.length)), BasinError);
    });
  });
});
