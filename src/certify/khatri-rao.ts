import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { numericalRank, type NumericalRank } from '../core/linalg/index.js';
import { deriveSeed, Rng } from '../core/rng.js';
import { type Architecture, mlp, parameterCount } from '../model/architecture.js';
import { forward } from '../model/forward.js';
import { makeSamples, samplesAs, type Samples } from '../model/samples.js';
import { type SlopeNoise, validateSlopeNoise, withSlopeNoise } from '../model/slope-noise.js';

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
  /**
   * Σ over distinct non-zero slope vectors a of min(d0, #samples with a⁽ⁿ⁾ = a): an upper bound on the rank,
   * because the columns a ⊗ x⁽ⁿ⁾ of samples that share a lie in the d0-dimensional space a ⊗ ℝ^{d0}. Without
   * slope noise, samples in the same linear region share a; continuous noise makes every a⁽ⁿ⁾ distinct.
   */
  readonly patternBound: number;
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
  const multiplicity = new Map<string, number>();
  for (let n = 0; n < count; n++) {
    const a = slopes.subarray(n * width, (n + 1) * width);
    if (a.every((value) => value === 0)) {
      zeroColumns++;
      continue;
    }
    const key = a.join(',');
    multiplicity.set(key, (multiplicity.get(key) ?? 0) + 1);
  }
  let patternBound = 0;
  for (const samplesSharing of multiplicity.values()) patternBound += Math.min(inputDim, samplesSharing);
  return {
    ...numericalRank(product, count, width * inputDim, tolerance),
    maxRank: Math.min(count, width * inputDim),
    zeroColumns,
    patternBound,
  };
}

/** One (d0, d1, N) shape of a rank survey. */
export interface KhatriRaoSurveyShape {
  readonly inputDim: number;
  readonly width: number;
  readonly count: number;
}

export interface KhatriRaoSurveyOptions {
  readonly shapes: readonly KhatriRaoSurveyShape[];
  /** ρ values; every shape is drawn once per ρ and noise setting with the same W and X (paired draws). */
  readonly negativeSlopes: readonly number[];
  /** Slope-noise distribution of the "with noise" variant; omit to survey only the noise-free pattern. */
  readonly slopeNoise?: SlopeNoise;
  readonly draws: number;
  readonly seed: number;
  /** Called after each finished cell (for progress display). */
  readonly onCell?: (cell: KhatriRaoSurveyCell, index: number, total: number) => void;
}

export interface KhatriRaoSurveyCell extends KhatriRaoSurveyShape {
  readonly negativeSlope: number;
  readonly slopeNoise: boolean;
  readonly draws: number;
  /** min(N, d0·d1). */
  readonly maxRank: number;
  /** Draws with rank(A∘X) = min(N, d0·d1). */
  readonly fullRank: number;
  /** Mean of min(N, d0d1) − rank over the draws. */
  readonly meanDeficit: number;
  readonly minRank: number;
  /** Draws in which some sample had every unit off (a zero column of A∘X; only possible for ρ = 0). */
  readonly drawsWithZeroColumn: number;
  /** Draws whose pattern bound (see KhatriRaoRank.patternBound) is below min(N, d0d1): shortfall explained. */
  readonly drawsPatternLimited: number;
  /** Draws whose rank falls short of min(N, d0d1, pattern bound): shortfall the bound does not explain. */
  readonly drawsShortOfBound: number;
}

/**
 * Reproduction target 8: draws X (N × d0) and W (d1 × d0) with i.i.d. N(0, 1) entries, forms A = a(WX) (times
 * slope noise in the noisy variant) and counts how often rank(A∘X) = min(N, d0d1), with numpy's default rank
 * tolerance. Draw k of a shape uses the same X and W for every ρ and noise setting, from
 * deriveSeed(seed, d0, d1, N, k); the noise matrix comes from deriveSeed(seed, d0, d1, N, k, 'noise').
 */
export function khatriRaoRankSurvey(options: KhatriRaoSurveyOptions): KhatriRaoSurveyCell[] {
  const draws = requireInteger('draws', options.draws, 1);
  if (options.negativeSlopes.length === 0) {
    throw new InvalidArgumentError('negativeSlopes', 'at least one ρ', '[]');
  }
  options.negativeSlopes.forEach((rho, i) => requireFinite(`negativeSlopes[${i}]`, rho));
  options.shapes.forEach((shape, i) => {
    requireInteger(`shapes[${i}].inputDim`, shape.inputDim, 1);
    requireInteger(`shapes[${i}].width`, shape.width, 1);
    requireInteger(`shapes[${i}].count`, shape.count, 1);
  });
  if (options.slopeNoise) validateSlopeNoise(options.slopeNoise);
  const noiseSettings = options.slopeNoise ? [false, true] : [false];
  const total = options.shapes.length * options.negativeSlopes.length * noiseSettings.length;
  const cells: KhatriRaoSurveyCell[] = [];
  for (const shape of options.shapes) {
    const { inputDim, width, count } = shape;
    const maxRank = Math.min(count, inputDim * width);
    const tallies = new Map<
      string,
      { full: number; deficit: number; minRank: number; zero: number; limited: number; unexplained: number }
    >();
    for (let k = 0; k < draws; k++) {
      const rng = new Rng(deriveSeed(options.seed, inputDim, width, count, k));
      const weights = rng.fillGaussian(new Float64Array(width * inputDim)) as Float64Array;
      const x = rng.fillGaussian(new Float64Array(count * inputDim)) as Float64Array;
      for (const rho of options.negativeSlopes) {
        const architecture = mlp(inputDim, [width], 1, { kind: 'leaky-relu', slope: rho }, false);
        const theta = new Float64Array(parameterCount(architecture)).fill(1);
        theta.set(weights);
        const plain = makeSamples(x, new Float64Array(count), inputDim);
        for (const noisy of noiseSettings) {
          const samples = noisy
            ? withSlopeNoise(
                plain,
                architecture,
                options.slopeNoise!,
                deriveSeed(options.seed, inputDim, width, count, k, 'noise'),
              )
            : plain;
          const result = khatriRaoRank(slopePattern(architecture, theta, samples), x, inputDim);
          const key = `${rho}/${noisy}`;
          const tally = tallies.get(key) ?? {
            full: 0,
            deficit: 0,
            minRank: Infinity,
            zero: 0,
            limited: 0,
            unexplained: 0,
          };
          if (result.rank === maxRank) tally.full++;
          tally.deficit += maxRank - result.rank;
          tally.minRank = Math.min(tally.minRank, result.rank);
          if (result.zeroColumns > 0) tally.zero++;
          if (result.patternBound < maxRank) tally.limited++;
          if (result.rank < Math.min(maxRank, result.patternBound)) tally.unexplained++;
          tallies.set(key, tally);
        }
      }
    }
    for (const rho of options.negativeSlopes) {
      for (const noisy of noiseSettings) {
        const tally = tallies.get(`${rho}/${noisy}`)!;
        const cell: KhatriRaoSurveyCell = {
          ...shape,
          negativeSlope: rho,
          slopeNoise: noisy,
          draws,
          maxRank,
          fullRank: tally.full,
          meanDeficit: tally.deficit / draws,
          minRank: tally.minRank,
          drawsWithZeroColumn: tally.zero,
          drawsPatternLimited: tally.limited,
          drawsShortOfBound: tally.unexplained,
        };
        cells.push(cell);
        options.onCell?.(cell, cells.length, total);
      }
    }
  }
  return cells;
}
