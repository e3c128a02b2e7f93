import { FileFormatError } from '../../core/errors.js';
import type { ByteReader } from './byte-reader.js';

/** How one stored number is encoded: its type and, for multi-byte types, its byte order. */
export interface ElementEncoding {
  readonly type: ElementType;
  readonly littleEndian: boolean;
}

export type ElementType =
  'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

/** Arrays that decoded numbers can be written into. */
export type NumberArray = Uint8Array | Int32Array | Float32Array | Float64Array;

const BYTE_SIZE: Readonly<Record<ElementType, number>> = {
  uint8: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
};

export function byteSize(type: ElementType): number {
  return BYTE_SIZE[type];
}

export function isFloatType(type: ElementType): boolean {
  return type === 'float32' || type === 'float64';
}

/**
 * Reads `count` elements from `reader` and writes them, converted, into `dest` from index `destStart`. Floats must
 * be finite and integers must fit a double exactly; otherwise the error names the file and the byte offset of the
 * offending element. Elements split across chunk boundaries are reassembled from a few carried bytes, so the data
 * never pass through an intermediate array.
 */
export async function readElements(
  reader: ByteReader,
  encoding: ElementEncoding,
  count: number,
  dest: NumberArray,
  destStart: number,
  what: string,
): Promise<void> {
  const size = byteSize(encoding.type);
  const base = reader.offset;
  if (size === 1 && encoding.type === 'uint8') {
    // Bytes need no decoding: typed-array `set` converts them in native code.
    await reader.readPieces(count, what, (piece, start) => dest.set(piece, destStart + start));
    return;
  }
  if (storesNatively(encoding, dest)) {
    await copyNative(reader, count, dest, destStart, what);
    return;
  }
  const decode = decoder(encoding);
  const carry = Buffer.alloc(size);
  let carried = 0;
  let element = 0;
  const store = (view: DataView, at: number): void => {
    const value = decode(view, at);
    if (!Number.isFinite(value)) throw badElement(reader, what, base, element, size, encoding.type, value);
    dest[destStart + element] = value;
    element++;
  };
  const carryView = new DataView(carry.buffer, carry.byteOffset, size);
  await reader.readPieces(count * size, what, (piece) => {
    let p = 0;
    if (carried > 0) {
      const take = Math.min(size - carried, piece.length);
      piece.copy(carry, carried, 0, take);
      carried += take;
      p = take;
      if (carried < size) return;
      store(carryView, 0);
      carried = 0;
    }
    const view = new DataView(piece.buffer, piece.byteOffset, piece.length);
    const end = p + Math.floor((piece.length - p) / size) * size;
    for (; p < end; p += size) store(view, p);
    if (p < piece.length) {
      piece.copy(carry, 0, p);
      carried = piece.length - p;
    }
  });
}

function badElement(
  reader: ByteReader,
  what: string,
  base: number,
  element: number,
  size: number,
  type: ElementType,
  value: number,
): FileFormatError {
  const where = reader.describeOffset(base + element * size);
  const problem = isFloatType(type)
    ? `${value}, expected a finite number`
    : 'an integer too large for a double';
  return new FileFormatError(reader.file, `${what}: element ${element} at ${where} is ${problem}`);
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when the stored bytes already are the destination's in-memory representation. */
function storesNatively(encoding: ElementEncoding, dest: NumberArray): boolean {
  if (encoding.littleEndian !== HOST_LITTLE_ENDIAN) return false;
  return (
    (encoding.type === 'float32' && dest instanceof Float32Array) ||
    (encoding.type === 'float64' && dest instanceof Float64Array) ||
    (encoding.type === 'int32' && dest instanceof Int32Array)
  );
}

/** Copies raw bytes straight into the destination's memory, then checks the floats for NaN and infinities. */
async function copyNative(
  reader: ByteReader,
  count: number,
  dest: Float32Array | Float64Array | Int32Array | Uint8Array,
  destStart: number,
  what: string,
): Promise<void> {
  const size = dest.BYTES_PER_ELEMENT;
  const base = reader.offset;
  const bytes = new Uint8Array(dest.buffer, dest.byteOffset + destStart * size, count * size);
  await reader.readPieces(count * size, what, (piece, start) => bytes.set(piece, start));
  if (dest instanceof Int32Array) return;
  for (let element = 0; element < count; element++) {
    const value = dest[destStart + element];
    if (!Number.isFinite(value)) {
      throw badElement(reader, what, base, element, size, size === 4 ? 'float32' : 'float64', value);
    }
  }
}

function decoder(encoding: ElementEncoding): (view: DataView, at: number) => number {
  const little = encoding.littleEndian;
  switch (encoding.type) {
    case 'uint8':
      return (view, at) => view.getUint8(at);
    case 'int8':
      return (view, at) => view.getInt8(at);
    case 'int16':
      return (view, at) => view.getInt16(at, little);
    case 'uint16':
      return (view, at) => view.getUint16(at, little);
    case 'int32':
      return (view, at) => view.getInt32(at, little);
    case 'uint32':
      return (view, at) => view.getUint32(at, little);
    case 'int64':
      return (view, at) => exactNumber(view.getBigInt64(at, little));
    case 'uint64':
      return (view, at) => exactNumber(view.getBigUint64(at, little));
    case 'float32':
      return (view, at) => view.getFloat32(at, little);
    case 'float64':
      return (view, at) => view.getFloat64(at, little);
  }
}

/** A 64-bit integer as a double, or NaN (reported as a bad element) when it does not fit exactly. */
function exactNumber(value: bigint): number {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : NaN;
}
