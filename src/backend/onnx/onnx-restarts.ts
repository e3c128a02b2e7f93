import { allocate, type DType, dtypeOf, type FloatArray } from '../../core/dtype.js';
import { BasinError, InvalidArgumentError, requireInteger } from '../../core/errors.js';
import { type Architecture, parameterLayout } from '../../model/architecture.js';
import { checkCompatible } from '../../model/forward.js';
import { type LossKind, lossScale } from '../../model/loss.js';
import { type Samples, samplesAs, selectSamples } from '../../model/samples.js';
import { checkRestartThetas, type RestartsObjective } from '../restarts.js';
import { checkBatch, floatTensor } from './feeds.js';
import { buildRestartsGraph, RESTARTS_TENSORS as T, restartsUnsupportedReason } from './restarts-graph.js';
import type { OnnxRuntime, OrtTensor, SyncSession } from './runtime.js';
import { threadsFor } from './threads.js';

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
  /** Gathered parameters of all K networks, reused across evaluations. */
  readonly w: FloatArray;
  readonly b: FloatArray;
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
  const prepared = new Map<DType, Prepared>();
  let disposed = false;

  const dataFeeds = (rows: Samples, dtype: DType): Record<string, OrtTensor> => ({
    [T.x]: floatTensor(runtime, dtype, rows.x, [rows.count, d0]),
    [T.y]: floatTensor(runtime, dtype, rows.y, [rows.count, 1]),
    [T.scale]: floatTensor(runtime, dtype, Float64Array.of(lossScale(loss, rows.count)), []),
    ...(rows.slopeNoise
      ? { [T.noise]: floatTensor(runtime, dtype, rows.slopeNoise[0], [rows.count, d1]) }
      : {}),
  });

  const prepare = (dtype: DType): Prepared => {
    let entry = prepared.get(dtype);
    if (entry === undefined) {
      const converted = samplesAs(samples, dtype);
      entry = {
        model: buildRestartsGraph(architecture, dtype, samples.slopeNoise !== undefined),
        sessions: new Map(),
        samples: converted,
        data: dataFeeds(converted, dtype),
        w: allocate(dtype, restarts * d1 * d0),
        b: allocate(dtype, restarts * d1),
        z: allocate(dtype, restarts * d1),
        c: allocate(dtype, restarts),
      };
      prepared.set(dtype, entry);
    }
    return entry;
  };

  const sessionFor = (entry: Prepared, dtype: DType, rows: number): SyncSession => {
    const count = threadsFor(rows * Math.min(groupSize, restarts) * (d1 * d0 + d1), options.threads);
    let session = entry.sessions.get(count);
    if (session === undefined) {
      session = runtime.createSession(entry.model, {
        optimisation: dtype === 'float64' ? 'basic' : 'all',
        threads: count,
      });
      entry.sessions.set(count, session);
    }
    return session;
  };

  const outputs = [
    T.losses,
    T.hiddenWeightsGradient,
    T.outputWeightsGradient,
    ...(hiddenLayer.biasOffset === undefined ? [] : [T.hiddenBiasGradient]),
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
        batch === undefined
          ? entry.data
          : dataFeeds(selectSamples(entry.samples, checkBatch(batch, samples.count)), dtype);
      const { w, b, z, c } = entry;
      const session = sessionFor(entry, dtype, batch === undefined ? samples.count : batch.length);
      const size = layout.size;
      for (let k = 0; k < restarts; k++) {
        const base = k * size;
        w.set(thetas.subarray(base, base + d1 * d0), k * d1 * d0);
        if (hiddenLayer.biasOffset !== undefined) {
          b.set(thetas.subarray(base + hiddenLayer.biasOffset, base + hiddenLayer.biasOffset + d1), k * d1);
        }
        z.set(thetas.subarray(base + outputLayer.weightOffset, base + outputLayer.weightOffset + d1), k * d1);
        if (outputLayer.biasOffset !== undefined) c[k] = thetas[base + outputLayer.biasOffset];
      }
      const losses = new Float64Array(restarts);
      const gradients = allocate(dtype, thetas.length);
      for (let first = 0; first < restarts; first += groupSize) {
        const count = Math.min(groupSize, restarts - first);
        const feeds: Record<string, OrtTensor> = {
          ...data,
          [T.hiddenWeights]: floatTensor(
            runtime,
            dtype,
            w.subarray(first * d1 * d0, (first + count) * d1 * d0),
            [count * d1, d0],
          ),
          [T.outputWeights]: floatTensor(runtime, dtype, z.subarray(first * d1, (first + count) * d1), [
            count,
            d1,
          ]),
        };
        if (hiddenLayer.biasOffset !== undefined) {
          feeds[T.hiddenBias] = floatTensor(runtime, dtype, b.subarray(first * d1, (first + count) * d1), [
            count * d1,
          ]);
        }
        if (outputLayer.biasOffset !== undefined) {
          feeds[T.outputBias] = floatTensor(runtime, dtype, c.subarray(first, first + count), [count]);
        }
        const results = session.run(feeds, outputs);
        const groupLosses = results[T.losses].data as FloatArray;
        const gw = results[T.hiddenWeightsGradient].data as FloatArray;
        const gz = results[T.outputWeightsGradient].data as FloatArray;
        const gb = results[T.hiddenBiasGradient]?.data as FloatArray | undefined;
        const gc = results[T.outputBiasGradient]?.data as FloatArray | undefined;
        for (let i = 0; i < count; i++) {
          const base = (first + i) * size;
          losses[first + i] = groupLosses[i];
          gradients.set(gw.subarray(i * d1 * d0, (i + 1) * d1 * d0), base);
          if (gb !== undefined)
            gradients.set(gb.subarray(i * d1, (i + 1) * d1), base + hiddenLayer.biasOffset!);
          gradients.set(gz.subarray(i * d1, (i + 1) * d1), base + outputLayer.weightOffset);
          if (gc !== undefined) gradients[base + outputLayer.biasOffset!] = gc[i];
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
