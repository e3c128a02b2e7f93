import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mean, median, proportion, standardDeviation } from '../../src/core/statistics.js';
import { pythonOracleSkip, runOracle, SCIPY_PACKAGES } from '../support/python.js';

const python = (script: string): unknown => runOracle(script);
const scipySkip = () => pythonOracleSkip('import numpy, scipy.stats', SCIPY_PACKAGES);

describe('sweep statistics', () => {
  it('match numpy for mean, sample std and median', { skip: scipySkip() }, () => {
    const values = [0.5, 3, -1.25, 8, 2, 2, 0.125];
    const [m, s, med, medEven] = python(
      `import numpy as np, json; v = np.array(${JSON.stringify(values)}); ` +
        'print(json.dumps([v.mean(), v.std(ddof=1), float(np.median(v)), float(np.median(v[:6]))]))',
    ) as number[];
    assert.ok(Math.abs(mean(values)! - m) < 1e-15);
    assert.ok(Math.abs(standardDeviation(values)! - s) < 1e-14);
    assert.equal(median(values), med);
    assert.equal(median(values.slice(0, 6)), medEven);
    assert.equal(mean([]), null);
    assert.equal(standardDeviation([1]), null);
    assert.equal(median([]), null);
  });

  it('give the Wilson 95% interval of scipy.stats.binomtest', { skip: scipySkip() }, () => {
    const cases = [
      [0, 10],
      [10, 10],
      [3, 7],
      [66, 100],
      [1, 1000],
    ];
    const expected = python(
      'from scipy.stats import binomtest; import json; ' +
        `print(json.dumps([list(binomtest(k, n).proportion_ci(method="wilson")) for k, n in ${JSON.stringify(cases)}]))`,
    ) as [number, number][];
    cases.forEach(([k, n], i) => {
      const interval = proportion(k, n);
      assert.ok(
        Math.abs(interval.low - expected[i][0]) < 1e-12,
        `${k}/${n} low ${interval.low} vs ${expected[i][0]}`,
      );
      assert.ok(
        Math.abs(interval.high - expected[i][1]) < 1e-12,
        `${k}/${n} high ${interval.high} vs ${expected[i][1]}`,
      );
      assert.equal(interval.estimate, k / n);
    });
    assert.deepEqual(proportion(0, 0), { successes: 0, trials: 0, estimate: null, low: 0, high: 1 });
  });

  it('gives exactly 0 as the lower bound at no successes and exactly 1 as the upper at all', () => {
    // The bug: 0 of 100 had a lower bound of 3.5e-16, printed as "3.5e-14%" beside "0% (0)".
    for (const n of [1, 9, 64, 100, 1500]) {
      assert.equal(proportion(0, n).low, 0, `0 of ${n}`);
      assert.equal(proportion(n, n).high, 1, `${n} of ${n}`);
    }
  });
});
