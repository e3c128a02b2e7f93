import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { cliSkip } from './helpers.js';

const cli = new URL('../../bin/basin.js', import.meta.url).pathname;

describe('basin output into a closed pipe', () => {
  it('ends quietly when the reader stops early (basin … | head)', { skip: cliSkip }, () => {
    // fig5.2 --quick prints a line per run over several seconds; head leaves after two lines.
    const result = spawnSync('bash', ['-c', `node ${cli} reproduce fig5.2 --quick | head -2`], {
      encoding: 'utf8',
    });
    assert.equal(result.stdout.split('\n').filter((line) => line.length > 0).length, 2);
    assert.doesNotMatch(result.stderr, /EPIPE|Error/);
  });
});
