import type { DType } from '../../core/dtype.js';
import type { Architecture } from '../../model/architecture.js';
import { activationNodes } from './activation-nodes.js';
import { OPSET } from './mlp-graph.js';
import { OnnxGraph } from './onnx-graph.js';

/** Why `restartsGraph` cannot express this architecture, or `undefined` when it can. */
export function restartsUnsupportedReason(architecture: Architecture): string | undefined {
  if (architecture.hidden.length !== 1) return 'batched restarts need exactly one hidden layer';
  if (architecture.outputDim !== 1) return 'batched restarts need a scalar output';
  return undefined;
}

/** Input and output names of the restarts graph. */
export const RESTARTS_TENSORS = {
  x: 'x',
  y: 'y',
  scale: 'scale',
  noise: 'noise',
  hiddenWeights: 'w',
  hiddenBias: 'b',
  outputWeights: 'z',
  outputBias: 'c',
  losses: 'losses',
  hiddenWeightsGradient: 'grad_w',
  hiddenBiasGradient: 'grad_b',
  outputWeightsGradient: 'grad_z',
  outputBiasGradient: 'grad_c',
} as const;

/**
 * Loss and gradient of G one-hidden-layer networks (scalar output) on the same X, in one graph: the hidden
 * pre-activations of all G networks come from a single product [W_1; …; W_G]·Xᵀ, and the weight gradients from a
 * single [δ_1; …; δ_G]·X, so X is read once per run instead of G times.
 *
 * Layout: hidden quantities are kept as (G, d1, N), samples last. Then each network's output (z_gᵀH_g) and its
 * output-weight gradient (H_g·δ_g) are batched matrix products over g without any transpose, and the hidden
 * gradient (G·d1 × N)·X (N × d0) is a plain product.
 *
 * Inputs: x (N × d0), y (N × 1), scale (loss_g = scale·‖e_g‖²), w (G·d1 × d0: the G hidden weight matrices
 * stacked), b (G·d1), z (G × d1), c (G), and noise (N × d1, shared by the G networks, as slope noise belongs to
 * the data). G and N are symbolic. Outputs: losses (G) and the gradients in the shapes of the inputs.
 */
export function buildRestartsGraph(
  architecture: Architecture,
  dtype: DType,
  withSlopeNoise: boolean,
): Uint8Array {
  const t = RESTARTS_TENSORS;
  const hidden = architecture.hidden[0];
  const d1 = hidden.width;
  const g = new OnnxGraph('basin_restarts_loss_and_gradient');
  const ints = (...values: number[]): string => g.constant('int64', [values.length], values);

  const x = g.input(t.x, dtype, ['N', architecture.inputDim]);
  const y = g.input(t.y, dtype, ['N', 1]);
  const scale = g.input(t.scale, dtype, []);
  const w = g.input(t.hiddenWeights, dtype, ['GH', architecture.inputDim]);
  const b = hidden.bias ? g.input(t.hiddenBias, dtype, ['GH']) : undefined;
  const z = g.input(t.outputWeights, dtype, ['G', d1]);
  const c = architecture.outputBias ? g.input(t.outputBias, dtype, ['G']) : undefined;
  const samplesLast = (tensor: string, ...leading: number[]): string =>
    g.node('Reshape', [
      tensor,
      g.node('Concat', [ints(...leading), g.node('Shape', [x], { start: 0, end: 1 })], { axis: 0 }),
    ]);
  const noise = withSlopeNoise
    ? samplesLast(g.node('Transpose', [g.input(t.noise, dtype, ['N', d1])], { perm: [1, 0] }), 1, d1)
    : undefined;

  const bias = b === undefined ? [] : [g.node('Reshape', [b, ints(-1, 1)])];
  const u = g.node('Gemm', [w, x, ...bias], { transB: 1 });
  // The activation runs on the 2-D product so that ORT can fuse it into the Gemm.
  const activation = activationNodes(g, hidden.activation, u, dtype);
  const value = samplesLast(activation.value, -1, d1);
  const h = noise === undefined ? value : g.node('Mul', [value, noise]);
  const product = g.node('MatMul', [g.node('Reshape', [z, ints(-1, 1, d1)]), h]);
  const output = c === undefined ? product : g.node('Add', [product, g.node('Reshape', [c, ints(-1, 1, 1)])]);
  const residual = g.node('Sub', [output, samplesLast(y, 1, 1)]);
  g.node('Mul', [g.node('ReduceSumSquare', [residual], { axes: [1, 2], keepdims: 0 }), scale], {}, t.losses);
  g.output(t.losses, dtype, ['G']);

  // δ_g = dloss_g/doutput_g (G × 1 × N). Then dz_g = H_g·δ_g, and dU_g = z_g ⊗ δ_g ⊙ ε ⊙ f'(U_g), whose factor
  // z_g is applied after the products: dW_g = diag(z_g)·(δ_g ⊙ ε ⊙ f'(U_g))·X saves a full pass over G·d1 × N.
  const delta = g.node('Mul', [residual, g.node('Add', [scale, scale])]);
  g.node(
    'Reshape',
    [g.node('MatMul', [h, g.node('Reshape', [delta, ints(0, -1, 1)])]), ints(-1, d1)],
    {},
    t.outputWeightsGradient,
  );
  g.output(t.outputWeightsGradient, dtype, ['G', d1]);
  if (c !== undefined) {
    g.node('ReduceSum', [delta, ints(1, 2)], { keepdims: 0 }, t.outputBiasGradient);
    g.output(t.outputBiasGradient, dtype, ['G']);
  }
  const slopes =
    activation.derivative === undefined
      ? g.node('Expand', [delta, g.node('Shape', [value])])
      : g.node('Mul', [samplesLast(activation.derivative, -1, d1), delta]);
  const scaled = samplesLast(noise === undefined ? slopes : g.node('Mul', [slopes, noise]), -1);
  const zColumn = g.node('Reshape', [z, ints(-1, 1)]);
  g.node('Mul', [g.node('Gemm', [scaled, x]), zColumn], {}, t.hiddenWeightsGradient);
  g.output(t.hiddenWeightsGradient, dtype, ['GH', architecture.inputDim]);
  if (b !== undefined) {
    g.node(
      'Mul',
      [g.node('ReduceSum', [scaled, ints(1)], { keepdims: 0 }), g.node('Reshape', [z, ints(-1)])],
      {},
      t.hiddenBiasGradient,
    );
    g.output(t.hiddenBiasGradient, dtype, ['GH']);
  }
  return g.encode(OPSET);
}
