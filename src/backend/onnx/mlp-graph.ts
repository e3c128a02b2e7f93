import type { DType } from '../../core/dtype.js';
import { type Architecture, parameterLayout } from '../../model/architecture.js';
import { activationNodes, throughDerivative } from './activation-nodes.js';
import { OnnxGraph } from './onnx-graph.js';

/** ONNX operator set the graphs are written for (Gemm without C, ReduceSum with an axes input). */
export const OPSET = 17;

/** Names of the tensors of one layer in the loss-and-gradient graph. */
export interface LayerTensors {
  readonly weight: string;
  readonly bias: string | undefined;
  /** dW, or dWᵀ (in × out) when `weightGradientTransposed`. */
  readonly weightGradient: string;
  readonly weightGradientTransposed: boolean;
  readonly biasGradient: string | undefined;
}

/**
 * The loss and its gradient for a fully connected network, as one ONNX graph with the backward pass written in
 * closed form (the same formulas as src/model/gradient.ts), not by autodiff.
 *
 * Inputs: `x` (N × d0), `xt` (its transpose, d0 × N), `y` (N × outputs), `scale` (the c of loss = c‖e‖², a runtime input so that no optimiser
 * can fold it into a float32 attribute), each layer's W (out × in) and b, and per hidden layer its slope noise
 * (N × width) when the samples carry one. N is symbolic: one graph serves the full batch and every minibatch.
 * Outputs: `loss` (scalar) and each layer's dW and db; the first layer's as dWᵀ = Xᵀ·δ, a product without
 * transposed operands: MLAS computes δᵀ·X (a transposed left operand) 1.7× slower in float32 and 4× slower in
 * float64 for case (a), so the caller stores Xᵀ once and transposes the small d0 × d1 result instead.
 */
export interface MlpGraph {
  readonly model: Uint8Array;
  readonly layers: readonly LayerTensors[];
  readonly noise: readonly string[];
  readonly outputs: readonly string[];
}

export const LOSS_OUTPUT = 'loss';

export function buildMlpGraph(architecture: Architecture, dtype: DType, withSlopeNoise: boolean): MlpGraph {
  const layout = parameterLayout(architecture);
  const g = new OnnxGraph('basin_mlp_loss_and_gradient');
  let firstAxis: string | undefined;

  const x = g.input('x', dtype, ['N', architecture.inputDim]);
  const xt = g.input('xt', dtype, [architecture.inputDim, 'N']);
  const y = g.input('y', dtype, ['N', architecture.outputDim]);
  const scale = g.input('scale', dtype, []);

  const layers: LayerTensors[] = layout.layers.map((layer, l) => {
    const weight = g.input(`w${l}`, dtype, [layer.outputs, layer.inputs]);
    const bias = layer.biasOffset === undefined ? undefined : g.input(`b${l}`, dtype, [layer.outputs]);
    const transposed = l === 0;
    return {
      weight,
      bias,
      weightGradient: transposed
        ? g.output(`grad_w${l}_t`, dtype, [layer.inputs, layer.outputs])
        : g.output(`grad_w${l}`, dtype, [layer.outputs, layer.inputs]),
      weightGradientTransposed: transposed,
      biasGradient: bias === undefined ? undefined : g.output(`grad_b${l}`, dtype, [layer.outputs]),
    };
  });
  const noise = withSlopeNoise
    ? architecture.hidden.map((hidden, l) => g.input(`noise${l}`, dtype, ['N', hidden.width]))
    : [];

  // Forward: keep each layer's input and a function that carries a gradient through its activation.
  const layerInputs: string[] = [];
  const throughActivation: ((gradient: string) => string)[] = [];
  let current = x;
  layout.layers.forEach((layer, l) => {
    layerInputs.push(current);
    const { weight, bias } = layers[l];
    const u = g.node('Gemm', bias === undefined ? [current, weight] : [current, weight, bias], { transB: 1 });
    if (layer.activation === undefined) {
      current = u;
      return;
    }
    const nodes = activationNodes(g, layer.activation, u, dtype);
    const layerNoise = noise[l];
    current = layerNoise === undefined ? nodes.value : g.node('Mul', [nodes.value, layerNoise]);
    throughActivation.push((gradient) =>
      throughDerivative(
        g,
        nodes,
        layerNoise === undefined ? gradient : g.node('Mul', [gradient, layerNoise]),
      ),
    );
  });

  const residual = g.node('Sub', [current, y]);
  const squares = g.node('ReduceSumSquare', [residual], { keepdims: 0 });
  g.node('Mul', [squares, scale], {}, LOSS_OUTPUT);
  g.output(LOSS_OUTPUT, dtype, []);

  // Backward: delta = dloss/dU_l, starting from dloss/doutput = 2c·e.
  let delta = g.node('Mul', [residual, g.node('Add', [scale, scale])]);
  for (let l = layout.layers.length - 1; l >= 0; l--) {
    const { weight, weightGradient, biasGradient } = layers[l];
    if (l === 0) g.node('Gemm', [xt, delta], {}, weightGradient);
    else g.node('Gemm', [delta, layerInputs[l]], { transA: 1 }, weightGradient);
    if (biasGradient !== undefined) {
      firstAxis ??= g.constant('int64', [1], [0]);
      g.node('ReduceSum', [delta, firstAxis], { keepdims: 0 }, biasGradient);
    }
    if (l === 0) break;
    delta = throughActivation[l - 1](g.node('MatMul', [delta, weight]));
  }

  const outputs = [
    LOSS_OUTPUT,
    ...layers.flatMap((t) =>
      t.biasGradient === undefined ? [t.weightGradient] : [t.weightGradient, t.biasGradient],
    ),
  ];
  return { model: g.encode(OPSET), layers, noise, outputs };
}
