import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { benchCase, stepFlops } from '../../bench/cases.js';
import { checkGoals, deriveFigures } from '../../bench/report.js';
import { median, timeRepeatedly } from '../../bench/timing.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { benchRow } from '../support/bench-rows.js';

describe('benchmark bookkeeping', () => {
  it('takes medians of odd and even counts and refuses an empty list', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /no repetition/);
  });

  it('repeats until both the count and the minimum time are reached, within the caps', () => {
    let calls = 0;
    const times = timeRepeatedly(() => calls++, {
      warmup: 2,
      repetitions: 5,
      minSeconds: 0,
      maxSeconds: 10,
      maxRepetitions: 100,
    });
    assert.equal(times.length, 5);
    assert.equal(calls, 7);
    const capped = timeRepeatedly(() => undefined, {
      warmup: 0,
      repetitions: 1000,
      minSeconds: 0,
      maxSeconds: 10,
      maxRepetitions: 4,
    });
    assert.equal(capped.length, 4);
  });

  it('counts the FLOPs of a step from the shapes (2 per multiply-add)', () => {
    // (a): 4·N·d0·d1 + 6·N·d1 = 4·10000·3072·16 + 6·10000·16.
    assert.equal(stepFlops(benchCase('a')), 1_966_080_000 + 960_000);
    assert.equal(stepFlops(benchCase('c')), 256 * stepFlops(benchCase('b')));
    assert.throws(() => benchCase('e'), InvalidArgumentError);
  });

  it('compares against the faster PyTorch variant and the fastest reference', () => {
    const rows = [
      benchRow('numpy', 'b', 1.0),
      benchRow('torch', 'b', 2.0),
      benchRow('torch-passive', 'b', 0.5),
      benchRow('basin-onnx', 'b', 0.25),
    ];
    const figures = deriveFigures(rows[3], rows, 100);
    assert.equal(figures.vsNumpy, 0.25);
    assert.equal(figures.vsTorch, 0.5);
    assert.equal(figures.vsFastestReference, 0.5);
    assert.ok(Math.abs(figures.gflops - stepFlops(benchCase('b')) / 0.25e6) < 1e-9);
  });

  it('checks the goals of issue 5, and says when a figure is missing', () => {
    const rows = [
      benchRow('torch', 'b', 1.0),
      benchRow('basin-onnx', 'b', 0.7),
      benchRow('basin-onnx', 'c', 256 * 0.1),
    ];
    const goals = checkGoals(rows, undefined, 'basin-onnx');
    const byGoal = new Map(goals.map((g) => [g.goal, g]));
    assert.equal(byGoal.get('(b) float32: basin-onnx ≤ 0.6 × PyTorch')?.met, false);
    assert.equal(byGoal.get('(c) float32: basin-onnx ≤ 0.6 × PyTorch')?.met, null);
    const perNetwork = byGoal.get('(c) float32: basin-onnx per network ≤ ¼ of (b)');
    assert.equal(perNetwork?.met, true); // 0.1 / 0.7 ≈ 0.14
    assert.equal(perNetwork?.measured, '0.14 × (b)');
  });
});
