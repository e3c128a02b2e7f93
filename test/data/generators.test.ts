import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { misclassificationError, reencode } from '../../src/data/labels.js';
import { teacherDataset } from '../../src/data/teacher.js';
import { mlp } from '../../src/model/architecture.js';

describe('data generators', () => {
  it('Gaussian inputs with balanced random ±1 labels, reproducible from the seed', () => {
    const data = gaussianRandomLabels({ count: 4000, inputDim: 5, seed: 1 });
    assert.equal(data.count, 4000);
    const positives = Array.from(data.y).filter((v) => v === 1).length;
    assert.ok(Math.abs(positives / 4000 - 0.5) < 0.03);
    assert.ok(Array.from(data.y).every((v) => v === 1 || v === -1));
    assert.deepEqual(
      gaussianRandomLabels({ count: 10, inputDim: 5, seed: 1 }).x,
      gaussianRandomLabels({ count: 10, inputDim: 5, seed: 1 }).x,
    );
  });

  it('float32 data are the float64 draw rounded, drawn straight into Float32Arrays', () => {
    const wide = gaussianRandomLabels({ count: 30, inputDim: 4, seed: 5, labelEncoding: '01' });
    const narrow = gaussianRandomLabels({
      count: 30,
      inputDim: 4,
      seed: 5,
      labelEncoding: '01',
      dtype: 'float32',
    });
    assert.ok(narrow.x instanceof Float32Array && narrow.y instanceof Float32Array);
    assert.deepEqual(narrow.x, Float32Array.from(wide.x));
    assert.deepEqual(narrow.y, Float32Array.from(wide.y));
  });

  it('labels from a teacher are balanced and recorded in the provenance', () => {
    const data = teacherDataset({
      count: 101,
      teacher: mlp(4, [3], 1, { kind: 'leaky-relu', slope: 0 }, true),
      seed: 2,
      target: '01',
    });
    const positives = Array.from(data.y).filter((v) => v === 1).length;
    assert.ok(positives === 50 || positives === 51);
    assert.equal(data.provenance.teacher, '4-3-1');
    assert.throws(
      () =>
        teacherDataset({ count: 5, teacher: mlp(4, [3], 2, { kind: 'tanh' }, true), seed: 1, target: 'pm1' }),
      /teacher.outputDim/,
    );
  });

  it('misclassification error follows each encoding threshold', () => {
    assert.equal(misclassificationError([0.3, -0.1, 2, 0], [1, -1, -1, 1], 'pm1'), 0.5);
    assert.equal(misclassificationError([0.6, 0.4, 0.5], [1, 0, 1], '01'), 1 / 3);
    assert.deepEqual(Array.from(reencode(Float64Array.from([1, -1]), 'pm1', '01')), [1, 0]);
  });
});
