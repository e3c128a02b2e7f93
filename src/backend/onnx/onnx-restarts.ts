import { allocate, type DType, dtypeOf, type FloatArray } from '../../core/dtype.js';
import { BasinError, InvalidArgumentError, requireInteger } from '../../core/errors.js';
import { type Architecture, parameterLayout } from '../../model/architecture.js';
import { checkCompatible } from '../../model/forward.js';
import { type LossKind, lossScale } from '../../model/loss.js';
import { type Samples, samplesAs } from '../../model/samples.js';
import { checkRestartThetas, type RestartsObjective } from '../restarts.js';
import { floatTensor } from './feeds.js';
import { checkBatch } from '../../model/samples.js';
import { buildRestartsGraph, RESTARTS_TENSORS as T, restartsUnsupportedReason } from './restarts-graph.js';
import type { OnnxRuntime, OrtTensor, SyncSession } from './runtime.js';
import { sessionForWork } from './threads.js';

/**
 * Networks per session run. Each run's hidden activations (N × G·d1) should stay in cache: 16 networks of case
 * (b) make 1600 × 640 floats (4 MB in float32), which measured fastest on the project's machine
 * (docs/performance.md).
 */
export const DEFAULT_RESTART_GROUP = 16;

export interface OnnxRestartsOptions {
  /** Intra-op threads; default: by the work of one run (`threadsFor`). */
  readonly threads?: number;
  readonly groupSize?: number;
}

interface Prepared {
  readonly model: Uint8Array;
  /** Sessions by thread count (see `threadsFor`). */
  readonly sessions: Map<number, SyncSession>;
  readonly data: Readonly<Record<string, OrtTensor>>;
  readonly samples: Samples;
  /** Gathered parameters of all K networks ([W b] row by row, z, c), reused across evaluations. */
  readonly w: FloatArray;
  readonly z: FloatArray;
  readonly c: FloatArray;
}

/** K one-hidden-layer networks on the same X through the batched graph of restarts-graph.ts. */
export function onnxRestartsObjective(
  runtime: OnnxRuntime,
  architecture: Architecture,
  loss: LossKind,
  samples: Samples,
  restarts: number,
  options: OnnxRestartsOptions,
  onDispose: () => void = () => undefined,
): RestartsObjective {
  requireInteger('restarts', restarts, 1);
  const groupSize = requireInteger('groupSize', options.groupSize ?? DEFAULT_RESTART_GROUP, 1);
  const why = restartsUnsupportedReason(architecture);
  if (why !== undefined) throw new InvalidArgumentError('architecture', why, architecture.hidden.length);
  const layout = parameterLayout(architecture);
  checkCompatible(architecture, new Float64Array(layout.size), samples);
  const [hiddenLayer, outputLayer] = layout.layers;
  const d0 = architecture.inputDim;
  const d1 = hiddenLayer.outputs;
  const hiddenBias = hiddenLayer.biasOffset;
  /** Columns of x and w: d0, and one more (ones in x, b in w) with a hidden bias. */
  const columns = d0 + (hiddenBias === undefined ? 0 : 1);
  const prepared = new Map<DType, Prepared>();
  let disposed = false;

  /** x ([X 1] with a hidden bias), y and transposed noise of the rows `batch` of `stored` (all rows without one). */
  const dataFeeds = (stored: Samples, dtype: DType, batch?: Int32Array): Record<string, OrtTensor> => {
    const count = batch?.length ?? stored.count;
    const row = batch === undefined ? (r: number): number => r : (r: number): number => batch[r];
    let x = stored.x;
    let y = stored.y;
    if (batch !== undefined || columns !== d0) {
      x = allocate(dtype, count * columns);
      for (let r = 0; r < count; r++) {
        x.set(stored.x.subarray(row(r) * d0, (row(r) + 1) * d0), r * columns);
        if (columns !== d0) x[r * columns + d0] = 1;
      }
    }
    if (batch !== undefined) {
      y = allocate(dtype, count);
      for (let r = 0; r < count; r++) y[r] = stored.y[row(r)];
    }
    const feeds: Record<string, OrtTensor> = {
      [T.x]: floatTensor(runtime, dtype, x, [count, columns]),
      [T.y]: floatTensor(runtime, dtype, y, [1, 1, count]),
    };
    if (stored.slopeNoise) {
      const noise = stored.slopeNoise[0];
      const transposed = allocate(dtype, count * d1);
      for (let r = 0; r < count; r++) {
        const from = row(r) * d1;
        for (let j = 0; j < d1; j++) transposed[j * count + r] = noise[from + j];
      }
      feeds[T.noise] = floatTensor(runtime, dtype, transposed, [1, d1, count]);
    }
    return feeds;
  };

  const prepare = (dtype: DType): Prepared => {
    let entry = prepared.get(dtype);
    if (entry === undefined) {
      const converted = samplesAs(samples, dtype);
      entry = {
        model: buildRestartsGraph(architecture, dtype, samples.slopeNoise !== undefined),
        sessions: new Map(),
        samples: converted,
        data: dataFeeds(converted, dtype),
        w: allocate(dtype, restarts * d1 * columns),
        z: allocate(dtype, restarts * d1),
        c: allocate(dtype, restarts),
      };
      prepared.set(dtype, entry);
    }
    return entry;
  };

  const sessionFor = (entry: Prepared, dtype: DType, rows: number): SyncSession =>
    sessionForWork(
      runtime,
      entry.model,
      entry.sessions,
      dtype,
      rows * Math.min(groupSize, restarts) * (d1 * d0 + d1),
      options.threads,
    );

  const outputs = [
    T.sse,
    T.hiddenWeightsGradient,
    T.outputWeightsGradient,
    ...(outputLayer.biasOffset === undefined ? [] : [T.outputBiasGradient]),
  ];

  return {
    backend: 'onnx',
    restarts,
    parameterCount: layout.size,
    sampleCount: samples.count,
    evaluateEach(thetas, batch) {
      if (disposed) throw new BasinError('objective: evaluated after dispose()');
      checkRestartThetas(thetas, restarts, layout.size);
      const dtype = dtypeOf(thetas);
      const entry = prepare(dtype);
      const data =
        batch === undefined ? entry.data : dataFeeds(entry.samples, dtype, checkBatch(batch, samples.count));
      const rows = batch === undefined ? samples.count : batch.length;
      const { w, z, c } = entry;
      const session = sessionFor(entry, dtype, rows);
      const size = layout.size;
      for (let k = 0; k < restarts; k++) {
        const base = k * size;
        for (let j = 0; j < d1; j++) {
          const row = (k * d1 + j) * columns;
          const from = base + hiddenLayer.weightOffset + j * d0;
          w.set(thetas.subarray(from, from + d0), row);
          if (hiddenBias !== undefined) w[row + d0] = thetas[base + hiddenBias + j];
        }
        z.set(thetas.subarray(base + outputLayer.weightOffset, base + outputLayer.weightOffset + d1), k * d1);
        if (outputLayer.biasOffset !== undefined) c[k] = thetas[base + outputLayer.biasOffset];
      }
      // The graph returns ‖e_g‖² and the gradient of ½‖e_g‖²; loss_g = scale·‖e_g‖².
      const scale = lossScale(loss, rows);
      const factor = 2 * scale;
      const losses = new Float64Array(restarts);
      const gradients = allocate(dtype, thetas.length);
      for (let first = 0; first < restarts; first += groupSize) {
        const count = Math.min(groupSize, restarts - first);
        const feeds: Record<string, OrtTensor> = {
          ...data,
          [T.hiddenWeights]: floatTensor(
            runtime,
            dtype,
            w.subarray(first * d1 * columns, (first + count) * d1 * columns),
            [count * d1, columns],
          ),
          [T.outputWeights]: floatTensor(runtime, dtype, z.subarray(first * d1, (first + count) * d1), [
            count,
            d1,
          ]),
        };
        if (outputLayer.biasOffset !== undefined) {
          feeds[T.outputBias] = floatTensor(runtime, dtype, c.subarray(first, first + count), [count]);
        }
        const results = session.run(feeds, outputs);
        const sse = results[T.sse].data as FloatArray;
        const gw = results[T.hiddenWeightsGradient].data as FloatArray;
        const gz = results[T.outputWeightsGradient].data as FloatArray;
        const gc = results[T.outputBiasGradient]?.data as FloatArray | undefined;
        for (let i = 0; i < count; i++) {
          const base = (first + i) * size;
          losses[first + i] = scale * sse[i];
          for (let j = 0; j < d1; j++) {
            const row = (i * d1 + j) * columns;
            const to = base + hiddenLayer.weightOffset + j * d0;
            for (let m = 0; m < d0; m++) gradients[to + m] = factor * gw[row + m];
            if (hiddenBias !== undefined) gradients[base + hiddenBias + j] = factor * gw[row + d0];
          }
          const zOffset = base + outputLayer.weightOffset;
          for (let j = 0; j < d1; j++) gradients[zOffset + j] = factor * gz[i * d1 + j];
          if (gc !== undefined) gradients[base + outputLayer.biasOffset!] = factor * gc[i];
        }
      }
      return { losses, gradients };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const entry of prepared.values()) for (const session of entry.sessions.values()) session.dispose();
      prepared.clear();
      onDispose();
    },
  };
}
