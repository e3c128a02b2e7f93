import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTable1 } from '../../src/cli/commands/reproduce-table1.js';
import type { Table1Result } from '../../src/reproduce/table1.js';

const result: Table1Result = {
  row: 'cifar',
  architecture: '3072-16-1',
  sampleCount: 50_000,
  parameterCount: 49_185,
  paramsOverN: 49_185 / 50_000,
  trainMce: 22 / 50_000,
  finalMse: 0.01,
  epochs: 300,
  epochsToZero: null,
  stopReason: 'max-epochs',
  trainSeconds: 60,
  prepareSeconds: 30,
  testMce: 1 / 10_000,
  testCount: 10_000,
  backend: { backend: 'onnx', requested: 'auto', reason: 'auto' },
  dtype: 'float32',
  provenance: {},
  certificate: null,
};

describe('formatTable1', () => {
  it('never rounds an error into 0%: the rate keeps its digits and the count stands beside it', () => {
    // The bug (issue 16): 22 wrong of 50 000 printed as "train MCE 0.0%".
    const table = formatTable1([result]);
    assert.match(table, /basin \(float32, onnx\).*0\.044% \(22\).*0\.010% \(1\)/);
    assert.doesNotMatch(table, /basin.*\s0\.0%/);
    assert.match(
      formatTable1([{ ...result, trainMce: 0, testMce: 0.3 }]),
      /basin.*\s0% \(0\)\s.*30\.0% \(3000\)/,
    );
  });
});
