import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  DEFAULT_MEMORY_LIMIT_BYTES,
  formatBytes,
  MEMORY_LIMIT_VARIABLE,
  memoryLimit,
  parseByteSize,
  requireMemory,
  SizeLimitError,
} from '../../src/core/limits.js';
import { parseDecimal } from '../../src/core/numbers.js';
import { parseRunSpec, resolveRunSpec } from '../../src/run/spec.js';
import { requireRunFits } from '../../src/run/size.js';
import { prepareRun } from '../../src/run/pipeline.js';

function withLimit<T>(text: string | undefined, body: () => T): T {
  const before = process.env.BASIN_MAX_MEMORY;
  if (text === undefined) delete process.env.BASIN_MAX_MEMORY;
  else process.env.BASIN_MAX_MEMORY = text;
  try {
    return body();
  } finally {
    if (before === undefined) delete process.env.BASIN_MAX_MEMORY;
    else process.env.BASIN_MAX_MEMORY = before;
  }
}

describe('memory limit', () => {
  it('is read from BASIN_MAX_MEMORY', () => assert.equal(MEMORY_LIMIT_VARIABLE, 'BASIN_MAX_MEMORY'));

  it('reads BASIN_MAX_MEMORY in decimal and binary units, 4 GiB when unset', () => {
    assert.equal(withLimit(undefined, memoryLimit), DEFAULT_MEMORY_LIMIT_BYTES);
    assert.equal(withLimit('8GiB', memoryLimit), 8 * 2 ** 30);
    assert.equal(withLimit('512 MB', memoryLimit), 512e6);
    assert.equal(withLimit('1e9', memoryLimit), 1e9);
    assert.throws(() => withLimit('0x10', memoryLimit), /BASIN_MAX_MEMORY: expected a size in bytes/);
    assert.throws(() => withLimit('-1GB', memoryLimit), InvalidArgumentError);
    assert.throws(() => parseByteSize('12 parsecs', '--x'), /--x: expected a size in bytes/);
  });

  it('refuses naming the field, the size needed and how to raise the limit', () => {
    assert.doesNotThrow(() => requireMemory('f', 'x', 1024, 2048));
    assert.throws(
      () => requireMemory('model.hidden', 'a big net', 3 * 2 ** 30, 2 ** 30),
      (error: unknown) =>
        error instanceof SizeLimitError &&
        /^model\.hidden: a big net would need 3\.00 GiB, over basin's memory limit of 1\.00 GiB; set BASIN_MAX_MEMORY \(e\.g\. BASIN_MAX_MEMORY=4GiB\)/.test(
          error.message,
        ),
    );
    // NaN (a product that overflowed to nonsense) is refused, not waved through by a failed comparison.
    assert.throws(() => requireMemory('f', 'x', Number.NaN, 1), SizeLimitError);
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1.5 * 2 ** 40), '1.50 TiB');
  });
});

describe('run sizes are checked before allocation', () => {
  const spec = (data: object, hidden: number[]) =>
    parseRunSpec({ data, model: { hidden }, stopping: { maxEpochs: 1 } });

  it('refuses --hidden 10000,10000,10000 by its field before any array exists', () => {
    const run = resolveRunSpec(spec({ source: 'gaussian', count: 20, inputDim: 4 }, [10000, 10000, 10000]));
    assert.throws(
      () => requireRunFits(run, { count: 20, inputDim: 4, outputDim: 1 }),
      /: model\.hidden: training a 4-10000-10000-10000-1 network \(200050000 parameters/,
    );
  });

  it('names the data field that makes the samples too large', () => {
    const run = resolveRunSpec(spec({ source: 'gaussian', count: 20, inputDim: 4 }, [2]));
    assert.throws(() => requireRunFits(run, { count: 1e12, inputDim: 4, outputDim: 1 }), /: data\.count: /);
    assert.throws(
      () => requireRunFits(run, { count: 10, inputDim: 1e9, outputDim: 1 }),
      /: data\.inputDim: /,
    );
  });

  it('prepareRun refuses a generated dataset of 1e12 samples without generating it', async () => {
    await assert.rejects(
      prepareRun(spec({ source: 'gaussian', count: 1e12, inputDim: 4 }, [2])),
      (error: unknown) => error instanceof SizeLimitError && error.field === 'data.count',
    );
  });

  it('lets a run within the limit through', () => {
    const run = resolveRunSpec(spec({ source: 'gaussian', count: 50000, inputDim: 3072 }, [16]));
    assert.doesNotThrow(() => requireRunFits(run, { count: 50000, inputDim: 3072, outputDim: 1 }));
  });
});

describe('parseDecimal: the one number reader', () => {
  it('takes plain decimals and refuses hex, octal, binary, blanks and infinities', () => {
    for (const [text, value] of [
      ['12', 12],
      ['-0.5', -0.5],
      ['.5', 0.5],
      ['3.', 3],
      ['1e-3', 1e-3],
      ['-0', 0],
    ] as const) {
      assert.equal(parseDecimal(text), value, text);
    }
    for (const text of ['0x10', '0o7', '0b1', '', ' ', ' 1', 'Infinity', 'NaN', '1e', '1_000', '1e400']) {
      assert.equal(parseDecimal(text), undefined, JSON.stringify(text));
    }
  });
});
