import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { benchCase, rowsPerEvaluation, stepFlops } from '../../bench/cases.js';
import { checkGoals, deriveFigures } from '../../bench/report.js';
import { timeRepeatedlyAsync } from '../../bench/timing.js';
import { benchRow } from '../support/bench-rows.js';

const PLAN = { warmup: 1, repetitions: 3, minSeconds: 0, maxSeconds: 10, maxRepetitions: 3 };

describe('case (d) and the goals of issue 5', () => {
  it('defines case (d) as one epoch of 98 minibatches of 3072-16-1 on 50 000 samples', () => {
    const d = benchCase('d');
    assert.equal(d.kind, 'adam-epoch');
    assert.equal(Math.ceil(d.count / d.batchSize!), 98);
    assert.equal(d.count % d.batchSize!, 336);
    assert.equal(rowsPerEvaluation(d), 512);
    assert.equal(rowsPerEvaluation(benchCase('a')), 10_000);
    assert.equal(stepFlops(d), 4 * 50_000 * 3072 * 16 + 6 * 50_000 * 16);
  });

  it('checks the peak RSS of case (d) float32 against 2 GB, and its time against PyTorch', () => {
    const under = checkGoals(
      [benchRow('torch', 'd', 1000), benchRow('basin-onnx', 'd', 700, { peakRssBytes: 1.4e9 })],
      undefined,
      'basin-onnx',
    );
    const byGoal = new Map(under.map((g) => [g.goal, g]));
    assert.equal(byGoal.get('(d) float32: basin-onnx peak RSS < 2 GB')?.met, true);
    assert.equal(byGoal.get('(d) float32: basin-onnx peak RSS < 2 GB')?.measured, '1.40 GB (1335 MiB)');
    assert.equal(byGoal.get('(d) float32: basin-onnx ≤ 0.6 × PyTorch')?.met, false); // 0.70

    const over = checkGoals(
      [benchRow('basin-onnx', 'd', 700, { peakRssBytes: 2.1e9 })],
      undefined,
      'basin-onnx',
    );
    assert.equal(over.find((g) => g.goal.includes('peak RSS'))?.met, false);
    // Exactly 2·10⁹ bytes is not under 2 GB.
    const at = checkGoals([benchRow('basin-onnx', 'd', 700, { peakRssBytes: 2e9 })], undefined, 'basin-onnx');
    assert.equal(at.find((g) => g.goal.includes('peak RSS'))?.met, false);
  });

  it('sets the RSS goal only for case (d) float32 of the goal engine', () => {
    const goals = checkGoals(
      [
        benchRow('basin-onnx', 'a', 10, { peakRssBytes: 3e9 }),
        benchRow('basin-onnx', 'd', 700, { peakRssBytes: 3e9, dtype: 'float64' }),
        benchRow('basin-reference', 'd', 7000, { peakRssBytes: 3e9 }),
      ],
      undefined,
      'basin-onnx',
    );
    assert.equal(goals.filter((g) => g.goal.includes('RSS')).length, 0);
  });

  it('keeps PyTorch CUDA out of the CPU comparisons and checks GPU engines against it', () => {
    const rows = [
      benchRow('torch', 'a', 40),
      benchRow('torch-cuda', 'a', 2, { device: 'cuda' }),
      benchRow('basin-onnx', 'a', 20),
      benchRow('basin-webgpu', 'a', 3, { device: 'gpu' }),
    ];
    const cpu = deriveFigures(rows[2], rows, undefined);
    assert.equal(cpu.vsTorch, 0.5);
    assert.equal(cpu.vsFastestReference, 0.5);
    assert.equal(cpu.vsTorchCuda, 10);
    const goals = checkGoals(rows, undefined, 'basin-onnx');
    const gpu = goals.find((g) => g.goal === '(a) float32: basin-webgpu ≤ 2 × PyTorch CUDA');
    assert.equal(gpu?.met, true);
    assert.equal(gpu?.measured, '1.50 × PyTorch CUDA');
    const withoutCuda = checkGoals([rows[0], rows[3]], undefined, 'basin-onnx');
    assert.equal(withoutCuda.find((g) => g.goal.includes('CUDA'))?.met, null);
  });
});

describe('timing asynchronous steps', () => {
  it('times each run until its promise settles', async () => {
    let calls = 0;
    const times = await timeRepeatedlyAsync(async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 15));
      return 1;
    }, PLAN);
    assert.equal(calls, 4);
    assert.equal(times.length, 3);
    for (const t of times) assert.ok(t >= 14, `${t} ms`);
  });

  it('does not await a synchronous step: the loop runs without a microtask turn', async () => {
    let microtaskRan = false;
    let sawMicrotask = false;
    queueMicrotask(() => {
      microtaskRan = true;
    });
    const times = await timeRepeatedlyAsync(() => {
      sawMicrotask ||= microtaskRan;
      return 1;
    }, PLAN);
    assert.equal(times.length, 3);
    assert.equal(sawMicrotask, false);
    assert.equal(microtaskRan, true);
  });

  it('accepts thenables and reports a rejected step', async () => {
    const thenable = { then: (resolve: (value: number) => void) => setTimeout(() => resolve(2), 5) };
    assert.equal((await timeRepeatedlyAsync(() => thenable, PLAN)).length, 3);
    await assert.rejects(
      timeRepeatedlyAsync(() => Promise.reject(new Error('device lost')), PLAN),
      /device lost/,
    );
  });
});
