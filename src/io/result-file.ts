import { writeOutputFile } from './output-file.js';
import type { EndPointMeasures } from '../run/pipeline.js';
import * as z from 'zod';
import type { BackendChoiceRecord } from '../backend/select.js';
import { FileFormatError } from '../core/errors.js';
import type { StopReason } from '../train/stopping.js';
import type { TrainTrace } from '../train/train.js';
import { readUserFile } from './user-file.js';
import type { ArchitectureJson } from './weights-file.js';

/**
 * What `basin train` writes after a run (format `basin-train-result`, version 2): the full resolved config, where
 * the data came from, the backend that computed the run, and the measured outcome. Version 2 added `backend`;
 * version 1 files (without it) still load, with `backend` absent. Quantities that do not apply are `null`, never a made-up number:
 * `finalMce` without a binary label encoding, `minAbsPreActivation`/`nearKinkCount` without a piecewise-linear
 * layer. All other numbers are finite (the writer refuses NaN and ±Infinity rather than let JSON turn them into
 * null).
 */
export interface TrainResultRecord {
  readonly format: typeof TRAIN_RESULT_FORMAT;
  readonly version: TrainResultVersion;
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
  /**
   * The backend that computed the losses and gradients, what was asked for and why it was chosen (see
   * src/backend/select.ts). Written since version 2; absent from version 1 files.
   */
  readonly backend?: BackendChoiceRecord;
  readonly result: TrainOutcome;
  readonly trace: TrainTrace;
  /** Path of the weights file written with this result, as given on the command line or in the config. */
  readonly weightsFile: string | null | undefined;
}

/** The end point's measurements (the run pipeline's, src/run/pipeline.ts) and how training ended. */
export interface TrainOutcome extends Omit<EndPointMeasures, 'constantOutput'> {
  readonly epochs: number;
  readonly stopReason: StopReason;
  readonly evaluations: number;
  readonly wallSeconds: number;
}

export const TRAIN_RESULT_FORMAT = 'basin-train-result';
export const TRAIN_RESULT_VERSION = 2;
/** Versions this basin reads: 1 (before `backend` was recorded) and the current one. */
export const TRAIN_RESULT_VERSIONS = [1, TRAIN_RESULT_VERSION] as const;
export type TrainResultVersion = (typeof TRAIN_RESULT_VERSIONS)[number];

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
  writeOutputFile(path, serialiseJsonRecord(record, path), 'the result file');
}

const backendChoiceSchema = z.looseObject({
  backend: z.enum(['reference', 'onnx', 'webgpu']),
  requested: z.enum(['auto', 'reference', 'onnx', 'webgpu']),
  reason: z.string(),
  runtimeVersion: z.string().optional(),
  adapter: z.string().optional(),
});

const headerSchema = z.looseObject({
  format: z.literal(TRAIN_RESULT_FORMAT),
  version: z.union(TRAIN_RESULT_VERSIONS.map((v) => z.literal(v))),
  result: z.looseObject({ finalLoss: z.number(), finalMse: z.number(), epochs: z.number() }),
  config: z.record(z.string(), z.unknown()),
  backend: backendChoiceSchema.optional(),
  // Readers follow it to the weights (basin certify <result>); null or absent when none was saved.
  weightsFile: z
    .string({ error: 'a file name or null' })
    .min(1, { error: 'a file name or null' })
    .nullable()
    .optional(),
});

/**
 * Reads a result file back, checking its format, version and the fields other tools rely on. A version 2 file must
 * say which backend computed it; a version 1 file has no `backend`.
 */
export function readTrainResultFile(path: string): TrainResultRecord {
  const text = readUserFile(path, 'the result file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError(path, `invalid JSON: ${(error as Error).message}`);
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FileFormatError(
      path,
      `not a ${TRAIN_RESULT_FORMAT} version ${TRAIN_RESULT_VERSIONS.join(' or ')} file (${issue.path.join('.') || 'top level'}: ${issue.message})`,
    );
  }
  if (parsed.data.version >= 2 && parsed.data.backend === undefined) {
    throw new FileFormatError(
      path,
      `not a ${TRAIN_RESULT_FORMAT} version ${parsed.data.version} file (backend: missing; version 2 records the backend)`,
    );
  }
  return json as TrainResultRecord;
}
