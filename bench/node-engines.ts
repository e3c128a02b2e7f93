import os from 'node:os';

import { allocate, type DType, dtypeOf, type FloatArray } from '../src/core/dtype.js';
import { InvalidArgumentError } from '../src/core/errors.js';
import type { Architecture } from '../src/model/architecture.js';
import { onnxBackend } from '../src/backend/onnx/onnx-backend.js';
import { lossAndGradient } from '../src/model/gradient.js';
import type { Samples } from '../src/model/samples.js';

/** One step of a benchmark case on `restarts` networks (θ_k in `thetas`); returns network 0's loss. */
export type BenchStep = () => number;

/** Something the benchmark can time in a node process. */
export interface NodeEngine {
  readonly name: string;
  readonly description: string;
  /** Threads it uses; `auto` when the backend chooses per problem size. */
  readonly threads: number | 'auto';
  prepare(
    architecture: Architecture,
    samples: Samples,
    thetas: readonly FloatArray[],
    dtype: DType,
  ): BenchStep;
}

/** basin's closed-form backprop in plain TypeScript (`lossAndGradient`), one network after the other, one thread. */
const referenceEngine: NodeEngine = {
  name: 'basin-reference',
  description: 'plain TypeScript lossAndGradient, one thread, networks one after the other',
  threads: 1,
  prepare(architecture, samples, thetas) {
    return () => {
      let first = NaN;
      thetas.forEach((theta, k) => {
        const { loss } = lossAndGradient(architecture, 'mse', theta, samples);
        if (k === 0) first = loss;
      });
      return first;
    };
  },
};

/**
 * The ONNX Runtime backend with `threads` intra-op threads: one network through its `Objective`; K restarts
 * through its `RestartsObjective` (shared X, batched products).
 */
function onnxEngine(name: string, threads: number | 'auto'): NodeEngine {
  return {
    name,
    description: `onnxruntime-node backend (src/backend/onnx), ${threads} thread(s); restarts batched on the shared X`,
    threads,
    prepare(architecture, samples, thetas) {
      const backend = onnxBackend(threads === 'auto' ? {} : { threads });
      if (thetas.length === 1) {
        const objective = backend.objective(architecture, 'mse', samples);
        return () => objective.evaluate(thetas[0]).loss;
      }
      const restarts = backend.restartsObjective(architecture, 'mse', samples, thetas.length);
      const stacked = allocate(dtypeOf(thetas[0]), thetas.length * restarts.parameterCount);
      thetas.forEach((theta, k) => stacked.set(theta, k * restarts.parameterCount));
      return () => restarts.evaluateEach(stacked).losses[0];
    },
  };
}

/**
 * `basin-onnx` is the backend as `chooseBackend` configures it (threads chosen by problem size); the `-1t` and
 * `-<n>t` variants fix the thread count, to check that choice on this machine.
 */
export const NODE_ENGINES: readonly NodeEngine[] = [
  referenceEngine,
  onnxEngine('basin-onnx', 'auto'),
  onnxEngine('basin-onnx-1t', 1),
  ...(os.availableParallelism() > 1
    ? [onnxEngine(`basin-onnx-${os.availableParallelism()}t`, os.availableParallelism())]
    : []),
];

export function nodeEngine(name: string): NodeEngine {
  const found = NODE_ENGINES.find((engine) => engine.name === name);
  if (!found) {
    throw new InvalidArgumentError('engine', `one of ${NODE_ENGINES.map((e) => e.name).join(', ')}`, name);
  }
  return found;
}
