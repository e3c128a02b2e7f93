import { InvalidArgumentError } from '../core/errors.js';
import { numericalRank, type NumericalRank } from '../core/linalg/index.js';
import type { Architecture } from '../model/architecture.js';
import { forward } from '../model/forward.js';
import { samplesAs, type Samples } from '../model/samples.js';

/**
 * The activation-slope pattern of a one-hidden-layer piecewise-linear network on its training set (Soudry–Hoffer
 * §2): A = a(WX) with a(u) = 1 for u > 0 and ρ for u < 0, times Soudry–Carmon's fixed slope noise ε when the
 * samples carry it.
 *
 * Storage follows basin's sample-major convention: `slopes` is N × d1 (row n is a⁽ⁿ⁾), the transpose of the
 * paper's d1 × N matrix A, like the pre-activations in a ForwardCache.
 */
export interface SlopePattern {
  readonly count: number;
  readonly width: number;
  /** slopes[n·d1 + i] = A_{i,n} = ε_{n,i}·a(u_{n,i}). */
  readonly slopes: Float64Array;
  /** u_{n,i} = w_iᵀx⁽ⁿ⁾ (+ b_i): the pre-activations the pattern was read from, N × d1. */
  readonly preActivations: Float64Array;
  /** ρ, the slope for negative pre-activations. */
  readonly negativeSlope: number;
  readonly slopeNoise: boolean;
}

/**
 * Throws unless the architecture is the one Lemma 2 is about: one hidden layer of leaky-ReLU units (ρ = 0 is
 * ReLU) and a single linear output. Biases are allowed in either layer.
 */
export function requireOneHiddenLeakyRelu(architecture: Architecture): number {
  if (architecture.hidden.length !== 1) {
    throw new InvalidArgumentError(
      'architecture.hidden',
      'exactly one hidden layer (activation-region analysis follows Soudry–Hoffer §2)',
      `${architecture.hidden.length} hidden layers`,
    );
  }
  const activation = architecture.hidden[0].activation;
  if (activation.kind !== 'leaky-relu') {
    throw new InvalidArgumentError(
      'architecture.hidden[0].activation',
      'relu or leaky-relu (a piecewise-linear unit with slopes 1 and ρ)',
      activation.kind,
    );
  }
  if (architecture.outputDim !== 1) {
    throw new InvalidArgumentError('architecture.outputDim', '1 (a scalar output)', architecture.outputDim);
  }
  return activation.slope;
}

/**
 * Reads A off a forward pass. At an exact kink (u = 0) the model's convention a(0) = ρ is used; such a point lies
 * on a region boundary, which the region analysis reports through its kink margin.
 */
export function slopePattern(
  architecture: Architecture,
  theta: Float64Array,
  samples: Samples,
): SlopePattern {
  const negativeSlope = requireOneHiddenLeakyRelu(architecture);
  const exact = samplesAs(samples, 'float64');
  const cache = forward(architecture, Float64Array.from(theta), exact);
  const preActivations = cache.pre[0] as Float64Array;
  const noise = exact.slopeNoise?.[0];
  const slopes = new Float64Array(preActivations.length);
  for (let k = 0; k < slopes.length; k++) {
    slopes[k] = (preActivations[k] > 0 ? 1 : negativeSlope) * (noise ? noise[k] : 1);
  }
  return {
    count: exact.count,
    width: architecture.hidden[0].width,
    slopes,
    preActivations,
    negativeSlope,
    slopeNoise: noise !== undefined,
  };
}

/**
 * The Khatri–Rao (column-wise Kronecker) product A∘X, stored transposed: an N × (d1·d0) row-major matrix whose row
 * n is a⁽ⁿ⁾ ⊗ x⁽ⁿ⁾ = [a_1⁽ⁿ⁾x⁽ⁿ⁾ᵀ, …, a_{d1}⁽ⁿ⁾x⁽ⁿ⁾ᵀ], i.e. column n of the paper's d0d1 × N matrix.
 *
 * `slopes` is N × d1 and `x` is N × d0 (samples as rows, as everywhere in basin).
 */
export function khatriRao(
  slopes: Float64Array,
  x: ArrayLike<number>,
  count: number,
  width: number,
  inputDim: number,
): Float64Array {
  if (slopes.length !== count * width) {
    throw new InvalidArgumentError('slopes', `${count * width} entries (N × d1)`, slopes.length);
  }
  if (x.length !== count * inputDim) {
    throw new InvalidArgumentError('x', `${count * inputDim} entries (N × d0)`, x.length);
  }
  const columns = width * inputDim;
  const product = new Float64Array(count * columns);
  for (let n = 0; n < count; n++) {
    const row = n * columns;
    const xBase = n * inputDim;
    for (let i = 0; i < width; i++) {
      const a = slopes[n * width + i];
      const block = row + i * inputDim;
      for (let j = 0; j < inputDim; j++) product[block + j] = a * x[xBase + j];
    }
  }
  return product;
}

export interface KhatriRaoRank extends NumericalRank {
  /** min(N, d0·d1): the rank of A∘X for generic A and X. */
  readonly maxRank: number;
  /** Samples whose slope vector a⁽ⁿ⁾ is exactly 0 (every unit off, ρ = 0): each gives a zero column. */
  readonly zeroColumns: number;
}

/**
 * Numerical rank of A∘X (default tolerance max(N, d0d1)·σ_max·ε, numpy's matrix_rank convention, reported).
 */
export function khatriRaoRank(
  pattern: Pick<SlopePattern, 'slopes' | 'count' | 'width'>,
  x: ArrayLike<number>,
  inputDim: number,
  tolerance?: number,
): KhatriRaoRank {
  const { slopes, count, width } = pattern;
  const product = khatriRao(slopes, x, count, width, inputDim);
  let zeroColumns = 0;
  for (let n = 0; n < count; n++) {
    let allZero = true;
    for (let i = 0; i < width && allZero; i++) allZero = slopes[n * width + i] === 0;
    if (allZero) zeroColumns++;
  }
  return {
    ...numericalRank(product, count, width * inputDim, tolerance),
    maxRank: Math.min(count, width * inputDim),
    zeroColumns,
  };
}
