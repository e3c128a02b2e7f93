import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import { FileFormatError, InvalidArgumentError, requireInteger } from '../../core/errors.js';
import { parseDecimal } from '../../core/numbers.js';
import { requireMemory } from '../../core/limits.js';
import { describeOpenError, requireReadableDataFile } from './byte-reader.js';
import {
  allocatePixels,
  inferredClassCount,
  featureDimension,
  type ImageLayout,
  type ImageSet,
  type PixelType,
  requireLabelsInRange,
  requireLayoutFits,
} from './image-set.js';

export interface CsvLoadOptions {
  /** Name of the header column holding the integer class label (default `label`). */
  readonly labelColumn?: string;
  /** Shape of one sample, e.g. [28, 28] for MNIST-as-CSV (default: [number of feature columns], flat). */
  readonly sampleShape?: readonly number[];
  /** Layout of a sample with `sampleShape` (default flat for 1-D, hw for 2-D shapes). */
  readonly layout?: ImageLayout;
  /** Storage of the returned features (default float64). */
  readonly pixelType?: PixelType;
  /** When given, every label must lie in [0, classCount); otherwise labels need only be ≥ 0. */
  readonly classCount?: number;
  /** Field separator (default `,`). */
  readonly delimiter?: string;
}

/**
 * Loads a CSV file with a header row: one named column holds the integer class label, every other column is a
 * numeric feature, in header order. Parsing (quotes, separators, line endings) is csv-parse's; this function checks
 * that every cell is a finite number and every label a class index, naming the line and column of the first that
 * is not.
 *
 * @example
 * ```ts
 * const set = await loadCsv('iris.csv', { labelColumn: 'species' });
 * ```
 */
export async function loadCsv(file: string, options: CsvLoadOptions = {}): Promise<ImageSet> {
  const labelColumn = options.labelColumn ?? 'label';
  const classCount =
    options.classCount === undefined ? undefined : requireInteger('classCount', options.classCount, 1);
  await requireReadableDataFile(file, 'the CSV file');
  const source = createReadStream(file);
  const parser = source.pipe(
    parse({ bom: true, info: true, trim: true, skip_empty_lines: true, delimiter: options.delimiter ?? ',' }),
  );
  source.on('error', (error) => parser.destroy(error));

  let header: string[] | undefined;
  let labelIndex = -1;
  let features = new Float64Array(0);
  let labels = new Int32Array(0);
  let count = 0;
  let dim = 0;
  let recordStart = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; bytes: number };
    }>) {
      const where = `line ${info.lines} (byte offset ${recordStart})`;
      recordStart = info.bytes;
      if (header === undefined) {
        header = record;
        labelIndex = header.indexOf(labelColumn);
        if (header.indexOf(labelColumn, labelIndex + 1) > labelIndex && labelIndex >= 0) {
          throw new FileFormatError(
            file,
            `header at line ${info.lines} names the label column ${JSON.stringify(labelColumn)} twice (columns ${labelIndex + 1} and ${header.indexOf(labelColumn, labelIndex + 1) + 1}); rename one`,
          );
        }
        if (labelIndex < 0) {
          throw new FileFormatError(
            file,
            `header at line ${info.lines} has no column named ${JSON.stringify(labelColumn)} (columns: ${header.join(', ')})`,
          );
        }
        const twice = header.find((name, c) => c !== labelIndex && header!.indexOf(name) !== c);
        if (twice !== undefined) {
          throw new FileFormatError(
            file,
            `header at line ${info.lines} names the column ${JSON.stringify(twice)} twice; feature columns need distinct names`,
          );
        }
        dim = header.length - 1;
        if (dim === 0)
          throw new FileFormatError(
            file,
            `header at line ${info.lines} has no feature columns besides ${labelColumn}`,
          );
        continue;
      }
      if (count * dim === features.length) {
        const capacity = Math.max(1024, 2 * count);
        requireMemory(file, `${capacity} rows of ${dim} features`, capacity * (dim * 8 + 4));
        features = grow(features, capacity * dim);
        labels = grow(labels, capacity);
      }
      let k = count * dim;
      for (let c = 0; c < record.length; c++) {
        const cell = record[c];
        const value = parseDecimal(cell) ?? NaN;
        if (c === labelIndex) {
          if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
            throw new FileFormatError(
              file,
              `${where}, column ${JSON.stringify(labelColumn)}: label ${JSON.stringify(cell)} is not a class index (an integer ≥ 0)`,
            );
          }
          labels[count] = value;
        } else {
          if (!Number.isFinite(value)) {
            throw new FileFormatError(
              file,
              `${where}, column ${JSON.stringify(header[c])}: ${JSON.stringify(cell)} is not a finite number`,
            );
          }
          features[k++] = value;
        }
      }
      count++;
    }
  } catch (error) {
    throw describeCsvError(file, error);
  }
  if (header === undefined) throw new FileFormatError(file, 'is empty, expected a header row and data rows');
  if (count === 0) throw new FileFormatError(file, 'has a header but no data rows');
  labels = labels.slice(0, count);
  if (classCount !== undefined) {
    requireLabelsInRange(file, labels, classCount, (n) => `data row ${n + 1}`);
  }
  const sampleShape = options.sampleShape ?? [dim];
  if (featureDimension(sampleShape) !== dim) {
    throw new InvalidArgumentError(
      'sampleShape',
      `a shape with ${dim} entries (the feature columns)`,
      `[${sampleShape.join(', ')}]`,
    );
  }
  const layout = options.layout ?? (sampleShape.length === 2 ? 'hw' : 'flat');
  requireLayoutFits('layout', sampleShape, layout);
  const pixelType = options.pixelType ?? 'float64';
  const used = features.subarray(0, count * dim);
  let pixels;
  if (pixelType === 'float64') {
    pixels = used.slice();
  } else {
    pixels = allocatePixels(pixelType, used.length);
    if (pixelType === 'uint8') requireBytes(file, used, dim);
    pixels.set(used);
  }
  return {
    format: 'csv',
    files: [file],
    pixels,
    count,
    sampleShape,
    layout,
    storedAsBytes: false,
    labels,
    classCount: classCount ?? inferredClassCount(file, labels),
  };
}

function grow<T extends Float64Array | Int32Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}

function requireBytes(file: string, values: Float64Array, dim: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v > 255) {
      throw new InvalidArgumentError(
        'pixelType',
        `float32 or float64 (${file} data row ${Math.floor(i / dim) + 1} holds ${v}, not a byte)`,
        'uint8',
      );
    }
  }
}

function describeCsvError(file: string, error: unknown): Error {
  if (error instanceof FileFormatError || error instanceof InvalidArgumentError) return error;
  if (error instanceof CsvError) {
    const at = error as CsvError & { lines?: number; bytes?: number };
    return new FileFormatError(
      file,
      `line ${at.lines ?? '?'} (byte offset ${at.bytes ?? '?'}): ${error.message}`,
    );
  }
  const code = (error as { code?: string }).code;
  if (code !== undefined && ['ENOENT', 'EISDIR', 'EACCES'].includes(code))
    return describeOpenError(file, error, 'the CSV file');
  return new FileFormatError(
    file,
    `cannot be read as CSV: ${error instanceof Error ? error.message : String(error)}`,
  );
}
