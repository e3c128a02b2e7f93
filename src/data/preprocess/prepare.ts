import type { DType, FloatArray } from '../../core/dtype.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { DenseProducts } from '../../core/linalg/products.js';
import type { Dataset } from '../dataset.js';
import { encodeLabel, type LabelEncoding } from '../labels.js';
import { featureDimension, type ImageSet } from '../loaders/image-set.js';
import { type BinarySplit, describeBinarySplit, splitSide, validateBinarySplit } from './binary-split.js';
import { averagePool } from './downsample.js';
import { applyUnitScaling, fitUnitScaling, type UnitScaling } from './scale.js';
import { applyStandardisation, fitStandardisation, type Standardisation } from './standardise.js';
import { seededSubset } from './subset.js';
import { applyWhitening, fitWhitening, type Whitening, type WhiteningOptions } from './whiten.js';

/**
 * Every choice that turns loaded images into a training set. Steps run in this order: select (binary split, then
 * subset), downsample, scale to [0, 1], standardise, whiten; each is recorded in the dataset's provenance.
 */
export interface PreprocessRecipe {
  /** Which classes are positive and negative (samples in neither are dropped). */
  readonly split: BinarySplit;
  /** Label values: ±1 with threshold 0 (`pm1`, default, the authors' code) or {0, 1} with threshold 0.5 (`01`). */
  readonly labelEncoding?: LabelEncoding;
  /** Keep `count` samples chosen uniformly (seeded) among those the split keeps. */
  readonly subset?: { readonly count: number; readonly seed: number };
  /** Average-pool images by this factor per side (default: none). */
  readonly downsample?: number;
  /** Map values to [0, 1] (÷ 255 for byte images, min–max otherwise; default true). */
  readonly scaleToUnit?: boolean;
  /** Per-feature standardisation to mean 0 and standard deviation 1 (default false). */
  readonly standardise?: boolean;
  /** PCA or ZCA whitening (default: none). */
  readonly whiten?: WhiteningOptions;
  /** Precision of the dataset's x and y (default float64). */
  readonly dtype?: DType;
  /**
   * Let the dataset's x be `images.pixels` itself, transformed in place, when no copy is needed (pixels already in
   * the requested float type, every sample kept in order, no downsampling). Saves one copy of a large set (600 MB
   * for CIFAR-10 as float32) but leaves `images` holding the preprocessed values. Default false.
   */
  readonly reusePixels?: boolean;
}

/** Statistics fitted on a training set, to preprocess held-out data identically (train → test). */
export interface FittedPreprocessing {
  readonly scaling?: UnitScaling;
  readonly standardisation?: Standardisation;
  readonly whitening?: Whitening;
}

export interface PreparedDataset {
  readonly dataset: Dataset;
  /** What was fitted (or reused); pass it back in to preprocess a test set with the training statistics. */
  readonly fitted: FittedPreprocessing;
  /** Wall-clock seconds of each step that ran, in order (not part of the provenance: it varies run to run). */
  readonly timings: readonly { readonly step: string; readonly seconds: number }[];
}

/**
 * Turns loaded images into a binary-classification `Dataset`, recording the files and every preprocessing choice
 * in its provenance. With `fitted` (from a previous call on the training set) the scaling, standardisation and
 * whitening statistics are reused instead of fitted, as a test set needs.
 *
 * @example
 * ```ts
 * const images = await loadImageSet('cifar-10-batches-bin', { split: 'train', pixelType: 'float32' });
 * const { dataset, fitted } = prepareDataset(images, {
 *   split: { kind: 'low-high', boundary: 5 },
 *   whiten: { method: 'zca', epsilon: 1e-2 },
 *   dtype: 'float32',
 * });
 * ```
 */
export function prepareDataset(
  images: ImageSet,
  recipe: PreprocessRecipe,
  fitted: FittedPreprocessing = {},
  engine: { readonly products?: DenseProducts } = {},
): PreparedDataset {
  if (images.labels === undefined) {
    throw new InvalidArgumentError('images.labels', 'class labels (give the loader a label file)', 'none');
  }
  const split = validateBinarySplit(recipe.split);
  const encoding = recipe.labelEncoding ?? 'pm1';
  const dtype = recipe.dtype ?? 'float64';
  const labels = images.labels;

  const eligible = selectBySplit(labels, split);
  if (eligible.length === 0) {
    throw new InvalidArgumentError(
      'split',
      `classes present in the data (${describeBinarySplit(split)})`,
      'no sample',
    );
  }
  const rows = recipe.subset ? seededSubset(eligible, recipe.subset.count, recipe.subset.seed) : eligible;
  const count = rows.length;

  let sampleShape = images.sampleShape;
  let dim = featureDimension(sampleShape);
  const timings: { step: string; seconds: number }[] = [];
  const timed = <T>(step: string, work: () => T): T => {
    const started = performance.now();
    const result = work();
    timings.push({ step, seconds: (performance.now() - started) / 1000 });
    return result;
  };
  let x = timed('gather', () =>
    gatherRows(images, rows, dtype, recipe.reusePixels === true && recipe.downsample === undefined),
  );
  const steps: Record<string, unknown>[] = [];

  if (recipe.downsample !== undefined) {
    const factor = recipe.downsample;
    const pooled = timed('average-pool', () => averagePool(x, count, sampleShape, images.layout, factor));
    steps.push({
      step: 'average-pool',
      factor: recipe.downsample,
      from: [...sampleShape],
      to: pooled.sampleShape,
    });
    x = pooled.x;
    sampleShape = pooled.sampleShape;
    dim = featureDimension(sampleShape);
  }
  let scaling: UnitScaling | undefined;
  if (recipe.scaleToUnit ?? true) {
    const map = fitted.scaling ?? fitUnitScaling(x, images.storedAsBytes);
    timed('scale-to-unit', () => applyUnitScaling(x, map));
    scaling = map;
    steps.push({ step: 'scale-to-unit', ...scaling, fittedOn: fitted.scaling ? 'given' : 'this data' });
  }
  let standardisation: Standardisation | undefined;
  if (recipe.standardise) {
    standardisation =
      fitted.standardisation ?? timed('fit standardisation', () => fitStandardisation(x, count, dim));
    requireFittedDimension('standardisation', standardisation.mean.length, dim);
    const stats = standardisation;
    timed('standardise', () => applyStandardisation(x, count, dim, stats));
    steps.push({
      step: 'standardise',
      constantFeatures: standardisation.constantFeatures,
      fittedOn: fitted.standardisation ? 'given' : 'this data',
    });
  }
  let whitening: Whitening | undefined;
  if (recipe.whiten) {
    const options = recipe.whiten;
    const w =
      fitted.whitening ??
      timed('fit whitening', () =>
        fitWhitening(x, count, dim, options, {
          onStep: (step, seconds) => timings.push({ step, seconds }),
          ...(engine.products ? { products: engine.products } : {}),
        }),
      );
    whitening = w;
    requireFittedDimension('whitening', whitening.inputDim, dim);
    x = timed('whiten', () =>
      applyWhitening(x, count, w, {
        inPlace: true,
        ...(engine.products ? { products: engine.products } : {}),
      }),
    );
    steps.push({
      step: 'whiten',
      method: whitening.method,
      epsilon: whitening.epsilon,
      components: whitening.outputDim,
      largestEigenvalue: whitening.eigenvalues[0],
      smallestEigenvalue: whitening.eigenvalues[whitening.eigenvalues.length - 1],
      fittedOn: fitted.whitening ? 'given' : 'this data',
    });
    dim = whitening.outputDim;
  }

  const y = dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
  let positives = 0;
  for (let r = 0; r < count; r++) {
    const positive = splitSide(split, labels[rows[r]]) === true;
    if (positive) positives++;
    y[r] = encodeLabel(positive, encoding);
  }
  if (positives === 0 || positives === count) {
    throw new InvalidArgumentError(
      'split',
      `a rule that leaves samples in both classes (${describeBinarySplit(split)} puts all ${count} in the ${positives === 0 ? 'negative' : 'positive'} class)`,
      describeBinarySplit(split),
    );
  }
  const dataset: Dataset = {
    x,
    y,
    count,
    inputDim: dim,
    outputDim: 1,
    labelEncoding: encoding,
    provenance: {
      source: {
        format: images.format,
        files: [...images.files],
        samples: images.count,
        sampleShape: [...images.sampleShape],
        layout: images.layout,
      },
      split: { ...split, description: describeBinarySplit(split) },
      subset: recipe.subset ? { ...recipe.subset, from: eligible.length } : null,
      steps,
      labelEncoding: encoding,
      dtype,
      count,
      inputDim: dim,
      positives,
      negatives: count - positives,
    },
  };
  return { dataset, fitted: { scaling, standardisation, whitening }, timings };
}

function selectBySplit(labels: Int32Array, split: BinarySplit): Int32Array {
  const kept = new Int32Array(labels.length);
  let k = 0;
  for (let n = 0; n < labels.length; n++) if (splitSide(split, labels[n]) !== undefined) kept[k++] = n;
  return kept.subarray(0, k);
}

/** The selected rows as a float array of the requested precision; the pixels themselves when that is allowed. */
function gatherRows(images: ImageSet, rows: Int32Array, dtype: DType, mayReuse: boolean): FloatArray {
  const dim = featureDimension(images.sampleShape);
  const pixels = images.pixels;
  const sameType = dtype === 'float32' ? pixels instanceof Float32Array : pixels instanceof Float64Array;
  if (mayReuse && sameType && rows.length === images.count) return pixels as FloatArray;
  const x = dtype === 'float32' ? new Float32Array(rows.length * dim) : new Float64Array(rows.length * dim);
  for (let r = 0; r < rows.length; r++) x.set(pixels.subarray(rows[r] * dim, (rows[r] + 1) * dim), r * dim);
  return x;
}

function requireFittedDimension(what: string, fittedDim: number, dim: number): void {
  if (fittedDim !== dim) {
    throw new InvalidArgumentError(
      `fitted.${what}`,
      `statistics for ${dim} features`,
      `${fittedDim} features`,
    );
  }
}
