import { firstDuplicateKey } from './json-duplicates.js';
import * as z from 'zod';
import { type DType, type FloatArray, dtypeOf, toDType } from '../core/dtype.js';
import { BasinError, FileFormatError, requireAllFinite } from '../core/errors.js';
import { formatActivation, parseActivation } from '../model/activation.js';
import { type Architecture, parameterCount, validateArchitecture } from '../model/architecture.js';
import { LOSS_KINDS, type LossKind } from '../model/loss.js';
import { type SlopeNoise, validateSlopeNoise } from '../model/slope-noise.js';
import { describeSchemaProblem } from './schema-issues.js';

/**
 * The weights of one trained network, as `basin train` writes them and later commands (`basin certify`, …) read
 * them. A JSON object:
 *
 * ```json
 * {
 *   "format": "basin-weights",
 *   "version": 1,
 *   "architecture": { "inputDim": 20, "hidden": [{ "width": 20, "activation": "relu", "bias": false }],
 *                     "outputDim": 1, "outputBias": false },
 *   "loss": "mse",
 *   "dtype": "float64",
 *   "parameterCount": 420,
 *   "theta": [0.12, -0.53, ...],
 *   "slopeNoise": { "distribution": "gaussian", "mean": 1, "std": 0.1, "seed": 7 },
 *   "provenance": { ... }
 * }
 * ```
 *
 * `theta` is the flat parameter vector in the layout of `parameterLayout` (per layer, input layer first: W as
 * outputs × inputs row-major, then the bias when the layer has one). Numbers are written with JavaScript's shortest
 * round-trip formatting, so reading a file back gives bit-identical θ in either dtype. `slopeNoise` (optional) is
 * the Soudry–Carmon noise the network was trained with: its distribution and the seed it was drawn from, since the
 * loss depends on it. `provenance` (optional) is free-form JSON, e.g. the training configuration that names the data.
 */
export interface WeightsFile {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly dtype: DType;
  readonly theta: FloatArray;
  readonly slopeNoise?: SlopeNoiseRecord;
  readonly provenance?: Readonly<Record<string, unknown>>;
}

export type SlopeNoiseRecord = SlopeNoise & { readonly seed: number };

export const WEIGHTS_FORMAT = 'basin-weights';
export const WEIGHTS_VERSION = 1;

const finite = z.number({ error: 'a finite number' });
const count = z
  .number({ error: 'an integer ≥ 1' })
  .int({ error: 'an integer ≥ 1' })
  .min(1, { error: 'an integer ≥ 1' });

export const architectureJsonSchema = z.strictObject({
  inputDim: count,
  hidden: z.array(
    z.strictObject({
      width: count,
      activation: z.string({ error: 'an activation name (relu, leaky-relu:<ρ>, linear, tanh, sigmoid)' }),
      bias: z.boolean(),
    }),
  ),
  outputDim: count,
  outputBias: z.boolean(),
});

export const slopeNoiseRecordSchema = z.discriminatedUnion('distribution', [
  z.strictObject({ distribution: z.literal('gaussian'), mean: finite, std: finite, seed: z.number().int() }),
  z.strictObject({
    distribution: z.literal('uniform'),
    mean: finite,
    halfWidth: finite,
    seed: z.number().int(),
  }),
  z.strictObject({
    distribution: z.literal('lognormal'),
    mean: finite,
    sigma: finite,
    seed: z.number().int(),
  }),
]);

const weightsSchema = z.strictObject({
  format: z.literal(WEIGHTS_FORMAT),
  version: z.literal(WEIGHTS_VERSION),
  architecture: architectureJsonSchema,
  loss: z.enum(LOSS_KINDS as [LossKind, ...LossKind[]]),
  dtype: z.enum(['float64', 'float32']),
  parameterCount: count,
  theta: z.array(finite),
  slopeNoise: slopeNoiseRecordSchema.optional(),
  provenance: z.record(z.string(), z.unknown()).optional(),
});

export type ArchitectureJson = z.infer<typeof architectureJsonSchema>;

export function architectureToJson(architecture: Architecture): ArchitectureJson {
  return {
    inputDim: architecture.inputDim,
    hidden: architecture.hidden.map((layer) => ({
      width: layer.width,
      activation: formatActivation(layer.activation),
      bias: layer.bias,
    })),
    outputDim: architecture.outputDim,
    outputBias: architecture.outputBias,
  };
}

export function architectureFromJson(json: ArchitectureJson, field = 'architecture'): Architecture {
  return validateArchitecture({
    inputDim: json.inputDim,
    hidden: json.hidden.map((layer, i) => ({
      width: layer.width,
      activation: parseActivation(layer.activation, `${field}.hidden[${i}].activation`),
      bias: layer.bias,
    })),
    outputDim: json.outputDim,
    outputBias: json.outputBias,
  });
}

/** The file's text (JSON, one parameter per array entry on a single line, two-space indentation elsewhere). */
export function serialiseWeights(weights: WeightsFile): string {
  const size = parameterCount(validateArchitecture(weights.architecture));
  if (weights.theta.length !== size) {
    throw new FileFormatError(
      'weights',
      `θ has ${weights.theta.length} entries, the architecture needs ${size}`,
    );
  }
  if (dtypeOf(weights.theta) !== weights.dtype) {
    throw new FileFormatError('weights', `θ is ${dtypeOf(weights.theta)} but dtype says ${weights.dtype}`);
  }
  requireAllFinite('theta', weights.theta);
  if (weights.slopeNoise) validateSlopeNoise(weights.slopeNoise);
  const document = {
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_VERSION,
    architecture: architectureToJson(weights.architecture),
    loss: weights.loss,
    dtype: weights.dtype,
    parameterCount: size,
    theta: '__THETA__',
    ...(weights.slopeNoise ? { slopeNoise: weights.slopeNoise } : {}),
    ...(weights.provenance ? { provenance: weights.provenance } : {}),
  };
  // θ can hold millions of entries: one per line would make the file needlessly tall, so it goes on one line.
  const theta = `[${Array.from(weights.theta, (v) => String(v)).join(', ')}]`;
  return `${JSON.stringify(document, null, 2).replace('"__THETA__"', theta)}\n`;
}

/** Parses and validates the text of a weights file; `file` names it in error messages. */
export function parseWeights(text: string, file = 'weights'): WeightsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError(
      file,
      `not a basin weights file: invalid JSON (truncated or corrupt?): ${(error as Error).message}`,
    );
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new FileFormatError(
      file,
      `not a basin weights file: the key ${duplicate.path} is written twice (line ${duplicate.line})`,
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new FileFormatError(file, 'not a basin weights file: expected a JSON object');
  }
  const header = json as Record<string, unknown>;
  if (header.format !== WEIGHTS_FORMAT) {
    throw new FileFormatError(
      file,
      `not a basin weights file: format is ${JSON.stringify(header.format)}, expected "${WEIGHTS_FORMAT}"`,
    );
  }
  if (header.version !== WEIGHTS_VERSION) {
    throw new FileFormatError(
      file,
      `unsupported basin-weights version ${JSON.stringify(header.version)}; this basin reads version ${WEIGHTS_VERSION}`,
    );
  }
  const parsed = weightsSchema.safeParse(json);
  if (!parsed.success) {
    const problem = describeSchemaProblem(parsed.error, json, weightsSchema);
    throw new FileFormatError(
      file,
      `${problem.field}: expected ${problem.expected}, got ${problem.received}`,
    );
  }
  const data = parsed.data;
  let architecture: Architecture;
  try {
    architecture = architectureFromJson(data.architecture);
  } catch (error) {
    if (error instanceof BasinError) throw new FileFormatError(file, error.message);
    throw error;
  }
  const size = parameterCount(architecture);
  if (data.parameterCount !== size) {
    throw new FileFormatError(
      file,
      `parameterCount is ${data.parameterCount}, but the architecture has ${size} parameters`,
    );
  }
  if (data.theta.length !== size) {
    throw new FileFormatError(
      file,
      `theta has ${data.theta.length} entries, expected parameterCount = ${size} (truncated?)`,
    );
  }
  const theta = toDType(data.dtype, data.theta);
  if (data.dtype === 'float32' && theta.some((v, i) => v !== data.theta[i])) {
    throw new FileFormatError(file, 'theta holds values that are not float32 although dtype is "float32"');
  }
  return {
    architecture,
    loss: data.loss,
    dtype: data.dtype,
    theta,
    ...(data.slopeNoise ? { slopeNoise: data.slopeNoise } : {}),
    ...(data.provenance ? { provenance: data.provenance } : {}),
  };
}
