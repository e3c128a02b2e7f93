import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  canonicalPath,
  makeDirectory,
  requireSeparateFiles,
  requireWritableDirectory,
  requireWritableTarget,
  writeOutputFile,
} from '../../src/io/output-file.js';
import { parseStructuredText } from '../../src/io/structured-text.js';
import { readUserFile, readUserFileAsync } from '../../src/io/user-file.js';
import { temporaryDirectory } from '../cli/helpers.js';

describe('outputs never replace inputs or each other', () => {
  it('compares real paths: a symbolic link or a/../a names the same file', () => {
    const dir = temporaryDirectory('outputs');
    writeFileSync(join(dir, 'config.yaml'), 'data: {}\n');
    symlinkSync(join(dir, 'config.yaml'), join(dir, 'link.yaml'));
    mkdirSync(join(dir, 'sub'));
    assert.equal(canonicalPath(join(dir, 'link.yaml')), canonicalPath(join(dir, 'sub/../config.yaml')));
    assert.throws(
      () =>
        requireSeparateFiles(
          [{ path: join(dir, 'config.yaml'), argument: '--config' }],
          [{ path: join(dir, 'sub/../link.yaml'), argument: '--out' }],
        ),
      /--out: expected a file other than --config \(an input of this command\)/,
    );
    assert.throws(
      () =>
        requireSeparateFiles(
          [],
          [
            { path: join(dir, 'a.json'), argument: '--out' },
            { path: join(dir, 'sub/../a.json'), argument: '--weights' },
          ],
        ),
      /--weights: expected a file other than --out \(another output/,
    );
    assert.doesNotThrow(() =>
      requireSeparateFiles(
        [{ path: join(dir, 'config.yaml'), argument: '--config' }],
        [{ path: join(dir, 'result.json'), argument: '--out' }],
      ),
    );
  });

  it('refuses devices and directories as targets instead of replacing them', () => {
    assert.throws(
      () => requireWritableTarget('/dev/null', '--out'),
      /--out: expected a file basin can write \(it exists and is not a regular file\)/,
    );
    assert.throws(() => requireWritableTarget(temporaryDirectory('target'), '--out'), /it is a directory/);
  });

  it('fails fast on a directory that cannot be created, where Node would spin (/proc)', () => {
    assert.throws(
      () => requireWritableDirectory('/proc/basin-test/out', '--out'),
      /--out: expected a directory basin can write/,
    );
    assert.throws(() => makeDirectory('/proc/basin-test/out'), /ENOENT/);
  });

  it('writes whole files through a temporary file, leaving none behind', () => {
    const dir = temporaryDirectory('atomic');
    const target = join(dir, 'deep/er/result.json');
    const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
    writeOutputFile(target, [bytes('{"a":'), bytes('1}')], 'the result');
    assert.equal(readFileSync(target, 'utf8'), '{"a":1}');
    writeOutputFile(target, 'second', 'the result');
    assert.equal(readFileSync(target, 'utf8'), 'second');
    assert.deepEqual(readdirSync(join(dir, 'deep/er')), ['result.json']);
  });
});

describe('user files', () => {
  it('refuses devices rather than reading them forever', async () => {
    assert.throws(
      () => readUserFile('/dev/zero', 'the config file'),
      /\/dev\/zero: cannot read the config file \(a character device, not a regular file\)/,
    );
    await assert.rejects(readUserFileAsync('/dev/zero', 'the provenance'), /a character device/);
    assert.throws(
      () => readUserFile(temporaryDirectory('dir'), 'the config file'),
      /a directory, not a file/,
    );
  });
});

describe('config and spec text', () => {
  it('keeps YAML hex, octal and .inf as text, so number fields refuse them', () => {
    assert.deepEqual(parseStructuredText('a: 0x10\nb: 0o17\nc: .inf\nd: 1.5e3\ne: -2', 'x.yaml'), {
      a: '0x10',
      b: '0o17',
      c: '.inf',
      d: 1500,
      e: -2,
    });
  });

  // Regression: an unknown tag printed a Node warning of several lines beside basin's one-line error.
  it('refuses an unknown YAML tag by name, without printing a warning', () => {
    const warnings: unknown[] = [];
    const emitWarning = process.emitWarning;
    process.emitWarning = ((warning: unknown) => void warnings.push(warning)) as typeof process.emitWarning;
    try {
      assert.throws(
        () => parseStructuredText('f: !!js/function "x"\n', 'c.yaml'),
        /c\.yaml: not valid YAML: Unresolved tag: tag:yaml\.org,2002:js\/function at line 1/,
      );
    } finally {
      process.emitWarning = emitWarning;
    }
    assert.deepEqual(warnings, []);
  });

  it('refuses a key written twice, in JSON as in YAML, naming the key', () => {
    assert.throws(
      () => parseStructuredText('{"a": 1, "a": 2}', 'c.json'),
      /c\.json: not valid JSON: a key is written twice: "a" at line 1/,
    );
    assert.throws(
      () => parseStructuredText('a: 1\na: 2\n', 'c.yaml'),
      /c\.yaml: not valid YAML: a key is written twice: "a"/,
    );
    assert.throws(
      () => parseStructuredText('{"model": {"hidden": [2], "hidden": [3]}}', 'c.json'),
      /a key is written twice: "model\.hidden" at line 1/,
    );
    assert.throws(
      () => parseStructuredText('runs:\n  - x: 1\n  - y: 1\n    y: 2\n', 'c.yaml'),
      /a key is written twice: "runs\[1\]\.y" at line 4/,
    );
    assert.deepEqual(parseStructuredText('{"a": {"x": 1}, "b": {"x": 2}}', 'c.json'), {
      a: { x: 1 },
      b: { x: 2 },
    });
  });
});
