import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { etaSeconds, jsonLinesProgress, progressMode, stageProgress } from '../../src/cli/progress.js';

describe('progress display', () => {
  it('estimates the time left from the mean epoch time', () => {
    assert.equal(
      etaSeconds({
        epoch: 9,
        epochsCompleted: 10,
        maxEpochs: 100,
        loss: 1,
        learningRate: 0.1,
        elapsedSeconds: 2,
      }),
      18,
    );
    assert.equal(
      etaSeconds({
        epoch: 99,
        epochsCompleted: 100,
        maxEpochs: 100,
        loss: 1,
        learningRate: 0.1,
        elapsedSeconds: 20,
      }),
      0,
    );
  });

  it('writes JSON lines at most every interval, always the first and last epoch', () => {
    const lines: string[] = [];
    const display = jsonLinesProgress((line) => lines.push(line), { run: 'a' }, 1);
    for (let epoch = 0; epoch < 10; epoch++) {
      display.epoch({
        epoch,
        epochsCompleted: epoch + 1,
        maxEpochs: 10,
        loss: 1 / (epoch + 1),
        learningRate: 0.1,
        elapsedSeconds: 0.3 * epoch,
      });
    }
    const events = lines.map((line) => JSON.parse(line) as { event: string; epoch: number; run: string });
    assert.deepEqual(
      events.map((e) => e.epoch),
      [0, 4, 8, 9],
    );
    assert.ok(events.every((e) => e.event === 'epoch' && e.run === 'a'));
    assert.ok(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n')));
  });

  it('uses JSON lines when asked or when stdout is not a terminal', () => {
    assert.equal(progressMode(true, { isTTY: true } as NodeJS.WriteStream), 'json-lines');
    assert.equal(progressMode(false, { isTTY: false } as NodeJS.WriteStream), 'json-lines');
    assert.equal(progressMode(false, { isTTY: true } as NodeJS.WriteStream), 'bar');
  });
});

test('stageProgress writes the end of every stage and at most one line per interval in between', () => {
  const lines: string[] = [];
  let clock = 0;
  const progress = stageProgress(
    'landscape graph',
    (line) => lines.push(line),
    2,
    () => clock,
  );
  for (let done = 1; done <= 5; done++) {
    clock = done;
    progress('search', done, 5);
  }
  progress('connect', 1, 1);
  assert.deepEqual(lines, [
    'landscape graph: search 1/5 (1.0 s)\n',
    'landscape graph: search 3/5 (3.0 s)\n',
    'landscape graph: search 5/5 (5.0 s)\n',
    'landscape graph: connect 1/1 (5.0 s)\n',
  ]);
});
