import { type DType, dtypeOf, type FloatArray } from '../core/dtype.js';
import { BasinError, InvalidArgumentError } from '../core/errors.js';
import { decidedCorrect, type LabelEncoding, threshold } from '../data/labels.js';
import { affineRows } from '../data/preprocess/affine-rows.js';
import { type Architecture, parameterLayout } from '../model/architecture.js';
import { checkCompatible, predict } from '../model/forward.js';
import type { Samples } from '../model/samples.js';
import type { BackendName } from './backend.js';

/**
 * A network's training (or test) classification error on a fixed set of samples, measured again and again as θ
 * changes (once per epoch in `basin reproduce table1`). Created once per dataset by a backend
 * (`Backend.classificationCheck`), so that whatever it derives from the samples (tensors, row norms) is paid once.
 *
 * Every engine counts what the float64 forward pass counts: the decision of `misclassificationError` applied to
 * `oneHiddenLayerOutputs` (one-hidden-layer networks) or to `predict` with float64 θ (others). "Exact" means this:
 * the same count as that float64 computation, sample by sample, not the count of exact real arithmetic (which a
 * float64 output within its own rounding of the threshold may miss). Fast engines run the network in a lower or
 * differently ordered precision and re-run in float64 only the samples whose fast output lies within a rigorous
 * rounding bound of the threshold (`outputErrorBound`).
 */
export interface ClassificationCheck {
  readonly engine: BackendName;
  readonly sampleCount: number;
  /** Counts the samples θ misclassifies. θ is read during the call only; either precision is accepted. */
  count(theta: FloatArray): ClassificationCount;
  /** Releases native resources; counting afterwards throws. */
  dispose(): void;
}

export interface ClassificationCount {
  readonly misclassified: number;
  /** misclassified / sampleCount: the value of `misclassificationError`. */
  readonly error: number;
  /** Samples whose fast output lay within its rounding bound of the threshold, so were run again in float64. */
  readonly rechecked: number;
  /**
   * Of those, the samples decided by `oneHiddenLayerOutputs` itself (the engine's own float64 pass, where it has
   * one, was within its bound of the threshold too).
   */
  readonly referenceRechecked: number;
  /**
   * The engine's own outputs f(x), one per sample, before any re-check (the ONNX engine's come from its float32
   * pre-activations on float32 data). A buffer the check reuses: valid until the next `count`.
   */
  readonly outputs: Float64Array;
}

/** Options of `oneHiddenLayerOutputs`. */
export interface OneHiddenLayerOutputOptions {
  /** Compute only these samples (row indices), in this order; default every sample. */
  readonly rows?: ArrayLike<number>;
  /** Write the outputs here (length ≥ the number of rows) instead of a new array. */
  readonly out?: Float64Array;
}

/**
 * Outputs f(x) = zᵀ act(W x + b) + c of a one-hidden-layer network with a (leaky) ReLU and one output, computed in
 * float64 with the blocked kernel of the data layer (the model's general forward pass is about 10× slower on
 * 50 000 × 3072 inputs; test/reproduce checks that both agree). A sample's output does not depend on which other
 * rows are computed with it, so `rows` reproduces a full pass bit for bit on those samples.
 */
export function oneHiddenLayerOutputs(
  architecture: Architecture,
  theta: FloatArray,
  samples: Samples,
  options: OneHiddenLayerOutputOptions = {},
): Float64Array {
  const unsupported = oneHiddenLayerUnsupported(architecture, samples);
  if (unsupported !== undefined) throw new InvalidArgumentError(unsupported.argument, unsupported.expected);
  const [hidden, output] = checkCompatible(architecture, theta, samples).layers;
  const slope = (architecture.hidden[0].activation as { slope: number }).slope;
  const width = hidden.outputs;
  const w = Float64Array.from(
    theta.subarray(hidden.weightOffset, hidden.weightOffset + width * hidden.inputs),
  );
  const b =
    hidden.biasOffset === undefined
      ? new Float64Array(width)
      : Float64Array.from(theta.subarray(hidden.biasOffset, hidden.biasOffset + width));
  const z = Float64Array.from(theta.subarray(output.weightOffset, output.weightOffset + width));
  const c = output.biasOffset === undefined ? 0 : theta[output.biasOffset];
  const count = options.rows === undefined ? samples.count : options.rows.length;
  if (options.out !== undefined && options.out.length < count) {
    throw new InvalidArgumentError('out', `at least ${count} entries`, options.out.length);
  }
  const out = options.out ?? new Float64Array(count);
  affineRows(
    samples.x,
    count,
    samples.inputDim,
    w,
    width,
    undefined,
    (first, rows, result, stride) => {
      for (let r = 0; r < rows; r++) {
        let sum = c;
        for (let i = 0; i < width; i++) {
          const u = result[r * stride + i] + b[i];
          sum += z[i] * (u > 0 ? u : slope * u);
        }
        out[first + r] = sum;
      }
    },
    options.rows,
  );
  return out;
}

/** Why `oneHiddenLayerOutputs` cannot run this network on these samples, or undefined when it can. */
export function oneHiddenLayerUnsupported(
  architecture: Architecture,
  samples: Samples,
): { argument: string; expected: string } | undefined {
  if (architecture.hidden.length !== 1 || architecture.outputDim !== 1) {
    return { argument: 'architecture', expected: 'one hidden layer and one output' };
  }
  if (architecture.hidden[0].activation.kind !== 'leaky-relu') {
    return { argument: 'architecture', expected: 'a (leaky) ReLU hidden layer' };
  }
  // The kernel has no per-sample slopes: it would silently compute a different network.
  if (samples.slopeNoise !== undefined)
    return { argument: 'samples', expected: 'samples without slope noise' };
  return undefined;
}

/**
 * The reference engine: every sample's output in float64 (`oneHiddenLayerOutputs` where it applies, else the
 * model's forward pass with float64 θ), decided at the encoding's threshold. The output buffer is reused.
 */
export function referenceClassificationCheck(
  architecture: Architecture,
  samples: Samples,
  encoding: LabelEncoding,
): ClassificationCheck {
  checkClassificationProblem(architecture, samples);
  const fast = oneHiddenLayerUnsupported(architecture, samples) === undefined;
  const outputs = new Float64Array(samples.count);
  const t = threshold(encoding);
  let disposed = false;
  return {
    engine: 'reference',
    sampleCount: samples.count,
    count(theta) {
      if (disposed) throw new BasinError('classification check: used after dispose()');
      if (fast) oneHiddenLayerOutputs(architecture, theta, samples, { out: outputs });
      else outputs.set(predict(architecture, Float64Array.from(theta), samples));
      let misclassified = 0;
      for (let n = 0; n < samples.count; n++) {
        if (!decidedCorrect(outputs[n], samples.y[n], t)) misclassified++;
      }
      return {
        misclassified,
        error: misclassified / samples.count,
        rechecked: 0,
        referenceRechecked: 0,
        outputs,
      };
    },
    dispose() {
      disposed = true;
    },
  };
}

/** A classification check needs one output per sample. */
export function checkClassificationProblem(architecture: Architecture, samples: Samples): void {
  if (architecture.outputDim !== 1) {
    throw new InvalidArgumentError(
      'architecture',
      'one output (binary classification)',
      architecture.outputDim,
    );
  }
  if (samples.inputDim !== architecture.inputDim) {
    throw new InvalidArgumentError(
      'samples.inputDim',
      `${architecture.inputDim} (the network's input dimension)`,
      samples.inputDim,
    );
  }
  if (samples.outputDim !== 1) throw new InvalidArgumentError('samples.outputDim', '1', samples.outputDim);
}

/** Per-sample norms of the inputs, in float64, that the rounding bounds are applied to. */
export interface RowNorms {
  /** ‖xₙ‖₂. */
  readonly l2: Float64Array;
  /** ‖xₙ‖₁. */
  readonly l1: Float64Array;
}

/** ‖xₙ‖₂ and ‖xₙ‖₁ of every sample (one pass over X; computed once per dataset). */
export function rowNorms(samples: Samples): RowNorms {
  const { x, count, inputDim } = samples;
  const l2 = new Float64Array(count);
  const l1 = new Float64Array(count);
  for (let n = 0; n < count; n++) {
    let squares = 0;
    let absolute = 0;
    const start = n * inputDim;
    for (let j = start; j < start + inputDim; j++) {
      const v = x[j];
      squares += v * v;
      absolute += Math.abs(v);
    }
    l2[n] = Math.sqrt(squares);
    l1[n] = absolute;
  }
  return { l2, l1 };
}

const UNIT_ROUNDOFF: Readonly<Record<DType, number>> = { float32: 2 ** -24, float64: 2 ** -53 };
/** Smallest normal numbers: the most a flushed result or a denormal input treated as zero can lose. */
const SMALLEST_NORMAL: Readonly<Record<DType, number>> = { float32: 2 ** -126, float64: 2 ** -1022 };
const LARGEST: Readonly<Record<DType, number>> = { float32: 2 ** 128, float64: Number.MAX_VALUE };

/** γ_n = nu/(1 − nu), Infinity when nu ≥ 1 (no bound). */
function gamma(n: number, u: number): number {
  return n * u < 1 ? (n * u) / (1 - n * u) : Infinity;
}

/**
 * What it takes to decide samples from a fast pass that computed the pre-activations Û = X·W₀ᵀ + b₀ in precision
 * `dtype` (any summation order, FMA or not, θ rounded to `dtype`), the output then being formed from them in
 * float64 by `screenOutput` with `oneHiddenLayerOutputs`' own arithmetic (f̂ = c + Σᵢ zᵢ·act(ûᵢ), in that order).
 * `screenOutput` bounds |f̂(x) − f₆₄(x)|, f₆₄ being `oneHiddenLayerOutputs`' value; a sample whose f̂ lies farther
 * than that from the threshold is decided as float64 decides it.
 *
 * Derivation (Higham, Accuracy and Stability of Numerical Algorithms, §3.1): a k-term dot product computed in any
 * order satisfies |fl(Σ aⱼbⱼ) − Σ aⱼbⱼ| ≤ γ_k Σ|aⱼbⱼ|, γ_k = ku/(1 − ku). Unit i: d products, the bias and the
 * rounding of θ make |ûᵢ − uᵢ| ≤ γ_{d+2}·aᵢ, aᵢ = |wᵢ|·|x| + |bᵢ| ≤ ‖wᵢ‖₂‖x‖₂ + |bᵢ| =: āᵢ (Cauchy–Schwarz). The
 * activation (leaky ReLU, slope ρ) moves that error by a factor sᵢ: |ρ| where ûᵢ lies below −γ_{d+2}āᵢ (then uᵢ and
 * ûᵢ are both on the negative branch; 0 for ReLU, whose inactive units add no error at all), 1 where it lies above
 * +γ_{d+2}āᵢ, L = max(1, |ρ|) in between. The float64 output layer adds γ⁽⁶⁴⁾_{m+2}(|c| + Σ|zᵢ||act(ûᵢ)|), and the
 * float64 reference itself lies within (γ⁽⁶⁴⁾_{d+2} + γ⁽⁶⁴⁾_{m+2}(1 + γ⁽⁶⁴⁾_{d+2}))·M of the exact output, M = |c| +
 * L·Σ|zᵢ|āᵢ. Underflow (flush-to-zero of results, denormal inputs read as zero) adds at most the smallest normal
 * number per operation and per input entry: ηᵢ = 2⁻¹²⁶(‖wᵢ‖₁ + ‖x‖₁ + 4d + 8) per unit in float32, and a term for
 * float64 that is as generous. The whole bound is doubled, which also covers its own rounding, that of the norms and
 * that of f̂ − threshold (all relative 10⁻¹⁵ or less).
 *
 * Samples with ‖x‖₂ > `maxNorm` get no bound (they are always re-checked): below it every intermediate of the fast
 * pass stays 2⁴ below the largest number of `dtype`, so nothing overflows.
 */
export interface PreActivationBound {
  readonly width: number;
  /** z and c of θ (float64), the leaky slope, |ρ| and L = max(1, |ρ|). */
  readonly z: Float64Array;
  readonly c: number;
  readonly slope: number;
  readonly slopeAbs: number;
  readonly lipschitz: number;
  /**
   * Per unit, the bound on |ûᵢ − uᵢ| is errorPerNorm[i]·‖x‖₂ + errorFixed[i] + underflowPerL1·‖x‖₁: γ_{d+2}‖wᵢ‖₂,
   * and γ_{d+2}|bᵢ| + 2⁻¹²⁶(‖wᵢ‖₁ + 4d + 8) in float32.
   */
  readonly errorPerNorm: Float64Array;
  readonly errorFixed: Float64Array;
  readonly underflowPerL1: number;
  /** |zᵢ|. */
  readonly zAbs: Float64Array;
  /** M(x) ≤ referencePerNorm·‖x‖₂ + referenceFixed: L·Σ|zᵢ|‖wᵢ‖₂ and |c| + L·Σ|zᵢ||bᵢ|. */
  readonly referencePerNorm: number;
  readonly referenceFixed: number;
  /** The float64 output layer's γ⁽⁶⁴⁾_{m+2} and the float64 reference's coefficient of M. */
  readonly outputGamma: number;
  readonly referenceError: number;
  readonly maxNorm: number;
}

/** `PreActivationBound` of a one-hidden-layer network at θ, for a fast first layer in precision `dtype`. */
export function preActivationBound(
  architecture: Architecture,
  theta: FloatArray,
  dtype: DType,
): PreActivationBound {
  const [hidden, output] = parameterLayout(architecture).layers;
  const d = hidden.inputs;
  const m = hidden.outputs;
  const activation = architecture.hidden[0].activation;
  const slope = activation.kind === 'leaky-relu' ? activation.slope : NaN;
  const lipschitz = Math.max(1, Math.abs(slope));
  const g = gamma(d + 2, UNIT_ROUNDOFF[dtype]);
  const z = Float64Array.from(theta.subarray(output.weightOffset, output.weightOffset + m));
  const zAbs = z.map(Math.abs);
  const c = output.biasOffset === undefined ? 0 : theta[output.biasOffset];
  const errorPerNorm = new Float64Array(m);
  const errorFixed = new Float64Array(m);
  let referencePerNorm = 0;
  let referenceFixed = 0;
  let largestUnit = 0;
  let largestBias = 0;
  for (let i = 0; i < m; i++) {
    let squares = 0;
    let absolute = 0;
    const row = hidden.weightOffset + i * d;
    for (let j = 0; j < d; j++) {
      const w = theta[row + j];
      squares += w * w;
      absolute += Math.abs(w);
    }
    const norm = Math.sqrt(squares);
    const bias = hidden.biasOffset === undefined ? 0 : Math.abs(theta[hidden.biasOffset + i]);
    errorPerNorm[i] = g * norm;
    errorFixed[i] = g * bias + SMALLEST_NORMAL[dtype] * (absolute + 4 * d + 8);
    referencePerNorm += lipschitz * zAbs[i] * norm;
    referenceFixed += lipschitz * zAbs[i] * bias;
    largestUnit = Math.max(largestUnit, norm);
    largestBias = Math.max(largestBias, bias);
  }
  const u64 = UNIT_ROUNDOFF.float64;
  const first64 = gamma(d + 2, u64);
  // Every intermediate of unit i is at most (1 + γ)·aᵢ ≤ 2āᵢ: keep that 2⁴ below the largest value.
  const room = LARGEST[dtype] / 32 - largestBias;
  const finite = Number.isFinite(largestUnit) && Number.isFinite(largestBias) && room > 0;
  return {
    width: m,
    z,
    c,
    slope,
    slopeAbs: Math.abs(slope),
    lipschitz,
    errorPerNorm,
    errorFixed,
    underflowPerL1: SMALLEST_NORMAL[dtype],
    zAbs,
    referencePerNorm,
    referenceFixed: Math.abs(c) + referenceFixed,
    outputGamma: gamma(m + 2, u64),
    referenceError: first64 + gamma(m + 2, u64) * (1 + first64),
    maxNorm: !finite ? -1 : largestUnit === 0 ? Infinity : room / largestUnit,
  };
}

/**
 * The float64 output f̂ of one sample from its fast pre-activations pre[offset … offset + width), with the same
 * arithmetic as `oneHiddenLayerOutputs`' epilogue, written to out[0], and the bound on |f̂ − f₆₄| of
 * `PreActivationBound` to out[1] (Infinity where there is none). `l2`, `l1`: the sample's ‖x‖₂, ‖x‖₁.
 */
export function screenOutput(
  bound: PreActivationBound,
  pre: FloatArray,
  offset: number,
  l2: number,
  l1: number,
  out: Float64Array,
): void {
  const { z, zAbs, slope, slopeAbs, lipschitz, errorPerNorm, errorFixed } = bound;
  const underflow = bound.underflowPerL1 * l1;
  let sum = bound.c;
  let first = 0;
  let magnitude = Math.abs(bound.c);
  for (let i = 0; i < bound.width; i++) {
    const u = pre[offset + i];
    const h = u > 0 ? u : slope * u;
    sum += z[i] * h;
    const error = errorPerNorm[i] * l2 + errorFixed[i] + underflow;
    // Off in both passes: ρ (0 for ReLU); on in both: 1; else either branch, L.
    const factor = u + error <= 0 ? slopeAbs : u - error >= 0 ? 1 : lipschitz;
    first += zAbs[i] * factor * error;
    magnitude += zAbs[i] * Math.abs(h);
  }
  out[0] = sum;
  const reference = bound.referencePerNorm * l2 + bound.referenceFixed;
  const total =
    2 *
    (first +
      bound.outputGamma * magnitude +
      bound.referenceError * reference +
      // Underflow in the float64 passes: as generous as the fast pass's term, at float64's smallest normal.
      SMALLEST_NORMAL.float64 * (1 + lipschitz) * (bound.width + 4) * (1 + l1 + reference));
  // Written so that NaN anywhere gives no bound.
  out[1] = l2 <= bound.maxNorm && total >= 0 ? total : Infinity;
}

/**
 * A bound on how far a one-hidden-layer network's output computed entirely in precision `dtype` (both layers on a
 * fast engine, any summation order, θ rounded to `dtype`) can lie from `oneHiddenLayerOutputs`' float64 value, per
 * sample: |f̂(x) − f₆₄(x)| ≤ relative·(constant + slope·‖x‖₂) + absolute·(1 + ‖x‖₁) for ‖x‖₂ ≤ maxNorm (no bound
 * beyond). Cruder than `PreActivationBound` (every unit counted as possibly active), for passes that return only
 * f: the first-layer error is that of `PreActivationBound` and the output layer adds γ_{m+4} of `dtype` (m products,
 * the bias, θ's rounding, and the rounded slope's product) on M = |c| + L·Σᵢ|zᵢ|aᵢ ≤ |c| + L·Σᵢ|zᵢ||bᵢ| + ‖v‖₂‖x‖₂
 * with v = L·Σᵢ|zᵢ||wᵢ|. Doubled like the other.
 */
export interface OutputErrorBound {
  readonly relative: number;
  readonly constant: number;
  readonly slope: number;
  readonly absolute: number;
  readonly maxNorm: number;
}

/** The rounding-error coefficient of a whole pass in unit roundoff u (see `OutputErrorBound`). */
function passError(inputs: number, width: number, u: number): number {
  const first = gamma(inputs + 2, u);
  return first + gamma(width + 4, u) * (1 + first);
}

/** `OutputErrorBound` of a one-hidden-layer network at θ, for a whole pass in precision `dtype`. */
export function outputErrorBound(
  architecture: Architecture,
  theta: FloatArray,
  dtype: DType,
): OutputErrorBound {
  const [hidden, output] = parameterLayout(architecture).layers;
  const d = hidden.inputs;
  const m = hidden.outputs;
  const activation = architecture.hidden[0].activation;
  const lipschitz = Math.max(1, activation.kind === 'leaky-relu' ? Math.abs(activation.slope) : Infinity);
  const c = output.biasOffset === undefined ? 0 : Math.abs(theta[output.biasOffset]);
  const v = new Float64Array(d);
  let zbSum = 0;
  let zAbsSum = 0;
  let zMax = 0;
  let wRowMax = 0;
  let bMax = 0;
  let parameterSum = c;
  for (let i = 0; i < m; i++) {
    const z = Math.abs(theta[output.weightOffset + i]);
    const b = hidden.biasOffset === undefined ? 0 : Math.abs(theta[hidden.biasOffset + i]);
    zbSum += z * b;
    zAbsSum += z;
    zMax = Math.max(zMax, z);
    bMax = Math.max(bMax, b);
    parameterSum += b;
    let squares = 0;
    const row = hidden.weightOffset + i * d;
    for (let j = 0; j < d; j++) {
      const w = Math.abs(theta[row + j]);
      v[j] += z * w;
      squares += w * w;
      parameterSum += w;
    }
    wRowMax = Math.max(wRowMax, Math.sqrt(squares));
  }
  let vSquares = 0;
  for (let j = 0; j < d; j++) vSquares += v[j] * v[j];
  const vNorm = lipschitz * Math.sqrt(vSquares);
  const relative = 2 * (passError(d, m, UNIT_ROUNDOFF[dtype]) + passError(d, m, UNIT_ROUNDOFF.float64));
  // Underflow: per operation and input entry at most the smallest normal, through both layers (see
  // `PreActivationBound`); 16(d + m + 4)(1 + L)(1 + ‖z‖₁)(1 + ‖θ‖₁)(1 + ‖x‖₁) covers every such term.
  const absolute =
    2 *
    16 *
    (SMALLEST_NORMAL[dtype] + SMALLEST_NORMAL.float64) *
    (d + m + 4) *
    (1 + lipschitz) *
    (1 + zAbsSum) *
    (1 + parameterSum);
  const constant = c + lipschitz * zbSum;
  // Every intermediate is at most 2·max(aᵢ)·L·(1 + max|zᵢ|) or 2·M(x), with aᵢ ≤ ‖wᵢ‖₂‖x‖₂ + |bᵢ|; keeping 4× their
  // sum below 2⁻⁴ of the largest value leaves room for the rounding on the way.
  const perNorm = 4 * (lipschitz * (1 + zMax) * wRowMax + vNorm);
  const fixed = 4 * (lipschitz * (1 + zMax) * bMax + constant);
  const room = LARGEST[dtype] / 16 - fixed;
  const finite = Number.isFinite(relative) && Number.isFinite(perNorm) && Number.isFinite(fixed) && room > 0;
  return {
    relative,
    constant,
    slope: vNorm,
    absolute,
    maxNorm: !finite ? -1 : perNorm === 0 ? Infinity : room / perNorm,
  };
}

/** The allowance of `OutputErrorBound` for a sample with norms ‖x‖₂ = l2, ‖x‖₁ = l1 (Infinity where none). */
export function outputAllowance(bound: OutputErrorBound, l2: number, l1: number): number {
  return l2 <= bound.maxNorm
    ? bound.relative * (bound.constant + bound.slope * l2) + bound.absolute * (1 + l1)
    : Infinity;
}

/** The engine's precision for a check on `samples`: that of the stored inputs (X is not converted). */
export function checkPrecision(samples: Samples): DType {
  return dtypeOf(samples.x);
}
