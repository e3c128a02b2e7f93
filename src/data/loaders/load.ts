import { access, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { FileFormatError, InvalidArgumentError } from '../../core/errors.js';
import { ByteReader, describeOpenError } from './byte-reader.js';
import {
  CIFAR10_RECORD_BYTES,
  loadCifar10Directory,
  loadCifar10Files,
  looksLikeCifar10Directory,
} from './cifar.js';
import { loadCsv } from './csv.js';
import { type DataSplit, findIdxPairs, labelFileFor, loadIdxPair, loadIdxPairs } from './idx.js';
import {
  featureDimension,
  type ImageLayout,
  type ImageSet,
  type PixelType,
  type SourceFormat,
} from './image-set.js';
import { loadNpy } from './npy.js';

export const SOURCE_FORMATS: readonly SourceFormat[] = ['idx', 'cifar10', 'npy', 'csv'];

export function parseSourceFormat(text: string, argument = 'format'): SourceFormat {
  if ((SOURCE_FORMATS as readonly string[]).includes(text)) return text as SourceFormat;
  throw new InvalidArgumentError(argument, SOURCE_FORMATS.join(', '), text);
}

export interface LoadImageSetOptions {
  /** Force a format instead of recognising it from the directory's files or the file's name and first bytes. */
  readonly format?: SourceFormat;
  /** For a directory: which files to read (default train). */
  readonly split?: DataSplit;
  /** Label file for an NPY sample file or an IDX image file (IDX default: the file named by the MNIST convention). */
  readonly labels?: string;
  /** CSV: the label column (default `label`). */
  readonly labelColumn?: string;
  readonly pixelType?: PixelType;
  /** NPY and CSV: the layout of one sample. */
  readonly layout?: ImageLayout;
  /** CSV: the shape of one sample. */
  readonly sampleShape?: readonly number[];
  readonly classCount?: number;
}

/**
 * Loads samples from a path in any supported format: a directory of MNIST-style IDX files or CIFAR-10 batches, or
 * one IDX, CIFAR-10 binary, NPY or CSV file. The format comes from `options.format`, else from the files present
 * (directories) or the first bytes and name (files).
 *
 * @example
 * ```ts
 * const fashion = await loadImageSet('/usr/share/datasets/fashion-mnist', { split: 'test' });
 * ```
 */
export async function loadImageSet(path: string, options: LoadImageSetOptions = {}): Promise<ImageSet> {
  const set = await loadAnyImageSet(path, options);
  // An empty set would be summarised as "min Infinity, max -Infinity, mean NaN" and train nothing.
  if (set.count === 0) throw new FileFormatError(set.files[0] ?? path, 'holds no samples (a count of 0)');
  if (featureDimension(set.sampleShape) === 0) {
    throw new FileFormatError(
      set.files[0] ?? path,
      `its samples have no values (shape ${set.sampleShape.join('x')})`,
    );
  }
  requireOptionsApply(set.format, options);
  // CSV and NPY take a sample shape from the caller; IDX and CIFAR store theirs, and a different request is a
  // mistake to report rather than a setting to ignore.
  const wanted = options.sampleShape;
  if (
    wanted !== undefined &&
    (set.format === 'idx' || set.format === 'cifar10') &&
    wanted.join('×') !== set.sampleShape.join('×')
  ) {
    throw new InvalidArgumentError(
      'sampleShape',
      `the shape its ${set.format} files store, ${set.sampleShape.join('x')} (or no shape)`,
      wanted.join('x'),
    );
  }
  return set;
}

/** Options a format does not read are refused rather than ignored (`--layout` on IDX, `--labels` on a CSV). */
function requireOptionsApply(format: SourceFormat, options: LoadImageSetOptions): void {
  const applies: readonly [keyof LoadImageSetOptions, readonly SourceFormat[]][] = [
    ['layout', ['npy', 'csv']],
    ['labelColumn', ['csv']],
    ['labels', ['npy', 'idx']],
  ];
  for (const [option, formats] of applies) {
    if (options[option] !== undefined && !formats.includes(format)) {
      throw new InvalidArgumentError(
        option,
        `no ${option} for ${format} data (it applies to ${formats.join(' and ')})`,
        String(options[option]),
      );
    }
  }
}

async function loadAnyImageSet(path: string, options: LoadImageSetOptions): Promise<ImageSet> {
  const split = options.split ?? 'train';
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw describeOpenError(path, error, 'the dataset');
  }
  if (isDirectory) {
    const format = options.format ?? ((await looksLikeCifar10Directory(path)) ? 'cifar10' : 'idx');
    if (format === 'cifar10') return loadCifar10Directory(path, split, options);
    if (format === 'idx') return loadIdxPairs(await findIdxPairs(path, split), options);
    throw new InvalidArgumentError('format', 'idx or cifar10 for a directory', format);
  }
  const format = options.format ?? (await recogniseFile(path));
  switch (format) {
    case 'idx': {
      const labels = options.labels ?? labelFileFor(path);
      if (labels === undefined || !(await exists(labels))) {
        throw new FileFormatError(
          path,
          `no label file found for these IDX images${labels ? ` (looked for ${labels})` : ''}; pass one`,
        );
      }
      return loadIdxPair({ images: path, labels }, options);
    }
    case 'cifar10':
      return loadCifar10Files([path], options);
    case 'npy':
      return loadNpy({ ...options, images: path });
    case 'csv':
      return loadCsv(path, options);
  }
}

/** The format of a file, from its first bytes (gzip is looked through) and, failing that, its name. */
export async function recogniseFile(file: string): Promise<SourceFormat> {
  const head = await firstBytes(file, 6);
  if (head.length >= 6 && head[0] === 0x93 && head.subarray(1, 6).toString('latin1') === 'NUMPY')
    return 'npy';
  const name = basename(file).replace(/\.gz$/, '');
  if (
    /idx\d-ubyte$/.test(name) ||
    (head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 0x08 && head[3] === 3)
  ) {
    return 'idx';
  }
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.bin$/i.test(name)) return 'cifar10';
  const { size } = await stat(file);
  if (size > 0 && size % CIFAR10_RECORD_BYTES === 0) return 'cifar10';
  throw new FileFormatError(
    file,
    'format not recognised (expected IDX, CIFAR-10 binary .bin, .npy or .csv); name it with format',
  );
}

async function firstBytes(file: string, length: number): Promise<Buffer> {
  const reader = await ByteReader.open(file);
  try {
    const out: Buffer[] = [];
    await reader
      .readPieces(length, 'the first bytes', (piece) => out.push(Buffer.from(piece)))
      .catch(() => undefined);
    return Buffer.concat(out);
  } finally {
    reader.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
