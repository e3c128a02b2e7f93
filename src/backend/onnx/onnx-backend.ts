import { allocate, type DType, dtypeOf, type FloatArray } from '../../core/dtype.js';
import { BasinError, InvalidArgumentError } from '../../core/errors.js';
import { type Architecture, multiplyAddsPerRow, parameterCount } from '../../model/architecture.js';
import { checkCompatible } from '../../model/forward.js';
import { type LossKind, lossScale } from '../../model/loss.js';
import { type Samples, samplesAs } from '../../model/samples.js';
import type { Backend, BackendObjective, Problem } from '../backend.js';
import { loopedRestartsObjective } from '../restarts.js';
import { feedParameters, floatTensor, gatherLayerBlocks, transpose, transposedInputTensor } from './feeds.js';
import { checkBatch } from '../../model/samples.js';
import { onnxClassificationCheck } from './onnx-classification.js';
import { onnxCurvature } from './onnx-curvature.js';
import { onnxRestartsObjective } from './onnx-restarts.js';
import { restartsUnsupportedReason } from './restarts-graph.js';
import { sessionForWork } from './threads.js';
import { buildMlpGraph, DATA_INPUTS, type MlpGraph, SSE_OUTPUT } from './mlp-graph.js';
import { onnxRuntimeStatus, type OnnxRuntime, type OrtTensor, type SyncSession } from './runtime.js';

export interface OnnxBackendOptions {
  /**
   * Intra-op threads of each session. Default: chosen per session by the work of one run (`threadsFor`): one
   * thread for small products, every logical CPU for large ones.
   */
  readonly threads?: number;
  /** The largest stored Xᵀ of an objective, in bytes; default `STORED_TRANSPOSE_MAX_BYTES`. */
  readonly maxStoredTransposeBytes?: number;
}

/**
 * The ONNX Runtime CPU backend: the closed-form loss-and-gradient graph of mlp-graph.ts run by onnxruntime-node
 * (MLAS kernels, multi-threaded). float32 graphs get ORT's full graph optimisation; float64 graphs the "basic" level
 * only, because higher levels can fold scalar multiplies into float32 attributes and silently lose float64 accuracy
 * (the graphs no longer contain such a multiply, so this is a guard).
 */
export function onnxBackend(options: OnnxBackendOptions = {}): Backend {
  const threads = options.threads;
  const live = new Set<{ dispose(): void }>();
  return {
    name: 'onnx',
    description: `onnxruntime-node CPU, closed-form backward graph, ${threads ?? 'automatic'} threads`,
    dtypes: ['float32', 'float64'],
    unsupportedReason(problem: Problem) {
      const status = onnxRuntimeStatus();
      if (!status.available) return status.reason;
      return problem.samples.count > 2 ** 31 - 1 ? 'more samples than ONNX tensors can index' : undefined;
    },
    objective(architecture, loss, samples) {
      const objective = onnxObjective(loadedRuntime(), architecture, loss, samples, options, () =>
        live.delete(objective),
      );
      live.add(objective);
      return objective;
    },
    restartsObjective(architecture, loss, samples, restarts) {
      const runtime = loadedRuntime();
      if (restartsUnsupportedReason(architecture) !== undefined) {
        return loopedRestartsObjective(this.objective(architecture, loss, samples), restarts);
      }
      const objective = onnxRestartsObjective(
        runtime,
        architecture,
        loss,
        samples,
        restarts,
        { threads },
        () => live.delete(objective),
      );
      live.add(objective);
      return objective;
    },
    curvature(architecture, loss, samples) {
      const operator = onnxCurvature(loadedRuntime(), architecture, loss, samples, { threads }, () =>
        live.delete(operator),
      );
      live.add(operator);
      return operator;
    },
    classificationCheck(architecture, samples, encoding) {
      const check = onnxClassificationCheck(
        loadedRuntime(),
        architecture,
        samples,
        encoding,
        { threads },
        () => live.delete(check),
      );
      live.add(check);
      return check;
    },
    dispose() {
      for (const objective of [...live]) objective.dispose();
    },
  };
}

function loadedRuntime(): OnnxRuntime {
  const status = onnxRuntimeStatus();
  if (!status.available) throw new BasinError(`backend onnx: ${status.reason}`);
  return status.runtime;
}

/**
 * The largest Xᵀ (a second copy of the inputs, see mlp-graph.ts) that an objective keeps for full-batch
 * evaluations: 256 MiB covers case (a) of the benchmark (10 000 × 3072, 234 MiB in float64); beyond it full batches
 * run the minibatch graph (δᵀ·X), slower in its first-layer product but without doubling the memory for X.
 */
export const STORED_TRANSPOSE_MAX_BYTES = 256 * 2 ** 20;

/** One graph of an objective (full batch or minibatch) and its sessions by thread count (see `threadsFor`). */
interface Variant {
  readonly graph: MlpGraph;
  readonly sessions: Map<number, SyncSession>;
}

interface PreparedPrecision {
  readonly samples: Samples;
  fullEvaluations: number;
  /**
   * The full-batch graph (first-layer gradient from a stored Xᵀ) and its data tensors, created on the second
   * full-batch evaluation when Xᵀ fits `maxStoredTransposeBytes`: an objective that sees minibatches and at
   * most one full batch never builds them, nor Xᵀ (a second copy of X).
   */
  full: (Variant & { readonly feeds: Readonly<Record<string, OrtTensor>> }) | undefined;
  /** The minibatch graph without Xᵀ, run on the whole X for full batches when Xᵀ is not stored. */
  plain: Variant | undefined;
  /**
   * The minibatch graph that gathers its rows from the whole stored set (`gathered`, mlp-graph.ts), with that set's
   * tensors (views of `samples`, no copy) and the index buffer of the last batch size.
   */
  batch: (Variant & { readonly data: Readonly<Record<string, OrtTensor>> }) | undefined;
}

function onnxObjective(
  runtime: OnnxRuntime,
  architecture: Architecture,
  loss: LossKind,
  samples: Samples,
  options: OnnxBackendOptions,
  onDispose: () => void,
): BackendObjective {
  const { threads, maxStoredTransposeBytes = STORED_TRANSPOSE_MAX_BYTES } = options;
  const layout = checkCompatible(architecture, new Float64Array(parameterCount(architecture)), samples);
  const rowMultiplyAdds = multiplyAddsPerRow(architecture);
  const { inputDim, outputDim } = samples;
  const withNoise = samples.slopeNoise !== undefined;
  const prepared = new Map<DType, PreparedPrecision>();
  let disposed = false;

  const fullBatchFeeds = (graph: MlpGraph, rows: Samples, dtype: DType): Record<string, OrtTensor> => {
    const count = rows.count;
    const feeds: Record<string, OrtTensor> = {
      [DATA_INPUTS.x]: floatTensor(runtime, dtype, rows.x, [count, inputDim]),
      [DATA_INPUTS.yt]: floatTensor(
        runtime,
        dtype,
        outputDim === 1 ? rows.y : transpose(rows.y, count, outputDim),
        [outputDim, count],
      ),
    };
    if (graph.transposedX) {
      feeds[DATA_INPUTS.xt] = transposedInputTensor(
        runtime,
        dtype,
        rows.x,
        count,
        inputDim,
        graph.transposedXOnes,
      );
    }
    graph.noise.forEach((name, l) => {
      feeds[name] = floatTensor(runtime, dtype, rows.slopeNoise![l], [count, architecture.hidden[l].width]);
    });
    return feeds;
  };

  /** The gathered graph's feeds for the rows `batch`: the stored set's tensors and the row indices. */
  const batchFeeds = (
    variant: NonNullable<PreparedPrecision['batch']>,
    batch: Int32Array,
  ): Record<string, OrtTensor> => {
    // Gather takes int32 indices: the (checked) batch array itself, no conversion per row.
    return { ...variant.data, [DATA_INPUTS.rows]: new runtime.Tensor('int32', batch, [batch.length]) };
  };

  const prepare = (dtype: DType): PreparedPrecision => {
    let entry = prepared.get(dtype);
    if (entry === undefined) {
      entry = {
        samples: samplesAs(samples, dtype),
        fullEvaluations: 0,
        full: undefined,
        plain: undefined,
        batch: undefined,
      };
      prepared.set(dtype, entry);
    }
    return entry;
  };

  const plainVariantOf = (entry: PreparedPrecision, dtype: DType): Variant =>
    (entry.plain ??= { graph: buildMlpGraph(architecture, dtype, withNoise, false), sessions: new Map() });

  const batchVariantOf = (
    entry: PreparedPrecision,
    dtype: DType,
  ): NonNullable<PreparedPrecision['batch']> => {
    if (entry.batch === undefined) {
      const graph = buildMlpGraph(architecture, dtype, withNoise, false, true);
      const stored = entry.samples;
      const count = stored.count;
      const data: Record<string, OrtTensor> = {
        [DATA_INPUTS.x]: floatTensor(runtime, dtype, stored.x, [count, inputDim]),
        [DATA_INPUTS.y]: floatTensor(runtime, dtype, stored.y, [count, outputDim]),
      };
      graph.noise.forEach((name, l) => {
        data[name] = floatTensor(runtime, dtype, stored.slopeNoise![l], [
          count,
          architecture.hidden[l].width,
        ]);
      });
      entry.batch = { graph, sessions: new Map(), data };
    }
    return entry.batch;
  };

  /** Whether a stored Xᵀ (with its ones row) stays within `maxStoredTransposeBytes`. */
  const storesTransposedX = (dtype: DType): boolean =>
    (inputDim + 1) * samples.count * (dtype === 'float64' ? 8 : 4) <= maxStoredTransposeBytes;

  const sessionFor = (variant: Variant, dtype: DType, rows: number): SyncSession =>
    sessionForWork(runtime, variant.graph.model, variant.sessions, dtype, rows * rowMultiplyAdds, threads);

  return {
    backend: 'onnx',
    parameterCount: layout.size,
    sampleCount: samples.count,
    evaluate(theta: FloatArray, batch?: Int32Array) {
      if (disposed) throw new BasinError('objective: evaluated after dispose()');
      if (theta.length !== layout.size) {
        throw new InvalidArgumentError(
          'theta',
          `${layout.size} parameters for this architecture`,
          theta.length,
        );
      }
      const dtype = dtypeOf(theta);
      const entry = prepare(dtype);
      let variant: Variant;
      let feeds: Record<string, OrtTensor>;
      if (batch !== undefined) {
        checkBatch(batch, samples.count);
        const batchVariant = batchVariantOf(entry, dtype);
        variant = batchVariant;
        feeds = batchFeeds(batchVariant, batch);
      } else if (entry.full === undefined && (entry.fullEvaluations++ === 0 || !storesTransposedX(dtype))) {
        // The first full-batch evaluation runs the minibatch graph on X as it is: a training run on minibatches
        // that ends with one full-batch loss never pays for Xᵀ (the size of X again, and its transpose). So do
        // all of them when Xᵀ would be too large to keep.
        variant = plainVariantOf(entry, dtype);
        feeds = fullBatchFeeds(variant.graph, entry.samples, dtype);
      } else {
        if (entry.full === undefined) {
          const graph = buildMlpGraph(architecture, dtype, withNoise, true);
          entry.full = { graph, sessions: new Map(), feeds: fullBatchFeeds(graph, entry.samples, dtype) };
        }
        variant = entry.full;
        feeds = { ...entry.full.feeds };
      }
      const { graph } = variant;
      const rows = batch === undefined ? samples.count : batch.length;
      const session = sessionFor(variant, dtype, rows);
      feedParameters(runtime, dtype, layout, theta, graph.layers, feeds);
      const results = session.run(feeds, graph.outputs);
      // The graph's outputs are the gradient of ½‖e‖²; loss = c‖e‖², so the gradient is 2c times them.
      const c = lossScale(loss, rows);
      const factor = 2 * c;
      const gradient = allocate(dtype, layout.size);
      gatherLayerBlocks(
        layout,
        graph.layers.map((t) => ({
          weight: t.weightGradient,
          transposed: t.weightGradientTransposed,
          bias: t.biasGradient,
        })),
        results,
        gradient,
        factor,
      );
      return { loss: c * Number((results[SSE_OUTPUT].data as FloatArray)[0]), gradient };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const entry of prepared.values()) {
        for (const variant of [entry.full, entry.plain, entry.batch]) {
          for (const session of variant?.sessions.values() ?? []) session.dispose();
        }
      }
      prepared.clear();
      onDispose();
    },
  };
}
