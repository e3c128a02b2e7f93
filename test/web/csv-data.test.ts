import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsvData } from '../../web/src/csv-data.js';

describe('uploaded CSV data', () => {
  it('reads inputs and the last column as the target, with or without a header', () => {
    const withHeader = parseCsvData('x1,x2,y\n1,2,1\n3,4,-1\n');
    assert.deepEqual(Array.from(withHeader.x), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(withHeader.y), [1, -1]);
    assert.equal(withHeader.inputDim, 2);
    assert.deepEqual(withHeader.header, ['x1', 'x2', 'y']);
    const bare = parseCsvData('0.5,1\n-0.5,0\n');
    assert.equal(bare.count, 2);
    assert.equal(bare.header, undefined);
  });

  it('names the line and column of a non-number', () => {
    assert.throws(
      () => parseCsvData('x1,x2,y\n1,2,1\n3,abc,-1\n'),
      /CSV line 3, column 2: expected a finite number, got "abc"/,
    );
    assert.throws(
      () => parseCsvData('1,2,1\n3,,1\n'),
      /CSV line 2, column 2: expected a finite number, got ""/,
    );
  });

  it('rejects ragged rows, a single column, and empty files', () => {
    assert.throws(
      () => parseCsvData('1,2,3\n4,5\n'),
      /CSV line 2: expected 3 columns like the first row, got 2/,
    );
    assert.throws(() => parseCsvData('1\n2\n'), /expected at least 2 columns/);
    assert.throws(() => parseCsvData('  \n'), /expected at least one row of numbers, got an empty file/);
    assert.throws(() => parseCsvData('a,b\n'), /expected data rows after the header, got none/);
  });
});
