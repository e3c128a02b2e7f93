import { model, train } from 'basin';
import { parseCsvData } from '../csv-data.js';
import { certifyPoint } from './certificate.js';
import { gpuInfo, gpuSettingsReason } from './gpu-training.js';
import { inputPicture, multistartSegment, sliceAround } from './landscape-tasks.js';
import { buildProblem, type Problem } from './problem.js';
import type { EngineUsed, TrainedPayload, WorkerPayload, WorkerReply, WorkerRequest } from './protocol.js';
import { trainProblem } from './training.js';

/**
 * The training worker: runs the library off the page's thread so the page stays responsive. It keeps the current
 * problem and trained point between requests. Requests run one at a time, in order; "stop" terminates the worker.
 */
const scope = self as unknown as {
  postMessage(message: WorkerReply): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
};

let current: { problem: Problem; theta: Float64Array } | undefined;

function requireTrained(): { problem: Problem; theta: Float64Array } {
  if (!current) throw new Error('no trained network yet: press Train first');
  return current;
}

type TrainRun = Pick<TrainedPayload, 'epochs' | 'stopReason' | 'finalLoss' | 'gradientNorm'> & {
  readonly theta: ArrayLike<number>;
  readonly trace: { readonly epochs: readonly number[]; readonly loss: readonly number[] };
};

/**
 * Trains on the WebGPU engine when the state asks for it and the settings and the device allow, else on the CPU
 * (the reason WebGPU was not used goes back with the result). Both through the run pipeline (training.ts).
 */
async function trainRequest(request: Extract<WorkerRequest, { kind: 'train' }>): Promise<TrainedPayload> {
  const csv = request.csvText === undefined ? undefined : parseCsvData(request.csvText);
  const problem = await buildProblem(request.state, csv);
  const progress = (epoch: number, loss: number): void =>
    scope.postMessage({ id: request.id, kind: 'progress', epoch, loss, label: 'training' });
  let lastPost = 0;
  const onEpoch = (epoch: train.EpochProgress): void => {
    // Posting every epoch would flood the page; ~30 updates a second keep the curve live.
    const now = performance.now();
    if (now - lastPost < 33 && epoch.epoch + 1 < epoch.maxEpochs) return;
    lastPost = now;
    progress(epoch.epoch, epoch.loss);
  };
  let result: TrainRun | undefined;
  let engine: EngineUsed = { name: 'cpu' };
  if (request.state.optimiser.engine === 'webgpu') {
    const info = await gpuInfo();
    const reason = gpuSettingsReason(problem) ?? (info.available ? undefined : info.reason);
    if (reason !== undefined) engine = { name: 'cpu', note: `WebGPU not used: ${reason}` };
    else {
      const gpu = await trainProblem(problem, request.state, 0, onEpoch, 'webgpu');
      // The GPU's closing loss is float32's; the page shows the float64 loss of the same point.
      const theta = Float64Array.from(gpu.theta);
      const final = train
        .referenceObjective(problem.architecture, problem.loss, problem.samples)
        .evaluate(theta);
      result = { ...gpu, theta, finalLoss: final.loss, gradientNorm: train.norm2(final.gradient) };
      engine = { name: 'webgpu', adapter: gpu.run.backend.adapter ?? 'unknown adapter' };
    }
  }
  result ??= await trainProblem(problem, request.state, 0, onEpoch);
  return pointPayload(problem, Float64Array.from(result.theta), result, engine);
}

/** The playground's current point, its data and picture; `run` says how it was reached (training, or none). */
function pointPayload(
  problem: Problem,
  theta: Float64Array,
  run: Omit<TrainRun, 'theta'>,
  engine: EngineUsed,
): TrainedPayload {
  current = { problem, theta };
  return {
    kind: 'train',
    engine,
    description: problem.description,
    inputDim: problem.samples.inputDim,
    x: Float64Array.from(problem.samples.x),
    y: Float64Array.from(problem.samples.y),
    theta,
    weightsJson: model.serialiseWeights({
      architecture: problem.architecture,
      loss: problem.loss,
      dtype: 'float64',
      theta,
      ...(problem.slopeNoise ? { slopeNoise: problem.slopeNoise } : {}),
      provenance: { source: 'basin explorer', data: problem.description },
    }),
    architecture: model.describeArchitecture(problem.architecture),
    epochs: run.epochs,
    stopReason: run.stopReason,
    finalLoss: run.finalLoss,
    gradientNorm: run.gradientNorm,
    traceEpochs: run.trace.epochs,
    traceLoss: run.trace.loss,
    picture: inputPicture(problem, theta, problem.samples.inputDim === 1 ? 400 : 160),
  };
}

/** Makes a given θ the current point (a minimum from a landscape record): its loss and gradient, no training. */
async function loadRequest(request: Extract<WorkerRequest, { kind: 'load' }>): Promise<TrainedPayload> {
  const problem = await buildProblem(request.state, undefined);
  const size = model.parameterCount(problem.architecture);
  if (request.theta.length !== size) {
    throw new Error(
      `θ has ${request.theta.length} entries, but ${model.describeArchitecture(problem.architecture)} has ${size} parameters`,
    );
  }
  const theta = Float64Array.from(request.theta);
  const point = train.referenceObjective(problem.architecture, problem.loss, problem.samples).evaluate(theta);
  const run = {
    epochs: 0,
    stopReason: undefined,
    finalLoss: point.loss,
    gradientNorm: train.norm2(point.gradient),
    trace: { epochs: [], loss: [] },
  };
  return pointPayload(problem, theta, run, { name: 'cpu' });
}

async function handle(request: WorkerRequest): Promise<WorkerPayload> {
  switch (request.kind) {
    case 'train':
      return trainRequest(request);
    case 'load':
      return loadRequest(request);
    case 'gpu-info':
      return { kind: 'gpu-info', info: await gpuInfo() };
    case 'certify': {
      const { problem, theta } = requireTrained();
      return { kind: 'certify', report: certifyPoint(problem, theta) };
    }
    case 'slice': {
      const { problem, theta } = requireTrained();
      return { kind: 'slice', slice: sliceAround(problem, request.state, theta) };
    }
    case 'segment': {
      const { problem } = requireTrained();
      const result = await multistartSegment(problem, request.state, (done, loss) =>
        scope.postMessage({ id: request.id, kind: 'progress', epoch: done, loss, label: 'restart' }),
      );
      return { kind: 'segment', ...result };
    }
  }
}

// GPU training is asynchronous: requests still run one at a time, in the order they came.
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event) => {
  const request = event.data;
  queue = queue.then(async () => {
    try {
      scope.postMessage({ id: request.id, kind: 'done', payload: await handle(request) });
    } catch (error) {
      scope.postMessage({
        id: request.id,
        kind: 'error',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  });
};
