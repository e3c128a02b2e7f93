import { InvalidArgumentError, requireFinite } from '../core/errors.js';
import { leastSquares, MACHINE_EPSILON, norm, numericalRank } from '../core/linalg/index.js';
import { KINK_TOLERANCE, REGION_ATTAIN_TOLERANCE } from '../core/tolerances.js';
import { type Architecture, parameterLayout } from '../model/architecture.js';
import { forward } from '../model/forward.js';
import { type KinkMargin, kinkMargin } from '../model/kinks.js';
import { type LossKind, lossScale } from '../model/loss.js';
import { samplesAs, type Samples } from '../model/samples.js';
import { requireOneHiddenLeakyRelu, slopePattern, type SlopePattern } from './khatri-rao.js';

export interface RegionOptions {
  /** Loss in which `loss` and `regionBestLoss` are reported (default 'mse' = (1/N)‖e‖²). */
  readonly loss?: LossKind;
  /** |u| at or below this counts as on a kink (default KINK_TOLERANCE = 1e-9, as `kinkMargin`). */
  readonly kinkTolerance?: number;
  /** Singular values of the feature matrix above this count toward its rank (default max(N, D)·σ_max·ε). */
  readonly rankTolerance?: number;
  /**
   * The point attains the region's minimum when ‖e − e*‖ ≤ attainTolerance·‖y‖ (default REGION_ATTAIN_TOLERANCE
   * = 1e-6).
   */
  readonly attainTolerance?: number;
  /** Refuse feature matrices with more than this many entries N·D (default 2·10⁷, 160 MB). */
  readonly maxEntries?: number;
}

/** Which rows the feature vectors φ⁽ⁿ⁾ have, so the folded weights can be read back. */
export interface FeatureLayout {
  /** Hidden biases add a constant 1 to each x⁽ⁿ⁾ before the Kronecker product: x̃⁽ⁿ⁾ = [x⁽ⁿ⁾; 1]. */
  readonly hiddenBias: boolean;
  /** The output bias adds one last feature equal to 1. */
  readonly outputBias: boolean;
  /** D = d1·(d0 + [hiddenBias]) + [outputBias]. */
  readonly dimension: number;
}

/**
 * Soudry–Hoffer Lemma 2 at one point of a one-hidden-layer piecewise-linear network (see
 * docs/activation-regions.md). With the slope pattern A fixed, the output is linear in the folded weights
 * v = [z_1·w̃_1; …; z_{d1}·w̃_{d1}; c]: ŷ⁽ⁿ⁾ = vᵀφ⁽ⁿ⁾ with φ⁽ⁿ⁾ = [a⁽ⁿ⁾ ⊗ x̃⁽ⁿ⁾; 1], which is A∘X when there are
 * no biases. All quantities are float64.
 */
export interface RegionAnalysis {
  readonly sampleCount: number;
  readonly inputDim: number;
  readonly width: number;
  readonly negativeSlope: number;
  readonly slopeNoise: boolean;
  readonly features: FeatureLayout;
  /** A (N × d1, row n = a⁽ⁿ⁾), read at this point. */
  readonly pattern: SlopePattern;
  /** Distance from the non-differentiable set: the region D_A is only defined when no pre-activation is 0. */
  readonly kink: KinkMargin;
  /** True when every pre-activation is farther than the kink tolerance from 0 (the point is inside D_A). */
  readonly differentiable: boolean;
  /** min_i |z_i|: Lemma 2's W-gradient condition z_i·[(A∘X)e]_i = 0 implies [(A∘X)e]_i = 0 only where z_i ≠ 0. */
  readonly minAbsOutputWeight: number;
  /** Numerical rank of the N × D feature matrix, the tolerance used, and its singular values (descending). */
  readonly rank: number;
  readonly rankTolerance: number;
  readonly singularValues: Float64Array;
  /** min(N, D): the generic rank. */
  readonly maxRank: number;
  /** rank = N: then (A∘X)e = 0 forces e = 0, i.e. every DLM in this region has zero loss. */
  readonly rankForcesZeroResidual: boolean;
  /** e = y − ŷ (the paper's sign), length N. */
  readonly residual: Float64Array;
  readonly residualNorm: number;
  /** ‖Φe‖ = ‖Σₙ e⁽ⁿ⁾φ⁽ⁿ⁾‖; Lemma 2 says it is 0 at every DLM. */
  readonly lemma2Norm: number;
  /**
   * lemma2Norm / (σ_max(Φ)·max(‖y‖, ‖e‖)): the scale is the largest ‖Φr‖ that any residual r of that size can
   * give, so the ratio is 1 at worst and of order ε at a converged critical point (0 when that scale is 0).
   */
  readonly lemma2Relative: number;
  readonly loss: number;
  /**
   * min over the folded weights of the loss with A frozen (linear least squares). Any point of the region has
   * loss ≥ this value, and Lemma 2 says every DLM in the region attains it.
   */
  readonly regionBestLoss: number;
  /** Minimum-norm minimiser v* of that least-squares problem (layout `features`). */
  readonly regionBestWeights: Float64Array;
  /** ‖e − e*‖ = ‖ŷ* − ŷ‖, the distance of this point's outputs from the region's best outputs. */
  readonly residualGap: number;
  readonly attainTolerance: number;
  /** residualGap ≤ attainTolerance·‖y‖. */
  readonly attainsRegionMinimum: boolean;
}

/**
 * Analyses the activation region that contains θ (Soudry–Hoffer §2, Lemma 2; Soudry–Carmon when the samples
 * carry slope noise). Requires one hidden leaky-ReLU layer and a scalar output; biases optional.
 *
 * @example
 * ```ts
 * const region = activationRegion(architecture, theta, samples);
 * region.rank, region.lemma2Relative, region.regionBestLoss, region.attainsRegionMinimum;
 * ```
 */
export function activationRegion(
  architecture: Architecture,
  theta: Float64Array,
  samples: Samples,
  options: RegionOptions = {},
): RegionAnalysis {
  const lossKind = options.loss ?? 'mse';
  const kinkTolerance = requireFinite('kinkTolerance', options.kinkTolerance ?? KINK_TOLERANCE, 0);
  const attainTolerance = requireFinite(
    'attainTolerance',
    options.attainTolerance ?? REGION_ATTAIN_TOLERANCE,
    0,
  );
  const maxEntries = requireFinite('maxEntries', options.maxEntries ?? 2e7, 1);
  const exact = samplesAs(samples, 'float64');
  const pattern = slopePattern(architecture, theta, exact);
  const { count, width } = pattern;
  const inputDim = architecture.inputDim;
  const hidden = architecture.hidden[0];
  const features: FeatureLayout = {
    hiddenBias: hidden.bias,
    outputBias: architecture.outputBias,
    dimension: width * (inputDim + (hidden.bias ? 1 : 0)) + (architecture.outputBias ? 1 : 0),
  };
  if (count * features.dimension > maxEntries) {
    throw new InvalidArgumentError(
      'maxEntries',
      `room for the N × D = ${count} × ${features.dimension} feature matrix (raise maxEntries to allow it)`,
      maxEntries,
    );
  }

  const cache = forward(architecture, Float64Array.from(theta), exact);
  const kink = kinkMargin(cache, kinkTolerance);
  const y = exact.y as Float64Array;
  const output = cache.output;
  const residual = new Float64Array(count);
  for (let n = 0; n < count; n++) residual[n] = y[n] - output[n];

  const phi = featureMatrix(pattern, exact.x as Float64Array, inputDim, features);
  const dimension = features.dimension;
  const { rank, tolerance, singularValues } = numericalRank(phi, count, dimension, options.rankTolerance);
  const largest = singularValues.length > 0 ? singularValues[0] : 0;

  const projected = new Float64Array(dimension);
  for (let n = 0; n < count; n++) {
    const e = residual[n];
    const row = n * dimension;
    for (let k = 0; k < dimension; k++) projected[k] += e * phi[row + k];
  }
  const lemma2Norm = norm(projected);
  const residualNorm = norm(residual);
  const yNorm = norm(y);
  const lemma2Scale = largest * Math.max(yNorm, residualNorm);

  // The region's least-squares problem, truncated at the same cut-off as the rank.
  const rcond = largest > 0 ? tolerance / largest : Math.max(count, dimension) * MACHINE_EPSILON;
  const best = leastSquares(phi, count, dimension, y, { rcond });
  const bestOutput = new Float64Array(count);
  let gapSquared = 0;
  for (let n = 0; n < count; n++) {
    let s = 0;
    const row = n * dimension;
    for (let k = 0; k < dimension; k++) s += phi[row + k] * best.x[k];
    bestOutput[n] = s;
    gapSquared += (s - output[n]) ** 2;
  }
  const scale = lossScale(lossKind, count);
  const residualGap = Math.sqrt(gapSquared);
  const outputLayer = cache.layout.layers[1];
  let minAbsOutputWeight = Infinity;
  for (let i = 0; i < width; i++) {
    minAbsOutputWeight = Math.min(minAbsOutputWeight, Math.abs(theta[outputLayer.weightOffset + i]));
  }

  return {
    sampleCount: count,
    inputDim,
    width,
    negativeSlope: pattern.negativeSlope,
    slopeNoise: pattern.slopeNoise,
    features,
    pattern,
    kink,
    differentiable: kink.nearKinkCount === 0,
    minAbsOutputWeight,
    rank,
    rankTolerance: tolerance,
    singularValues,
    maxRank: Math.min(count, dimension),
    rankForcesZeroResidual: rank === count,
    residual,
    residualNorm,
    lemma2Norm,
    lemma2Relative: lemma2Scale > 0 ? lemma2Norm / lemma2Scale : 0,
    loss: scale * residualNorm * residualNorm,
    regionBestLoss: scale * best.residualNorm * best.residualNorm,
    regionBestWeights: best.x,
    residualGap,
    attainTolerance,
    attainsRegionMinimum: residualGap <= attainTolerance * yNorm,
  };
}

/**
 * Φᵀ as an N × D row-major matrix, row n = φ⁽ⁿ⁾ = [a_1⁽ⁿ⁾·x̃⁽ⁿ⁾; …; a_{d1}⁽ⁿ⁾·x̃⁽ⁿ⁾; 1 if output bias], with
 * x̃⁽ⁿ⁾ = [x⁽ⁿ⁾; 1] when the hidden layer has biases. Without biases this is the Khatri–Rao product A∘X.
 */
export function featureMatrix(
  pattern: Pick<SlopePattern, 'slopes' | 'count' | 'width'>,
  x: Float64Array,
  inputDim: number,
  features: FeatureLayout,
): Float64Array {
  const { slopes, count, width } = pattern;
  const block = inputDim + (features.hiddenBias ? 1 : 0);
  const dimension = features.dimension;
  const phi = new Float64Array(count * dimension);
  for (let n = 0; n < count; n++) {
    const row = n * dimension;
    for (let i = 0; i < width; i++) {
      const a = slopes[n * width + i];
      const start = row + i * block;
      for (let j = 0; j < inputDim; j++) phi[start + j] = a * x[n * inputDim + j];
      if (features.hiddenBias) phi[start + inputDim] = a;
    }
    if (features.outputBias) phi[row + dimension - 1] = 1;
  }
  return phi;
}

/**
 * The folded weights v(θ) = [z_1·w̃_1; …; z_{d1}·w̃_{d1}; c] in the layout of `featureMatrix`, with w̃_i = [w_i; b_i]
 * when the hidden layer has biases: the network output on sample n is φ⁽ⁿ⁾ᵀv(θ) as long as A stays fixed.
 */
export function foldWeights(architecture: Architecture, theta: Float64Array): Float64Array {
  requireOneHiddenLeakyRelu(architecture);
  const [hiddenLayer, outputLayer] = parameterLayout(architecture).layers;
  if (theta.length !== parameterLayout(architecture).size) {
    throw new InvalidArgumentError('theta', `${parameterLayout(architecture).size} parameters`, theta.length);
  }
  const { inputs, outputs } = hiddenLayer;
  const hiddenBias = hiddenLayer.biasOffset !== undefined;
  const block = inputs + (hiddenBias ? 1 : 0);
  const outputBias = outputLayer.biasOffset !== undefined;
  const folded = new Float64Array(outputs * block + (outputBias ? 1 : 0));
  for (let i = 0; i < outputs; i++) {
    const z = theta[outputLayer.weightOffset + i];
    for (let j = 0; j < inputs; j++)
      folded[i * block + j] = z * theta[hiddenLayer.weightOffset + i * inputs + j];
    if (hiddenBias) folded[i * block + inputs] = z * theta[hiddenLayer.biasOffset! + i];
  }
  if (outputBias) folded[folded.length - 1] = theta[outputLayer.biasOffset!];
  return folded;
}
