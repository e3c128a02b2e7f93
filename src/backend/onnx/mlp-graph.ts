import type { DType } from '../../core/dtype.js';
import { type Architecture, parameterLayout } from '../../model/architecture.js';
import { activationNodes, throughDerivative } from './activation-nodes.js';
import { OnnxGraph } from './onnx-graph.js';

/** ONNX operator set the graphs are written for (Gemm without C, ReduceSum with an axes input). */
export const OPSET = 17;

/** Names and shapes of the tensors of one layer in the loss-and-gradient graph. */
export interface LayerTensors {
  readonly weight: string;
  readonly bias: string | undefined;
  /** The dims the bias is fed with: (out) for hidden layers, (out × 1) for the output layer. */
  readonly biasDims: readonly number[];
  /**
   * ½∂(‖e‖²)/∂W, unscaled (see `buildMlpGraph`): dW (out × in), or for the first of several layers
   * dWᵀ (in × out) with, when the layer has a bias, db appended as one more row ((in + 1) × out).
   */
  readonly weightGradient: string;
  readonly weightGradientTransposed: boolean;
  /** db as an output of its own; `undefined` when the layer has no bias or db is the last row of dWᵀ. */
  readonly biasGradient: string | undefined;
}

/**
 * The loss and its gradient for a fully connected network, as one ONNX graph with the backward pass written in
 * closed form (the same formulas as src/model/gradient.ts), not by autodiff.
 *
 * Inputs: `x` (N × d0); `xt`, Xᵀ with a row of ones appended when the first layer has a bias ((d0 + 1) × N;
 * only when there are hidden layers); `yt`, Yᵀ (outputs × N); each layer's W (out × in) and b; and per hidden
 * layer its slope noise (N × width) when the samples carry one. N is symbolic: one graph serves the full batch
 * and every minibatch.
 *
 * Outputs: `sse` = ‖e‖² and, per layer, the gradient of ½‖e‖² (dW, db). The loss factor c (loss = c‖e‖²) is
 * applied by the caller in JavaScript: loss = c·sse, gradient = 2c·(outputs), so no constant or runtime scale
 * enters the graph and no optimisation pass can fold one into a float32 attribute.
 *
 * Shapes chosen for speed on MLAS (measured on case (b), docs/performance.md):
 * - the output layer runs transposed, Eᵀ = W_L·H_{L−1}ᵀ + b_L − Yᵀ (outputs × N): for a scalar output this is one
 *   row, and both of its products (forward and dW_L = Eᵀ·H_{L−1}) are plain, not the N × 1 products that MLAS
 *   runs slowly;
 * - the first layer's weight gradient is Xᵀ·δ from a stored Xᵀ, a product without transposed operands (MLAS's
 *   δᵀ·X was 1.7× slower in float32 and 4× in float64 on case (a)); its ones row yields db as the product's last
 *   row, which saves a ReduceSum pass over δ. The caller transposes the small result.
 */
export interface MlpGraph {
  readonly model: Uint8Array;
  readonly layers: readonly LayerTensors[];
  readonly noise: readonly string[];
  readonly outputs: readonly string[];
  /** Whether the graph reads `xt`; with a ones row when `transposedXOnes`. */
  readonly transposedX: boolean;
  readonly transposedXOnes: boolean;
  /**
   * Whether the graph gathers its rows itself: it then reads the whole stored set (`x` as M × d0, `y` as
   * M × outputs instead of `yt`, each noise as M × width) and the int32 row indices `rows` (N, fed as the batch array itself), and runs on those
   * rows only (Gather, then Yᵀ by a Transpose), so no minibatch is copied in JavaScript.
   */
  readonly gathered: boolean;
}

export const SSE_OUTPUT = 'sse';
export const DATA_INPUTS = { x: 'x', xt: 'xt', yt: 'yt', y: 'y', rows: 'rows' } as const;

/**
 * `storedTransposedX`: whether the first layer's weight gradient reads a stored Xᵀ (`xt`, see above), the faster
 * product when the same X is fed again and again (full batch). Minibatch graphs pass false: they compute
 * δᵀ·X (a transposed operand) from `x` alone, which costs far less than transposing every minibatch in JavaScript.
 * `gatherRows` (only without a stored Xᵀ): the graph gathers a minibatch's rows from the whole set (`gathered`).
 */
export function buildMlpGraph(
  architecture: Architecture,
  dtype: DType,
  withSlopeNoise: boolean,
  storedTransposedX = true,
  gatherRows = false,
): MlpGraph {
  const layout = parameterLayout(architecture);
  const last = layout.layers.length - 1;
  const g = new OnnxGraph('basin_mlp_loss_and_gradient');
  const ints = (...values: number[]): string => g.constant('int64', [values.length], values);

  const firstBias = layout.layers[0].biasOffset !== undefined;
  const transposedX = last > 0 && storedTransposedX;
  const gathered = gatherRows && !transposedX;
  const rows = gathered ? g.input(DATA_INPUTS.rows, 'int32', ['N']) : undefined;
  /** The rows `rows` of a stored M × width input, or the input itself (N × width). */
  const rowsOf = (name: string, width: number): string =>
    rows === undefined
      ? g.input(name, dtype, ['N', width])
      : g.node('Gather', [g.input(name, dtype, ['M', width]), rows], { axis: 0 });
  const x = rowsOf(DATA_INPUTS.x, architecture.inputDim);
  const xt = transposedX
    ? g.input(DATA_INPUTS.xt, dtype, [architecture.inputDim + (firstBias ? 1 : 0), 'N'])
    : undefined;
  const yt = gathered
    ? g.node('Transpose', [rowsOf(DATA_INPUTS.y, architecture.outputDim)], { perm: [1, 0] })
    : g.input(DATA_INPUTS.yt, dtype, [architecture.outputDim, 'N']);

  const layers: LayerTensors[] = layout.layers.map((layer, l) => {
    const weight = g.input(`w${l}`, dtype, [layer.outputs, layer.inputs]);
    const biasDims = l === last ? [layer.outputs, 1] : [layer.outputs];
    const bias = layer.biasOffset === undefined ? undefined : g.input(`b${l}`, dtype, biasDims);
    if (l === 0 && xt !== undefined) {
      return {
        weight,
        bias,
        biasDims,
        weightGradient: g.output('grad_w0_t', dtype, [
          layer.inputs + (bias === undefined ? 0 : 1),
          layer.outputs,
        ]),
        weightGradientTransposed: true,
        biasGradient: undefined,
      };
    }
    return {
      weight,
      bias,
      biasDims,
      weightGradient: g.output(`grad_w${l}`, dtype, [layer.outputs, layer.inputs]),
      weightGradientTransposed: false,
      biasGradient: bias === undefined ? undefined : g.output(`grad_b${l}`, dtype, [layer.outputs]),
    };
  });
  const noiseInputs = withSlopeNoise ? architecture.hidden.map((_, l) => `noise${l}`) : [];
  const noise = noiseInputs.map((name, l) => rowsOf(name, architecture.hidden[l].width));

  // Forward through the hidden layers (N × width); keep each layer's input and a function that carries a
  // gradient through its activation.
  const layerInputs: string[] = [];
  const throughActivation: ((gradient: string) => string)[] = [];
  let current = x;
  for (let l = 0; l < last; l++) {
    const activation = layout.layers[l].activation!;
    layerInputs.push(current);
    const { weight, bias } = layers[l];
    const u = g.node('Gemm', bias === undefined ? [current, weight] : [current, weight, bias], { transB: 1 });
    const nodes = activationNodes(g, activation, u, dtype);
    const layerNoise = noise[l];
    current = layerNoise === undefined ? nodes.value : g.node('Mul', [nodes.value, layerNoise]);
    throughActivation.push((gradient) =>
      throughDerivative(
        g,
        nodes,
        layerNoise === undefined ? gradient : g.node('Mul', [gradient, layerNoise]),
      ),
    );
  }
  layerInputs.push(current);

  // Output layer, transposed: Eᵀ = W·Hᵀ + b − Yᵀ (outputs × N).
  const output = layers[last];
  const residual = g.node('Sub', [
    g.node(
      'Gemm',
      output.bias === undefined ? [output.weight, current] : [output.weight, current, output.bias],
      { transB: 1 },
    ),
    yt,
  ]);
  g.node('ReduceSumSquare', [residual], { keepdims: 0 }, SSE_OUTPUT);
  g.output(SSE_OUTPUT, dtype, []);

  // Backward, unscaled: δ_L = e. dW_L = Eᵀ·H, db_L = Σ_n e.
  g.node('Gemm', [residual, current], {}, output.weightGradient);
  if (output.biasGradient !== undefined) {
    g.node('ReduceSum', [residual, ints(1)], { keepdims: 0 }, output.biasGradient);
  }
  if (last > 0) {
    // dH = δ_L·W_L (N × in): for a scalar output an outer product of the column e with the row W_L.
    let gradient =
      architecture.outputDim === 1
        ? g.node('MatMul', [g.node('Reshape', [residual, ints(-1, 1)]), output.weight])
        : g.node('Gemm', [residual, output.weight], { transA: 1 });
    for (let l = last - 1; l >= 0; l--) {
      const delta = throughActivation[l](gradient);
      const { weight, weightGradient, biasGradient } = layers[l];
      if (xt !== undefined && l === 0) {
        g.node('Gemm', [xt, delta], {}, weightGradient);
        break;
      }
      g.node('Gemm', [delta, layerInputs[l]], { transA: 1 }, weightGradient);
      if (biasGradient !== undefined) g.node('ReduceSum', [delta, ints(0)], { keepdims: 0 }, biasGradient);
      if (l === 0) break;
      gradient = g.node('MatMul', [delta, weight]);
    }
  }

  const outputs = [
    SSE_OUTPUT,
    ...layers.flatMap((t) =>
      t.biasGradient === undefined ? [t.weightGradient] : [t.weightGradient, t.biasGradient],
    ),
  ];
  return {
    model: g.encode(OPSET),
    layers,
    noise: noiseInputs,
    outputs,
    transposedX,
    transposedXOnes: transposedX && firstBias,
    gathered,
  };
}
