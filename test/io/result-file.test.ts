import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileFormatError } from '../../src/core/errors.js';
import { readTrainResultFile, TRAIN_RESULT_VERSION } from '../../src/io/result-file.js';

const directory = mkdtempSync(join(tmpdir(), 'basin-result-file-'));

function write(name: string, record: Record<string, unknown>): string {
  const path = join(directory, name);
  writeFileSync(path, JSON.stringify(record));
  return path;
}

const body = {
  format: 'basin-train-result',
  config: { seed: 0 },
  result: { finalLoss: 0.5, finalMse: 0.5, epochs: 3 },
};
const choice = {
  backend: 'reference',
  requested: 'auto',
  reason: 'auto: 48 multiply-adds per evaluation < 10000',
};

describe('basin-train-result files', () => {
  it('version 2 is current and records the backend', () => {
    assert.equal(TRAIN_RESULT_VERSION, 2);
    const record = readTrainResultFile(write('v2.json', { ...body, version: 2, backend: choice }));
    assert.deepEqual(record.backend, choice);
  });

  it('version 1 files, written before the backend was recorded, still load', () => {
    const record = readTrainResultFile(write('v1.json', { ...body, version: 1 }));
    assert.equal(record.version, 1);
    assert.equal(record.backend, undefined);
  });

  it('a version 2 file without a backend, a bad backend name or an unknown version is refused', () => {
    assert.throws(
      () => readTrainResultFile(write('no-backend.json', { ...body, version: 2 })),
      (error: unknown) => error instanceof FileFormatError && /backend: missing/.test(error.message),
    );
    assert.throws(
      () =>
        readTrainResultFile(
          write('bad.json', { ...body, version: 2, backend: { ...choice, backend: 'gpu' } }),
        ),
      (error: unknown) => error instanceof FileFormatError && /backend\.backend/.test(error.message),
    );
    assert.throws(
      () => readTrainResultFile(write('v3.json', { ...body, version: 3, backend: choice })),
      (error: unknown) => error instanceof FileFormatError && /version 1 or 2 file/.test(error.message),
    );
  });
});
