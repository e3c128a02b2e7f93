import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { regionVolumes } from '../../src/landscape/volume.js';
import { assertOneLineError, basin, ensureBuilt, temporaryDirectory } from './helpers.js';

before(ensureBuilt);

describe('basin landscape volume', () => {
  const directory = temporaryDirectory('volume');

  it('refuses bad --sizes, --draws, --epsilon, --slope and --figure with one line naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['--sizes', '8:4'], /^basin: --sizes: expected sizes N:d0:d1 of positive integers.*got "8:4"$/],
      [['--sizes', '8:0:4'], /^basin: --sizes: expected sizes N:d0:d1 .*got "8:0:4"$/],
      [['--sizes', '8:4:4,,16:8:4'], /^basin: --sizes: expected sizes N:d0:d1 .*got ""$/],
      [
        ['--sizes', '1000:100:100', '--draws', '1'],
        /^basin: --sizes: 1000:100:100 needs A∘X of 1000 × 10000 = 10000000 entries, more than --max-entries 1000000/,
      ],
      [['--draws', '0'], /^basin: --draws: expected an integer in \[1, 1000000\], got "0"$/],
      [['--draws', '2.5'], /^basin: --draws: expected an integer in \[1, 1000000\], got "2.5"$/],
      [['--epsilon', '1'], /^basin: --epsilon: expected a number in \(0, 1\), got "1"$/],
      [['--slope', '1'], /^basin: --slope: expected a finite slope ρ ≠ 1, got "1"$/],
      [
        ['--figure', join(directory, 'f.pdf')],
        /^basin: --figure: expected a file name ending in \.svg or \.png/,
      ],
      [['--out', directory], /^basin: --out: expected a file basin can write \(it is a directory\)/],
    ];
    for (const [args, pattern] of cases)
      assertOneLineError(['landscape', 'volume', ...args], directory, pattern);
  });

  it('--json and --out give the record the library computes; --figure writes an SVG', () => {
    const out = join(directory, 'volume.json');
    const figure = join(directory, 'volume.svg');
    const args = ['--sizes', '4:2:2,6:3:2', '--draws', '60', '--epsilon', '0.2', '--seed', '5'];
    const result = basin(
      ['landscape', 'volume', ...args, '--json', '--out', out, '--figure', figure],
      directory,
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /\[2\/2\] N=6 d0=3 d1=2: 60\/60 draws/);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    const written = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    const expected = regionVolumes({
      sizes: [
        { count: 4, inputDim: 2, width: 2 },
        { count: 6, inputDim: 3, width: 2 },
      ],
      draws: 60,
      epsilon: 0.2,
      seed: 5,
    });
    for (const record of [printed, written]) {
      assert.equal(typeof record.elapsedSeconds, 'number');
      const { elapsedSeconds, ...rest } = record;
      void elapsedSeconds;
      assert.deepEqual(rest, JSON.parse(JSON.stringify(expected)));
    }
    assert.equal(printed.kind, 'basin-landscape-volume');
    assert.equal(printed.version, 1);
    assert.match(readFileSync(figure, 'utf8'), /^<svg/);
  });

  it('prints a table with intervals by default', () => {
    const result = basin(['landscape', 'volume', '--sizes', '4:4:2', '--draws', '30'], directory);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /rank\(A∘X\) = N/);
    assert.match(result.stdout, /\(\d+\) \[\d/);
  });
});
