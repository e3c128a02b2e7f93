import { type DType, dtypeOf, type FloatArray } from '../core/dtype.js';
import { BasinError, InvalidArgumentError } from '../core/errors.js';
import { type LabelEncoding, threshold } from '../data/labels.js';
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
   * The engine's own outputs f(x), one per sample, in its precision (float64 on the reference engine). A buffer the
   * check reuses: valid until the next `count`.
   */
  readonly outputs: FloatArray;
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

/** `misclassificationError`'s rule for one sample: correct iff the output lies strictly on the label's side. */
export function decidedCorrect(output: number, label: number, t: number): boolean {
  return label > t ? output > t : output < t;
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

/** Per-sample norms of the inputs, in float64, that `outputErrorBound` is applied to. */
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

/**
 * A bound on how far a one-hidden-layer network's output computed in precision `dtype` (any summation order, FMA
 * or not, θ rounded to `dtype`) can lie from the float64 output of `oneHiddenLayerOutputs`, per sample:
 *
 *   |f̂(x) − f₆₄(x)| ≤ relative·(constant + slope·‖x‖₂) + absolute·(1 + ‖x‖₁)   for ‖x‖₂ ≤ maxNorm,
 *
 * and no bound (always re-check) for larger or non-finite ‖x‖₂. A sample whose fast output lies farther than this
 * from the threshold is decided as float64 decides it.
 *
 * Derivation (Higham, Accuracy and Stability of Numerical Algorithms, §3.1): a k-term dot product computed in any
 * order satisfies |fl(Σ aⱼbⱼ) − Σ aⱼbⱼ| ≤ γ_k Σ|aⱼbⱼ|, γ_k = ku/(1 − ku). Hidden unit i: k = d products, the bias
 * and the rounding of θ to `dtype` make γ_{d+2}·aᵢ with aᵢ = |wᵢ|·|x| + |bᵢ|. The activation (leaky ReLU, slope ρ)
 * is L-Lipschitz with L = max(1, |ρ|), and |act(u)| ≤ L|u|. The output layer adds m = width products, the bias, θ's
 * rounding and the slope multiply (ρ rounded, one product): γ_{m+4}. Together
 *
 *   |f̂ − f| ≤ (γ_{d+2} + γ_{m+4}(1 + γ_{d+2}))·M(x),   M(x) = |c| + L·Σᵢ|zᵢ|(|wᵢ|·|x| + |bᵢ|),
 *
 * against the exact output f of the same θ and x; the float64 reference obeys the same bound with u = 2⁻⁵³, and
 * the two add. M(x) ≤ |c| + L·Σᵢ|zᵢ||bᵢ| + ‖v‖₂‖x‖₂ with v = L·Σᵢ|zᵢ||wᵢ| (Cauchy–Schwarz), so one norm per
 * sample suffices. Underflow (including flush-to-zero of results and denormal inputs) adds at most 2⁻¹²⁶ (float32)
 * per operation and per input entry; the `absolute` term bounds all of them, generously. `maxNorm` keeps every
 * intermediate 2⁴ below the precision's largest value, so nothing overflows. The whole bound is then doubled, which
 * also covers the rounding of the bound itself, of the norms and of f̂ − threshold (all relative 10⁻¹⁵ or less).
 */
export interface OutputErrorBound {
  readonly relative: number;
  readonly constant: number;
  readonly slope: number;
  readonly absolute: number;
  readonly maxNorm: number;
}

const UNIT_ROUNDOFF: Readonly<Record<DType, number>> = { float32: 2 ** -24, float64: 2 ** -53 };
/** Smallest normal numbers: the most a flushed result or a denormal input treated as zero can lose. */
const SMALLEST_NORMAL: Readonly<Record<DType, number>> = { float32: 2 ** -126, float64: 2 ** -1022 };
const LARGEST: Readonly<Record<DType, number>> = { float32: 2 ** 128, float64: Number.MAX_VALUE };

/** γ_n = nu/(1 − nu), Infinity when nu ≥ 1 (no bound). */
function gamma(n: number, u: number): number {
  return n * u < 1 ? (n * u) / (1 - n * u) : Infinity;
}

/** The rounding-error coefficient of one pass in unit roundoff u (see `OutputErrorBound`). */
function passError(inputs: number, width: number, u: number): number {
  const first = gamma(inputs + 2, u);
  return first + gamma(width + 4, u) * (1 + first);
}

/** `OutputErrorBound` of a one-hidden-layer network at θ, for a fast pass in precision `dtype`. */
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

/** The engine's precision for a check on `samples`: that of the stored inputs (X is not converted). */
export function checkPrecision(samples: Samples): DType {
  return dtypeOf(samples.x);
}
