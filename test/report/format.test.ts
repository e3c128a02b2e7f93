import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPercent, formatRate } from '../../src/report/format.js';

describe('formatPercent', () => {
  it('never rounds a non-zero error to 0% nor a near-total one to 100%', () => {
    // The bug: one misclassified sample of 50 000 (a Table 1 row's end point) printed as "0.0%".
    assert.equal(formatPercent(1 / 50_000), '0.0020%');
    assert.equal(formatPercent(22 / 50_000), '0.044%');
    assert.equal(formatPercent(49_999 / 50_000), '99.9980%');
    assert.equal(formatPercent(0.0712), '7.1%');
    assert.equal(formatPercent(null), '–');
  });

  it('keeps two significant digits below 1% (75 of 50 000 is 0.15%, not 0.1% or 0.2%)', () => {
    assert.equal(formatPercent(75 / 50_000), '0.15%');
    assert.equal(formatPercent(0.003), '0.30%');
  });

  it('prints exactly none and exactly all without decimals, so "0.0%" always means a rounded value', () => {
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(1), '100%');
  });
});

describe('formatRate', () => {
  it('gives the count beside the percentage: 22 of 50 000 is "0.044% (22)"', () => {
    assert.equal(formatRate(22, 50_000), '0.044% (22)');
    assert.equal(formatRate(0, 50_000), '0% (0)');
    assert.equal(formatRate(1, 3), '33.3% (1)');
    assert.equal(formatRate(50_000, 50_000), '100% (50000)');
    assert.equal(formatRate(22, 50_000, { ofTotal: true }), '0.044% (22 of 50000)');
  });

  it('never prints a non-zero count as a zero rate, for every count of a large total', () => {
    for (const total of [70_000, 1_000_000]) {
      for (const count of [1, 2, 7, 49, 350]) {
        assert.doesNotMatch(formatRate(count, total), /^0(\.0+)?%/, `${count} of ${total}`);
      }
    }
  });

  it('prints "–" for an empty total or an unknown count', () => {
    assert.equal(formatRate(0, 0), '–');
    assert.equal(formatRate(NaN, 10), '–');
  });
});
