import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import type { Activation } from '../../src/model/activation.js';
import { type Architecture, parameterCount } from '../../src/model/architecture.js';
import type { LossKind } from '../../src/model/loss.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';
import { referenceObjective } from '../../src/train/objective.js';
import { adamRule } from '../../src/train/update-rules.js';

/** A fully connected net and its data set, as the float32-backend tests draw them. */
export interface NetShape {
  readonly inputDim: number;
  readonly widths: readonly number[];
  readonly outputDim: number;
  readonly count: number;
  readonly activation: Activation;
  readonly bias: boolean;
  readonly loss: LossKind;
}

export interface Float32Problem {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  /** θ ~ N(0, 0.5²) rounded to float32, the values a float32 backend sees. */
  readonly theta: Float32Array;
  /** X, y ~ N(0, 1), float32-representable but stored in float64, so the float64 reference sees the same data. */
  readonly samples: Samples;
}

/** A random problem of `shape` (θ, then X, then y from one stream seeded by `seed`). */
export function float32Problem(seed: number, shape: NetShape): Float32Problem {
  const rng = new Rng(seed);
  const architecture: Architecture = {
    inputDim: shape.inputDim,
    hidden: shape.widths.map((width) => ({ width, activation: shape.activation, bias: shape.bias })),
    outputDim: shape.outputDim,
    outputBias: shape.bias,
  };
  const theta = Float32Array.from(rng.fillGaussian(new Float64Array(parameterCount(architecture)), 0, 0.5));
  const rounded = (length: number): Float64Array =>
    Float64Array.from(Float32Array.from(rng.fillGaussian(new Float64Array(length))));
  const samples = makeSamples(
    rounded(shape.count * shape.inputDim),
    rounded(shape.count * shape.outputDim),
    shape.inputDim,
    shape.outputDim,
  );
  return { architecture, loss: shape.loss, theta, samples };
}

/** max_i |a_i − b_i| / max_i |b_i|: the error relative to the scale of the reference vector b. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    difference = Math.max(difference, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return difference / scale;
}

/**
 * `steps` of basin's Adam (adamRule, PyTorch's defaults) from the problem's θ on the float64 reference objective:
 * the trajectory a float32 engine's Adam is compared with. `losses[t]` is the loss before update t + 1.
 */
export function referenceAdam(
  problem: Float32Problem,
  steps: number,
  learningRate: number,
): { theta: Float64Array; losses: number[] } {
  const objective = referenceObjective(problem.architecture, problem.loss, problem.samples);
  const rule = adamRule(0.9, 0.999, 1e-8);
  const theta = Float64Array.from(problem.theta);
  const losses: number[] = [];
  for (let t = 0; t < steps; t++) {
    const { loss, gradient } = objective.evaluate(theta);
    losses.push(loss);
    rule.apply(theta, gradient, learningRate);
  }
  return { theta, losses };
}
