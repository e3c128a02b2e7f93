/**
 * The `files` namespace of `basin/node`: everything that reads or writes the file system. Dataset loaders (IDX as
 * in MNIST and Fashion-MNIST, CIFAR-10's binary batches, NumPy .npy, CSV; gzipped or not) returning the in-memory
 * `data.ImageSet`, prepared datasets, .npy arrays, PNG contact sheets, basin's weights and train-result files, and
 * the fingerprint a result records of file-sourced samples. Parsing and serialising weights from strings is the
 * browser-safe `model.parseWeights`/`model.serialiseWeights`.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { files, model } from 'basin/node';
 *
 * const architecture = model.mlp(2, [3], 1, { kind: 'tanh' }, true);
 * const theta = model.initialise(architecture, { kind: 'pytorch' }, 1);
 * const path = join(mkdtempSync(join(tmpdir(), 'basin-')), 'net.json');
 * files.writeWeightsFile(path, { architecture, loss: 'mse', dtype: 'float64', theta });
 * console.log(files.readWeightsFile(path).theta.length); // 13
 * ```
 */
export {
  type LoadImageSetOptions,
  loadImageSet,
  parseSourceFormat,
  recogniseFile,
  SOURCE_FORMATS,
} from '../data/loaders/load.js';
export {
  DATA_SPLITS,
  type DataSplit,
  findIdxPairs,
  type IdxFilePair,
  type IdxLoadOptions,
  loadIdxDirectory,
  loadIdxPair,
  loadIdxPairs,
  parseDataSplit,
} from '../data/loaders/idx.js';
export {
  CIFAR10_CLASS_NAMES,
  type CifarLoadOptions,
  findCifar10Files,
  loadCifar10Directory,
  loadCifar10Files,
  looksLikeCifar10Directory,
} from '../data/loaders/cifar.js';
export { type CsvLoadOptions, loadCsv } from '../data/loaders/csv.js';
export { inferNpyLayout, loadNpy, type NpyLoadOptions } from '../data/loaders/npy.js';
export { type NpyFloatArray, readNpyFloatArray, writeNpy } from '../data/loaders/npy-array.js';
export { type ImageGrid, imageGrid, type ImageGridOptions } from '../data/loaders/image-grid.js';
export {
  loadPreparedDataset,
  PREPARED_FILES,
  savePreparedDataset,
} from '../data/preprocess/prepared-files.js';
export { samplesFingerprint } from '../data/fingerprint.js';
export { readWeightsFile, writeWeightsFile } from './weights-file.js';
export {
  readTrainResultFile,
  serialiseJsonRecord,
  TRAIN_RESULT_FORMAT,
  TRAIN_RESULT_VERSION,
  type TrainOutcome,
  type TrainResultRecord,
  writeTrainResultFile,
} from './result-file.js';
