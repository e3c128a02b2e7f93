import { FileFormatError } from '../../core/errors.js';
import type { ByteReader } from './byte-reader.js';
import type { ElementEncoding, ElementType } from './element-codec.js';

/**
 * The header of a NumPy .npy file (format versions 1.0, 2.0 and 3.0): the magic string "\x93NUMPY", two version
 * bytes, the header length (uint16 little-endian in v1, uint32 in v2/v3), then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (100, 28, 28), }`.
 */
export interface NpyHeader {
  readonly encoding: ElementEncoding;
  readonly descr: string;
  readonly shape: readonly number[];
  /** Byte offset where the array data start. */
  readonly dataOffset: number;
}

const MAGIC = Buffer.from([0x93, ...Buffer.from('NUMPY', 'latin1')]);

const DESCR_TYPES: Readonly<Record<string, ElementType>> = {
  u1: 'uint8',
  i1: 'int8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  f4: 'float32',
  f8: 'float64',
};

export async function readNpyHeader(reader: ByteReader): Promise<NpyHeader> {
  const preamble = await reader.readExact(8, 'the NPY magic string and version');
  if (!preamble.subarray(0, 6).equals(MAGIC)) {
    throw new FileFormatError(
      reader.file,
      `not an NPY file: bytes at offset 0 are 0x${preamble.subarray(0, 6).toString('hex')}, expected "\\x93NUMPY"`,
    );
  }
  const major = preamble[6];
  if (major < 1 || major > 3) {
    throw new FileFormatError(
      reader.file,
      `NPY format version ${major}.${preamble[7]} at byte offset 6 is not supported (1.0–3.0)`,
    );
  }
  const lengthBytes = await reader.readExact(major === 1 ? 2 : 4, 'the NPY header length');
  const headerLength = major === 1 ? lengthBytes.readUInt16LE(0) : lengthBytes.readUInt32LE(0);
  const headerStart = reader.offset;
  const text = (await reader.readExact(headerLength, 'the NPY header')).toString(
    major === 3 ? 'utf8' : 'latin1',
  );
  const fail = (detail: string): never => {
    throw new FileFormatError(reader.file, `NPY header at byte offset ${headerStart}: ${detail}`);
  };
  let dict: Map<string, PyValue>;
  try {
    dict = parsePythonDict(text);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string')
    return fail(`'descr' must be a dtype string such as '<f4', got ${show(descr)}`);
  if (typeof fortran !== 'boolean')
    return fail(`'fortran_order' must be True or False, got ${show(fortran)}`);
  if (fortran)
    return fail(
      "'fortran_order' is True; only C-order arrays are supported (save with np.ascontiguousarray)",
    );
  if (!Array.isArray(shape)) return fail(`'shape' must be a tuple of integers, got ${show(shape)}`);
  const encoding = parseDescr(descr);
  if (encoding === undefined) {
    return fail(
      `dtype '${descr}' is not supported; expected one of |u1, |i1, <i2, <u2, <i4, <u4, <i8, <u8, <f4, <f8 (or > for big-endian)`,
    );
  }
  return { encoding, descr, shape, dataOffset: reader.offset };
}

function parseDescr(descr: string): ElementEncoding | undefined {
  const match = /^([<>|])([iuf][1248])$/.exec(descr);
  if (!match) return undefined;
  const type = DESCR_TYPES[match[2]];
  if (type === undefined) return undefined;
  // NumPy writes '|' (no byte order) exactly for the one-byte types.
  const single = match[2].endsWith('1');
  if (single ? match[1] !== '|' : match[1] === '|') return undefined;
  return { type, littleEndian: match[1] !== '>' };
}

type PyValue = string | boolean | number[];

function show(value: PyValue | undefined): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/**
 * Parses the restricted Python literal NumPy writes: a dict of quoted string keys whose values are quoted strings,
 * True/False or tuples of non-negative integers. Anything else (structured dtypes, nested dicts) is rejected.
 */
export function parsePythonDict(text: string): Map<string, PyValue> {
  let i = 0;
  const skip = (): void => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const expect = (char: string): void => {
    skip();
    if (text[i] !== char)
      throw new Error(`expected '${char}' at character ${i}, found ${JSON.stringify(text[i] ?? 'end')}`);
    i++;
  };
  const string = (): string => {
    skip();
    const quote = text[i];
    if (quote !== "'" && quote !== '"') throw new Error(`expected a quoted string at character ${i}`);
    const end = text.indexOf(quote, i + 1);
    if (end < 0) throw new Error(`unterminated string at character ${i}`);
    const value = text.slice(i + 1, end);
    i = end + 1;
    return value;
  };
  const value = (): PyValue => {
    skip();
    if (text[i] === "'" || text[i] === '"') return string();
    if (text.startsWith('True', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('False', i)) {
      i += 5;
      return false;
    }
    if (text[i] === '(') {
      i++;
      const items: number[] = [];
      for (;;) {
        skip();
        if (text[i] === ')') {
          i++;
          return items;
        }
        const match = /^\d+/.exec(text.slice(i));
        if (!match) throw new Error(`expected a non-negative integer in the shape tuple at character ${i}`);
        items.push(Number(match[0]));
        i += match[0].length;
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') throw new Error(`expected ',' or ')' in the shape tuple at character ${i}`);
      }
    }
    throw new Error(`unsupported value at character ${i} (structured dtypes are not supported)`);
  };
  const dict = new Map<string, PyValue>();
  expect('{');
  for (;;) {
    skip();
    if (text[i] === '}') {
      i++;
      break;
    }
    const key = string();
    expect(':');
    dict.set(key, value());
    skip();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`expected ',' or '}' at character ${i}`);
  }
  if (text.slice(i).trim() !== '') throw new Error(`unexpected text after the dict at character ${i}`);
  return dict;
}
