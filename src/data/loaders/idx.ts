import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileFormatError, InvalidArgumentError, requireInteger } from '../../core/errors.js';
import { ByteReader, describeOpenError } from './byte-reader.js';
import { byteSize, type ElementType, readElements } from './element-codec.js';
import { requireMemory } from '../../core/limits.js';
import {
  allocatePixels,
  PIXEL_BYTES,
  featureDimension,
  type ImageSet,
  type PixelType,
  requireLabelsInRange,
} from './image-set.js';

/**
 * IDX files (LeCun's MNIST format, also used by Fashion-MNIST): bytes 0–1 are zero, byte 2 the element type, byte 3
 * the number of dimensions d; then d big-endian uint32 sizes; then the elements, big-endian, row-major.
 */
const IDX_TYPES: Readonly<Record<number, ElementType>> = {
  0x08: 'uint8',
  0x09: 'int8',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

export interface IdxHeader {
  readonly type: ElementType;
  readonly shape: readonly number[];
}

/** Which part of a dataset split into a training and a test file pair. `all` concatenates train then test. */
export type DataSplit = 'train' | 'test' | 'all';
export const DATA_SPLITS: readonly DataSplit[] = ['train', 'test', 'all'];

export function parseDataSplit(text: string, argument = 'split'): DataSplit {
  if ((DATA_SPLITS as readonly string[]).includes(text)) return text as DataSplit;
  throw new InvalidArgumentError(argument, DATA_SPLITS.join(', '), text);
}

export interface IdxLoadOptions {
  /** Storage of the returned pixels (default: uint8 for byte images, float64 for float images). */
  readonly pixelType?: PixelType;
  /** Labels must lie in [0, classCount) (default 10, as in MNIST and Fashion-MNIST). */
  readonly classCount?: number;
}

export interface IdxFilePair {
  readonly images: string;
  readonly labels: string;
}

/** Reads and checks the magic number and dimensions at the start of an IDX file. */
export async function readIdxHeader(reader: ByteReader): Promise<IdxHeader> {
  const magic = await reader.readExact(4, 'the IDX magic number');
  const type = IDX_TYPES[magic[2]];
  if (magic[0] !== 0 || magic[1] !== 0 || type === undefined || magic[3] < 1) {
    throw new FileFormatError(
      reader.file,
      `not an IDX file: magic number at byte offset 0 is 0x${magic.toString('hex')}, expected 0x0000TTDD with type ` +
        'TT in {08, 09, 0B, 0C, 0D, 0E} and DD ≥ 1 dimensions',
    );
  }
  const sizes = await reader.readExact(4 * magic[3], 'the IDX dimension sizes');
  const shape = Array.from({ length: magic[3] }, (_, k) => sizes.readUInt32BE(4 * k));
  return { type, shape };
}

/**
 * Loads an IDX image file and its label file: images of shape (count, rows, cols), labels of shape (count).
 * Gzipped files are recognised by their content, not their name.
 *
 * @example
 * ```ts
 * const set = await loadIdxPair({ images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' });
 * set.count; // 60000
 * ```
 */
export async function loadIdxPair(pair: IdxFilePair, options: IdxLoadOptions = {}): Promise<ImageSet> {
  return loadIdxPairs([pair], options);
}

/**
 * Loads several IDX image/label pairs into one preallocated array, in the given order (for example MNIST train
 * then test for the 70 000-sample Table 1 set). All image files must have the same image shape.
 */
export async function loadIdxPairs(
  pairs: readonly IdxFilePair[],
  options: IdxLoadOptions = {},
): Promise<ImageSet> {
  if (pairs.length === 0) throw new InvalidArgumentError('pairs', 'at least one image/label file pair', 0);
  const classCount = requireInteger('classCount', options.classCount ?? 10, 1);
  const readers: ByteReader[] = [];
  try {
    const parts = [];
    for (const pair of pairs) {
      const images = await ByteReader.open(pair.images);
      readers.push(images);
      const labels = await ByteReader.open(pair.labels);
      readers.push(labels);
      parts.push(await readPartHeaders(images, labels));
    }
    const sampleShape = parts[0].imageHeader.shape.slice(1);
    for (const part of parts) {
      const shape = part.imageHeader.shape.slice(1);
      if (shape.join('×') !== sampleShape.join('×')) {
        throw new FileFormatError(
          part.images.file,
          `images are ${shape.join('×')}, but ${parts[0].images.file} holds ${sampleShape.join('×')} images`,
        );
      }
    }
    const sourceType = parts[0].imageHeader.type;
    const pixelType = options.pixelType ?? (sourceType === 'uint8' ? 'uint8' : 'float64');
    if (pixelType === 'uint8' && sourceType !== 'uint8') {
      throw new InvalidArgumentError(
        'pixelType',
        `float32 or float64 for IDX ${sourceType} images`,
        pixelType,
      );
    }
    const dim = featureDimension(sampleShape);
    const count = parts.reduce((total, part) => total + part.count, 0);
    for (const part of parts) {
      const values = part.count * dim;
      const stored = values * byteSize(part.imageHeader.type);
      part.images.requireDeclared(stored, values * PIXEL_BYTES[pixelType], 'image data');
      part.labels.requireDeclared(part.count * byteSize(part.labelHeader.type), part.count * 4, 'label data');
    }
    requireMemory(
      parts[0].images.file,
      `${count} images of ${sampleShape.join('×')} ${pixelType} values`,
      count * dim * PIXEL_BYTES[pixelType],
    );
    const pixels = allocatePixels(pixelType, count * dim);
    const labels = new Int32Array(count);
    let start = 0;
    for (const part of parts) {
      const partType = part.imageHeader.type;
      await readElements(
        part.images,
        { type: partType, littleEndian: false },
        part.count * dim,
        pixels,
        start * dim,
        'image data',
      );
      await part.images.expectEnd(`${part.count} images of ${dim} ${partType} values`);
      const labelBase = part.labels.offset;
      const labelType = part.labelHeader.type;
      await readElements(
        part.labels,
        { type: labelType, littleEndian: false },
        part.count,
        labels,
        start,
        'label data',
      );
      await part.labels.expectEnd(`${part.count} labels`);
      requireLabelsInRange(
        part.labels.file,
        labels,
        classCount,
        (n) =>
          `${part.labels.describeOffset(labelBase + (n - start) * byteSize(labelType))} (sample ${n - start})`,
        start,
        start + part.count,
      );
      start += part.count;
    }
    return {
      format: 'idx',
      files: pairs.flatMap((pair) => [pair.images, pair.labels]),
      pixels,
      count,
      sampleShape,
      layout: sampleShape.length === 2 ? 'hw' : 'flat',
      storedAsBytes: sourceType === 'uint8',
      labels,
      classCount,
    };
  } finally {
    for (const reader of readers) reader.close();
  }
}

async function readPartHeaders(
  images: ByteReader,
  labels: ByteReader,
): Promise<{
  images: ByteReader;
  labels: ByteReader;
  imageHeader: IdxHeader;
  labelHeader: IdxHeader;
  count: number;
}> {
  const imageHeader = await readIdxHeader(images);
  if (imageHeader.shape.length < 2) {
    throw new FileFormatError(
      images.file,
      `an IDX image file needs ≥ 2 dimensions (count, rows, cols), this one has shape (${imageHeader.shape.join(', ')})`,
    );
  }
  if (!['uint8', 'float32', 'float64'].includes(imageHeader.type)) {
    throw new FileFormatError(
      images.file,
      `IDX images of type ${imageHeader.type} are not supported; expected uint8, float32 or float64`,
    );
  }
  const labelHeader = await readIdxHeader(labels);
  if (labelHeader.shape.length !== 1) {
    throw new FileFormatError(
      labels.file,
      `an IDX label file has 1 dimension (count), this one has shape (${labelHeader.shape.join(', ')})`,
    );
  }
  if (!['uint8', 'int8', 'int16', 'int32'].includes(labelHeader.type)) {
    throw new FileFormatError(
      labels.file,
      `IDX labels of type ${labelHeader.type} are not supported; expected an integer type`,
    );
  }
  const count = imageHeader.shape[0];
  if (labelHeader.shape[0] !== count) {
    throw new FileFormatError(
      labels.file,
      `holds ${labelHeader.shape[0]} labels but ${images.file} holds ${count} images`,
    );
  }
  return { images, labels, imageHeader, labelHeader, count };
}

const IDX_NAME = /^(train|t10k)-(images|labels)[-.]idx[13]-ubyte(\.gz)?$/;

/**
 * The MNIST-convention file pairs in a directory: `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`,
 * `t10k-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]` (a `.` instead of the `-` before `idx` is accepted).
 */
export async function findIdxPairs(directory: string, split: DataSplit): Promise<IdxFilePair[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    throw describeOpenError(directory, error, 'the IDX directory');
  }
  const found = new Map<string, string>();
  for (const name of names.sort()) {
    const match = IDX_NAME.exec(name);
    if (match && !found.has(`${match[1]}-${match[2]}`))
      found.set(`${match[1]}-${match[2]}`, join(directory, name));
  }
  const prefixes = split === 'train' ? ['train'] : split === 'test' ? ['t10k'] : ['train', 't10k'];
  return prefixes.map((prefix) => {
    const images = found.get(`${prefix}-images`);
    const labels = found.get(`${prefix}-labels`);
    if (images === undefined || labels === undefined) {
      throw new FileFormatError(
        directory,
        `no ${prefix}-images-idx3-ubyte[.gz] and ${prefix}-labels-idx1-ubyte[.gz] pair (needed for split ${split})`,
      );
    }
    return { images, labels };
  });
}

/** Loads MNIST or Fashion-MNIST from a directory holding the standard IDX files. */
export async function loadIdxDirectory(
  directory: string,
  split: DataSplit,
  options: IdxLoadOptions = {},
): Promise<ImageSet> {
  return loadIdxPairs(await findIdxPairs(directory, split), options);
}

/** For an IDX image file name, the label file that goes with it by the MNIST naming convention, if any. */
export function labelFileFor(imagesFile: string): string | undefined {
  const renamed = imagesFile.replace(/images([-.])idx3/, 'labels$1idx1');
  return renamed === imagesFile ? undefined : renamed;
}
