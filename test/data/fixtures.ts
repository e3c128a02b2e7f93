import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FileFormatError } from '../../src/core/errors.js';
import { NUMPY_PACKAGES, pythonOracleSkip } from '../support/python.js';

/*
 * Small files in the exact on-disk formats, written byte by byte from the format specifications, and a python3
 * numpy oracle for the tests that want an independent writer or reader.
 */

/** A fresh temporary directory; call the returned `remove` when the test is done. */
export function temporaryDirectory(label: string): {
  path: string;
  /** Writes `data` to `name` inside the directory and returns the file's path. */
  write: (name: string, data: string | Buffer) => string;
  remove: () => void;
} {
  const path = mkdtempSync(join(tmpdir(), `basin-${label}-`));
  return {
    path,
    write: (name, data) => {
      const file = join(path, name);
      writeFileSync(file, data);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** The FileFormatError a load must throw; fails the test when it throws anything else or nothing. */
export async function formatError(load: () => Promise<unknown>): Promise<FileFormatError> {
  try {
    await load();
  } catch (error) {
    assert.ok(error instanceof FileFormatError, `expected a FileFormatError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the load to fail');
}

/** An IDX file: zero, zero, type code, rank; big-endian uint32 sizes; big-endian elements. */
export function idxBytes(typeCode: number, shape: readonly number[], values: ArrayLike<number>): Buffer {
  const size = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[typeCode]!;
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.writeUInt8(typeCode, 2);
  header.writeUInt8(shape.length, 3);
  shape.forEach((s, k) => header.writeUInt32BE(s, 4 + 4 * k));
  const body = Buffer.alloc(values.length * size);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeCode === 0x08) body.writeUInt8(v, i);
    else if (typeCode === 0x09) body.writeInt8(v, i);
    else if (typeCode === 0x0b) body.writeInt16BE(v, 2 * i);
    else if (typeCode === 0x0c) body.writeInt32BE(v, 4 * i);
    else if (typeCode === 0x0d) body.writeFloatBE(v, 4 * i);
    else body.writeDoubleBE(v, 8 * i);
  }
  return Buffer.concat([header, body]);
}

export function gzip(bytes: Buffer): Buffer {
  return gzipSync(bytes);
}

/** CIFAR-10 binary records: label byte then 3072 pixel bytes, for each sample. */
export function cifarBytes(labels: readonly number[], pixel: (n: number, k: number) => number): Buffer {
  const out = Buffer.alloc(labels.length * 3073);
  labels.forEach((label, n) => {
    out[n * 3073] = label;
    for (let k = 0; k < 3072; k++) out[n * 3073 + 1 + k] = pixel(n, k);
  });
  return out;
}

/** A version-1.0 NPY file written from the format description (header padded to a multiple of 64 bytes). */
export function npyBytes(
  descr: string,
  shape: readonly number[],
  values: ArrayLike<number>,
  options: { fortranOrder?: boolean; headerText?: string } = {},
): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict =
    options.headerText ??
    `{'descr': '${descr}', 'fortran_order': ${options.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const header = Buffer.alloc(10);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(dict.length, 8);
  const type = descr.slice(1);
  const little = descr[0] !== '>';
  if (!little && type !== 'f8') throw new Error(`fixture writer: big-endian only for f8, not ${descr}`);
  const size = Number(type.slice(1));
  const body = Buffer.alloc(values.length * size);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const at = i * size;
    if (type === 'u1') body.writeUInt8(v, at);
    else if (type === 'i4') body.writeInt32LE(v, at);
    else if (type === 'i8') body.writeBigInt64LE(BigInt(v), at);
    else if (type === 'f4') body.writeFloatLE(v, at);
    else if (type === 'f8' && little) body.writeDoubleLE(v, at);
    else if (type === 'f8') body.writeDoubleBE(v, at);
    else throw new Error(`fixture writer: unsupported type ${descr}`);
  }
  return Buffer.concat([header, Buffer.from(dict, 'latin1'), body]);
}

export { runPython } from '../linalg/numpy-oracle.js';

/** The `skip` option for a numpy oracle test: false when numpy imports (required under CI=true). */
export function numpySkipReason(): string | false {
  return pythonOracleSkip('import numpy', NUMPY_PACKAGES);
}

/** Asserts-free helper: largest |a − b| over two equally long arrays. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
