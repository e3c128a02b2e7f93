import { FileFormatError, InvalidArgumentError, requireInteger } from '../../core/errors.js';
import { withByteReader } from './byte-reader.js';
import { byteSize, isFloatType, readElements } from './element-codec.js';
import {
  allocatePixels,
  inferredClassCount,
  PIXEL_BYTES,
  featureDimension,
  type ImageLayout,
  type ImageSet,
  type PixelType,
  requireLabelsInRange,
  requireLayoutFits,
} from './image-set.js';
import { readNpyHeader } from './npy-header.js';

export interface NpyLoadOptions {
  /** The .npy file of samples: shape (N, D), (N, H, W), (N, C, H, W) or (N, H, W, C). */
  readonly images: string;
  /** An optional .npy file of integer class labels, shape (N,) or (N, 1). */
  readonly labels?: string;
  /** How each sample is laid out (default inferred from the shape, see {@link inferNpyLayout}). */
  readonly layout?: ImageLayout;
  /** Storage of the returned pixels (default: uint8 for |u1, float32 for <f4, float64 otherwise). */
  readonly pixelType?: PixelType;
  /** When given, every label must lie in [0, classCount); otherwise labels need only be ≥ 0. */
  readonly classCount?: number;
  /**
   * A shape for each sample with as many values as the file's (`[4, 4]` for an (N, 16) array), so a flat array can
   * be read as images; a shape of another size is refused.
   */
  readonly sampleShape?: readonly number[];
}

const CHANNEL_COUNTS = [1, 3, 4];

/**
 * Layout of one sample of shape `sampleShape` when the caller did not say: 1-D → flat, 2-D → hw, 3-D → chw when
 * the first axis has 1, 3 or 4 entries and the last does not, hwc when the last does. Otherwise ambiguous.
 */
export function inferNpyLayout(sampleShape: readonly number[]): ImageLayout | undefined {
  if (sampleShape.length === 1) return 'flat';
  if (sampleShape.length === 2) return 'hw';
  if (sampleShape.length !== 3) return undefined;
  const first = CHANNEL_COUNTS.includes(sampleShape[0]);
  const last = CHANNEL_COUNTS.includes(sampleShape[2]);
  if (last) return 'hwc';
  return first ? 'chw' : undefined;
}

/**
 * Loads samples (and optionally labels) from NumPy .npy files: uint8, float32 or float64 (any integer type is
 * accepted too and read as float), little- or big-endian, C order only.
 *
 * @example
 * ```ts
 * const set = await loadNpy({ images: 'x.npy', labels: 'y.npy' });
 * ```
 */
export async function loadNpy(options: NpyLoadOptions): Promise<ImageSet> {
  const file = options.images;
  const images = await withByteReader(file, async (reader) => {
    const header = await readNpyHeader(reader);
    if (header.shape.length < 2) {
      throw new FileFormatError(
        file,
        `an NPY sample array needs shape (N, …) with ≥ 2 axes, got (${header.shape.join(', ')})`,
      );
    }
    const storedShape = header.shape.slice(1);
    const wanted = options.sampleShape;
    if (wanted !== undefined && featureDimension(wanted) !== featureDimension(storedShape)) {
      throw new InvalidArgumentError(
        'sampleShape',
        `a shape of ${featureDimension(storedShape)} values, as the file's samples of shape (${storedShape.join(', ')}) hold`,
        wanted.join('x'),
      );
    }
    const sampleShape = wanted ?? storedShape;
    const layout = options.layout ?? inferNpyLayout(sampleShape);
    if (layout === undefined) {
      throw new InvalidArgumentError(
        'layout',
        `chw or hwc for samples of shape (${sampleShape.join(', ')})`,
        'nothing (ambiguous)',
      );
    }
    requireLayoutFits('layout', sampleShape, layout);
    const sourceType = header.encoding.type;
    const pixelType =
      options.pixelType ??
      (sourceType === 'uint8' ? 'uint8' : sourceType === 'float32' ? 'float32' : 'float64');
    if (pixelType === 'uint8' && sourceType !== 'uint8') {
      throw new InvalidArgumentError(
        'pixelType',
        `float32 or float64 for NPY dtype ${header.descr}`,
        pixelType,
      );
    }
    const count = header.shape[0];
    const length = count * featureDimension(sampleShape);
    reader.requireDeclared(
      length * byteSize(header.encoding.type),
      length * PIXEL_BYTES[pixelType],
      'array data',
    );
    const pixels = allocatePixels(pixelType, length);
    await readElements(reader, header.encoding, length, pixels, 0, 'array data');
    await reader.expectEnd(`${length} elements of dtype ${header.descr}`);
    return { pixels, count, sampleShape, layout, storedAsBytes: sourceType === 'uint8' };
  });
  const classCount =
    options.classCount === undefined ? undefined : requireInteger('classCount', options.classCount, 1);
  const labels =
    options.labels === undefined ? undefined : await loadNpyLabels(options.labels, images.count, classCount);
  return {
    format: 'npy',
    files: options.labels === undefined ? [file] : [file, options.labels],
    ...images,
    labels: labels?.values,
    classCount: classCount ?? labels?.classCount,
  };
}

async function loadNpyLabels(
  file: string,
  count: number,
  classCount: number | undefined,
): Promise<{ values: Int32Array; classCount: number }> {
  return withByteReader(file, async (reader) => {
    const header = await readNpyHeader(reader);
    const shape = header.shape;
    if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
      throw new FileFormatError(file, `labels need shape (N,) or (N, 1), got (${shape.join(', ')})`);
    }
    if (shape[0] !== count) {
      throw new FileFormatError(file, `holds ${shape[0]} labels but the sample file holds ${count} samples`);
    }
    reader.requireDeclared(count * byteSize(header.encoding.type), count * 12, 'label data');
    const raw = new Float64Array(count);
    await readElements(reader, header.encoding, count, raw, 0, 'label data');
    await reader.expectEnd(`${count} labels of dtype ${header.descr}`);
    const size = byteSize(header.encoding.type);
    const locate = (n: number): string => `byte offset ${header.dataOffset + n * size} (sample ${n})`;
    const values = new Int32Array(count);
    for (let n = 0; n < count; n++) {
      if (!Number.isInteger(raw[n]) || raw[n] < 0 || raw[n] > 0x7fffffff) {
        const kind =
          isFloatType(header.encoding.type) && !Number.isInteger(raw[n])
            ? 'not an integer'
            : 'not a class index ≥ 0';
        throw new FileFormatError(file, `label ${raw[n]} at ${locate(n)} is ${kind}`);
      }
      values[n] = raw[n];
    }
    if (classCount !== undefined) requireLabelsInRange(file, values, classCount, locate);
    return { values, classCount: classCount ?? inferredClassCount(file, values) };
  });
}
