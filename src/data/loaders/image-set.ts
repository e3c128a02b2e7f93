import { requireMemory } from '../../core/limits.js';
import { FileFormatError, InvalidArgumentError } from '../../core/errors.js';

/** Pixel storage of a loaded file: bytes as stored, or floats (converted while reading, never afterwards). */
export type PixelArray = Uint8Array | Float32Array | Float64Array;
export type PixelType = 'uint8' | 'float32' | 'float64';
export const PIXEL_TYPES: readonly PixelType[] = ['uint8', 'float32', 'float64'];
export const PIXEL_BYTES: Readonly<Record<PixelType, number>> = { uint8: 1, float32: 4, float64: 8 };

/**
 * The class count of labels that do not declare one: the largest label + 1. Each class gets a counter, so a stray
 * label of 2 147 483 647 would ask for gigabytes of them; the memory limit refuses it naming the file and label.
 */
export function inferredClassCount(file: string, labels: Int32Array): number {
  let largest = -1;
  for (const label of labels) largest = Math.max(largest, label);
  requireMemory(
    file,
    `class indices up to ${largest} (a counter for each of ${largest + 1} classes)`,
    (largest + 1) * 8,
  );
  return largest + 1;
}

/**
 * How the values of one sample are arranged, so that pooling and image grids know rows, columns and channels.
 * - `flat`: a feature vector with no spatial meaning (CSV, 2-D NPY).
 * - `hw`: one grey channel, rows × columns (IDX, MNIST).
 * - `chw`: channels first, each channel a rows × columns plane (CIFAR-10 binary).
 * - `hwc`: channels last, pixel by pixel (NumPy image stacks).
 */
export type ImageLayout = 'flat' | 'hw' | 'chw' | 'hwc';
export const IMAGE_LAYOUTS: readonly ImageLayout[] = ['flat', 'hw', 'chw', 'hwc'];

export type SourceFormat = 'idx' | 'cifar10' | 'npy' | 'csv';

/**
 * Samples read from files, before any preprocessing: one row per sample in `pixels` (count × featureDim, row-major,
 * in the order the files store them), integer class labels, and where they came from.
 */
export interface ImageSet {
  readonly format: SourceFormat;
  /** Every file read, in reading order (absolute or as given). */
  readonly files: readonly string[];
  readonly pixels: PixelArray;
  readonly count: number;
  /** Shape of one sample, e.g. [28, 28] (hw) or [3, 32, 32] (chw). Its product is the feature dimension. */
  readonly sampleShape: readonly number[];
  readonly layout: ImageLayout;
  /** True when the file stores the values as bytes 0–255 (whatever `pixels` holds now), so [0, 1] means ÷ 255. */
  readonly storedAsBytes: boolean;
  /** Class index of each sample (0-based), or undefined when the source has no labels (an NPY array alone). */
  readonly labels: Int32Array | undefined;
  /** Number of classes the labels were checked against: every label lies in [0, classCount). */
  readonly classCount: number | undefined;
  /** Human-readable class names where the format defines them (CIFAR-10). */
  readonly classNames?: readonly string[];
}

export function featureDimension(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

export function pixelTypeOf(pixels: PixelArray): PixelType {
  if (pixels instanceof Uint8Array) return 'uint8';
  return pixels instanceof Float32Array ? 'float32' : 'float64';
}

export function allocatePixels(type: PixelType, length: number): PixelArray {
  if (type === 'uint8') return new Uint8Array(length);
  return type === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

export function parsePixelType(text: string, argument = 'pixelType'): PixelType {
  if ((PIXEL_TYPES as readonly string[]).includes(text)) return text as PixelType;
  throw new InvalidArgumentError(argument, PIXEL_TYPES.join(', '), text);
}

export function parseImageLayout(text: string, argument = 'layout'): ImageLayout {
  if ((IMAGE_LAYOUTS as readonly string[]).includes(text)) return text as ImageLayout;
  throw new InvalidArgumentError(argument, IMAGE_LAYOUTS.join(', '), text);
}

/** Channels, rows and columns of one sample, or undefined for `flat` samples. */
export function imageGeometry(
  shape: readonly number[],
  layout: ImageLayout,
): { channels: number; rows: number; cols: number } | undefined {
  switch (layout) {
    case 'flat':
      return undefined;
    case 'hw':
      return { channels: 1, rows: shape[0], cols: shape[1] };
    case 'chw':
      return { channels: shape[0], rows: shape[1], cols: shape[2] };
    case 'hwc':
      return { channels: shape[2], rows: shape[0], cols: shape[1] };
  }
}

/** Throws unless `shape` has the rank `layout` needs (flat: any; hw: 2; chw, hwc: 3). */
export function requireLayoutFits(argument: string, shape: readonly number[], layout: ImageLayout): void {
  const rank = { flat: undefined, hw: 2, chw: 3, hwc: 3 }[layout];
  if (rank !== undefined && shape.length !== rank) {
    throw new InvalidArgumentError(
      argument,
      `a ${rank}-D sample shape for layout ${layout}`,
      `[${shape.join(', ')}]`,
    );
  }
}

/**
 * Throws a FileFormatError naming the first label outside [0, classCount) and where it sits in the file.
 * `offsetOf(n)` gives the byte offset (or another locator) of label n in its file.
 */
export function requireLabelsInRange(
  file: string,
  labels: Int32Array,
  classCount: number,
  locate: (n: number) => string,
  first = 0,
  end = labels.length,
): void {
  for (let n = first; n < end; n++) {
    const label = labels[n];
    if (label < 0 || label >= classCount) {
      throw new FileFormatError(
        file,
        `label ${label} at ${locate(n)} is outside the class range 0..${classCount - 1}`,
      );
    }
  }
}

/** Number of samples of each class (index = class). */
export function classCounts(labels: Int32Array, classCount?: number): number[] {
  let classes = classCount ?? 0;
  if (classCount === undefined) for (const label of labels) classes = Math.max(classes, label + 1);
  requireMemory('labels', `a counter for each of ${classes} classes`, classes * 8);
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

/** Smallest and largest value of the pixels (NaN-free inputs assumed: loaders reject non-finite values). */
export function valueRange(pixels: PixelArray): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
