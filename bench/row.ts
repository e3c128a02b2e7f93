/**
 * The row case of `npm run bench` (issue 13): the whole Table 1 CIFAR row from raw files to a fixed number of
 * epochs, basin's `reproduce table1` path against the authors' recipe (numpy ZCA + PyTorch Adam) on the same
 * synthetic CIFAR-10 files, per stage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJsonChild } from './child.js';

import {
  TABLE1_DEFAULTS,
  TABLE1_OPTIMISER,
  TABLE1_PRESETS,
  type Table1Stage,
} from '../src/reproduce/table1.js';
import { CIFAR_REGIME } from '../src/train/schedule.js';
import type { BasinRowRequest, BasinRowRun } from './measure-row.js';
import {
  measureRowInPython,
  type PythonEngine,
  type PythonProbe,
  type PythonRowMeasurement,
} from './python-reference.js';
import { writeSyntheticCifar10, type SyntheticCifarFiles } from './synthetic-cifar.js';

export const ROW_CASE_ID = 'row';

/**
 * CIFAR-10 holds 10 000 records per file. --quick writes 700: 3 500 training samples, more than the 3 072 pixels,
 * so the covariance keeps full rank as in the full case (with fewer samples its eigendecomposition is a different
 * problem: numpy's eigh took 3 s on the full covariance and 6–9 s on the rank-deficient one of 2 500 samples),
 * and more than a minibatch.
 */
export const ROW_RECORDS_PER_FILE: Readonly<Record<'full' | 'quick', number>> = { full: 10_000, quick: 700 };
/** Epochs trained on both sides unless --row-epochs says otherwise. */
export const DEFAULT_ROW_EPOCHS: Readonly<Record<'full' | 'quick', number>> = { full: 20, quick: 2 };

export interface RowCase {
  readonly id: typeof ROW_CASE_ID;
  readonly description: string;
  readonly recordsPerFile: number;
  readonly trainCount: number;
  readonly testCount: number;
  readonly epochs: number;
  readonly network: string;
  readonly whitening: { readonly method: string; readonly epsilon: number };
  readonly batchSize: number;
}

export function rowCase(quick: boolean, epochs?: number): RowCase {
  const recordsPerFile = quick ? ROW_RECORDS_PER_FILE.quick : ROW_RECORDS_PER_FILE.full;
  const preset = TABLE1_PRESETS.cifar;
  const count = epochs ?? (quick ? DEFAULT_ROW_EPOCHS.quick : DEFAULT_ROW_EPOCHS.full);
  const network = `${preset.inputDim}-${preset.hidden}-1`;
  return {
    id: ROW_CASE_ID,
    description:
      `Table 1 CIFAR row ${network} from raw files: ${5 * recordsPerFile} training + ${recordsPerFile} test ` +
      `records (synthetic), ZCA ε = ${TABLE1_DEFAULTS.whitening.epsilon}, ${count} epochs of Adam at batch ` +
      `${TABLE1_OPTIMISER.batchSize}, a training-error check after each`,
    recordsPerFile,
    trainCount: 5 * recordsPerFile,
    testCount: recordsPerFile,
    epochs: count,
    network,
    whitening: TABLE1_DEFAULTS.whitening,
    batchSize: TABLE1_OPTIMISER.batchSize,
  };
}

/** The stages both sides report, in order; `other` is the whole row less the named stages. */
export const ROW_STAGES = [
  'read',
  'scale',
  'covariance',
  'eigendecomposition',
  'whitening matrix',
  'apply whitening',
  'test set',
  'setup',
  'epochs',
  'error checks',
  'final evaluation',
  'other',
] as const;
export type RowStage = (typeof ROW_STAGES)[number];

/** One side's run of the row. */
export interface RowMeasurement {
  /** `basin`, or the reference's label (`torch`, `torch-passive`, `numpy`). */
  readonly label: string;
  readonly kind: 'basin' | 'reference';
  readonly wholeSeconds: number;
  readonly stages: Readonly<Record<RowStage, number>>;
  readonly epochs: number;
  readonly epochSeconds: readonly number[];
  readonly checkSeconds: readonly number[];
  readonly losses: readonly number[];
  readonly trainErrors: readonly (number | null)[];
  readonly finalLoss: number;
  readonly trainMce: number;
  readonly testMce: number | null;
  readonly peakRssBytes: number;
  readonly details: Readonly<Record<string, unknown>>;
}

/** The whole row less the named stages (never below 0: rounding of the parts). */
function withOther(stages: Omit<Record<RowStage, number>, 'other'>, whole: number): Record<RowStage, number> {
  const named = Object.values(stages).reduce((a, b) => a + b, 0);
  return { ...stages, other: Math.max(whole - named, 0) };
}

/**
 * basin's `onTiming` reports grouped into the row's stages. `fit whitening` contains the covariance and the
 * eigendecomposition; what is left of it builds the whitening matrix. The gather of the training set (no copy when
 * every sample is kept) and the labels fall under `other`.
 */
export function basinRowStages(
  timings: readonly { readonly stage: Table1Stage; readonly seconds: number }[],
  wholeSeconds: number,
): Record<RowStage, number> {
  const sum = (match: (stage: Table1Stage) => boolean): number =>
    timings.filter((t) => match(t.stage)).reduce((total, t) => total + t.seconds, 0);
  const is =
    (...names: Table1Stage[]) =>
    (stage: Table1Stage): boolean =>
      names.includes(stage);
  const covariance = sum(is('training set: covariance'));
  const eigendecomposition = sum(is('training set: eigendecomposition'));
  return withOther(
    {
      read: sum(is('read training files')),
      scale: sum(is('training set: scale-to-unit')),
      covariance,
      eigendecomposition,
      'whitening matrix': Math.max(
        sum(is('training set: fit whitening')) - covariance - eigendecomposition,
        0,
      ),
      'apply whitening': sum(is('training set: whiten')),
      'test set': sum((stage) => stage === 'read test files' || stage.startsWith('test set: ')),
      setup: sum(is('backend setup')),
      epochs: sum(is('epoch')),
      'error checks': sum(is('error check')),
      'final evaluation': sum(is('final evaluation', 'final error check', 'test error check')),
    },
    wholeSeconds,
  );
}

export function basinRowMeasurement(run: BasinRowRun): RowMeasurement {
  return {
    label: 'basin',
    kind: 'basin',
    wholeSeconds: run.wholeSeconds,
    stages: basinRowStages(run.timings, run.wholeSeconds),
    epochs: run.epochs,
    epochSeconds: run.timings.filter((t) => t.stage === 'epoch').map((t) => t.seconds),
    checkSeconds: run.timings.filter((t) => t.stage === 'error check').map((t) => t.seconds),
    losses: run.losses,
    trainErrors: run.trainErrors,
    finalLoss: run.finalLoss,
    trainMce: run.trainMce,
    testMce: run.testMce,
    peakRssBytes: run.peakRssBytes,
    details: {
      backend: run.backend,
      dtype: run.dtype,
      epochsToZero: run.epochsToZero,
      sampleCount: run.sampleCount,
      testCount: run.testCount,
      whitening: run.whitening,
      timings: run.timings,
    },
  };
}

export function pythonRowMeasurement(
  label: string,
  m: PythonRowMeasurement,
  environment: Readonly<Record<string, string>>,
): RowMeasurement {
  const stage = (name: string): number => m.stages[name] ?? 0;
  return {
    label,
    kind: 'reference',
    wholeSeconds: m.wholeSeconds,
    stages: withOther(
      {
        read: stage('read'),
        scale: stage('scale'),
        covariance: stage('covariance'),
        eigendecomposition: stage('eigendecomposition'),
        'whitening matrix': stage('whitening matrix'),
        'apply whitening': stage('apply whitening'),
        'test set': stage('test set'),
        setup: stage('setup'),
        epochs: stage('epochs'),
        'error checks': stage('error checks'),
        'final evaluation': stage('final evaluation'),
      },
      m.wholeSeconds,
    ),
    epochs: m.epochs,
    epochSeconds: m.epochSeconds,
    checkSeconds: m.checkSeconds,
    losses: m.losses,
    trainErrors: m.trainErrors,
    finalLoss: m.finalLoss,
    trainMce: m.trainMce,
    testMce: m.testMce,
    peakRssBytes: m.peakRssBytes,
    details: {
      engine: m.engine,
      python: m.python,
      pythonVersion: m.pythonVersion,
      numpy: m.numpyVersion,
      ...(m.torchVersion ? { torch: m.torchVersion, torchThreads: m.torchThreads } : {}),
      blas: m.blas,
      environment,
      importSeconds: m.importSeconds,
      sampleCount: m.sampleCount,
      testCount: m.testCount,
      eigenvalueRange: [m.smallestEigenvalue, m.largestEigenvalue],
    },
  };
}

export interface RowReferenceVariant {
  readonly label: string;
  readonly engine: PythonEngine;
  readonly python: PythonProbe;
  readonly environment: Readonly<Record<string, string>>;
}

export interface RowRun {
  readonly case: RowCase;
  readonly files: Omit<SyntheticCifarFiles, 'files' | 'directory'>;
  readonly measurements: readonly RowMeasurement[];
  readonly notes: readonly string[];
}

function measureBasinRowInChild(request: BasinRowRequest): BasinRowRun {
  return runJsonChild<BasinRowRun>(
    'measure-row.js',
    request,
    { maxBufferBytes: 64 * 1024 * 1024, timeoutMs: 3_600_000 },
    'basin on the row case',
  );
}

/**
 * Writes the synthetic files into a fresh temporary directory, runs basin and every reference variant on them (one
 * process each; the files are in the page cache for all of them), and removes the directory.
 */
export function runRowCase(
  c: RowCase,
  references: readonly RowReferenceVariant[],
  options: { readonly seed: number; readonly threads: number; readonly log: (line: string) => void },
): RowRun {
  const directory = mkdtempSync(join(tmpdir(), 'basin-bench-row-'));
  const notes: string[] = [];
  try {
    options.log(`case (row): writing ${6 * c.recordsPerFile} synthetic CIFAR-10 records to ${directory}`);
    const written = writeSyntheticCifar10(directory, {
      recordsPerFile: c.recordsPerFile,
      seed: options.seed,
    });
    const measurements: RowMeasurement[] = [];
    options.log(`case (row): basin reproduce table1 --rows cifar, ${c.epochs} epochs`);
    measurements.push(basinRowMeasurement(measureBasinRowInChild({ directory, epochs: c.epochs })));
    const preset = TABLE1_PRESETS.cifar;
    const split = preset.split;
    if (split.kind !== 'low-high') throw new Error(`the CIFAR row's split is ${split.kind}, not low-high`);
    if (CIFAR_REGIME.kind !== 'hold-then-exponential')
      throw new Error(`the CIFAR regime is ${CIFAR_REGIME.kind}, not hold-then-exponential`);
    for (const variant of references) {
      options.log(`case (row): ${variant.label} recipe (${variant.python.executable})`);
      try {
        const m = measureRowInPython({
          python: variant.python,
          engine: variant.engine,
          extraEnvironment: variant.environment,
          threads: options.threads,
          directory,
          epochs: c.epochs,
          hidden: preset.hidden,
          boundary: split.boundary,
          whiteningEpsilon: c.whitening.epsilon,
          batchSize: TABLE1_OPTIMISER.batchSize,
          schedule: CIFAR_REGIME,
          adam: TABLE1_OPTIMISER,
          seed: options.seed,
        });
        measurements.push(pythonRowMeasurement(variant.label, m, variant.environment));
      } catch (error) {
        const note = `${variant.label} recipe on case (row) failed: ${(error as Error).message}`;
        options.log(note);
        notes.push(note);
      }
    }
    return {
      case: c,
      files: { recordsPerFile: written.recordsPerFile, bytes: written.bytes, seconds: written.seconds },
      measurements,
      notes,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
