/**
 * The `data` namespace of `basin`: datasets in memory. Generators (Gaussian random labels, a teacher network, the
 * toy sets, Swirszcz et al.'s known-answer problems), binary label encodings, and preprocessing of image sets held
 * in arrays (split, subset, pool, scale, standardise, whiten). Reading datasets from disk (IDX, CIFAR-10, NPY, CSV)
 * is `basin/node`'s `files`.
 *
 * @example
 * ```ts
 * import { data } from 'basin';
 *
 * const gaussian = data.gaussianRandomLabels({ count: 80, inputDim: 20, seed: 1 }); // ±1 labels
 * console.log(gaussian.count, gaussian.inputDim, gaussian.labelEncoding); // 80 20 'pm1'
 * const xor = data.toyDataset('xor', '01');
 * console.log(Array.from(xor.y)); // [0, 1, 1, 0]
 * const d1 = data.swirszczD1(); // the paper's dataset D1 with its known local minimum
 * console.log(d1.points[0].claim); // 'local-min'
 * ```
 */
export type { Dataset } from './dataset.js';
export {
  decidedCorrect,
  encodeLabel,
  LABEL_ENCODINGS,
  type LabelEncoding,
  misclassificationError,
  parseLabelEncoding,
  reencode,
  threshold,
} from './labels.js';
export { gaussianRandomLabels, type GaussianRandomLabelsOptions } from './gaussian.js';
export { teacherDataset, type TeacherOptions } from './teacher.js';
export {
  type KnownAnswerProblem,
  type KnownClaim,
  type KnownPoint,
  saturatedNetwork,
  type SaturatedNetworkOptions,
  swirszczArchitecture,
  swirszczD1,
  swirszczD2,
  swirszczD3,
  SWIRSZCZ_PROBLEMS,
  swirszczTheta,
} from './swirszcz.js';
export { jellyfish, TOY_DATASETS, toyDataset, type ToyDatasetName, xor } from './toy.js';

// Image sets in memory (what the file loaders return) and their preprocessing.
export {
  classCounts,
  featureDimension,
  imageGeometry,
  IMAGE_LAYOUTS,
  type ImageLayout,
  type ImageSet,
  parseImageLayout,
  parsePixelType,
  type PixelArray,
  PIXEL_TYPES,
  type PixelType,
  type SourceFormat,
  valueRange,
} from './loaders/image-set.js';
export { type ImageSetSummary, summariseImageSet } from './loaders/summary.js';
export {
  type FittedPreprocessing,
  type PreparedDataset,
  prepareDataset,
  type PreprocessRecipe,
} from './preprocess/prepare.js';
export {
  type BinarySplit,
  describeBinarySplit,
  parseBinarySplit,
  validateBinarySplit,
} from './preprocess/binary-split.js';
export { seededSubset } from './preprocess/subset.js';
export { averagePool, type PooledImages } from './preprocess/downsample.js';
export { applyUnitScaling, fitUnitScaling, type UnitScaling } from './preprocess/scale.js';
export { applyStandardisation, fitStandardisation, type Standardisation } from './preprocess/standardise.js';
export { covariance } from './preprocess/covariance.js';
export {
  applyWhitening,
  type ApplyWhiteningOptions,
  DEFAULT_WHITENING_EPSILON,
  fitWhitening,
  parseWhiteningMethod,
  type Whitening,
  type WhiteningEngine,
  WHITENING_METHODS,
  type WhiteningMethod,
  type WhiteningOptions,
} from './preprocess/whiten.js';
