import { allocate, type DType, type FloatArray } from '../../core/dtype.js';
import { BasinError, InvalidArgumentError } from '../../core/errors.js';
import { decidedCorrect, type LabelEncoding, threshold } from '../../data/labels.js';
import { type Architecture, multiplyAddsPerRow, parameterLayout } from '../../model/architecture.js';
import type { Samples } from '../../model/samples.js';
import {
  checkClassificationProblem,
  checkPrecision,
  type ClassificationCheck,
  oneHiddenLayerOutputs,
  oneHiddenLayerUnsupported,
  outputAllowance,
  outputErrorBound,
  preActivationBound,
  referenceClassificationCheck,
  rowNorms,
  screenOutput,
} from '../classification.js';
import { feedParameters, floatTensor, type ParameterTensors } from './feeds.js';
import { OPSET } from './mlp-graph.js';
import { ELEMENT_CODE, OnnxGraph } from './onnx-graph.js';
import type { OnnxRuntime, OrtTensor, SyncSession } from './runtime.js';
import { sessionForWork } from './threads.js';

const X_INPUT = 'x';
const ROWS_INPUT = 'rows';
const OUTPUT = 'f';
/**
 * Rows per run of the float64 re-check: its gathered and widened rows (12 bytes an input) take 18 MiB at
 * d = 3072, allocated once; a run per row count would grow ORT's buffers (fresh memory) whenever more rows come.
 */
const WIDE_ROWS = 512;

/** The forward graph of a one-hidden-layer network on chosen rows: f (1 × N) = w₁·act(X·W₀ᵀ + b₀)ᵀ + b₁. */
export interface ForwardGraph {
  readonly model: Uint8Array;
  readonly layers: readonly ParameterTensors[];
}

/**
 * Builds the forward pass alone (no loss, no gradient) on the rows `rows` (int32, N) of the whole stored set `x`
 * (M × d, in precision `stored`), computing in `dtype` (the rows are converted inside the graph, exactly when
 * widening). The output layer runs transposed as in mlp-graph.ts: one 1 × N row, the product MLAS runs fast. The
 * leaky slope is a stored constant, never a float attribute (see onnx-graph.ts).
 */
export function buildForwardGraph(architecture: Architecture, dtype: DType, stored: DType): ForwardGraph {
  const [hidden, output] = parameterLayout(architecture).layers;
  const activation = architecture.hidden[0].activation;
  if (activation.kind !== 'leaky-relu') {
    throw new InvalidArgumentError('architecture', 'a (leaky) ReLU hidden layer', activation.kind);
  }
  const g = new OnnxGraph('basin_one_hidden_layer_forward');
  const rows = g.input(ROWS_INPUT, 'int32', ['N']);
  let x = g.node('Gather', [g.input(X_INPUT, stored, ['M', hidden.inputs]), rows], { axis: 0 });
  if (stored !== dtype) x = g.node('Cast', [x], { to: ELEMENT_CODE[dtype] });
  const layers: ParameterTensors[] = [
    { weight: 'w0', bias: hidden.biasOffset === undefined ? undefined : 'b0', biasDims: [hidden.outputs] },
    { weight: 'w1', bias: output.biasOffset === undefined ? undefined : 'b1', biasDims: [1, 1] },
  ];
  const w0 = g.input('w0', dtype, [hidden.outputs, hidden.inputs]);
  const b0 = layers[0].bias === undefined ? [] : [g.input('b0', dtype, [hidden.outputs])];
  const w1 = g.input('w1', dtype, [1, hidden.outputs]);
  const b1 = layers[1].bias === undefined ? [] : [g.input('b1', dtype, [1, 1])];
  const u = g.node('Gemm', [x, w0, ...b0], { transB: 1 });
  const h =
    activation.slope === 0
      ? g.node('Relu', [u])
      : g.node('Mul', [
          u,
          g.node('Where', [
            g.node('Greater', [u, g.scalar(dtype, 0)]),
            g.scalar(dtype, 1),
            g.scalar(dtype, activation.slope),
          ]),
        ]);
  g.node('Gemm', [w1, h, ...b1], { transB: 1 }, OUTPUT);
  g.output(OUTPUT, dtype, [1, 'N']);
  return { model: g.encode(OPSET), layers };
}

const PRE_OUTPUT = 'u';

/**
 * The first layer alone: U (N × m) = X·W₀ᵀ + b₀ in `dtype`, from inputs `x`, `w0` and `b0` (when the layer has a
 * bias). The fast pass of the check: the output is formed from U in float64 (`screenOutput`), which is exact enough
 * to leave only the first layer's rounding to bound, and lets units that are off in both passes add no error.
 */
export function buildPreActivationGraph(architecture: Architecture, dtype: DType): Uint8Array {
  const [hidden] = parameterLayout(architecture).layers;
  const g = new OnnxGraph('basin_one_hidden_layer_pre_activations');
  const x = g.input(X_INPUT, dtype, ['N', hidden.inputs]);
  const w0 = g.input('w0', dtype, [hidden.outputs, hidden.inputs]);
  const b0 = hidden.biasOffset === undefined ? [] : [g.input('b0', dtype, [hidden.outputs])];
  g.node('Gemm', [x, w0, ...b0], { transB: 1 }, PRE_OUTPUT);
  g.output(PRE_OUTPUT, dtype, ['N', hidden.outputs]);
  return g.encode(OPSET);
}

/**
 * The ONNX engine of `ClassificationCheck`. The first layer runs in the precision of the stored inputs (float32
 * data: float32) on ONNX Runtime, the output is formed from its pre-activations in float64, and every sample is
 * decided at the threshold unless its output lies within its `PreActivationBound` of it. Those samples (1–2.5% of a
 * synthetic CIFAR-10 set in its first 10 epochs: γ_d with d = 3072 is 1.8·10⁻⁴) are run again in float64: first on ONNX
 * Runtime (the rows gathered and widened inside the graph; the reference kernel runs at about 2 GMAC/s, slower than
 * the whole float32 pass for a few thousand rows), and the ones that pass leaves within its own, 10¹¹ times smaller
 * `OutputErrorBound` of the threshold with `oneHiddenLayerOutputs`' arithmetic itself. So the count is the float64
 * pass's count.
 *
 * X is fed as a view, never copied (θ is converted to X's precision instead, into a buffer kept for the check's
 * life), and the pre-activations and outputs land in kept buffers too. Networks other than one (leaky) ReLU hidden
 * layer, and samples with slope noise, get the reference engine.
 */
export function onnxClassificationCheck(
  runtime: OnnxRuntime,
  architecture: Architecture,
  samples: Samples,
  encoding: LabelEncoding,
  options: { readonly threads?: number | undefined },
  onDispose: () => void,
): ClassificationCheck {
  checkClassificationProblem(architecture, samples);
  if (oneHiddenLayerUnsupported(architecture, samples) !== undefined) {
    const reference = referenceClassificationCheck(architecture, samples, encoding);
    return {
      ...reference,
      dispose() {
        reference.dispose();
        onDispose();
      },
    };
  }
  const dtype = checkPrecision(samples);
  const layout = parameterLayout(architecture);
  const [hidden] = layout.layers;
  const width = hidden.outputs;
  const rowWork = multiplyAddsPerRow(architecture);
  const count = samples.count;
  const fastSessions = new Map<number, SyncSession>();
  const fastModel = buildPreActivationGraph(architecture, dtype);
  const pre = allocate(dtype, count * width);
  const outputs = new Float64Array(count);
  // float64 data: the fast pass is float64 already, and its few undecided samples go to the reference kernel.
  const wideRows = new Int32Array(WIDE_ROWS);
  const wideOutputs = new Float64Array(WIDE_ROWS);
  const wide =
    dtype === 'float32'
      ? {
          graph: buildForwardGraph(architecture, 'float64', 'float32'),
          sessions: new Map<number, SyncSession>(),
          rows: new runtime.Tensor('int32', wideRows, [WIDE_ROWS]),
          output: new runtime.Tensor('float64', wideOutputs, [1, WIDE_ROWS]),
        }
      : undefined;
  let tensors: { x: OrtTensor; pre: OrtTensor } | undefined = {
    x: floatTensor(runtime, dtype, samples.x, [count, samples.inputDim]),
    pre: new runtime.Tensor(dtype, pre, [count, width]),
  };
  // θ in the other precision, converted into buffers kept for the check's life rather than new ones per call.
  const converted = { float32: new Float32Array(layout.size), float64: new Float64Array(layout.size) };
  const paramsIn = (theta: FloatArray, precision: DType): FloatArray => {
    if (theta instanceof Float64Array === (precision === 'float64')) return theta;
    converted[precision].set(theta);
    return converted[precision];
  };
  const { l2, l1 } = rowNorms(samples);
  const undecided = new Int32Array(count);
  const screened = new Float64Array(2);
  const t = threshold(encoding);
  const session = (model: Uint8Array, sessions: Map<number, SyncSession>, precision: DType, rows: number) =>
    sessionForWork(runtime, model, sessions, precision, rows * rowWork, options.threads);
  return {
    engine: 'onnx',
    sampleCount: count,
    count(theta) {
      if (tensors === undefined) throw new BasinError('classification check: used after dispose()');
      if (theta.length !== layout.size) {
        throw new InvalidArgumentError(
          'theta',
          `${layout.size} parameters for this architecture`,
          theta.length,
        );
      }
      let misclassified = 0;
      let left = 0;

      const params = paramsIn(theta, dtype);
      const feeds: Record<string, OrtTensor> = {
        [X_INPUT]: tensors.x,
        w0: new runtime.Tensor(
          dtype,
          params.subarray(hidden.weightOffset, hidden.weightOffset + width * hidden.inputs),
          [width, hidden.inputs],
        ),
      };
      if (hidden.biasOffset !== undefined) {
        feeds.b0 = new runtime.Tensor(dtype, params.subarray(hidden.biasOffset, hidden.biasOffset + width), [
          width,
        ]);
      }
      session(fastModel, fastSessions, dtype, count).run(feeds, [PRE_OUTPUT], { [PRE_OUTPUT]: tensors.pre });
      const fastBound = preActivationBound(architecture, theta, dtype);
      const y = samples.y;
      for (let n = 0; n < count; n++) {
        screenOutput(fastBound, pre, n * width, l2[n], l1[n], screened);
        const value = screened[0];
        outputs[n] = value;
        // Negated so that NaN outputs and bounds stay undecided too.
        if (!(Math.abs(value - t) > screened[1])) undecided[left++] = n;
        else if (!decidedCorrect(value, y[n], t)) misclassified++;
      }
      const rechecked = left;
      if (wide !== undefined && rechecked > 0) {
        const bound = outputErrorBound(architecture, theta, 'float64');
        const wideFeeds: Record<string, OrtTensor> = { [X_INPUT]: tensors.x, [ROWS_INPUT]: wide.rows };
        feedParameters(runtime, 'float64', layout, paramsIn(theta, 'float64'), wide.graph.layers, wideFeeds);
        const wideSession = session(wide.graph.model, wide.sessions, 'float64', WIDE_ROWS);
        left = 0;
        for (let start = 0; start < rechecked; start += WIDE_ROWS) {
          const size = Math.min(WIDE_ROWS, rechecked - start);
          // Full chunks only (the last one padded with its last row): fixed shapes, so the same output tensor
          // and the same intermediate buffers serve every run. Undecided rows are kept behind `start`: copy first.
          for (let r = 0; r < WIDE_ROWS; r++) wideRows[r] = undecided[start + Math.min(r, size - 1)];
          wideSession.run(wideFeeds, [OUTPUT], { [OUTPUT]: wide.output });
          for (let r = 0; r < size; r++) {
            const n = wideRows[r];
            const value = wideOutputs[r];
            if (!(Math.abs(value - t) > outputAllowance(bound, l2[n], l1[n]))) undecided[left++] = n;
            else if (!decidedCorrect(value, y[n], t)) misclassified++;
          }
        }
      }
      if (left > 0) {
        const rows = undecided.subarray(0, left);
        const exact = oneHiddenLayerOutputs(architecture, theta, samples, { rows });
        for (let r = 0; r < left; r++) {
          if (!decidedCorrect(exact[r], samples.y[rows[r]], t)) misclassified++;
        }
      }
      return { misclassified, error: misclassified / count, rechecked, referenceRechecked: left, outputs };
    },
    dispose() {
      if (tensors === undefined) return;
      for (const sessions of wide === undefined ? [fastSessions] : [fastSessions, wide.sessions]) {
        for (const s of sessions.values()) s.dispose();
        sessions.clear();
      }
      // The tensors only wrap the samples' and the check's arrays; dropping them lets those go with the check.
      tensors.x.dispose();
      tensors.pre.dispose();
      wide?.rows.dispose();
      wide?.output.dispose();
      tensors = undefined;
      onDispose();
    },
  };
}
