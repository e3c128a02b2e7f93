import { type Architecture, parameterLayout } from '../../model/architecture.js';
import { activationNodes, secondDerivativeNode, throughDerivative } from './activation-nodes.js';
import { OPSET } from './mlp-graph.js';
import { OnnxGraph } from './onnx-graph.js';

/**
 * The products that certification needs, as float64 ONNX graphs with the same closed forms as the reference
 * (src/model/hessian.ts, src/certify/jacobian.ts) and the same kink convention (f'(0) = ρ, f''(0) = 0):
 *
 * - `gradient`: ‖e‖², the residual Eᵀ and Jᵀe;
 * - `jvp`: J·v, the directional derivative of every output (R-forward);
 * - `vjp`: Jᵀ·u for a given u (backpropagation seeded with u);
 * - `gauss-newton`: JᵀJ·v and J·v in one run (R-forward, then backpropagation seeded with J·v);
 * - `hessian`: ∇²(½‖e‖²)·v by Pearlmutter's R-operator (R-forward, then R-backward).
 *
 * Here e = output − y and J = ∂output/∂θ; the caller scales by the loss factor (L = c‖e‖², so ∇L = 2c·Jᵀe and
 * ∇²L = 2c·∇²(½‖e‖²)): no constant enters the graph, as in mlp-graph.ts.
 *
 * Layout choices (the same as mlp-graph.ts, measured there): the output layer runs transposed (outputs × N), and
 * when the net has hidden layers the first layer's product reads a stored Xᵀ with a ones row for the bias. The
 * first layer's forward and R-forward share one product, X·[W₀; V₀]ᵀ, so a Hessian-vector product reads X twice
 * (that product and Xᵀ·Rδ₀), as a gradient does.
 *
 * Inputs: `x` (N × d0), `xt` ((d0 [+1]) × N) when `transposedX`, `yt` (outputs × N) except in `jvp` mode, `ut`
 * (outputs × N) in `vjp` mode, each layer's `w{l}` (out × in) and `b{l}`, in tangent modes `vw{l}` and `vb{l}` with
 * the same shapes, and per hidden layer `noise{l}` (N × width) when the samples carry slope noise.
 */
export type CurvatureMode = 'gradient' | 'jvp' | 'vjp' | 'gauss-newton' | 'hessian';

export const CURVATURE_MODES: readonly CurvatureMode[] = [
  'gradient',
  'jvp',
  'vjp',
  'gauss-newton',
  'hessian',
];

export interface CurvatureLayerTensors {
  readonly weight: string;
  readonly bias: string | undefined;
  /** (out) for hidden layers, (out × 1) for the output layer, as mlp-graph.ts. */
  readonly biasDims: readonly number[];
  readonly tangentWeight: string | undefined;
  readonly tangentBias: string | undefined;
  /** The layer's block of the product (undefined in `jvp` mode): out × in, or (in [+1]) × out when transposed. */
  readonly weightProduct: string | undefined;
  readonly weightProductTransposed: boolean;
  /** The bias block as an output of its own; undefined without a bias or when it is the last row of the above. */
  readonly biasProduct: string | undefined;
}

export interface CurvatureGraph {
  readonly mode: CurvatureMode;
  readonly model: Uint8Array;
  readonly layers: readonly CurvatureLayerTensors[];
  readonly noise: readonly string[];
  readonly outputs: readonly string[];
  readonly transposedX: boolean;
  readonly transposedXOnes: boolean;
}

export const CURVATURE_TENSORS = {
  x: 'x',
  xt: 'xt',
  yt: 'yt',
  ut: 'ut',
  sse: 'sse',
  residual: 'residual_t',
  jv: 'jv_t',
} as const;

/** What the backward pass needs of one hidden layer's forward and R-forward pass. */
interface HiddenTensors {
  readonly input: string;
  readonly tangentInput: string | undefined;
  readonly derivative: string | undefined;
  readonly second: string | undefined;
  readonly tangentPre: string | undefined;
  readonly noise: string | undefined;
}

const TANGENT_MODES: readonly CurvatureMode[] = ['jvp', 'gauss-newton', 'hessian'];

/**
 * Builds the graph of one mode (see above). `storedTransposedX` (default true) reads the first layer's product from
 * a stored Xᵀ; false computes it as δᵀ·X from `x` alone (slower, but no second copy of X).
 */
export function buildCurvatureGraph(
  architecture: Architecture,
  mode: CurvatureMode,
  withSlopeNoise: boolean,
  storedTransposedX = true,
): CurvatureGraph {
  const dtype = 'float64';
  const layout = parameterLayout(architecture);
  const last = layout.layers.length - 1;
  const g = new OnnxGraph(`basin_mlp_${mode.replace('-', '_')}`);
  const ints = (...values: number[]): string => g.constant('int64', [values.length], values);
  const tangent = TANGENT_MODES.includes(mode);
  const firstBias = layout.layers[0].biasOffset !== undefined;
  const transposedX = last > 0 && storedTransposedX && mode !== 'jvp';

  const x = g.input(CURVATURE_TENSORS.x, dtype, ['N', architecture.inputDim]);
  const xt = transposedX
    ? g.input(CURVATURE_TENSORS.xt, dtype, [architecture.inputDim + (firstBias ? 1 : 0), 'N'])
    : undefined;
  const yt =
    mode === 'jvp' || mode === 'vjp' || mode === 'gauss-newton'
      ? undefined
      : g.input(CURVATURE_TENSORS.yt, dtype, [architecture.outputDim, 'N']);
  const ut = mode === 'vjp' ? g.input(CURVATURE_TENSORS.ut, dtype, [architecture.outputDim, 'N']) : undefined;

  const layers: CurvatureLayerTensors[] = layout.layers.map((layer, l) => {
    const biasDims = l === last ? [layer.outputs, 1] : [layer.outputs];
    const hasBias = layer.biasOffset !== undefined;
    const transposed = l === 0 && xt !== undefined;
    const product = mode === 'jvp' ? undefined : mode.replace('-', '_');
    return {
      weight: g.input(`w${l}`, dtype, [layer.outputs, layer.inputs]),
      bias: hasBias ? g.input(`b${l}`, dtype, biasDims) : undefined,
      biasDims,
      tangentWeight: tangent ? g.input(`vw${l}`, dtype, [layer.outputs, layer.inputs]) : undefined,
      tangentBias: tangent && hasBias ? g.input(`vb${l}`, dtype, biasDims) : undefined,
      weightProduct:
        product === undefined
          ? undefined
          : transposed
            ? g.output(`${product}_w0_t`, dtype, [layer.inputs + (hasBias ? 1 : 0), layer.outputs])
            : g.output(`${product}_w${l}`, dtype, [layer.outputs, layer.inputs]),
      weightProductTransposed: transposed,
      biasProduct:
        product === undefined || !hasBias || transposed
          ? undefined
          : g.output(`${product}_b${l}`, dtype, [layer.outputs]),
    };
  });
  const noiseInputs = withSlopeNoise ? architecture.hidden.map((_, l) => `noise${l}`) : [];
  const noise = noiseInputs.map((name, l) => g.input(name, dtype, ['N', architecture.hidden[l].width]));

  /** Gemm(a, b [, c]) with attributes; c omitted when undefined. */
  const gemm = (a: string, b: string, c: string | undefined, attributes: Record<string, number>): string =>
    g.node('Gemm', c === undefined ? [a, b] : [a, b, c], attributes);
  const times = (a: string, b: string | undefined): string => (b === undefined ? a : g.node('Mul', [a, b]));

  // Forward (and R-forward) through the hidden layers, N × width.
  const hidden: HiddenTensors[] = [];
  let current = x;
  let tangentCurrent: string | undefined;
  for (let l = 0; l < last; l++) {
    const activation = layout.layers[l].activation!;
    const { weight, bias, tangentWeight, tangentBias } = layers[l];
    let u: string;
    let ru: string | undefined;
    if (tangent && l === 0) {
      // One pass over X for both: X·[W₀; V₀]ᵀ + [b₀, vb₀], split by columns.
      const width = layout.layers[0].outputs;
      const both = gemm(
        x,
        g.node('Concat', [weight, tangentWeight!], { axis: 0 }),
        bias === undefined ? undefined : g.node('Concat', [bias, tangentBias!], { axis: 0 }),
        { transB: 1 },
      );
      [u, ru] = g.nodeOutputs('Split', [both, ints(width, width)], 2, { axis: 1 });
    } else {
      u = gemm(current, weight, bias, { transB: 1 });
      if (tangent) {
        ru = gemm(current, tangentWeight!, tangentBias, { transB: 1 });
        if (tangentCurrent !== undefined) ru = gemm(tangentCurrent, weight, ru, { transB: 1 });
      }
    }
    const nodes = activationNodes(g, activation, u, dtype);
    const layerNoise = noise[l];
    hidden.push({
      input: current,
      tangentInput: tangentCurrent,
      derivative: nodes.derivative,
      second: mode === 'hessian' ? secondDerivativeNode(g, activation, nodes, dtype) : undefined,
      tangentPre: ru,
      noise: layerNoise,
    });
    current = times(nodes.value, layerNoise);
    tangentCurrent = ru === undefined ? undefined : times(throughDerivative(g, nodes, ru), layerNoise);
  }

  // Output layer, transposed (outputs × N).
  const output = layers[last];
  let residual: string | undefined;
  if (yt !== undefined) {
    residual = g.node('Sub', [gemm(output.weight, current, output.bias, { transB: 1 }), yt]);
  }
  let jv: string | undefined;
  if (tangent) {
    jv = gemm(output.tangentWeight!, current, output.tangentBias, { transB: 1 });
    if (tangentCurrent !== undefined) jv = gemm(output.weight, tangentCurrent, jv, { transB: 1 });
  }
  const outputs: string[] = [];
  if (mode === 'gradient') {
    g.node('ReduceSumSquare', [residual!], { keepdims: 0 }, CURVATURE_TENSORS.sse);
    g.output(CURVATURE_TENSORS.sse, dtype, []);
    g.node('Identity', [residual!], {}, CURVATURE_TENSORS.residual);
    g.output(CURVATURE_TENSORS.residual, dtype, [architecture.outputDim, 'N']);
    outputs.push(CURVATURE_TENSORS.sse, CURVATURE_TENSORS.residual);
  }
  if (mode === 'jvp' || mode === 'gauss-newton') {
    g.node('Identity', [jv!], {}, CURVATURE_TENSORS.jv);
    g.output(CURVATURE_TENSORS.jv, dtype, [architecture.outputDim, 'N']);
    outputs.push(CURVATURE_TENSORS.jv);
  }

  if (mode !== 'jvp') {
    // δ: the seed of backpropagation (outputs × N); Rδ its R-derivative, in `hessian` mode only.
    const delta = mode === 'gradient' || mode === 'hessian' ? residual! : mode === 'vjp' ? ut! : jv!;
    const rDelta = mode === 'hessian' ? jv! : undefined;
    writeBackward(g, architecture, layers, hidden, current, tangentCurrent, delta, rDelta, xt, ints);
    for (const t of layers) {
      outputs.push(t.weightProduct!);
      if (t.biasProduct !== undefined) outputs.push(t.biasProduct);
    }
  }
  return {
    mode,
    model: g.encode(OPSET),
    layers,
    noise: noiseInputs,
    outputs,
    transposedX,
    transposedXOnes: transposedX && firstBias,
  };
}

/**
 * Backpropagation from the output seed δ (outputs × N) into each layer's product block. Without Rδ it is Jᵀδ; with
 * Rδ it is the R-backward pass of Pearlmutter's method, H·v = Σ_l (Rδ_lᵀ·in_l + δ_lᵀ·R(in_l)), with
 * Rδ_l = ε ⊙ (R(G_l) ⊙ f'(U_l) + G_l ⊙ f''(U_l) ⊙ RU_l), G_l the gradient with respect to layer l's output and
 * R(G_l) = Rδ_{l+1}·W_{l+1} + δ_{l+1}·V_{l+1}.
 */
function writeBackward(
  g: OnnxGraph,
  architecture: Architecture,
  layers: readonly CurvatureLayerTensors[],
  hidden: readonly HiddenTensors[],
  lastInput: string,
  lastTangentInput: string | undefined,
  delta: string,
  rDelta: string | undefined,
  xt: string | undefined,
  ints: (...values: number[]) => string,
): void {
  const last = layers.length - 1;
  const output = layers[last];
  const seed = rDelta ?? delta;
  // Output layer (transposed): block = Rδᵀ·H + δᵀ·RH (or δᵀ·H), bias = Σ_n.
  if (rDelta !== undefined && lastTangentInput !== undefined) {
    g.node('Gemm', [delta, lastTangentInput, g.node('Gemm', [rDelta, lastInput])], {}, output.weightProduct);
  } else {
    g.node('Gemm', [seed, lastInput], {}, output.weightProduct);
  }
  if (output.biasProduct !== undefined) {
    g.node('ReduceSum', [seed, ints(1)], { keepdims: 0 }, output.biasProduct);
  }
  if (last === 0) return;

  /** (outputs × N)ᵀ·W, N × in: for a scalar output an outer product (MatMul of a column by a row). */
  const backThroughOutput = (d: string, w: string): string =>
    architecture.outputDim === 1
      ? g.node('MatMul', [g.node('Reshape', [d, ints(-1, 1)]), w])
      : g.node('Gemm', [d, w], { transA: 1 });
  let gradient = backThroughOutput(delta, output.weight);
  let rGradient =
    rDelta === undefined
      ? undefined
      : g.node('Add', [
          backThroughOutput(rDelta, output.weight),
          backThroughOutput(delta, output.tangentWeight!),
        ]);
  const times = (a: string, b: string | undefined): string => (b === undefined ? a : g.node('Mul', [a, b]));
  for (let l = last - 1; l >= 0; l--) {
    const layer = hidden[l];
    const { weight, tangentWeight, weightProduct, biasProduct } = layers[l];
    const d = times(times(gradient, layer.derivative), layer.noise);
    let rd: string | undefined;
    if (rGradient !== undefined) {
      let inner = times(rGradient, layer.derivative);
      if (layer.second !== undefined) {
        inner = g.node('Add', [
          inner,
          g.node('Mul', [g.node('Mul', [gradient, layer.second]), layer.tangentPre!]),
        ]);
      }
      rd = times(inner, layer.noise);
    }
    const s = rd ?? d;
    if (l === 0 && xt !== undefined) {
      g.node('Gemm', [xt, s], {}, weightProduct);
      break;
    }
    if (rd !== undefined && layer.tangentInput !== undefined) {
      g.node(
        'Gemm',
        [d, layer.tangentInput, g.node('Gemm', [rd, layer.input], { transA: 1 })],
        { transA: 1 },
        weightProduct,
      );
    } else {
      g.node('Gemm', [s, layer.input], { transA: 1 }, weightProduct);
    }
    if (biasProduct !== undefined) g.node('ReduceSum', [s, ints(0)], { keepdims: 0 }, biasProduct);
    if (l === 0) break;
    const nextGradient = g.node('MatMul', [d, weight]);
    if (rd !== undefined) {
      rGradient = g.node('Add', [g.node('MatMul', [rd, weight]), g.node('MatMul', [d, tangentWeight!])]);
    }
    gradient = nextGradient;
  }
}
