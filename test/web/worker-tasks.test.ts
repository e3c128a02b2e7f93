import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lossValue } from '../../src/model/gradient.js';
import { DEFAULT_STATE, type ExplorerState } from '../../web/src/state.js';
import { certifyPoint, DENSE_SPECTRUM_LIMIT } from '../../web/src/worker/certificate.js';
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

describe('explorer worker tasks', async () => {
  const problem = await buildProblem(state, undefined);

  it('trains the playground problem deterministically and lowers the loss', async () => {
    const first = await trainProblem(problem, state);
    const again = await trainProblem(problem, state);
    assert.deepEqual(first.theta, again.theta);
    const start = lossValue(problem.architecture, problem.loss, first.initialTheta, problem.samples);
    assert.ok(first.finalLoss < start, `${first.finalLoss} < ${start}`);
  });

  it('draws the 2-D input space and slices around the trained point', async () => {
    const theta = Float64Array.from((await trainProblem(problem, state)).theta);
    const picture = inputPicture(problem, theta, 40)!;
    assert.equal(picture.regions.output.length, 40 * 40);
    assert.ok(picture.regions.regionCount >= 1);
    const slice = sliceAround(problem, state, theta);
    assert.equal(
      slice.loss[4 * 9 + 4],
      lossValue(problem.architecture, problem.loss, theta, problem.samples),
    );
  });

  it('joins the worst and the best restart by a segment', async () => {
    const result = await multistartSegment(problem, state);
    assert.equal(result.finalLosses.length, 3);
    assert.equal(result.profile.endpoints[0], result.finalLosses[result.worst]);
    assert.equal(result.profile.endpoints[1], result.finalLosses[result.best]);
  });

  it('certifies with the library’s certificate', async () => {
    const theta = Float64Array.from((await trainProblem(problem, state)).theta);
    const report = certifyPoint(problem, theta);
    // The (deterministic) run ends, after polishing, at a critical point with positive loss, away from every kink,
    // of a one-hidden-layer ReLU net with scalar output and every vᵢ ≠ 0. The exact kink test reduces there to
    // ∇L = 0, which makes the point a local minimum (docs/certification.md: such nets have no smooth saddles).
    // (mse on ±1 labels: the loss scale c·‖y‖² is 1, so tolerances relative to it are absolute here.)
    assert.ok(report.polished);
    assert.ok(report.gradientNorm <= 1e-12, `‖∇L‖ = ${report.gradientNorm}`);
    assert.ok(report.loss > 0.5, `L = ${report.loss}`);
    assert.equal(report.nearKinkCount, 0);
    assert.equal(report.verdict, 'local-min');
    assert.equal(report.rule, 'convex-pieces');
    // A local minimum's Hessian is positive semi-definite: the dense spectrum (P = 17) agrees.
    assert.equal(report.spectrumMethod, 'dense');
    assert.equal(report.eigenvalues?.length, report.parameterCount);
    assert.ok(report.eigenvalues![0] >= -report.zeroThreshold, `λ_min = ${report.eigenvalues![0]}`);
  });

  it('certifies a net above the dense limit from Lanczos estimates: a deep linear net on XOR', async () => {
    // Linear activations make every net an affine map of x. XOR's targets y = (−1, 1, 1, −1) are orthogonal to
    // the columns x₁ = (0, 0, 1, 1), x₂ = (0, 1, 0, 1) and 1, so the best affine fit is 0 and min L = mean(y²) = 1
    // (mse): the polished point, with L = 1, is a global minimum, so no Ritz value can be negative. Without zero
    // loss or a known optimum, the verdict is Lanczos's estimated local minimum.
    const linearState: ExplorerState = {
      ...state,
      data: { ...state.data, kind: 'xor' },
      model: { ...state.model, widths: [30, 20], activation: 'linear' },
      optimiser: { ...state.optimiser, learningRate: 0.01, epochs: 50 },
    };
    const xorProblem = await buildProblem(linearState, undefined);
    const theta = Float64Array.from((await trainProblem(xorProblem, linearState)).theta);
    const report = certifyPoint(xorProblem, theta);
    assert.ok(report.parameterCount > DENSE_SPECTRUM_LIMIT, `P = ${report.parameterCount}`);
    assert.equal(report.spectrumMethod, 'lanczos');
    assert.ok(report.gradientNorm <= 1e-12, `‖∇L‖ = ${report.gradientNorm}`);
    assert.ok(Math.abs(report.loss - 1) < 1e-12, `L = ${report.loss}`);
    assert.equal(report.verdict, 'local-min');
    assert.equal(report.rule, 'lanczos');
    assert.match(report.explanation, /does not prove their absence/);
    // Lanczos's 3 smallest and 3 largest Ritz values, ascending.
    assert.equal(report.eigenvalues?.length, 6);
    assert.ok(report.eigenvalues![0] >= -report.zeroThreshold);
  });

  it('names a missing CSV instead of training on nothing', async () => {
    await assert.rejects(
      () => buildProblem({ ...state, data: { ...state.data, kind: 'csv' } }, undefined),
      /needs an uploaded file/,
    );
  });
});
