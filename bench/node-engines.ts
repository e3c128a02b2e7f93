import os from 'node:os';

import { allocate, type DType, dtypeOf, type FloatArray } from '../src/core/dtype.js';
import { InvalidArgumentError } from '../src/core/errors.js';
import type { Architecture } from '../src/model/architecture.js';
import type { BackendObjective } from '../src/backend/backend.js';
import { onnxBackend } from '../src/backend/onnx/onnx-backend.js';
import { chooseBackend } from '../src/backend/select.js';
import { lossAndGradient } from '../src/model/gradient.js';
import type { Samples } from '../src/model/samples.js';
import type { Objective } from '../src/train/objective.js';
import { type EpochProgress, type TrainResult, trainingSteps } from '../src/train/train.js';

/**
 * One timed run of a benchmark case: a step of `restarts` networks (θ_k in `thetas`), returning network 0's loss, or
 * one epoch, returning the epoch's mean minibatch loss. May be asynchronous (a GPU engine): the timing waits for the
 * promise (bench/timing.ts `timeRepeatedlyAsync`); a synchronous engine returns a number and is timed without an await.
 */
export type BenchStep = (() => number | Promise<number>) & {
  /** What ran the step, when the engine can say (the WebGPU adapter). */
  readonly adapter?: string;
};

/** Case (d)'s problem: one epoch of Adam (PyTorch's form, constant learning rate) from `theta` on `samples`. */
export interface EpochProblem {
  readonly architecture: Architecture;
  readonly samples: Samples;
  /** θ₀; every timed epoch starts from it, with fresh Adam state. */
  readonly theta: FloatArray;
  readonly dtype: DType;
  readonly batchSize: number;
  readonly adam: {
    readonly learningRate: number;
    readonly beta1: number;
    readonly beta2: number;
    readonly epsilon: number;
  };
  /** Seed of the minibatch order (`train`'s `shuffleSeed`): every timed epoch visits the rows in the same order. */
  readonly shuffleSeed: number;
}

export interface EpochRun {
  /** One epoch from θ₀ (timed); returns the mean of its minibatch losses, weighted by batch size. */
  readonly step: BenchStep;
  /** The full-batch loss at θ after the latest `step` (untimed; a check that the engines agree). */
  finalLoss(): number | Promise<number>;
}

/** Something the benchmark can time in a node process. */
export interface NodeEngine {
  readonly name: string;
  readonly description: string;
  /** Threads it uses; `auto` when the backend chooses per problem size. */
  readonly threads: number | 'auto';
  /** Where it computes; `cpu` when left out. GPU engines are compared with PyTorch CUDA (`--gpu`). */
  readonly device?: 'cpu' | 'gpu';
  /** Precisions it computes in; both when left out. The run leaves the others out for it and says so. */
  readonly dtypes?: readonly DType[];
  /** Not in the default engine list: runs when named in `--engines` (or, for GPU engines, with `--gpu`). */
  readonly optIn?: boolean;
  prepare(
    architecture: Architecture,
    samples: Samples,
    thetas: readonly FloatArray[],
    dtype: DType,
  ): BenchStep | Promise<BenchStep>;
  /** Case (d). Engines without it are left out of epoch cases (the run says so). */
  prepareEpoch?(problem: EpochProblem): EpochRun | Promise<EpochRun>;
}

/**
 * One Adam epoch through basin's own `train` on `objective`, as `basin train` runs it: `train`'s seeded shuffle,
 * its minibatch gather (`objective.evaluate(θ, batch)`) and its Adam update. The timed part is `train`'s loop up to
 * the end of the epoch; the full-batch loss that `train` computes before it returns (a PyTorch epoch has no such
 * evaluation) runs afterwards, untimed, when `finalLoss` is asked for.
 */
export function trainEpochRun(objective: Objective, problem: EpochProblem): EpochRun {
  let pending: Generator<EpochProgress, TrainResult, void> | undefined;
  let result: TrainResult | undefined;
  const finish = (): TrainResult => {
    if (result === undefined) {
      if (pending === undefined) throw new Error('no epoch has run yet');
      const next = pending.next();
      if (next.done !== true) throw new Error('train ran past its single epoch');
      result = next.value;
    }
    return result;
  };
  return {
    step() {
      // An unfinished generator of the previous epoch is dropped (it holds no resources).
      result = undefined;
      pending = trainingSteps({
        objective,
        initialTheta: problem.theta,
        optimiser: { kind: 'adam', batchSize: problem.batchSize, ...problem.adam },
        schedule: { kind: 'constant', learningRate: problem.adam.learningRate },
        stopping: { maxEpochs: 1 },
        shuffleSeed: problem.shuffleSeed,
      });
      const first = pending.next();
      if (first.done === true) throw new Error(`train stopped before its epoch: ${first.value.stopReason}`);
      return first.value.loss;
    },
    finalLoss: () => finish().finalLoss,
  };
}

function epochObjective(
  backend: 'reference' | 'onnx',
  problem: EpochProblem,
  threads?: number,
): BackendObjective {
  const { architecture, samples, batchSize } = problem;
  // chooseBackend as `basin train --backend <name>` calls it; with `auto`, case (d)'s 512-row minibatches
  // (25 million multiply-adds) pick the same ONNX backend (the run records `autoBackend`).
  const choice = chooseBackend(
    backend,
    { architecture, loss: 'mse', samples },
    { rowsPerEvaluation: batchSize, ...(threads === undefined ? {} : { threads }) },
  );
  return choice.backend.objective(architecture, 'mse', samples);
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
  prepareEpoch: (problem) => trainEpochRun(epochObjective('reference', problem), problem),
};

/**
 * The ONNX Runtime backend with `threads` intra-op threads: one network through its `Objective`; K restarts
 * through its `RestartsObjective` (shared X, batched products); an epoch through `train` on its `Objective`.
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
    prepareEpoch: (problem) =>
      trainEpochRun(epochObjective('onnx', problem, threads === 'auto' ? undefined : threads), problem),
  };
}

/**
 * The WebGPU backend (src/backend/webgpu, float32 only) through bench/webgpu-engine.ts: a full-batch step with only
 * the loss read back. Loaded on first use, so runs without it never load Dawn. On a machine without a GPU, Dawn may
 * pick Mesa's llvmpipe (software): the adapter is recorded with the timings, and such figures are CPU figures.
 */
const webgpuEngine: NodeEngine = {
  name: 'basin-webgpu',
  description: 'WebGPU backend (src/backend/webgpu) via bench/webgpu-engine.ts, float32, full-batch step',
  threads: 1,
  device: 'gpu',
  dtypes: ['float32'],
  optIn: true,
  async prepare(architecture, samples, thetas) {
    const { webgpuBenchStep } = await import('./webgpu-engine.js');
    return webgpuBenchStep(architecture, samples, thetas);
  },
};

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
  webgpuEngine,
];

export function nodeEngine(name: string): NodeEngine {
  const found = NODE_ENGINES.find((engine) => engine.name === name);
  if (!found) {
    throw new InvalidArgumentError('engine', `one of ${NODE_ENGINES.map((e) => e.name).join(', ')}`, name);
  }
  return found;
}
