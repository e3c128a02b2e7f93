import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileFormatError } from '../../src/core/errors.js';
import {
  describeFileSystemError,
  fileReadError,
  readUserFile,
  readUserFileAsync,
} from '../../src/io/user-file.js';

describe('user files', () => {
  const directory = mkdtempSync(join(tmpdir(), 'basin-user-file-'));

  it('reads the text of a file', async () => {
    const file = join(directory, 'spec.yaml');
    writeFileSync(file, 'name: x\n');
    assert.equal(readUserFile(file, 'the sweep spec'), 'name: x\n');
    assert.equal(await readUserFileAsync(file, 'the sweep spec'), 'name: x\n');
  });

  it('names the path, what it was to be read as and why not, in one line', async () => {
    const missing = join(directory, 'missing.json');
    const expected = `${missing}: cannot read the weights file (ENOENT: no such file)`;
    assert.throws(
      () => readUserFile(missing, 'the weights file'),
      (error: unknown) => error instanceof FileFormatError && error.message === expected,
    );
    await assert.rejects(
      readUserFileAsync(missing, 'the weights file'),
      (error: unknown) => error instanceof FileFormatError && error.message === expected,
    );
    assert.throws(
      () => readUserFile(directory, 'the config file'),
      new RegExp(`^FileFormatError: .*: cannot read the config file \\(EISDIR: a directory, not a file\\)$`),
    );
  });

  it('falls back to the bare code, or the message, for what it has no words for', () => {
    assert.equal(describeFileSystemError(Object.assign(new Error('x'), { code: 'EIO' })), 'EIO');
    assert.equal(describeFileSystemError(new Error('disk on fire')), 'disk on fire');
    assert.equal(describeFileSystemError('odd'), 'odd');
    assert.equal(
      fileReadError('a.npy', 'the data file', { code: 'EACCES' }).message,
      'a.npy: cannot read the data file (EACCES: permission denied)',
    );
  });
});
