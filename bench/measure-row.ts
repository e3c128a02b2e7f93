/**
 * Child process of the benchmark's row case: runs basin's `reproduce table1` path for the CIFAR row on the files in
 * a directory and prints one JSON object with the seconds of every stage (`runTable1`'s `onTiming`). A process of
 * its own, so that its peak RSS is the row's alone.
 */
import { pathToFileURL } from 'node:url';

import type { BackendChoiceRecord } from '../src/backend/select.js';
import { runTable1, TABLE1_DEFAULTS, type Table1Result, type Table1Stage } from '../src/reproduce/table1.js';

export interface BasinRowRequest {
  readonly directory: string;
  readonly epochs: number;
}

export interface BasinRowRun {
  /** The `runTable1` call, reading the first file to the last evaluation (module loading excluded). */
  readonly wholeSeconds: number;
  /** Every `onTiming` report in order (`epoch` and `error check` once per epoch). */
  readonly timings: readonly { readonly stage: Table1Stage; readonly seconds: number }[];
  readonly epochs: number;
  readonly epochsToZero: number | null;
  readonly losses: readonly number[];
  readonly trainErrors: readonly (number | null)[];
  readonly sampleCount: number;
  readonly testCount: number | null;
  readonly finalLoss: number;
  readonly trainMce: number;
  readonly testMce: number | null;
  readonly backend: BackendChoiceRecord;
  readonly dtype: string;
  readonly whitening: unknown;
  readonly peakRssBytes: number;
}

export async function measureRowInThisProcess(request: BasinRowRequest): Promise<BasinRowRun> {
  const timings: { stage: Table1Stage; seconds: number }[] = [];
  const losses: number[] = [];
  const trainErrors: (number | null)[] = [];
  const started = performance.now();
  // `basin reproduce table1 --rows cifar --cifar <dir> --max-epochs <epochs> --no-certify`, everything else at the
  // command's defaults, and every epoch trained even after 0% training error, so that the reference trains as many.
  const [result] = (await runTable1(['cifar'], {
    cifarDirectory: request.directory,
    maxEpochs: request.epochs,
    seed: TABLE1_DEFAULTS.seed,
    dtype: TABLE1_DEFAULTS.dtype,
    backend: TABLE1_DEFAULTS.backend,
    whitening: TABLE1_DEFAULTS.whitening,
    checkEvery: TABLE1_DEFAULTS.checkEvery,
    certify: false,
    stopAtZeroError: false,
    onTiming: (_row, stage, seconds) => timings.push({ stage, seconds }),
    onEpoch: (progress) => {
      losses.push(progress.loss);
      trainErrors.push(progress.trainMce ?? null);
    },
  })) as Table1Result[];
  const wholeSeconds = (performance.now() - started) / 1000;
  const whitening = (result.provenance.steps as readonly Record<string, unknown>[]).find(
    (step) => step.step === 'whiten',
  );
  return {
    wholeSeconds,
    timings,
    epochs: result.epochs,
    epochsToZero: result.epochsToZero,
    losses,
    trainErrors,
    sampleCount: result.sampleCount,
    testCount: result.testCount,
    finalLoss: result.finalMse,
    trainMce: result.trainMce,
    testMce: result.testMce,
    backend: result.backend,
    dtype: result.dtype,
    whitening: whitening ?? null,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

const request = process.argv[2];
if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href &&
  request !== undefined
) {
  measureRowInThisProcess(JSON.parse(request) as BasinRowRequest).then(
    // Exit once written: ONNX Runtime's threads must not hold the process.
    (measurement) => process.stdout.write(JSON.stringify(measurement), () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
