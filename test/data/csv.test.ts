import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { loadCsv } from '../../src/data/loaders/csv.js';
import { temporaryDirectory, formatError } from './fixtures.js';

const dir = temporaryDirectory('csv');
after(() => dir.remove());

describe('CSV loader', () => {
  it('takes the named label column anywhere and every other column as a feature, in header order', async () => {
    const file = dir.write(
      'iris.csv',
      'sepal,"class",petal\r\n5.1,0,1.4\r\n"4.9",2,-1e-3\r\n\r\n6.3, 1 ,2.5\r\n',
    );
    const set = await loadCsv(file, { labelColumn: 'class' });
    assert.equal(set.count, 3);
    assert.deepEqual(set.sampleShape, [2]);
    assert.equal(set.layout, 'flat');
    assert.ok(set.pixels instanceof Float64Array);
    assert.deepEqual(Array.from(set.pixels), [5.1, 1.4, 4.9, -1e-3, 6.3, 2.5]);
    assert.deepEqual(Array.from(set.labels!), [0, 2, 1]);
    assert.equal(set.classCount, 3);
  });

  it('reshapes rows into images when given a sample shape', async () => {
    const file = dir.write('tiny-images.csv', 'label,p0,p1,p2,p3\n1,0,255,128,3\n0,9,8,7,6\n');
    const set = await loadCsv(file, { sampleShape: [2, 2], pixelType: 'uint8' });
    assert.equal(set.layout, 'hw');
    assert.ok(set.pixels instanceof Uint8Array);
    assert.deepEqual(Array.from(set.pixels), [0, 255, 128, 3, 9, 8, 7, 6]);
    await assert.rejects(() => loadCsv(file, { sampleShape: [3, 2] }), InvalidArgumentError);
  });

  it('names the line, byte offset and column of a non-numeric cell', async () => {
    const file = dir.write('text-cell.csv', 'a,label,b\n1,0,2\n3,1,abc\n');
    const error = await formatError(() => loadCsv(file));
    assert.match(
      error.message,
      /text-cell\.csv: line 3 \(byte offset 16\), column "b": "abc" is not a finite number/,
    );
    const empty = dir.write('empty-cell.csv', 'a,label\n,1\n');
    assert.match(
      (await formatError(() => loadCsv(empty))).message,
      /line 2 .*column "a": "" is not a finite number/,
    );
  });

  it('rejects labels that are not class indices, and labels beyond classCount', async () => {
    const fractional = dir.write('fractional.csv', 'label,a\n0,1\n1.5,2\n');
    assert.match(
      (await formatError(() => loadCsv(fractional))).message,
      /fractional\.csv: line 3 .*column "label": label "1\.5" is not a class index/,
    );
    const large = dir.write('large.csv', 'label,a\n0,1\n12,2\n');
    assert.match(
      (await formatError(() => loadCsv(large, { classCount: 10 }))).message,
      /large\.csv: label 12 at data row 2 is outside the class range 0\.\.9/,
    );
  });

  it('rejects a missing label column, ragged rows, header-only and empty files', async () => {
    const noLabel = dir.write('no-label.csv', 'a,b\n1,2\n');
    assert.match(
      (await formatError(() => loadCsv(noLabel))).message,
      /no-label\.csv: header at line 1 has no column named "label" \(columns: a, b\)/,
    );
    const ragged = dir.write('ragged.csv', 'a,label\n1,0\n2\n');
    assert.match(
      (await formatError(() => loadCsv(ragged))).message,
      /ragged\.csv: line 3 \(byte offset \d+\): Invalid Record Length/,
    );
    assert.match(
      (await formatError(() => loadCsv(dir.write('header.csv', 'a,label\n')))).message,
      /has a header but no data rows/,
    );
    assert.match(
      (await formatError(() => loadCsv(dir.write('nothing.csv', '')))).message,
      /nothing\.csv: is empty/,
    );
    assert.match(
      (await formatError(() => loadCsv(join(dir.path, 'absent.csv')))).message,
      /absent\.csv: cannot read the CSV file \(ENOENT: no such file\)$/,
    );
  });
});
