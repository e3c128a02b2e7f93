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
  noise: 'noise',
  hiddenWeights: 'w',
  outputWeights: 'z',
  outputBias: 'c',
  sse: 'sse',
  hiddenWeightsGradient: 'grad_w',
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
 * The hidden bias rides in the products: with a bias, `x` is [X 1] (N × (d0 + 1), a column of ones appended) and
 * `w` holds [W_g b_g] row by row (G·d1 × (d0 + 1)), so U = w·xᵀ needs no separate bias pass and the last column of
 * the gradient product is db, without a reduction over the (G·d1 × N) intermediate.
 *
 * Inputs: x (N × d0 [+ 1]), y (1 × 1 × N), w (G·d1 × d0 [+ 1]), z (G × d1), c (G), and noise (1 × d1 × N: the slope
 * noise, shared by the G networks as it belongs to the data, transposed). G and N are symbolic. Outputs: sse (G,
 * ‖e_g‖²) and the gradients of ½‖e_g‖² in the shapes of the inputs (grad_w's last column is db when there is a
 * bias); the caller applies the loss factor c (loss_g = c·sse_g, gradient = 2c·outputs).
 */
export function buildRestartsGraph(
  architecture: Architecture,
  dtype: DType,
  withSlopeNoise: boolean,
): Uint8Array {
  const t = RESTARTS_TENSORS;
  const hidden = architecture.hidden[0];
  const d1 = hidden.width;
  const columns = architecture.inputDim + (hidden.bias ? 1 : 0);
  const g = new OnnxGraph('basin_restarts_loss_and_gradient');
  const ints = (...values: number[]): string => g.constant('int64', [values.length], values);

  const x = g.input(t.x, dtype, ['N', columns]);
  const y = g.input(t.y, dtype, [1, 1, 'N']);
  const w = g.input(t.hiddenWeights, dtype, ['GH', columns]);
  const z = g.input(t.outputWeights, dtype, ['G', d1]);
  const c = architecture.outputBias ? g.input(t.outputBias, dtype, ['G']) : undefined;
  const noise = withSlopeNoise ? g.input(t.noise, dtype, [1, d1, 'N']) : undefined;
  // Shapes (G, d1, N) and (G·d1, N), with N read from x.
  const samples = g.node('Shape', [x], { start: 0, end: 1 });
  const byNetwork = g.node('Concat', [ints(-1, d1), samples], { axis: 0 });
  const stacked = g.node('Concat', [ints(-1), samples], { axis: 0 });

  const u = g.node('Gemm', [w, x], { transB: 1 });
  // The activation runs on the 2-D product so that ORT can fuse it into the Gemm.
  const activation = activationNodes(g, hidden.activation, u, dtype);
  const value = g.node('Reshape', [activation.value, byNetwork]);
  const h = noise === undefined ? value : g.node('Mul', [value, noise]);
  const product = g.node('MatMul', [g.node('Reshape', [z, ints(-1, 1, d1)]), h]);
  const output = c === undefined ? product : g.node('Add', [product, g.node('Reshape', [c, ints(-1, 1, 1)])]);
  const residual = g.node('Sub', [output, y]);
  g.node('ReduceSumSquare', [residual], { axes: [1, 2], keepdims: 0 }, t.sse);
  g.output(t.sse, dtype, ['G']);

  // Unscaled δ_g = e_g (G × 1 × N). dU_g = z_g ⊗ e_g ⊙ ε ⊙ f'(U_g), whose factor z_g is applied after the
  // product: dW_g = diag(z_g)·P_g with P_g = (e_g ⊙ ε ⊙ f'(U_g))·X, which saves a full pass over G·d1 × N.
  const slopes =
    activation.derivative === undefined
      ? g.node('Expand', [residual, g.node('Shape', [value])])
      : g.node('Mul', [g.node('Reshape', [activation.derivative, byNetwork]), residual]);
  const scaled = g.node('Reshape', [noise === undefined ? slopes : g.node('Mul', [slopes, noise]), stacked]);
  const p = g.node('Gemm', [scaled, x]);
  g.node('Mul', [p, g.node('Reshape', [z, ints(-1, 1)])], {}, t.hiddenWeightsGradient);
  g.output(t.hiddenWeightsGradient, dtype, ['GH', columns]);

  // dz_g = H_g·e_g. For (leaky) ReLU and linear units f(u) = f'(u)·u, so H = ε ⊙ f'(U) ⊙ U and, as U = w·xᵀ,
  // (dz_g)_j = Σ_n (e_g ⊙ ε ⊙ f'(U))_(j,n)·U_(j,n) = w_(g,j)·P_(g,j): a row-wise dot product of two small
  // (G·d1 × d0 + 1) matrices instead of another pass over H. Other activations read H.
  const homogeneous = hidden.activation.kind === 'leaky-relu' || hidden.activation.kind === 'linear';
  const outputWeightsGradient = homogeneous
    ? g.node('ReduceSum', [g.node('Mul', [p, w]), ints(1)], { keepdims: 0 })
    : g.node('MatMul', [h, g.node('Reshape', [residual, ints(0, -1, 1)])]);
  g.node('Reshape', [outputWeightsGradient, ints(-1, d1)], {}, t.outputWeightsGradient);
  g.output(t.outputWeightsGradient, dtype, ['G', d1]);
  if (c !== undefined) {
    g.node('ReduceSum', [residual, ints(1, 2)], { keepdims: 0 }, t.outputBiasGradient);
    g.output(t.outputBiasGradient, dtype, ['G']);
  }
  return g.encode(OPSET);
}
