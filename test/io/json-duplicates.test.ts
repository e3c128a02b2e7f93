import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstDuplicateKey } from '../../src/io/json-duplicates.js';
import { parseWeights } from '../../src/io/weights-format.js';

describe('keys written twice in JSON', () => {
  it('finds the first, with its path and line, through strings, escapes and arrays', () => {
    assert.deepEqual(firstDuplicateKey('{"a": 1,\n "a": 2}'), { path: 'a', line: 2 });
    assert.deepEqual(firstDuplicateKey('{"model": {"hidden": [1], "x": "a\\"b,}", "hidden": [2]}}'), {
      path: 'model.hidden',
      line: 1,
    });
    assert.deepEqual(firstDuplicateKey('{"cells": [{"w": 1}, {"w": 2, "w": 3}]}'), {
      path: 'cells[1].w',
      line: 1,
    });
    assert.equal(
      firstDuplicateKey('{"a": {"x": 1}, "b": {"x": 2}, "s": "a,b", "t": [{"k": "}"}]}'),
      undefined,
    );
  });

  it('refuses a weights file whose theta is written twice (JSON.parse would keep the last)', () => {
    const text = '{"format": "basin-weights", "theta": [1, 2], "theta": [3, 4]}';
    assert.throws(
      () => parseWeights(text, 'w.json'),
      /w\.json: not a basin weights file: the key theta is written twice/,
    );
  });
});
