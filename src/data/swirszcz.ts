import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { type Architecture, parameterLayout, validateArchitecture } from '../model/architecture.js';
import { forward } from '../model/forward.js';
import type { LossKind } from '../model/loss.js';
import { makeSamples, type Samples } from '../model/samples.js';
import type { Dataset } from './dataset.js';

/**
 * Swirszcz, Czarnecki & Pascanu (arXiv 1611.06310), the ReLU regression examples of v1 §3.1.3 (papers.md §3.4):
 * 1-D inputs, a 1-m-1 net M(x) = Σⱼ vⱼ·ReLU(wⱼx + bⱼ) + c, loss L = Σᵢ (M(xᵢ) − yᵢ)² (`sse`), and the weights the
 * paper gives. Coordinates and weights are copied exactly (13/3 and −13 − 1/6 stay fractions, never rounded).
 *
 * In basin's flat layout (`parameterLayout`) the 1-m-1 net stores θ = (w₁…w_m, b₁…b_m, v₁…v_m, c).
 */

/** What the paper (or its correction) claims about a point. */
export type KnownClaim = 'global' | 'local-min' | 'not-a-minimum';

export interface KnownPoint {
  /** Short name used on the command line (`basin certify --dataset swirszcz-d2 --point local-min`). */
  readonly name: string;
  readonly description: string;
  readonly theta: Float64Array;
  /** The loss at θ, in closed form (e.g. 8/3). */
  readonly expectedLoss: number;
  readonly claim: KnownClaim;
}

/** A built-in dataset with the network it is posed for and the points the paper gives. */
export interface KnownAnswerProblem {
  readonly name: string;
  readonly dataset: Dataset;
  readonly architecture: Architecture;
  readonly loss: LossKind;
  /** The global minimum of the loss where it is known (0 for a perfect fit), else undefined. */
  readonly knownOptimum: number | undefined;
  readonly points: readonly KnownPoint[];
}

/** The 1-m-1 ReLU network with biases on both layers that §3.4 uses. */
export function swirszczArchitecture(hiddenUnits: number): Architecture {
  requireInteger('hiddenUnits', hiddenUnits, 1);
  return validateArchitecture({
    inputDim: 1,
    hidden: [{ width: hiddenUnits, activation: { kind: 'leaky-relu', slope: 0 }, bias: true }],
    outputDim: 1,
    outputBias: true,
  });
}

/** Maps the paper's (w, b, v, c) to basin's θ = (w₁…w_m, b₁…b_m, v₁…v_m, c). */
export function swirszczTheta(
  w: readonly number[],
  b: readonly number[],
  v: readonly number[],
  c: number,
): Float64Array {
  const m = w.length;
  if (b.length !== m || v.length !== m) {
    throw new InvalidArgumentError('b, v', `${m} entries each (one per hidden unit, like w)`, [
      b.length,
      v.length,
    ]);
  }
  requireFinite('c', c);
  return Float64Array.from([...w, ...b, ...v, c]);
}

function regressionDataset(name: string, points: readonly (readonly [number, number])[]): Dataset {
  return {
    ...makeSamples(
      points.map((p) => p[0]),
      points.map((p) => p[1]),
      1,
    ),
    labelEncoding: undefined,
    provenance: { generator: name, source: 'Swirszcz, Czarnecki & Pascanu 2016, v1 §3.1.3 (papers.md §3.4)' },
  };
}

/** D1: (5,2), (4,1), (3,0), (1,−3), (−1,3); one hidden unit. Prop. 1's local minimum w=1, b=−3, v=1, c=0 has L = 18. */
export function swirszczD1(): KnownAnswerProblem {
  return {
    name: 'swirszcz-d1',
    dataset: regressionDataset('swirszcz-d1', [
      [5, 2],
      [4, 1],
      [3, 0],
      [1, -3],
      [-1, 3],
    ]),
    architecture: swirszczArchitecture(1),
    loss: 'sse',
    knownOptimum: undefined,
    points: [
      {
        name: 'local-min',
        description:
          'Prop. 1: w = 1, b = −3, v = 1, c = 0 (L = 18; the pre-activation at x = 3 is exactly 0, a kink)',
        theta: swirszczTheta([1], [-3], [1], 0),
        expectedLoss: 18,
        claim: 'local-min',
      },
    ],
  };
}

const D2_DATA: readonly (readonly [number, number])[] = [
  [-1, 5],
  [0, 0],
  [1, -1],
  [10, -3],
  [11, -4],
  [12, -5],
];

/**
 * D2: (−1,5), (0,0), (1,−1), (10,−3), (11,−4), (12,−5); two hidden units. The paper prints the second input weight
 * as −1; with it neither claim holds (L = 29 and 23/3, both improvable). With +1 (papers.md §3.4's sign fix) the
 * global point fits exactly (L = 0) and the other is a local minimum with L = 8/3. Both variants are listed; the
 * printed ones are negative examples.
 */
export function swirszczD2(): KnownAnswerProblem {
  return {
    name: 'swirszcz-d2',
    dataset: regressionDataset('swirszcz-d2', D2_DATA),
    architecture: swirszczArchitecture(2),
    loss: 'sse',
    knownOptimum: 0,
    points: [
      {
        name: 'global',
        description: 'Prop. 2 with the sign fix: w = (−5, +1), b = (1, −8), v = (1, −1), c = −1 (L = 0)',
        theta: swirszczTheta([-5, 1], [1, -8], [1, -1], -1),
        expectedLoss: 0,
        claim: 'global',
      },
      {
        name: 'local-min',
        description:
          'Prop. 2 with the sign fix: w = (−3, +1), b = (4 + 1/3, −10), v = (1, −1), c = −3 (L = 8/3)',
        theta: swirszczTheta([-3, 1], [4 + 1 / 3, -10], [1, -1], -3),
        expectedLoss: 8 / 3,
        claim: 'local-min',
      },
      {
        name: 'printed-global',
        description:
          'Prop. 2 as printed: w = (−5, −1), b = (1, −8), v = (1, −1), c = −1 (L = 29, not a minimum)',
        theta: swirszczTheta([-5, -1], [1, -8], [1, -1], -1),
        expectedLoss: 29,
        claim: 'not-a-minimum',
      },
      {
        name: 'printed-local-min',
        description:
          'Prop. 2 as printed: w = (−3, −1), b = (4 + 1/3, −10), v = (1, −1), c = −3 (L = 23/3, not a minimum)',
        theta: swirszczTheta([-3, -1], [4 + 1 / 3, -10], [1, -1], -3),
        expectedLoss: 23 / 3,
        claim: 'not-a-minimum',
      },
    ],
  };
}

/**
 * D3: (−1,3), (0,0), (1,−1), (10,−3), (11,−4), (12,−6); three hidden units. Prop. 3 gives two local minima that
 * split the units 2+1 (L = 1/6) and 1+2 (L = 2/3) between region I (x < 6) and region II (x ≥ 6).
 */
export function swirszczD3(): KnownAnswerProblem {
  return {
    name: 'swirszcz-d3',
    dataset: regressionDataset('swirszcz-d3', [
      [-1, 3],
      [0, 0],
      [1, -1],
      [10, -3],
      [11, -4],
      [12, -6],
    ]),
    architecture: swirszczArchitecture(3),
    loss: 'sse',
    knownOptimum: undefined,
    points: [
      {
        name: 'better-local-min',
        description:
          'Prop. 3: w = (−1.5, −1.5, 1.5), b = (1, 0, −13 − 1/6), v = (1, 1, −1), c = −1 (L = 1/6)',
        theta: swirszczTheta([-1.5, -1.5, 1.5], [1, 0, -13 - 1 / 6], [1, 1, -1], -1),
        expectedLoss: 1 / 6,
        claim: 'local-min',
      },
      {
        name: 'worse-local-min',
        description: 'Prop. 3: w = (−2, 1, 1), b = (3 + 2/3, −10, −11), v = (1, −1, −1), c = −3 (L = 2/3)',
        theta: swirszczTheta([-2, 1, 1], [3 + 2 / 3, -10, -11], [1, -1, -1], -3),
        expectedLoss: 2 / 3,
        claim: 'local-min',
      },
    ],
  };
}

export interface SaturatedNetworkOptions {
  /** A regression net whose first hidden layer is plain ReLU (ρ = 0) with biases. */
  readonly architecture: Architecture;
  readonly samples: Samples;
  /** Seed of the random weights (N(0, 1) entries) before the first-layer biases are pushed down. */
  readonly seed: number;
  /** Every first-layer pre-activation ends at most −margin (default 1). */
  readonly margin?: number;
}

/**
 * Swirszcz et al.'s saturated-layer construction (v1 Theorem 1, v2 §4; papers.md §3.6): random weights, then the
 * first-layer biases set so that W₁xᵢ + b₁ ≤ −margin coordinate-wise for every sample. The first layer outputs 0 on
 * all data, so the network output is the same constant for every sample and the gradients of W₁ and b₁ vanish
 * exactly (Lemma 2). The output bias is then set so that this constant is mean(y), the best constant, which makes θ
 * a critical point with L = Σ(yᵢ − ȳ)² (Corollary 1). With ≥ 3 first-layer units and a "decent" dataset
 * (`isDecentDataset`) a strictly lower loss exists (Theorem 1 (ii)).
 */
export function saturatedNetwork(options: SaturatedNetworkOptions): Float64Array {
  const architecture = validateArchitecture(options.architecture);
  const { samples } = options;
  const margin = requireFinite('margin', options.margin ?? 1, Number.MIN_VALUE);
  const first = architecture.hidden[0];
  if (first === undefined) {
    throw new InvalidArgumentError('architecture.hidden', 'at least one hidden layer', 0);
  }
  if (first.activation.kind !== 'leaky-relu' || first.activation.slope !== 0 || !first.bias) {
    throw new InvalidArgumentError(
      'architecture.hidden[0]',
      'a ReLU layer (slope ρ = 0) with biases, so that it can be switched off on every sample',
      first.activation.kind === 'leaky-relu'
        ? `slope ${first.activation.slope}, bias ${first.bias}`
        : first.activation.kind,
    );
  }
  if (!architecture.outputBias) {
    throw new InvalidArgumentError(
      'architecture.outputBias',
      'true (the constant output is set through it)',
      false,
    );
  }
  const layout = parameterLayout(architecture);
  const theta = new Rng(options.seed).fillGaussian(new Float64Array(layout.size)) as Float64Array;
  const layer = layout.layers[0];
  for (let j = 0; j < layer.outputs; j++) {
    let largest = -Infinity;
    for (let n = 0; n < samples.count; n++) {
      let u = 0;
      for (let i = 0; i < layer.inputs; i++) {
        u += theta[layer.weightOffset + j * layer.inputs + i] * samples.x[n * samples.inputDim + i];
      }
      largest = Math.max(largest, u);
    }
    theta[layer.biasOffset! + j] = -largest - margin;
  }
  // The output is now one constant vector; shift the output bias so that it equals the label mean.
  const output = layout.layers[layout.layers.length - 1];
  const constant = forward(architecture, theta, samples).output;
  for (let o = 0; o < samples.outputDim; o++) {
    let mean = 0;
    for (let n = 0; n < samples.count; n++) mean += samples.y[n * samples.outputDim + o];
    mean /= samples.count;
    theta[output.biasOffset! + o] += mean - constant[o];
  }
  return theta;
}

/** c·Σₙ‖yₙ − ȳ‖², the loss of the best constant output (Lemma 1), with c from the loss kind. */
export function constantOutputLoss(samples: Samples, loss: LossKind): number {
  let sum = 0;
  for (let o = 0; o < samples.outputDim; o++) {
    let mean = 0;
    for (let n = 0; n < samples.count; n++) mean += samples.y[n * samples.outputDim + o];
    mean /= samples.count;
    for (let n = 0; n < samples.count; n++) {
      const d = samples.y[n * samples.outputDim + o] - mean;
      sum += d * d;
    }
  }
  return loss === 'mse' ? sum / samples.count : sum;
}

/**
 * Swirszcz et al.'s "decent" dataset: some input x_r whose labels do not average to the overall mean, so a
 * non-constant function can beat the constant ȳ (the hypothesis of Theorem 1 (ii)).
 */
export function isDecentDataset(samples: Samples): boolean {
  const { count, inputDim, outputDim, x, y } = samples;
  for (let o = 0; o < outputDim; o++) {
    let overall = 0;
    for (let n = 0; n < count; n++) overall += y[n * outputDim + o];
    overall /= count;
    for (let r = 0; r < count; r++) {
      let sum = 0;
      let matches = 0;
      for (let p = 0; p < count; p++) {
        let same = true;
        for (let i = 0; i < inputDim && same; i++) same = x[p * inputDim + i] === x[r * inputDim + i];
        if (same) {
          sum += y[p * outputDim + o];
          matches++;
        }
      }
      if (Math.abs(sum / matches - overall) > 1e-12 * (1 + Math.abs(overall))) return true;
    }
  }
  return false;
}

/** The built-in known-answer problems of this module, by name. */
export const SWIRSZCZ_PROBLEMS: { readonly [name: string]: () => KnownAnswerProblem } = {
  'swirszcz-d1': swirszczD1,
  'swirszcz-d2': swirszczD2,
  'swirszcz-d3': swirszczD3,
};
