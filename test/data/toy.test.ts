import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jellyfish, toyDataset, xor } from '../../src/data/toy.js';

describe('Jellyfish and XOR (papers.md §3.3)', () => {
  it('has the paper’s Jellyfish points: (1,0)+, (0.2,0.6)+, (0,1)−, (0.6,0.2)−', () => {
    const data = jellyfish();
    assert.deepEqual(Array.from(data.x), [1, 0, 0.2, 0.6, 0, 1, 0.6, 0.2]);
    assert.deepEqual(Array.from(data.y), [1, 1, -1, -1]);
    assert.equal(data.labelEncoding, 'pm1');
    assert.equal(data.inputDim, 2);
  });

  it('has XOR positive exactly where one coordinate is 1, in either label encoding', () => {
    const data = xor('01');
    assert.deepEqual(Array.from(data.x), [0, 0, 0, 1, 1, 0, 1, 1]);
    assert.deepEqual(Array.from(data.y), [0, 1, 1, 0]);
    assert.deepEqual(Array.from(xor().y), [-1, 1, 1, -1]);
  });

  it('names the dataset argument when the name is unknown', () => {
    assert.throws(() => toyDataset('spiral' as 'xor'), /dataset: expected jellyfish or xor, got "spiral"/);
  });
});
