import type { FloatArray } from '../../core/dtype.js';
import { InvalidArgumentError, requireInteger } from '../../core/errors.js';
import { type ImageLayout, imageGeometry } from '../loaders/image-set.js';

export interface PooledImages {
  readonly x: FloatArray;
  readonly sampleShape: readonly number[];
}

/**
 * Average pooling by `factor` × `factor` in every channel (non-overlapping windows), e.g. 32×32 → 16×16 with factor
 * 2. Image sides must be multiples of the factor. Returns a new, smaller array in the same layout.
 */
export function averagePool(
  x: FloatArray,
  count: number,
  sampleShape: readonly number[],
  layout: ImageLayout,
  factor: number,
): PooledImages {
  requireInteger('downsample', factor, 1);
  const geometry = imageGeometry(sampleShape, layout);
  if (geometry === undefined) {
    throw new InvalidArgumentError(
      'downsample',
      'images (layout hw, chw or hwc), not flat feature vectors',
      layout,
    );
  }
  const { channels, rows, cols } = geometry;
  if (rows % factor !== 0 || cols % factor !== 0) {
    throw new InvalidArgumentError(
      'downsample',
      `a factor that divides the image size ${rows}×${cols}`,
      factor,
    );
  }
  const outRows = rows / factor;
  const outCols = cols / factor;
  const inDim = channels * rows * cols;
  const outDim = channels * outRows * outCols;
  const out = new (x instanceof Float32Array ? Float32Array : Float64Array)(count * outDim);
  // Index of value (c, r, q) inside one sample, for either channel placement.
  const at =
    layout === 'hwc'
      ? (c: number, r: number, q: number, w: number) => (r * w + q) * channels + c
      : (c: number, r: number, q: number, w: number, h: number) => (c * h + r) * w + q;
  const area = factor * factor;
  for (let n = 0; n < count; n++) {
    const inBase = n * inDim;
    const outBase = n * outDim;
    for (let c = 0; c < channels; c++) {
      for (let r = 0; r < outRows; r++) {
        for (let q = 0; q < outCols; q++) {
          let sum = 0;
          for (let dr = 0; dr < factor; dr++) {
            for (let dq = 0; dq < factor; dq++) {
              sum += x[inBase + at(c, r * factor + dr, q * factor + dq, cols, rows)];
            }
          }
          out[outBase + at(c, r, q, outCols, outRows)] = sum / area;
        }
      }
    }
  }
  const sampleShapeOut =
    layout === 'hw'
      ? [outRows, outCols]
      : layout === 'chw'
        ? [channels, outRows, outCols]
        : [outRows, outCols, channels];
  return { x: out, sampleShape: sampleShapeOut };
}
