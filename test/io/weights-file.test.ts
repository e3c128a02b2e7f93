import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileFormatError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { type Architecture, parameterCount } from '../../src/model/architecture.js';
import {
  parseWeights,
  readWeightsFile,
  serialiseWeights,
  type WeightsFile,
  writeWeightsFile,
} from '../../src/io/weights-file.js';

const architecture: Architecture = {
  inputDim: 3,
  hidden: [
    { width: 4, activation: { kind: 'leaky-relu', slope: 0.1 }, bias: true },
    { width: 2, activation: { kind: 'tanh' }, bias: false },
  ],
  outputDim: 2,
  outputBias: true,
};

function sampleWeights(dtype: 'float64' | 'float32'): WeightsFile {
  const values = new Rng(5).fillGaussian(new Float64Array(parameterCount(architecture)));
  const theta = dtype === 'float64' ? values : Float32Array.from(values);
  return { architecture, loss: 'sse', dtype, theta, provenance: { note: 'test' } };
}

function expectFormatError(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseWeights(text, 'w.json'),
    (error: unknown) =>
      error instanceof FileFormatError && pattern.test(error.message) && !error.message.includes('\n'),
  );
}

describe('weights file', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`round-trips ${dtype} θ bit for bit`, () => {
      const original = sampleWeights(dtype);
      const read = parseWeights(serialiseWeights(original));
      assert.equal(read.dtype, dtype);
      assert.deepEqual(read.architecture, architecture);
      assert.equal(read.loss, 'sse');
      assert.equal(read.theta.constructor, original.theta.constructor);
      assert.deepEqual(Array.from(read.theta), Array.from(original.theta));
      assert.deepEqual(read.provenance, { note: 'test' });
    });
  }

  it('writes and reads a file on disk, with slope noise', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'basin-w-')), 'w.json');
    const weights = {
      ...sampleWeights('float64'),
      slopeNoise: { distribution: 'uniform', mean: 1, halfWidth: 0.2, seed: 9 },
    } as const;
    writeWeightsFile(path, weights);
    const read = readWeightsFile(path);
    assert.deepEqual(read.slopeNoise, weights.slopeNoise);
    assert.deepEqual(Array.from(read.theta), Array.from(weights.theta));
  });

  it('rejects a truncated file', () => {
    const text = serialiseWeights(sampleWeights('float64'));
    expectFormatError(
      text.slice(0, Math.floor(text.length / 2)),
      /^w\.json: .*invalid JSON \(truncated or corrupt\?\)/,
    );
  });

  it('rejects another version or format', () => {
    const json = JSON.parse(serialiseWeights(sampleWeights('float64')));
    expectFormatError(
      JSON.stringify({ ...json, version: 2 }),
      /unsupported basin-weights version 2; this basin reads version 1/,
    );
    expectFormatError(
      JSON.stringify({ ...json, format: 'onnx' }),
      /format is "onnx", expected "basin-weights"/,
    );
    expectFormatError('[1, 2]', /expected a JSON object/);
  });

  it('names the field that is wrong', () => {
    const json = JSON.parse(serialiseWeights(sampleWeights('float64')));
    expectFormatError(
      JSON.stringify({ ...json, theta: json.theta.slice(1) }),
      /theta has 29 entries, expected parameterCount = 30/,
    );
    expectFormatError(
      JSON.stringify({ ...json, theta: [...json.theta.slice(1), 'x'] }),
      /theta\[29\]: expected a finite number, got "x"/,
    );
    expectFormatError(
      JSON.stringify({ ...json, extra: 1 }),
      /extra: expected one of the known keys \(format, version,/,
    );
    expectFormatError(
      JSON.stringify({
        ...json,
        architecture: { ...json.architecture, hidden: [{ width: 0, activation: 'relu', bias: true }] },
      }),
      /architecture\.hidden\[0\]\.width: expected an integer ≥ 1, got 0/,
    );
    expectFormatError(
      JSON.stringify({
        ...json,
        architecture: {
          ...json.architecture,
          hidden: [{ width: 4, activation: 'swish', bias: true }, json.architecture.hidden[1]],
        },
      }),
      /architecture\.hidden\[0\]\.activation: expected one of relu/,
    );
    expectFormatError(
      JSON.stringify({ ...json, parameterCount: 5 }),
      /parameterCount is 5, but the architecture has 30/,
    );
    expectFormatError(JSON.stringify({ ...json, dtype: 'float32' }), /not float32/);
  });

  it('refuses to write non-finite or mis-sized θ', () => {
    const weights = sampleWeights('float64');
    const bad = Float64Array.from(weights.theta);
    bad[3] = NaN;
    assert.throws(
      () => serialiseWeights({ ...weights, theta: bad }),
      /theta\[3\]: expected a finite number, got NaN/,
    );
    assert.throws(() => serialiseWeights({ ...weights, theta: bad.subarray(1) }), /θ has 29 entries/);
  });

  it('reports an unreadable file by name', () => {
    assert.throws(
      () => readWeightsFile('/nonexistent/w.json'),
      /^FileFormatError: \/nonexistent\/w\.json: cannot read the weights file \(ENOENT: no such file\)$/,
    );
  });
});
