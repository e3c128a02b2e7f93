import { describeArchitecture } from '../../../src/model/architecture.js';
import { serialiseWeights } from '../../../src/io/weights-format.js';
import { parseCsvData } from '../csv-data.js';
import { certifyPoint } from './certificate.js';
import { inputPicture, multistartSegment, sliceAround } from './landscape-tasks.js';
import { buildProblem, type Problem } from './problem.js';
import type { WorkerPayload, WorkerReply, WorkerRequest } from './protocol.js';
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

function handle(request: WorkerRequest): WorkerPayload {
  switch (request.kind) {
    case 'train': {
      const csv = request.csvText === undefined ? undefined : parseCsvData(request.csvText);
      const problem = buildProblem(request.state, csv);
      let lastPost = 0;
      const result = trainProblem(problem, request.state, 0, (progress) => {
        // Posting every epoch would flood the page; ~30 updates a second keep the curve live.
        const now = performance.now();
        if (now - lastPost < 33 && progress.epoch + 1 < progress.maxEpochs) return;
        lastPost = now;
        scope.postMessage({
          id: request.id,
          kind: 'progress',
          epoch: progress.epoch,
          loss: progress.loss,
          label: 'training',
        });
      });
      const theta = Float64Array.from(result.theta);
      current = { problem, theta };
      return {
        kind: 'train',
        description: problem.description,
        inputDim: problem.samples.inputDim,
        x: Float64Array.from(problem.samples.x),
        y: Float64Array.from(problem.samples.y),
        theta,
        weightsJson: serialiseWeights({
          architecture: problem.architecture,
          loss: problem.loss,
          dtype: 'float64',
          theta,
          ...(problem.slopeNoise ? { slopeNoise: problem.slopeNoise } : {}),
          provenance: { source: 'basin explorer', data: problem.description },
        }),
        architecture: describeArchitecture(problem.architecture),
        epochs: result.epochs,
        stopReason: result.stopReason,
        finalLoss: result.finalLoss,
        gradientNorm: result.gradientNorm,
        traceEpochs: result.trace.epochs,
        traceLoss: result.trace.loss,
        picture: inputPicture(problem, theta, problem.samples.inputDim === 1 ? 400 : 160),
      };
    }
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
      const result = multistartSegment(problem, request.state, (done, loss) =>
        scope.postMessage({ id: request.id, kind: 'progress', epoch: done, loss, label: 'restart' }),
      );
      return { kind: 'segment', ...result };
    }
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  try {
    scope.postMessage({ id: request.id, kind: 'done', payload: handle(request) });
  } catch (error) {
    scope.postMessage({
      id: request.id,
      kind: 'error',
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
