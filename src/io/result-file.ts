import { readFileSync, writeFileSync } from 'node:fs';
import * as z from 'zod';
import { FileFormatError } from '../core/errors.js';
import type { StopReason } from '../train/stopping.js';
import type { TrainTrace } from '../train/train.js';
import type { ArchitectureJson } from './weights-file.js';

/**
 * What `basin train` writes after a run (format `basin-train-result`, version 1): the full resolved config, where
 * the data came from, and the measured outcome. Quantities that do not apply are `null`, never a made-up number:
 * `finalMce` without a binary label encoding, `minAbsPreActivation`/`nearKinkCount` without a piecewise-linear
 * layer. All other numbers are finite (the writer refuses NaN and ±Infinity rather than let JSON turn them into
 * null).
 */
export interface TrainResultRecord {
  readonly format: typeof TRAIN_RESULT_FORMAT;
  readonly version: typeof TRAIN_RESULT_VERSION;
  readonly basinVersion: string;
  readonly createdAt: string;
  readonly seed: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly data: {
    readonly provenance: Readonly<Record<string, unknown>>;
    readonly sampleCount: number;
    readonly inputDim: number;
    readonly outputDim: number;
    readonly labelEncoding: string | null;
  };
  readonly architecture: ArchitectureJson;
  readonly parameterCount: number;
  readonly result: TrainOutcome;
  readonly trace: TrainTrace;
  /** Path of the weights file written with this result, as given on the command line or in the config. */
  readonly weightsFile: string | null;
}

export interface TrainOutcome {
  /** The training loss (mse or sse, as configured) at the final θ, full batch. */
  readonly finalLoss: number;
  /** (1/N)‖e‖² at the final θ, whatever the training loss. */
  readonly finalMse: number;
  readonly finalMce: number | null;
  readonly gradientNorm: number;
  readonly minAbsPreActivation: number | null;
  readonly nearKinkCount: number | null;
  readonly kinkTolerance: number;
  readonly epochs: number;
  readonly stopReason: StopReason;
  readonly evaluations: number;
  readonly wallSeconds: number;
}

export const TRAIN_RESULT_FORMAT = 'basin-train-result';
export const TRAIN_RESULT_VERSION = 1;

/** JSON text of a result; arrays of numbers stay on one line so long traces keep the file readable. */
export function serialiseJsonRecord(record: unknown, file: string): string {
  const text = JSON.stringify(
    record,
    (key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new FileFormatError(file, `refusing to write the non-finite number ${value} at "${key}"`);
      }
      return value;
    },
    2,
  );
  return `${text.replace(/\[\n\s*(-?[\d.eE+-]+(?:,\n\s*-?[\d.eE+-]+)*)\n\s*\]/g, (_, body: string) => `[${body.split(/,\n\s*/).join(', ')}]`)}\n`;
}

export function writeTrainResultFile(path: string, record: TrainResultRecord): void {
  writeFileSync(path, serialiseJsonRecord(record, path));
}

const headerSchema = z.looseObject({
  format: z.literal(TRAIN_RESULT_FORMAT),
  version: z.literal(TRAIN_RESULT_VERSION),
  result: z.looseObject({ finalLoss: z.number(), finalMse: z.number(), epochs: z.number() }),
  config: z.record(z.string(), z.unknown()),
});

/** Reads a result file back, checking its format, version and the fields other tools rely on. */
export function readTrainResultFile(path: string): TrainResultRecord {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileFormatError(
      path,
      code ? `cannot read the result file (${code})` : `invalid JSON: ${(error as Error).message}`,
    );
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FileFormatError(
      path,
      `not a ${TRAIN_RESULT_FORMAT} version ${TRAIN_RESULT_VERSION} file (${issue.path.join('.') || 'top level'}: ${issue.message})`,
    );
  }
  return json as TrainResultRecord;
}
