import { requireMemory } from '../../core/limits.js';
import { PNG } from 'pngjs';
import { InvalidArgumentError, requireInteger } from '../../core/errors.js';
import { featureDimension, imageGeometry, type ImageSet } from './image-set.js';

export interface ImageGridOptions {
  /** Samples per class row (labelled sets) or in total (unlabelled sets: a square block). Default 8. */
  readonly perClass?: number;
  /** At most this many class rows (default 20). */
  readonly maxClasses?: number;
  /** Pixel magnification (default 2). */
  readonly zoom?: number;
}

export interface ImageGrid {
  readonly png: Buffer;
  readonly rows: number;
  readonly columns: number;
  /** The sample index shown in each tile, row by row (−1 for an empty tile). */
  readonly samples: readonly number[];
}

const GAP = 1;
const BACKGROUND = 40;

/**
 * A PNG contact sheet: one row per class holding its first `perClass` samples in file order (or, without labels,
 * the first samples in a square block). Grey images show as grey, 3-channel images as RGB, other channel counts
 * by their first channel. Byte images are drawn as stored; float images are mapped from the set's [min, max].
 */
export function imageGrid(set: ImageSet, options: ImageGridOptions = {}): ImageGrid {
  const geometry = imageGeometry(set.sampleShape, set.layout);
  if (geometry === undefined) {
    throw new InvalidArgumentError(
      'layout',
      'image samples (hw, chw or hwc) to draw a grid; give flat data a sample shape',
      set.layout,
    );
  }
  const perClass = requireInteger('perClass', options.perClass ?? 8, 1);
  const zoom = requireInteger('zoom', options.zoom ?? 2, 1, 32);
  const maxClasses = requireInteger('maxClasses', options.maxClasses ?? 20, 1);
  const samples = chooseSamples(set, perClass, maxClasses);
  const rows = samples.length;
  const columns = samples[0]?.length ?? 0;
  const { channels, rows: height, cols: width } = geometry;
  const tileW = width * zoom;
  const tileH = height * zoom;
  const pngBytes = (columns * (tileW + GAP) + GAP) * (rows * (tileH + GAP) + GAP) * 4;
  requireMemory('perClass', `a grid of ${rows} × ${columns} images of ${tileW}×${tileH} pixels`, pngBytes);
  const png = new PNG({ width: columns * (tileW + GAP) + GAP, height: rows * (tileH + GAP) + GAP });
  png.data.fill(BACKGROUND);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;

  const dim = featureDimension(set.sampleShape);
  const { offset, scale } = displayMap(set);
  const valueAt = (n: number, c: number, r: number, q: number): number => {
    const within = set.layout === 'hwc' ? (r * width + q) * channels + c : (c * height + r) * width + q;
    return Math.max(0, Math.min(255, Math.round((set.pixels[n * dim + within] - offset) * scale)));
  };
  samples.forEach((row, gridRow) =>
    row.forEach((n, gridColumn) => {
      if (n < 0) return;
      const left = GAP + gridColumn * (tileW + GAP);
      const top = GAP + gridRow * (tileH + GAP);
      for (let y = 0; y < tileH; y++) {
        for (let x = 0; x < tileW; x++) {
          const r = Math.floor(y / zoom);
          const q = Math.floor(x / zoom);
          const at = ((top + y) * png.width + left + x) * 4;
          const red = valueAt(n, 0, r, q);
          png.data[at] = red;
          png.data[at + 1] = channels === 3 ? valueAt(n, 1, r, q) : red;
          png.data[at + 2] = channels === 3 ? valueAt(n, 2, r, q) : red;
        }
      }
    }),
  );
  return { png: PNG.sync.write(png), rows, columns, samples: samples.flat() };
}

function chooseSamples(set: ImageSet, perClass: number, maxClasses: number): number[][] {
  if (set.labels === undefined) {
    const total = Math.min(set.count, perClass * perClass);
    const side = Math.ceil(Math.sqrt(total));
    return Array.from({ length: Math.ceil(total / side) }, (_, r) =>
      Array.from({ length: side }, (_, c) => (r * side + c < total ? r * side + c : -1)),
    );
  }
  const labels = set.labels;
  const classes = Math.min(maxClasses, set.classCount ?? labels.reduce((a, b) => Math.max(a, b + 1), 0));
  const rows = Array.from({ length: classes }, () => [] as number[]);
  for (let n = 0; n < set.count; n++) {
    const row = rows[labels[n]];
    if (row !== undefined && row.length < perClass) row.push(n);
  }
  // Rows are padded to the fullest one, not to perClass: a class never holds more than the set, so a huge perClass
  // asks for no more memory than the samples themselves.
  const width = rows.reduce((most, row) => Math.max(most, row.length), 0);
  return rows.map((row) => [...row, ...new Array<number>(width - row.length).fill(-1)]);
}

/** Bytes are drawn as stored; floats from [min, max] of the whole set onto 0–255. */
function displayMap(set: ImageSet): { offset: number; scale: number } {
  if (set.pixels instanceof Uint8Array) return { offset: 0, scale: 1 };
  let min = Infinity;
  let max = -Infinity;
  for (const v of set.pixels) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max > min ? { offset: min, scale: 255 / (max - min) } : { offset: min, scale: 0 };
}
