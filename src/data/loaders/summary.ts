import { classCounts, featureDimension, type ImageSet, pixelTypeOf, type PixelType } from './image-set.js';

/** What `basin data inspect` reports about a loaded set: JSON-serialisable. */
export interface ImageSetSummary {
  readonly format: string;
  readonly files: readonly string[];
  readonly count: number;
  readonly sampleShape: readonly number[];
  readonly layout: string;
  readonly features: number;
  readonly pixelType: PixelType;
  readonly storedAsBytes: boolean;
  readonly values: { readonly min: number; readonly max: number; readonly mean: number; readonly sd: number };
  /** One entry per class index: its name where the format has one, and its sample count. */
  readonly classes:
    readonly { readonly index: number; readonly name?: string; readonly count: number }[] | undefined;
}

/** Shape, value statistics (one float64 pass) and class counts of a loaded set. */
export function summariseImageSet(set: ImageSet): ImageSetSummary {
  const pixels = set.pixels;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let square = 0;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    square += v * v;
  }
  const mean = sum / pixels.length;
  const sd = Math.sqrt(Math.max(0, square / pixels.length - mean * mean));
  return {
    format: set.format,
    files: set.files,
    count: set.count,
    sampleShape: set.sampleShape,
    layout: set.layout,
    features: featureDimension(set.sampleShape),
    pixelType: pixelTypeOf(pixels),
    storedAsBytes: set.storedAsBytes,
    values: { min, max, mean, sd },
    classes:
      set.labels === undefined
        ? undefined
        : classCounts(set.labels, set.classCount).map((count, index) => ({
            index,
            ...(set.classNames?.[index] === undefined ? {} : { name: set.classNames[index] }),
            count,
          })),
  };
}
