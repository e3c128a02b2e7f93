import { BasinError, InvalidArgumentError } from '../../core/errors.js';
import { type Architecture, multiplyAddsPerRow, parameterCount } from '../../model/architecture.js';
import { checkCompatible } from '../../model/forward.js';
import { type LossKind, lossScale } from '../../model/loss.js';
import { samplesAs, type Samples } from '../../model/samples.js';
import type { CurvatureOperator, CurvaturePoint } from '../curvature.js';
import { checkPoint } from '../reference-curvature.js';
import {
  buildCurvatureGraph,
  type CurvatureGraph,
  type CurvatureMode,
  CURVATURE_TENSORS,
} from './curvature-graph.js';
import { feedParameters, floatTensor, gatherLayerBlocks, transpose, transposedInputTensor } from './feeds.js';
import type { OnnxRuntime, OrtTensor, SyncSession } from './runtime.js';
import { sessionForWork } from './threads.js';

export interface OnnxCurvatureOptions {
  /** Intra-op threads; default by the work of one product (`threadsFor`). */
  readonly threads?: number;
  /**
   * The largest stored Xᵀ in bytes (default 2 GiB): certification runs hundreds of products on the same X, so a
   * second copy that makes each first-layer product 1.7–4× faster (mlp-graph.ts) is worth more memory than in
   * training. Beyond it the products read X alone.
   */
  readonly maxStoredTransposeBytes?: number;
}

/** Multiply-adds of one run of each mode, in forward passes over the data (for the thread choice). */
const PASSES: { readonly [M in CurvatureMode]: number } = {
  gradient: 2,
  jvp: 2,
  vjp: 2,
  'gauss-newton': 3,
  hessian: 3,
};

/**
 * The curvature operator on ONNX Runtime in float64 (graphs in curvature-graph.ts). The data tensors are made once;
 * each product feeds θ and v as views and runs one session of its mode.
 */
export function onnxCurvature(
  runtime: OnnxRuntime,
  architecture: Architecture,
  loss: LossKind,
  samples: Samples,
  options: OnnxCurvatureOptions = {},
  onDispose: () => void = () => undefined,
): CurvatureOperator {
  const exact = samplesAs(samples, 'float64');
  const layout = checkCompatible(architecture, new Float64Array(parameterCount(architecture)), exact);
  const size = layout.size;
  const count = exact.count;
  const { inputDim, outputDim } = exact;
  const rows = count * outputDim;
  const c = lossScale(loss, count);
  const withNoise = exact.slopeNoise !== undefined;
  const storeTransposed =
    (inputDim + 1) * count * 8 <= (options.maxStoredTransposeBytes ?? 2 * 2 ** 30) &&
    layout.layers.length > 1;
  const rowWork = count * multiplyAddsPerRow(architecture);

  const data: Record<string, OrtTensor> = {
    [CURVATURE_TENSORS.x]: floatTensor(runtime, 'float64', exact.x, [count, inputDim]),
    [CURVATURE_TENSORS.yt]: floatTensor(
      runtime,
      'float64',
      outputDim === 1 ? exact.y : transpose(exact.y, count, outputDim),
      [outputDim, count],
    ),
  };
  if (storeTransposed) {
    data[CURVATURE_TENSORS.xt] = transposedInputTensor(
      runtime,
      'float64',
      exact.x,
      count,
      inputDim,
      layout.layers[0].biasOffset !== undefined,
    );
  }
  exact.slopeNoise?.forEach((noise, l) => {
    data[`noise${l}`] = floatTensor(runtime, 'float64', noise, [count, architecture.hidden[l].width]);
  });

  const graphs = new Map<CurvatureMode, { graph: CurvatureGraph; sessions: Map<number, SyncSession> }>();
  let disposed = false;
  const entryFor = (mode: CurvatureMode) => {
    if (disposed) throw new BasinError('curvature operator: used after dispose()');
    let entry = graphs.get(mode);
    if (entry === undefined) {
      entry = {
        graph: buildCurvatureGraph(architecture, mode, withNoise, storeTransposed),
        sessions: new Map(),
      };
      graphs.set(mode, entry);
    }
    return entry;
  };
  /** One run of `mode` at θ; `extra` holds the feeds of v or u. */
  const run = (mode: CurvatureMode, theta: Float64Array, extra: Record<string, OrtTensor>) => {
    const entry = entryFor(mode);
    const { graph } = entry;
    const session = sessionForWork(
      runtime,
      graph.model,
      entry.sessions,
      'float64',
      PASSES[mode] * rowWork,
      options.threads,
    );
    const feeds: Record<string, OrtTensor> = { ...extra, [CURVATURE_TENSORS.x]: data[CURVATURE_TENSORS.x] };
    if (graph.transposedX) feeds[CURVATURE_TENSORS.xt] = data[CURVATURE_TENSORS.xt];
    if (mode === 'gradient' || mode === 'hessian') feeds[CURVATURE_TENSORS.yt] = data[CURVATURE_TENSORS.yt];
    for (const name of graph.noise) feeds[name] = data[name];
    feedParameters(runtime, 'float64', layout, theta, graph.layers, feeds);
    return { graph, results: session.run(feeds, graph.outputs) };
  };

  /** The per-layer product blocks of a run as one P-vector, times `factor`. */
  const assemble = (
    graph: CurvatureGraph,
    results: Record<string, OrtTensor>,
    factor: number,
  ): Float64Array => {
    const out = new Float64Array(size);
    const blocks = graph.layers.map((t) => ({
      weight: t.weightProduct!,
      transposed: t.weightProductTransposed,
      bias: t.biasProduct,
    }));
    gatherLayerBlocks(layout, blocks, results, out, factor);
    return out;
  };

  /** outputs × N (the graphs' layout) to sample-major N × outputs. */
  const sampleMajor = (values: Float64Array): Float64Array =>
    outputDim === 1 ? Float64Array.from(values) : (transpose(values, outputDim, count) as Float64Array);
  const outputMajor = (values: Float64Array): Float64Array =>
    outputDim === 1 ? values : (transpose(values, count, outputDim) as Float64Array);

  /** Runs a tangent mode with v fed as per-layer views. */
  const runTangent = (mode: CurvatureMode, theta: Float64Array, v: Float64Array) => {
    if (!(v instanceof Float64Array) || v.length !== size) {
      throw new InvalidArgumentError('v', `a Float64Array of ${size} entries`, v);
    }
    const feeds: Record<string, OrtTensor> = {};
    const tangents = entryFor(mode).graph.layers.map((t) => ({
      weight: t.tangentWeight!,
      bias: t.tangentBias,
      biasDims: t.biasDims,
    }));
    feedParameters(runtime, 'float64', layout, v, tangents, feeds);
    return run(mode, theta, feeds);
  };

  return {
    engine: 'onnx',
    parameterCount: size,
    rows,
    // No loss-only graph: the gradient run costs about two forward passes instead of one.
    loss(theta: Float64Array): number {
      checkPoint(theta, size);
      return c * Number((run('gradient', theta, {}).results[CURVATURE_TENSORS.sse].data as Float64Array)[0]);
    },
    at(theta: Float64Array): CurvaturePoint {
      checkPoint(theta, size);
      const { graph, results } = run('gradient', theta, {});
      const sse = Number((results[CURVATURE_TENSORS.sse].data as Float64Array)[0]);
      const residual = sampleMajor(results[CURVATURE_TENSORS.residual].data as Float64Array);
      const gradient = assemble(graph, results, 2 * c);
      return {
        theta,
        loss: c * sse,
        residual,
        gradient,
        jacobianVector(v) {
          const out = runTangent('jvp', theta, v);
          return sampleMajor(out.results[CURVATURE_TENSORS.jv].data as Float64Array);
        },
        jacobianTransposeVector(u) {
          if (!(u instanceof Float64Array) || u.length !== rows) {
            throw new InvalidArgumentError('u', `a Float64Array of ${rows} entries (samples × outputs)`, u);
          }
          const ut = floatTensor(runtime, 'float64', outputMajor(u), [outputDim, count]);
          const out = run('vjp', theta, { [CURVATURE_TENSORS.ut]: ut });
          return assemble(out.graph, out.results, 1);
        },
        gaussNewtonVector(v) {
          const out = runTangent('gauss-newton', theta, v);
          return assemble(out.graph, out.results, 1);
        },
        hessianVector(v) {
          const out = runTangent('hessian', theta, v);
          return assemble(out.graph, out.results, 2 * c);
        },
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const { sessions } of graphs.values()) for (const session of sessions.values()) session.dispose();
      graphs.clear();
      onDispose();
    },
  };
}
