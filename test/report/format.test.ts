import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPercent } from '../../src/report/format.js';

describe('formatPercent', () => {
  it('never rounds a non-zero error to 0.0% nor a near-total one to 100.0%', () => {
    // The bug: one misclassified sample of 50 000 (a Table 1 row's end point) printed as "0.0%".
    assert.equal(formatPercent(1 / 50_000), '0.0020%');
    assert.equal(formatPercent(22 / 50_000), '0.044%');
    assert.equal(formatPercent(49_999 / 50_000), '99.9980%');
    assert.equal(formatPercent(0), '0.0%');
    assert.equal(formatPercent(1), '100.0%');
    assert.equal(formatPercent(0.0712), '7.1%');
    assert.equal(formatPercent(null), '–');
  });
});
