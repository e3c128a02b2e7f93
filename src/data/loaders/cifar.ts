import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileFormatError, InvalidArgumentError } from '../../core/errors.js';
import { describeOpenError } from './byte-reader.js';
import type { DataSplit } from './idx.js';
import { allocatePixels, type ImageSet, type PixelType } from './image-set.js';

/**
 * CIFAR-10 binary version: each record is 1 label byte (0–9) followed by 3072 pixel bytes, the 1024 red, then 1024
 * green, then 1024 blue values of a 32 × 32 image, each plane row-major. Files hold whole records and nothing else.
 */
export const CIFAR10_RECORD_BYTES = 3073;
export const CIFAR10_SAMPLE_SHAPE: readonly number[] = [3, 32, 32];
export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
const PIXEL_BYTES = CIFAR10_RECORD_BYTES - 1;
const CLASS_COUNT = 10;
const RECORDS_PER_READ = 1024;

export const CIFAR10_TRAIN_FILES: readonly string[] = [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`);
export const CIFAR10_TEST_FILES: readonly string[] = ['test_batch.bin'];

export interface CifarLoadOptions {
  /** Storage of the returned pixels (default uint8; float32 converts while reading, into one allocation). */
  readonly pixelType?: PixelType;
}

/**
 * Loads CIFAR-10 binary files into one preallocated array sized from the files' lengths. Each file is read in
 * blocks of 1024 records that are converted straight into place, so the only large allocation is the result.
 *
 * @example
 * ```ts
 * const train = await loadCifar10Files(['data_batch_1.bin'], { pixelType: 'float32' });
 * train.sampleShape; // [3, 32, 32]
 * ```
 */
export async function loadCifar10Files(
  files: readonly string[],
  options: CifarLoadOptions = {},
): Promise<ImageSet> {
  if (files.length === 0) throw new InvalidArgumentError('files', 'at least one CIFAR-10 binary file', 0);
  const recordCounts = await Promise.all(files.map(recordCountOf));
  const count = recordCounts.reduce((a, b) => a + b, 0);
  const pixels = allocatePixels(options.pixelType ?? 'uint8', count * PIXEL_BYTES);
  const labels = new Int32Array(count);
  let start = 0;
  for (let f = 0; f < files.length; f++) {
    await readRecords(files[f], recordCounts[f], pixels, labels, start);
    start += recordCounts[f];
  }
  return {
    format: 'cifar10',
    files: [...files],
    pixels,
    count,
    sampleShape: CIFAR10_SAMPLE_SHAPE,
    layout: 'chw',
    storedAsBytes: true,
    labels,
    classCount: CLASS_COUNT,
    classNames: CIFAR10_CLASS_NAMES,
  };
}

/**
 * Loads the standard CIFAR-10 files of a split from a directory (the directory itself or its
 * `cifar-10-batches-bin/` subdirectory): train = data_batch_1…5.bin (50 000 images), test = test_batch.bin
 * (10 000), all = train then test.
 */
export async function loadCifar10Directory(
  directory: string,
  split: DataSplit,
  options: CifarLoadOptions = {},
): Promise<ImageSet> {
  return loadCifar10Files(await findCifar10Files(directory, split), options);
}

export async function findCifar10Files(directory: string, split: DataSplit): Promise<string[]> {
  const wanted =
    split === 'train'
      ? CIFAR10_TRAIN_FILES
      : split === 'test'
        ? CIFAR10_TEST_FILES
        : [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES];
  for (const candidate of [directory, join(directory, 'cifar-10-batches-bin')]) {
    const names = await listDirectory(candidate);
    if (names !== undefined && wanted.every((name) => names.includes(name))) {
      return wanted.map((name) => join(candidate, name));
    }
  }
  throw new FileFormatError(directory, `does not hold the CIFAR-10 ${split} files ${wanted.join(', ')}`);
}

/** True when the directory (or its cifar-10-batches-bin/ subdirectory) holds at least one CIFAR-10 batch file. */
export async function looksLikeCifar10Directory(directory: string): Promise<boolean> {
  const all = [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES];
  for (const candidate of [directory, join(directory, 'cifar-10-batches-bin')]) {
    const names = await listDirectory(candidate);
    if (names?.some((name) => all.includes(name))) return true;
  }
  return false;
}

async function listDirectory(directory: string): Promise<string[] | undefined> {
  try {
    return await readdir(directory);
  } catch {
    return undefined;
  }
}

async function recordCountOf(file: string): Promise<number> {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = info.size;
  } catch (error) {
    throw describeOpenError(file, error, 'the CIFAR-10 batch');
  }
  if (size === 0) throw new FileFormatError(file, 'is empty, expected 3073-byte CIFAR-10 records');
  const whole = Math.floor(size / CIFAR10_RECORD_BYTES);
  const rest = size - whole * CIFAR10_RECORD_BYTES;
  if (rest !== 0) {
    throw new FileFormatError(
      file,
      `truncated record at byte offset ${whole * CIFAR10_RECORD_BYTES}: the file is ${size} bytes, not a whole ` +
        `number of 3073-byte CIFAR-10 records (the last one has ${rest} bytes)`,
    );
  }
  return whole;
}

async function readRecords(
  file: string,
  count: number,
  pixels: ReturnType<typeof allocatePixels>,
  labels: Int32Array,
  start: number,
): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw describeOpenError(file, error, 'the CIFAR-10 batch');
  }
  try {
    const buffer = Buffer.alloc(RECORDS_PER_READ * CIFAR10_RECORD_BYTES);
    for (let first = 0; first < count; first += RECORDS_PER_READ) {
      const records = Math.min(RECORDS_PER_READ, count - first);
      const bytes = records * CIFAR10_RECORD_BYTES;
      const offset = first * CIFAR10_RECORD_BYTES;
      const { bytesRead } = await handle.read(buffer, 0, bytes, offset);
      if (bytesRead !== bytes) {
        throw new FileFormatError(
          file,
          `truncated at byte offset ${offset + bytesRead} (the file shrank while reading)`,
        );
      }
      for (let r = 0; r < records; r++) {
        const at = r * CIFAR10_RECORD_BYTES;
        const label = buffer[at];
        const n = first + r;
        if (label >= CLASS_COUNT) {
          throw new FileFormatError(
            file,
            `label ${label} at byte offset ${offset + at} (record ${n}) is outside the class range 0..${CLASS_COUNT - 1}`,
          );
        }
        labels[start + n] = label;
        pixels.set(buffer.subarray(at + 1, at + CIFAR10_RECORD_BYTES), (start + n) * PIXEL_BYTES);
      }
    }
  } finally {
    await handle.close();
  }
}
