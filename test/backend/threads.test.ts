import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';

import { PARALLEL_MIN_MULTIPLY_ADDS, threadsFor } from '../../src/backend/onnx/threads.js';

describe('ONNX session thread counts', () => {
  it('uses one thread for small runs and every CPU for large ones', () => {
    assert.equal(threadsFor(PARALLEL_MIN_MULTIPLY_ADDS - 1, undefined), 1);
    assert.equal(threadsFor(PARALLEL_MIN_MULTIPLY_ADDS, undefined), os.availableParallelism());
  });

  it('keeps a count the caller fixed', () => {
    assert.equal(threadsFor(1, 3), 3);
    assert.equal(threadsFor(1e12, 1), 1);
  });
});
