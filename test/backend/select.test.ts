import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  AUTO_MIN_MULTIPLY_ADDS,
  chooseBackend,
  multiplyAddsPerEvaluation,
  parseBackendRequest,
} from '../../src/backend/select.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { mlp } from '../../src/model/architecture.js';
import { onnxSkipReason } from '../support/onnx.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;
const skip = onnxSkipReason();
if (skip) console.log(`# skipping ONNX selection tests: ${skip}`);

function problem(count: number, inputDim: number, width: number) {
  return {
    architecture: mlp(inputDim, [width], 1, relu, true),
    loss: 'mse' as const,
    samples: gaussianRandomLabels({ count, inputDim, seed: 1 }),
  };
}

describe('backend selection', () => {
  it('parses requests and names the argument on a typo', () => {
    assert.equal(parseBackendRequest('auto'), 'auto');
    assert.equal(parseBackendRequest('onnx'), 'onnx');
    assert.throws(
      () => parseBackendRequest('gpu', '--backend'),
      (error: unknown) =>
        error instanceof InvalidArgumentError &&
        error.message === '--backend: expected one of auto, reference, onnx, got "gpu"',
    );
  });

  it('counts multiply-adds as rows × Σ in·out', () => {
    // 3-4-1: 3·4 + 4·1 = 16 per row.
    assert.equal(multiplyAddsPerEvaluation(problem(10, 3, 4)), 160);
    assert.equal(multiplyAddsPerEvaluation(problem(10, 3, 4), 2), 32);
  });

  it('always honours an explicit reference request', () => {
    const choice = chooseBackend('reference', problem(1600, 40, 40));
    assert.equal(choice.backend.name, 'reference');
    assert.deepEqual(choice.record, { backend: 'reference', requested: 'reference', reason: 'requested' });
  });

  it('auto keeps the reference below the size threshold and says why', () => {
    const tiny = problem(4, 2, 2);
    assert.ok(multiplyAddsPerEvaluation(tiny) < AUTO_MIN_MULTIPLY_ADDS);
    const choice = chooseBackend('auto', tiny);
    assert.equal(choice.backend.name, 'reference');
    assert.match(choice.record.reason, /^auto: /);
  });

  it('auto takes onnx for a large problem and records its version', { skip }, () => {
    const choice = chooseBackend('auto', problem(1600, 40, 40));
    assert.equal(choice.backend.name, 'onnx');
    assert.equal(choice.record.backend, 'onnx');
    assert.match(choice.record.runtimeVersion ?? '', /^\d+\.\d+\.\d+$/);
  });

  it('auto judges minibatch training by the rows per evaluation', { skip }, () => {
    const large = problem(1600, 40, 40);
    assert.equal(chooseBackend('auto', large, { rowsPerEvaluation: 1 }).backend.name, 'reference');
  });
});
