import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import {
  type BackendChoiceRecord,
  type BackendRequest,
  withCurvature,
  withDenseProducts,
} from '../backend/select.js';
import type { ClassificationCheck } from '../backend/classification.js';
import { nodeEnvironment } from '../run/node-environment.js';
import { runTraining } from '../run/pipeline.js';
import { parseRunSpec, type RunSpec } from '../run/spec.js';
import { certify } from '../certify/certificate.js';
import type { PolishProgress } from '../certify/polish.js';
import type { DType, FloatArray } from '../core/dtype.js';
import { FileFormatError, InvalidArgumentError, requireInteger } from '../core/errors.js';
import { deriveSeed } from '../core/rng.js';
import type { Dataset } from '../data/dataset.js';
import { findCifar10Files, loadCifar10Directory, looksLikeCifar10Directory } from '../data/loaders/cifar.js';
import { findIdxPairs, loadIdxDirectory } from '../data/loaders/idx.js';
import { type BinarySplit, describeBinarySplit } from '../data/preprocess/binary-split.js';
import { type PreprocessRecipe, prepareDataset } from '../data/preprocess/prepare.js';
import { loadPreparedDataset, savePreparedDataset } from '../data/preprocess/prepared-files.js';
import { DEFAULT_WHITENING_EPSILON, type WhiteningOptions } from '../data/preprocess/whiten.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import type { Samples } from '../model/samples.js';
import { CIFAR_REGIME } from '../train/schedule.js';
import type { StopReason } from '../train/stopping.js';

/**
 * Soudry & Hoffer (2017), Table 1: one hidden ReLU layer with biases, #parameters ≈ N, trained with MSE on ±1
 * labels reaches 0% training error on MNIST and CIFAR-10. The paper's appendix with the training details is not
 * available (papers.md §1.5 [X]); every row follows the authors' code (github.com/MNNsMinima/Paper): Adam, lr 5e-4,
 * batch 512, lr × 0.95 per epoch after epoch 200, PyTorch's default initialisation.
 */
export type Table1RowId = 'mnist' | 'cifar' | 'cifar-32';
export const TABLE1_ROW_IDS: readonly Table1RowId[] = ['mnist', 'cifar', 'cifar-32'];

export interface Table1Preset {
  readonly id: Table1RowId;
  readonly dataset: 'MNIST' | 'CIFAR-10';
  readonly inputDim: number;
  readonly hidden: number;
  /** Which files make the training set: MNIST train + test (N = 70 000), CIFAR-10 train (N = 50 000). */
  readonly trainingFiles: 'all' | 'train';
  readonly split: BinarySplit;
  readonly whiten: boolean;
  /** Where the row's settings come from. */
  readonly follows: string;
  /** The published figures (null where the source gives none). */
  readonly paper: {
    readonly source: string;
    readonly sampleCount: number;
    readonly trainMce: number;
    readonly paramsOverN: number | null;
    readonly epochsToZero: number | null;
    readonly testMce: number | null;
  };
}

export const TABLE1_PRESETS: Readonly<Record<Table1RowId, Table1Preset>> = {
  mnist: {
    id: 'mnist',
    dataset: 'MNIST',
    inputDim: 784,
    hidden: 89,
    trainingFiles: 'all',
    // No MNIST model is in the authors' repository; its default torchvision rule is digit parity ([C]-inferred).
    split: { kind: 'parity' },
    whiten: false,
    follows: 'paper Table 1 (784-89-1, N = 70 000 = train + test); split: code default (parity)',
    paper: {
      source: 'Table 1',
      sampleCount: 70000,
      trainMce: 0,
      paramsOverN: 0.999,
      epochsToZero: null,
      testMce: null,
    },
  },
  cifar: {
    id: 'cifar',
    dataset: 'CIFAR-10',
    inputDim: 3072,
    hidden: 16,
    trainingFiles: 'train',
    split: { kind: 'low-high', boundary: 5 },
    whiten: true,
    follows: 'paper Table 1 (3072-16-1); whitened data and classes 0–4 vs 5–9 as in the code',
    paper: {
      source: 'Table 1',
      sampleCount: 50000,
      trainMce: 0,
      paramsOverN: 0.983,
      epochsToZero: null,
      testMce: null,
    },
  },
  'cifar-32': {
    id: 'cifar-32',
    dataset: 'CIFAR-10',
    inputDim: 3072,
    hidden: 32,
    trainingFiles: 'train',
    split: { kind: 'low-high', boundary: 5 },
    whiten: true,
    follows: "authors' code models/cifar10.py (3072-32-1) and its log results/cifar10/log.txt",
    paper: {
      source: 'code log',
      sampleCount: 50000,
      trainMce: 0,
      paramsOverN: 98369 / 50000,
      epochsToZero: 217,
      testMce: 0.433,
    },
  },
};

/** The authors' optimiser: Adam with PyTorch's defaults on minibatches of 512. */
export const TABLE1_OPTIMISER = {
  kind: 'adam',
  batchSize: 512,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
} as const;

/**
 * What `basin reproduce table1` runs with when given no option (its defaults live here so that the benchmark of the
 * CIFAR row, bench/run.ts `--cases=row`, runs what the command runs): whitening is ZCA with basin's default ε.
 */
export const TABLE1_DEFAULTS = {
  maxEpochs: 1000,
  seed: 0,
  dtype: 'float32',
  backend: 'auto',
  whitening: { method: 'zca', epsilon: DEFAULT_WHITENING_EPSILON },
  checkEvery: 1,
  polishSeconds: 1800,
} as const satisfies {
  maxEpochs: number;
  seed: number;
  dtype: DType;
  backend: BackendRequest;
  whitening: WhiteningOptions;
  checkEvery: number;
  polishSeconds: number;
};

export interface Table1Options {
  /** Directory holding the MNIST IDX files (train-images-idx3-ubyte[.gz] …). */
  readonly mnistDirectory?: string;
  /** Directory holding the CIFAR-10 binary batches (or its parent with cifar-10-batches-bin/). */
  readonly cifarDirectory?: string;
  /** Training stops at 0 training MCE or after this many epochs (the authors' default run length is 15 000). */
  readonly maxEpochs: number;
  readonly seed: number;
  /** Network precision (default float32, as the authors' PyTorch code). */
  readonly dtype?: DType;
  readonly backend?: BackendRequest;
  /**
   * Whitening of the CIFAR rows (the authors trained on whitened CIFAR-10, method and ε unknown: [X]); undefined
   * trains on the [0, 1]-scaled pixels.
   */
  readonly whitening?: WhiteningOptions;
  /** Train on a seeded subset of this many samples instead of the full set (quick checks; N then differs). */
  readonly subset?: number;
  /** Save preprocessed data here and reuse it on the next run (whitening CIFAR-10 takes minutes). */
  readonly cacheDirectory?: string;
  /** Measure the training MCE (a full forward pass) every this many epochs (default 1). */
  readonly checkEvery?: number;
  /**
   * Polish and certify the trained end point in float64 (default: on, polishing for at most 1 800 s); false skips.
   * The products run on the backend `backend` picks for the problem (`withCurvature`).
   */
  readonly certify?: false | { readonly polishSeconds?: number };
  readonly onPolish?: (row: Table1RowId, progress: PolishProgress) => void;
  readonly onEpoch?: (progress: Table1Progress) => void;
  readonly onStage?: (row: Table1RowId, stage: string) => void;
  /**
   * Wall-clock seconds of each stage as it ends, for benchmarks (bench/run.ts `--cases=row`): where a row's time
   * goes, measured where the work runs rather than guessed from outside. See {@link Table1Stage}.
   */
  readonly onTiming?: (row: Table1RowId, stage: Table1Stage, seconds: number) => void;
  /**
   * Stop after the first epoch with 0 training MCE (default true). False trains `maxEpochs` epochs whatever the
   * error, so that a benchmark compares the same number of epochs with another implementation; `epochsToZero` is
   * recorded either way.
   */
  readonly stopAtZeroError?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * The stages `onTiming` reports, in the order they run:
 * - `read training files`, `read test files`: the loader, bytes to the float pixel array;
 * - `training set: <step>`, `test set: <step>`: the steps of `prepareDataset` (its `timings`: gather,
 *   scale-to-unit, covariance, eigendecomposition, fit whitening, whiten). `fit whitening` includes covariance and
 *   eigendecomposition; the rest of it builds the whitening matrix. The test set reuses the training statistics, so
 *   it has no fitting steps;
 * - `load cached data` or `save cache`, with `cacheDirectory`;
 * - `backend setup`: choosing the backend, building the objective, initialising θ;
 * - per epoch, `epoch` (the minibatch updates) and, in epochs that check, `error check` (the training MCE's forward
 *   pass);
 * - `final evaluation` (the full-batch loss `train` computes before it returns), `final error check`,
 *   `test error check`.
 */
export type Table1Stage =
  | 'read training files'
  | 'read test files'
  | `training set: ${string}`
  | `test set: ${string}`
  | 'load cached data'
  | 'save cache'
  | 'backend setup'
  | 'epoch'
  | 'error check'
  | 'final evaluation'
  | 'final error check'
  | 'test error check';

function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

export interface Table1Progress {
  readonly row: Table1RowId;
  /** 1-based epoch just completed. */
  readonly epoch: number;
  readonly maxEpochs: number;
  /** Mean minibatch loss of the epoch. */
  readonly loss: number;
  readonly learningRate: number;
  /** Training MCE after the epoch and the samples it misclassifies, when it was measured this epoch. */
  readonly trainMce: number | undefined;
  readonly trainMisclassified: number | undefined;
  /** Training samples (the denominator of trainMce). */
  readonly sampleCount: number;
  /**
   * Samples that measurement ran again in float64 because the fast pass left them within its rounding bound of the
   * threshold (see src/backend/classification.ts); 0 on the reference backend.
   */
  readonly trainRechecked: number | undefined;
  readonly elapsedSeconds: number;
}

export interface Table1Result {
  readonly row: Table1RowId;
  readonly architecture: string;
  readonly sampleCount: number;
  readonly parameterCount: number;
  readonly paramsOverN: number;
  /** Training MCE of the returned weights (full pass over the training set). */
  readonly trainMce: number;
  readonly finalMse: number;
  /** Epochs run. */
  readonly epochs: number;
  /** First epoch (1-based) after which the training MCE was measured as 0, or null. */
  readonly epochsToZero: number | null;
  readonly stopReason: 'zero-training-error' | StopReason;
  readonly trainSeconds: number;
  readonly prepareSeconds: number;
  /** MCE on the held-out test set (CIFAR-10 test_batch.bin), or null where the test set is part of training. */
  readonly testMce: number | null;
  readonly testCount: number | null;
  readonly backend: BackendChoiceRecord;
  readonly dtype: DType;
  readonly provenance: Readonly<Record<string, unknown>>;
  /** The float64 certificate of the trained end point, or null when not asked for. */
  readonly certificate: Table1Certificate | null;
}

/** What the certificate of a Table 1 end point says (the full certificate is large: P ≈ N ≈ 70 000). */
export interface Table1Certificate {
  readonly verdict: string;
  readonly rule: string;
  readonly strength: string;
  readonly explanation: string;
  /** MSE and training MCE at the certified (polished) point, and how many samples are misclassified there. */
  readonly loss: number;
  readonly trainMce: number | null;
  readonly misclassified: number | null;
  readonly relativeGradient: number;
  readonly kinkMargin: number;
  readonly nearKinks: number;
  /** Lanczos extreme Ritz values off the symmetry directions (smallest ascending, largest descending). */
  readonly smallestEigenvalues: readonly number[];
  readonly largestEigenvalues: readonly number[];
  readonly lanczosConverged: boolean | null;
  readonly polish: {
    readonly stopReason: string;
    readonly detail: string;
    readonly initialLoss: number;
    readonly seconds: number;
  } | null;
  readonly engine: string;
  readonly seconds: number;
}

export interface Table1Skipped {
  readonly row: Table1RowId;
  readonly skipped: string;
}

/**
 * Where a data root keeps each dataset: the MNIST IDX files in `root` or `root/mnist`, the CIFAR-10 batches in
 * `root`, `root/cifar-10-batches-bin`, `root/cifar10` or `root/cifar-10`.
 */
export async function findTable1Data(root: string): Promise<{ mnist?: string; cifar?: string }> {
  const found: { mnist?: string; cifar?: string } = {};
  for (const candidate of [root, join(root, 'mnist'), join(root, 'MNIST')]) {
    if (
      found.mnist === undefined &&
      (await findIdxPairs(candidate, 'all').then(
        () => true,
        () => false,
      ))
    ) {
      found.mnist = candidate;
    }
  }
  for (const candidate of [root, join(root, 'cifar10'), join(root, 'cifar-10')]) {
    if (found.cifar === undefined && (await looksLikeCifar10Directory(candidate))) found.cifar = candidate;
  }
  return found;
}

interface PreparedRowData {
  readonly train: Dataset;
  readonly test: Dataset | undefined;
  readonly seconds: number;
}

/**
 * Runs the requested rows in order. Rows whose data directory is missing are reported as skipped, not failed.
 * Rows that share data (cifar, cifar-32) prepare it once.
 */
export async function runTable1(
  rows: readonly Table1RowId[],
  options: Table1Options,
): Promise<(Table1Result | Table1Skipped)[]> {
  requireInteger('maxEpochs', options.maxEpochs, 1);
  requireInteger('checkEvery', options.checkEvery ?? 1, 1);
  const prepared = new Map<string, PreparedRowData>();
  const results: (Table1Result | Table1Skipped)[] = [];
  for (const id of rows) {
    const preset = TABLE1_PRESETS[id];
    if (preset === undefined) throw new InvalidArgumentError('rows', TABLE1_ROW_IDS.join(', '), id);
    const directory = preset.dataset === 'MNIST' ? options.mnistDirectory : options.cifarDirectory;
    if (directory === undefined) {
      results.push({ row: id, skipped: `no ${preset.dataset} directory given or found` });
      continue;
    }
    if (options.signal?.aborted) break;
    let data = prepared.get(preset.dataset);
    if (data === undefined) {
      options.onStage?.(id, `preparing ${preset.dataset} from ${directory}`);
      data = await prepareRowData(preset, directory, options);
      // Other images (a 4×4 test set, Fashion-MNIST at another size) would train another network than the row's.
      if (data.train.inputDim !== preset.inputDim) {
        throw new FileFormatError(
          directory,
          `${preset.dataset} images of ${data.train.inputDim} values each, expected ${preset.inputDim} ` +
            `(${preset.dataset === 'MNIST' ? '28×28' : '32×32×3'}) for Table 1's ${id} row`,
        );
      }
      prepared.set(preset.dataset, data);
    }
    options.onStage?.(id, `training ${preset.inputDim}-${preset.hidden}-1 on ${data.train.count} samples`);
    results.push(await trainRow(preset, data, options));
  }
  return results;
}

async function prepareRowData(
  preset: Table1Preset,
  directory: string,
  options: Table1Options,
): Promise<PreparedRowData> {
  const started = performance.now();
  const recipe: PreprocessRecipe = {
    split: preset.split,
    labelEncoding: 'pm1',
    dtype: options.dtype ?? 'float32',
    reusePixels: true,
    ...(preset.whiten && options.whitening ? { whiten: options.whitening } : {}),
    ...(options.subset === undefined
      ? {}
      : { subset: { count: options.subset, seed: deriveSeed(options.seed, 'table1', 'subset') } }),
  };
  const timing = (stage: Table1Stage, seconds: number): void => options.onTiming?.(preset.id, stage, seconds);
  const cache =
    options.cacheDirectory === undefined
      ? undefined
      : join(options.cacheDirectory, await cacheKey(preset, directory, recipe));
  if (cache !== undefined && existsSync(join(cache, 'train', 'provenance.json'))) {
    const loading = performance.now();
    const train = await loadPreparedDataset(join(cache, 'train'));
    const test = existsSync(join(cache, 'test', 'provenance.json'))
      ? await loadPreparedDataset(join(cache, 'test'))
      : undefined;
    timing('load cached data', secondsSince(loading));
    return { train, test, seconds: secondsSince(started) };
  }
  const pixelType = recipe.dtype === 'float64' ? 'float64' : 'float32';
  const load = async (split: 'all' | 'train' | 'test', stage: Table1Stage) => {
    const reading = performance.now();
    const images =
      preset.dataset === 'MNIST'
        ? await loadIdxDirectory(directory, split, { pixelType })
        : await loadCifar10Directory(directory, split, { pixelType });
    timing(stage, secondsSince(reading));
    return images;
  };
  const { trainPart, test } = await withDenseProducts(options.backend ?? 'auto', async (products) => {
    const engine = products === undefined ? {} : { products };
    const trainPart = prepareDataset(
      await load(preset.trainingFiles, 'read training files'),
      recipe,
      {},
      engine,
    );
    trainPart.timings.forEach(({ step, seconds }) => timing(`training set: ${step}`, seconds));
    // MNIST's test files are part of its 70 000 training samples, so only CIFAR-10 has a held-out set.
    let test: Dataset | undefined;
    if (preset.trainingFiles !== 'all') {
      const testPart = prepareDataset(
        await load('test', 'read test files'),
        { ...recipe, subset: undefined },
        trainPart.fitted,
        engine,
      );
      testPart.timings.forEach(({ step, seconds }) => timing(`test set: ${step}`, seconds));
      test = testPart.dataset;
    }
    return { trainPart, test };
  });
  if (cache !== undefined) {
    const saving = performance.now();
    await savePreparedDataset(join(cache, 'train'), trainPart.dataset);
    if (test !== undefined) await savePreparedDataset(join(cache, 'test'), test);
    timing('save cache', secondsSince(saving));
  }
  return { train: trainPart.dataset, test, seconds: secondsSince(started) };
}

/** A short hash of everything that determines the prepared data: the files (sizes, times) and the recipe. */
async function cacheKey(preset: Table1Preset, directory: string, recipe: PreprocessRecipe): Promise<string> {
  const files =
    preset.dataset === 'MNIST'
      ? (await findIdxPairs(directory, 'all')).flatMap((pair) => [pair.images, pair.labels])
      : await findCifar10Files(directory, 'all');
  const stamps = files.map((file) => {
    const info = statSync(file);
    return `${file}:${info.size}:${info.mtimeMs}`;
  });
  const text = JSON.stringify({
    row: preset.trainingFiles,
    stamps,
    recipe: { ...recipe, reusePixels: undefined },
  });
  return `${preset.dataset.toLowerCase()}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

/**
 * The run spec of a Table 1 row: 1 hidden ReLU layer with biases, MSE, PyTorch's initialisation, the authors' Adam
 * and schedule, on the row's prepared training split (handed to the pipeline, hence `provided`).
 */
export function table1Spec(
  preset: Table1Preset,
  dtype: DType,
  options: Pick<Table1Options, 'seed' | 'maxEpochs' | 'backend'>,
): RunSpec {
  const seedOf = (stream: string): number => deriveSeed(options.seed, 'table1', preset.id, stream);
  return parseRunSpec({
    seed: options.seed,
    seeds: { init: seedOf('init'), shuffle: seedOf('shuffle') },
    data: { source: 'provided', description: `Table 1 row ${preset.id}: ${describeTable1Split(preset.id)}` },
    model: { hidden: [preset.hidden], activation: 'relu', bias: true, loss: 'mse', dtype },
    init: { kind: 'pytorch' },
    optimiser: TABLE1_OPTIMISER,
    schedule: CIFAR_REGIME,
    stopping: { maxEpochs: options.maxEpochs },
    backend: options.backend ?? 'auto',
  });
}

async function trainRow(
  preset: Table1Preset,
  data: PreparedRowData,
  options: Table1Options,
): Promise<Table1Result> {
  const train = data.train;
  const timing = (stage: Table1Stage, seconds: number): void => options.onTiming?.(preset.id, stage, seconds);
  const setupStarted = performance.now();
  const dtype = train.x instanceof Float32Array ? 'float32' : 'float64';
  const checkEvery = options.checkEvery ?? 1;
  const stopAtZeroError = options.stopAtZeroError ?? true;
  let epochsToZero: number | null = null;
  // The training error is checked on the run's backend, once per --check-every epochs; what it derives from the
  // data (the input tensor, row norms) is paid once, when the backend is chosen.
  let host: { backend: Backend; check: ClassificationCheck } | undefined;
  let started = performance.now();
  // Where the current epoch (or, after the last one, the closing evaluation inside training) began.
  let boundary = started;
  try {
    const run = await runTraining(table1Spec(preset, dtype, options), {
      environment: nodeEnvironment,
      dataset: train,
      hooks: {
        ...(options.signal ? { signal: options.signal } : {}),
        onHostBackend: (backend, prepared) => {
          host = {
            backend,
            check: backend.classificationCheck(prepared.architecture, train, train.labelEncoding ?? 'pm1'),
          };
          timing('backend setup', secondsSince(setupStarted));
          started = boundary = performance.now();
        },
        // Stop right after the first epoch whose weights classify every training sample correctly, before any
        // further update: the loss alone cannot tell, so the weights are checked at the epoch boundaries.
        shouldStop: (theta, progress) => {
          const checking = performance.now();
          timing('epoch', (checking - boundary) / 1000);
          const epochs = progress.epochsCompleted;
          let measured: ReturnType<ClassificationCheck['count']> | undefined;
          if (epochs % checkEvery === 0) {
            measured = host!.check.count(theta);
            timing('error check', secondsSince(checking));
          }
          const trainMce = measured?.error;
          boundary = performance.now();
          options.onEpoch?.({
            row: preset.id,
            epoch: epochs,
            maxEpochs: progress.maxEpochs,
            loss: progress.loss,
            learningRate: progress.learningRate,
            trainMce,
            trainMisclassified: measured?.misclassified,
            sampleCount: train.count,
            trainRechecked: measured?.rechecked,
            elapsedSeconds: progress.elapsedSeconds,
          });
          if (trainMce !== 0) return false;
          epochsToZero ??= epochs;
          return stopAtZeroError;
        },
      },
    });
    const { training, architecture, backend } = run;
    const theta = training.theta;
    const trainSeconds = secondsSince(started);
    timing('final evaluation', secondsSince(boundary));
    let checking = performance.now();
    const trainMce = host!.check.count(theta).error;
    timing('final error check', secondsSince(checking));
    checking = performance.now();
    const testMce =
      data.test === undefined ? null : heldOutMce(host!.backend, architecture, theta, data.test);
    if (data.test !== undefined) timing('test error check', secondsSince(checking));
    const params = parameterCount(architecture);
    if (options.certify !== false)
      options.onStage?.(preset.id, 'polishing and certifying the end point in float64');
    const certificate =
      options.certify === false ? null : certifyEndPoint(preset.id, architecture, theta, train, options);
    return {
      row: preset.id,
      architecture: `${train.inputDim}-${preset.hidden}-1`,
      sampleCount: train.count,
      parameterCount: params,
      paramsOverN: params / train.count,
      trainMce,
      finalMse: training.finalLoss,
      epochs: training.epochs,
      epochsToZero,
      stopReason: training.stopReason === 'callback' ? 'zero-training-error' : training.stopReason,
      trainSeconds,
      prepareSeconds: data.seconds,
      testMce,
      testCount: data.test?.count ?? null,
      backend,
      dtype,
      provenance: train.provenance,
      certificate,
    };
  } finally {
    host?.check.dispose();
  }
}

/** The MCE of θ on a held-out set, counted once on `backend` (the float64 pass's count, see classification.ts). */
function heldOutMce(backend: Backend, architecture: Architecture, theta: FloatArray, data: Dataset): number {
  const check = backend.classificationCheck(architecture, data, data.labelEncoding ?? 'pm1');
  try {
    return check.count(theta).error;
  } finally {
    check.dispose();
  }
}

/** Polishes and certifies a trained Table 1 point in float64 and keeps the certificate's summary. */
function certifyEndPoint(
  row: Table1RowId,
  architecture: Architecture,
  theta: FloatArray,
  train: Samples,
  options: Table1Options,
): Table1Certificate {
  const polishSeconds =
    options.certify === false ? 0 : (options.certify?.polishSeconds ?? TABLE1_DEFAULTS.polishSeconds);
  const problem = { architecture, loss: 'mse' as const, samples: train };
  const c = withCurvature(options.backend ?? 'auto', problem, (curvature) =>
    certify(architecture, 'mse', Float64Array.from(theta), train, {
      labelEncoding: 'pm1',
      curvature,
      polish: {
        timeLimitSeconds: polishSeconds,
        ...(options.onPolish === undefined ? {} : { onProgress: (p) => options.onPolish!(row, p) }),
      },
      // At this size a probe costs a pass over the data and the region's feature matrix (N × 70 000) is out of
      // reach.
      probes: { count: 4 },
      region: false,
    }),
  );
  const spectrum = c.spectrum;
  const lanczos = spectrum?.method === 'lanczos' ? spectrum : undefined;
  const dense = spectrum?.method === 'dense' ? spectrum : undefined;
  const mce = c.misclassificationError;
  return {
    verdict: c.verdict,
    rule: c.decision.rule,
    strength: c.decision.strength,
    explanation: c.decision.explanation,
    loss: c.lossValue,
    trainMce: mce ?? null,
    misclassified: mce === undefined ? null : Math.round(mce * c.sampleCount),
    relativeGradient: c.gradientNorm / c.lossScale,
    kinkMargin: c.kinks.minAbsPreActivation,
    nearKinks: c.kinks.nearKinkCount,
    smallestEigenvalues: lanczos
      ? Array.from(lanczos.smallest)
      : dense
        ? Array.from(dense.complementEigenvalues.slice(0, 3))
        : [],
    largestEigenvalues: lanczos
      ? Array.from(lanczos.largest)
      : dense
        ? Array.from(dense.complementEigenvalues.slice(-3)).reverse()
        : [],
    lanczosConverged: lanczos ? lanczos.converged : null,
    polish: c.polish
      ? {
          stopReason: c.polish.stopReason,
          detail: c.polish.detail,
          initialLoss: c.polish.initialLoss,
          seconds: c.polish.seconds,
        }
      : null,
    engine: c.engine,
    seconds: c.seconds,
  };
}

/** The split of a row in words (for tables). */
export function describeTable1Split(id: Table1RowId): string {
  return describeBinarySplit(TABLE1_PRESETS[id].split);
}
