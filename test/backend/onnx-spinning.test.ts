import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { onnxDenseProducts } from '../../src/backend/onnx/dense-products.js';
import { SPINNING_VARIABLE, spinningAllowed } from '../../src/backend/onnx/runtime.js';
import { cliSkip, repositoryRoot, temporaryDirectory } from '../cli/helpers.js';
import { onnxSkipReason } from '../support/onnx.js';

const onnxSkip = onnxSkipReason();

/** Runs `work` with the variable set to `value` (or unset), restoring it afterwards. */
function withVariable<T>(value: string | undefined, work: () => T): T {
  const before = process.env[SPINNING_VARIABLE];
  if (value === undefined) delete process.env.BASIN_ONNX_SPINNING;
  else process.env[SPINNING_VARIABLE] = value;
  try {
    return work();
  } finally {
    if (before === undefined) delete process.env.BASIN_ONNX_SPINNING;
    else process.env[SPINNING_VARIABLE] = before;
  }
}

describe(`${SPINNING_VARIABLE}: ONNX Runtime's idle threads spin or sleep`, () => {
  it('spins by default and with 1, sleeps with 0, and names the variable for anything else', () => {
    assert.equal(
      withVariable(undefined, () => spinningAllowed()),
      true,
    );
    assert.equal(
      withVariable('1', () => spinningAllowed()),
      true,
    );
    assert.equal(
      withVariable('0', () => spinningAllowed()),
      false,
    );
    assert.throws(
      () => withVariable('yes', () => spinningAllowed()),
      /BASIN_ONNX_SPINNING.*0 \(idle threads sleep\) or 1/,
    );
  });

  it('sessions with sleeping threads compute the same products', { skip: onnxSkip }, () => {
    const [m, k, n] = [64, 300, 48];
    const a = Float64Array.from({ length: m * k }, (_, i) => Math.sin(i));
    const b = Float64Array.from({ length: k * n }, (_, i) => Math.cos(i));
    const product = (): Float64Array => {
      const products = onnxDenseProducts({ threads: 2 });
      const out = new Float64Array(m * n);
      products.multiply(a, b, m, k, n, out);
      products.dispose();
      return out;
    };
    assert.deepEqual(withVariable('0', product), withVariable('1', product));
  });

  it('a bad value is a one-line CLI error naming the variable', { skip: onnxSkip || cliSkip }, () => {
    const result = spawnSync(
      process.execPath,
      [
        join(repositoryRoot, 'bin/basin.js'),
        'train',
        '--samples',
        '12',
        '--input-dim',
        '3',
        '--hidden',
        '4',
        '--epochs',
        '2',
        '--backend',
        'onnx',
        '--out',
        'o.json',
      ],
      {
        cwd: temporaryDirectory('spinning'),
        encoding: 'utf8',
        env: { ...process.env, [SPINNING_VARIABLE]: 'yes' },
      },
    );
    assert.equal(result.status, 1, result.stderr);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], /BASIN_ONNX_SPINNING/);
  });
});
