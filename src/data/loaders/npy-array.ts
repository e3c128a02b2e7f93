import { endianness } from 'node:os';
import type { FloatArray } from '../../core/dtype.js';
import { FileFormatError } from '../../core/errors.js';
import { writeOutputFile } from '../../io/output-file.js';
import { withByteReader } from './byte-reader.js';
import { readElements } from './element-codec.js';
import { featureDimension } from './image-set.js';
import { readNpyHeader } from './npy-header.js';

/** A float array read from or written to an .npy file, with its shape. */
export interface NpyFloatArray {
  readonly values: FloatArray;
  readonly shape: readonly number[];
}

/** Reads any numeric .npy array as float32 (when stored as <f4) or float64 (everything else). */
export async function readNpyFloatArray(file: string): Promise<NpyFloatArray> {
  return withByteReader(file, async (reader) => {
    const header = await readNpyHeader(reader);
    const length = featureDimension(header.shape);
    const values = header.encoding.type === 'float32' ? new Float32Array(length) : new Float64Array(length);
    await readElements(reader, header.encoding, length, values, 0, 'array data');
    await reader.expectEnd(`${length} elements of dtype ${header.descr}`);
    return { values, shape: header.shape };
  });
}

/**
 * Writes a C-order little-endian .npy file (format 1.0, or 2.0 when the header needs it) straight from the array's
 * memory, in 4 MiB pieces, so a large array is never copied.
 */
export async function writeNpy(
  file: string,
  values: Float32Array | Float64Array | Uint8Array | Int32Array,
  shape: readonly number[],
): Promise<void> {
  if (endianness() !== 'LE')
    throw new FileFormatError(file, 'writing .npy files needs a little-endian machine');
  if (featureDimension(shape) !== values.length) {
    throw new FileFormatError(file, `shape (${shape.join(', ')}) does not hold ${values.length} values`);
  }
  const descr =
    values instanceof Float32Array
      ? '<f4'
      : values instanceof Float64Array
        ? '<f8'
        : values instanceof Int32Array
          ? '<i4'
          : '|u1';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const version = dict.length + 11 < 65536 ? 1 : 2;
  const prefix = version === 1 ? 10 : 12;
  const padding = (64 - ((prefix + dict.length + 1) % 64)) % 64;
  const headerText = `${dict}${' '.repeat(padding)}\n`;
  const header = Buffer.alloc(prefix + headerText.length);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = version;
  header[7] = 0;
  if (version === 1) header.writeUInt16LE(headerText.length, 8);
  else header.writeUInt32LE(headerText.length, 8);
  header.write(headerText, prefix, 'latin1');
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  writeOutputFile(file, [header, bytes], 'the NPY file');
}
