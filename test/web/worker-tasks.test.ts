import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lossValue } from '../../src/model/gradient.js';
import { DEFAULT_STATE, type ExplorerState } from '../../web/src/state.js';
import { certifyPoint } from '../../web/src/worker/certificate.js';
import { inputPicture, multistartSegment, sliceAround } from '../../web/src/worker/landscape-tasks.js';
import { buildProblem } from '../../web/src/worker/problem.js';
import { trainProblem } from '../../web/src/worker/training.js';

// The worker's tasks run in Node exactly as in the browser: these tests call them directly.
const state: ExplorerState = {
  ...DEFAULT_STATE,
  data: { ...DEFAULT_STATE.data, kind: 'jellyfish' },
  model: { ...DEFAULT_STATE.model, widths: [4] },
  optimiser: { kind: 'adam', learningRate: 0.05, batchSize: 4, epochs: 300, engine: 'cpu' },
  landscape: { ...DEFAULT_STATE.landscape, resolution: 9, restarts: 3 },
};

describe('explorer worker tasks', () => {
  const problem = buildProblem(state, undefined);

  it('trains the playground problem deterministically and lowers the loss', () => {
    const first = trainProblem(problem, state);
    const again = trainProblem(problem, state);
    assert.deepEqual(first.theta, again.theta);
    const start = lossValue(problem.architecture, problem.loss, first.initialTheta, problem.samples);
    assert.ok(first.finalLoss < start, `${first.finalLoss} < ${start}`);
  });

  it('draws the 2-D input space and slices around the trained point', () => {
    const theta = Float64Array.from(trainProblem(problem, state).theta);
    const picture = inputPicture(problem, theta, 40)!;
    assert.equal(picture.regions.output.length, 40 * 40);
    assert.ok(picture.regions.regionCount >= 1);
    const slice = sliceAround(problem, state, theta);
    assert.equal(
      slice.loss[4 * 9 + 4],
      lossValue(problem.architecture, problem.loss, theta, problem.samples),
    );
  });

  it('joins the worst and the best restart by a segment', () => {
    const result = multistartSegment(problem, state);
    assert.equal(result.finalLosses.length, 3);
    assert.equal(result.profile.endpoints[0], result.finalLosses[result.worst]);
    assert.equal(result.profile.endpoints[1], result.finalLosses[result.best]);
  });

  it('certifies with the library’s certificate', () => {
    const theta = Float64Array.from(trainProblem(problem, state).theta);
    const report = certifyPoint(problem, theta);
    assert.ok(
      ['global', 'local-min', 'saddle', 'degenerate', 'non-differentiable', 'not-critical'].includes(
        report.verdict,
      ),
    );
    assert.equal(report.eigenvalues?.length, report.parameterCount);
  });

  it('names a missing CSV instead of training on nothing', () => {
    assert.throws(
      () => buildProblem({ ...state, data: { ...state.data, kind: 'csv' } }, undefined),
      /needs an uploaded file/,
    );
  });
});
