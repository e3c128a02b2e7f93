import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { polish } from '../../src/certify/polish.js';
import { symmetricEigen } from '../../src/core/linalg/index.js';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { mlp } from '../../src/model/architecture.js';
import { denseHessian } from '../../src/model/hessian.js';
import { initialise } from '../../src/model/init.js';
import { referenceObjective } from '../../src/train/objective.js';
import { train } from '../../src/train/train.js';
import { pythonSkipReason, withPython } from './python-oracle.js';

/*
 * Regression for the dense eigenvalue solver on a real certificate Hessian. At a zero-loss end point of the Fig. 5.2
 * experiment (d0 = d1 = 10, N = 20, no biases: P = 110 parameters) H = (2/N)·JᵀJ has rank ≤ N, so at least 90 of its
 * 110 eigenvalues are 0. symmetricEigen used to throw ConvergenceError on it (QL deflation relative to the
 * neighbouring diagonal entries only), which certify/eigen.ts worked around by shifting the matrix.
 */
describe('symmetricEigen on the Fig. 5.2 end-point Hessian (90 zero eigenvalues of 110)', () => {
  const d = 10;
  const data = gaussianRandomLabels({ count: Math.floor((d * d) / 5), inputDim: d, seed: 52 });
  const architecture = mlp(d, [d], 1, { kind: 'leaky-relu', slope: 0 }, false);
  const trained = train({
    objective: referenceObjective(architecture, 'mse', data),
    initialTheta: initialise(architecture, { kind: 'pytorch' }, 2),
    optimiser: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    schedule: { kind: 'constant', learningRate: 1e-2 },
    stopping: { maxEpochs: 100 },
    shuffleSeed: 1,
  });
  const point = polish(architecture, 'mse', Float64Array.from(trained.theta), data);
  const size = point.theta.length;
  const hessian = denseHessian(architecture, 'mse', point.theta, data);

  it('converges without any shift, with N nonzero eigenvalues and P − N zeros', () => {
    assert.equal(point.stopReason, 'converged', point.detail);
    assert.ok(point.loss < 1e-25, `L = ${point.loss}`);
    const { values, vectors } = symmetricEigen(hessian, size, { vectors: true });
    const scale = Math.max(Math.abs(values[0]), Math.abs(values[size - 1]));
    const zeros = values.filter((v) => Math.abs(v) <= 1e-10 * scale).length;
    assert.equal(zeros, size - data.count);
    // Residual of every eigenpair: backward stability means ‖H·v − λ·v‖ ≲ n·ε·‖H‖.
    let residual = 0;
    for (let k = 0; k < size; k++) {
      for (let i = 0; i < size; i++) {
        let s = 0;
        for (let j = 0; j < size; j++) s += hessian[i * size + j] * vectors![j * size + k];
        residual = Math.max(residual, Math.abs(s - values[k] * vectors![i * size + k]));
      }
    }
    assert.ok(residual < 20 * size * Number.EPSILON * scale, `residual ${residual}`);
  });

  it('matches numpy.linalg.eigvalsh within 20·n·ε·‖H‖', { skip: pythonSkipReason() }, () => {
    const values = symmetricEigen(hessian, size).values;
    const reference = withPython<number[]>(
      { h: hessian },
      `
import sys, json, numpy as np
h = np.fromfile(sys.argv[1] + '/h.bin').reshape(${size}, ${size})
print(json.dumps(np.linalg.eigvalsh(h).tolist()))
`,
    );
    const scale = Math.max(Math.abs(values[0]), Math.abs(values[size - 1]));
    let worst = 0;
    for (let k = 0; k < size; k++) worst = Math.max(worst, Math.abs(values[k] - reference[k]));
    assert.ok(worst < 20 * size * Number.EPSILON * scale, `max |λ − λ_numpy| = ${worst}, ‖H‖ = ${scale}`);
  });
});
