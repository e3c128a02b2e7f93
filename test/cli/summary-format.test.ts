import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTrainSummary } from '../../src/cli/summary.js';
import type { TrainResultRecord } from '../../src/io/result-file.js';

/** The fields of a result record that `basin train`'s summary reads, for a 784-89-1 net on N = 70 000. */
function record(finalMce: number | null): TrainResultRecord {
  const hidden = { width: 89, activation: 'relu', bias: true };
  return {
    seed: 1,
    parameterCount: 69_865,
    data: { sampleCount: 70_000, inputDim: 784, outputDim: 1, labelEncoding: 'pm1', provenance: {} },
    architecture: { inputDim: 784, hidden: [hidden], outputDim: 1, outputBias: true },
    result: {
      finalMse: 0.01,
      finalMce,
      gradientNorm: 1e-3,
      minAbsPreActivation: null,
      nearKinkCount: 0,
      kinkTolerance: 1e-9,
      epochs: 400,
      stopReason: 'max-epochs',
      wallSeconds: 12,
    },
  } as unknown as TrainResultRecord;
}

describe('formatTrainSummary', () => {
  it('gives the training MCE with its count, never rounded to 0', () => {
    // The bug: one misclassified sample of 70 000 printed as "MCE 0.00%".
    assert.match(formatTrainSummary(record(1 / 70_000), { result: 'r.json' }), /, MCE 0\.0014% \(1\),/);
    assert.match(formatTrainSummary(record(22 / 70_000), { result: 'r.json' }), /, MCE 0\.031% \(22\),/);
    assert.match(formatTrainSummary(record(0), { result: 'r.json' }), /, MCE 0% \(0\),/);
    assert.doesNotMatch(formatTrainSummary(record(null), { result: 'r.json' }), /MCE/);
  });
});
