import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { BasinError, describeValue, FileFormatError, InvalidArgumentError } from '../core/errors.js';
import { BACKEND_REQUESTS, type BackendRequest } from '../backend/select.js';

/** What `basin train` accepts: the backends `chooseBackend` knows, and webgpu, which trains on its own loop. */
export type TrainBackendRequest = BackendRequest | 'webgpu';
export const TRAIN_BACKEND_REQUESTS: readonly [TrainBackendRequest, ...TrainBackendRequest[]] = [
  'auto',
  ...BACKEND_REQUESTS.filter((request) => request !== 'auto'),
  'webgpu',
];
import { deriveSeed } from '../core/rng.js';
import { parseActivation } from '../model/activation.js';
import { type Architecture, validateArchitecture } from '../model/architecture.js';
import type { Initialisation } from '../model/init.js';
import { LOSS_KINDS, type LossKind } from '../model/loss.js';
import { type SlopeNoise, validateSlopeNoise } from '../model/slope-noise.js';
import {
  DEFAULT_LEARNING_RATES,
  DEFAULT_OPTIMISERS,
  type OptimiserConfig,
  validateOptimiser,
} from '../train/optimiser.js';
import { type Schedule, validateSchedule } from '../train/schedule.js';
import { type StoppingRule, validateStoppingRule } from '../train/stopping.js';
import { describeSchemaProblem } from '../io/schema-issues.js';
import {
  finite,
  nonNegative,
  nonNegativeInteger,
  positive,
  positiveInteger,
  unitInterval,
  seed32,
} from '../io/schema-primitives.js';
import { DATA_SOURCES, dataSectionSchema, dataSourceNamed } from './data-sources.js';

/*
 * The `basin train` configuration: one schema for config files (JSON or YAML) and flags. Flags are written into
 * the same object at their config path (flags win over the file), then the whole object is validated once, so a
 * bad value is reported the same way whatever its origin, naming the flag or the file field.
 */

const activationName = z.string().refine(
  (text) => {
    try {
      parseActivation(text);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'one of relu, leaky-relu:<ρ> (ρ ≠ 1), linear, tanh, sigmoid' },
);

const modelSchema = z.strictObject({
  hidden: z.array(positiveInteger).default([16]),
  activation: activationName.default('relu'),
  bias: z.boolean().default(false),
  /** Defaults to `bias`. */
  outputBias: z.boolean().optional(),
  loss: z.enum(LOSS_KINDS as [LossKind, ...LossKind[]]).default('mse'),
  dtype: z.enum(['float64', 'float32']).default('float64'),
});

const normalInit = {
  mean: finite.default(0),
  biasMean: finite.default(0),
  biasStd: nonNegative.default(0),
};
const initSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('pytorch') }),
  z.strictObject({ kind: z.literal('lecun'), scale: nonNegative.default(1), ...normalInit }),
  z.strictObject({ kind: z.literal('xavier'), scale: nonNegative.default(1), ...normalInit }),
  z.strictObject({ kind: z.literal('gaussian'), std: nonNegative.default(1), ...normalInit }),
]);

const optimiserSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('gd'), momentum: unitInterval.default(0) }),
  z.strictObject({
    kind: z.literal('sgd'),
    batchSize: positiveInteger.default(32),
    momentum: unitInterval.default(0),
  }),
  z.strictObject({
    kind: z.literal('adam'),
    batchSize: positiveInteger.optional(),
    beta1: unitInterval.default(0.9),
    beta2: unitInterval.default(0.999),
    epsilon: nonNegative.default(1e-8),
  }),
  z.strictObject({
    kind: z.literal('lbfgs'),
    memory: positiveInteger.default(10),
    c1: positive.default(1e-4),
    c2: positive.default(0.9),
  }),
]);

const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant'), learningRate: positive.optional() }),
  z.strictObject({ kind: z.literal('exponential'), learningRate: positive.optional(), gamma: positive }),
  z.strictObject({
    kind: z.literal('hold-then-exponential'),
    learningRate: positive.optional(),
    holdEpochs: nonNegativeInteger,
    gamma: positive,
  }),
]);

const stoppingSchema = z.strictObject({
  maxEpochs: nonNegativeInteger.default(1000),
  lossTarget: nonNegative.optional(),
  gradientNormTarget: nonNegative.optional(),
});

const slopeNoiseSchema = z.discriminatedUnion('distribution', [
  z.strictObject({
    distribution: z.literal('gaussian'),
    mean: finite.default(1),
    std: nonNegative.default(0.1),
  }),
  z.strictObject({
    distribution: z.literal('uniform'),
    mean: finite.default(1),
    halfWidth: nonNegative.default(0.1),
  }),
  z.strictObject({
    distribution: z.literal('lognormal'),
    mean: finite.default(1),
    sigma: nonNegative.default(0.1),
  }),
]);

const outputSchema = z.strictObject({
  result: z.string().min(1).default('train-result.json'),
  weights: z.string().min(1).optional(),
});

export function trainConfigSchema() {
  return z.strictObject({
    seed: seed32.default(0),
    data: dataSectionSchema(),
    model: modelSchema.prefault({}),
    init: initSchema.prefault({ kind: 'pytorch' }),
    optimiser: optimiserSchema.prefault({ kind: 'adam' }),
    schedule: scheduleSchema.prefault({ kind: 'constant' }),
    stopping: stoppingSchema.prefault({}),
    slopeNoise: slopeNoiseSchema.optional(),
    output: outputSchema.prefault({}),
    /**
     * The engine computing losses and gradients: `auto` (ONNX Runtime when it loads and the problem is large enough
     * to pay for its per-call overhead, else the TypeScript reference), `reference` or `onnx` (src/backend/select.ts),
     * or `webgpu`: full-batch Adam on a GPU through WebGPU (src/cli/train-on-webgpu.ts), never chosen by `auto`.
     */
    backend: z.enum(TRAIN_BACKEND_REQUESTS).default('auto'),
  });
}

export type TrainConfig = z.infer<ReturnType<typeof trainConfigSchema>>;

/** The learning rate used when the config names none, per optimiser: defined with the optimisers. */
export { DEFAULT_LEARNING_RATES };

/** Where a config value came from, to name it in errors: a flag, or a field of a file. */
export interface ConfigOrigin {
  readonly file: string | undefined;
  /** Config path (dot/bracket form, e.g. `schedule.learningRate`) → the flag that set it. */
  readonly flags: ReadonlyMap<string, string>;
}

/** Reads a JSON (.json) or YAML (anything else) config file into a plain object. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FileFormatError(
      file,
      `cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  let value: unknown;
  try {
    value = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const firstLine = ((error as Error).message ?? String(error)).split('\n')[0];
    throw new FileFormatError(
      file,
      `not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${firstLine}`,
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new FileFormatError(
      file,
      'expected a mapping of config sections (data, model, optimiser, …) at the top level',
    );
  }
  return value as Record<string, unknown>;
}

/** Sets `value` at a dotted path, creating sections; a new discriminator (kind/source/distribution) resets its section. */
export function setAtPath(config: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  const key = parts[parts.length - 1];
  let parent: Record<string, unknown> | undefined;
  let node = config;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) node[part] = {};
    parent = node;
    node = node[part] as Record<string, unknown>;
  }
  if (
    parent &&
    ['kind', 'source', 'distribution'].includes(key) &&
    node[key] !== undefined &&
    node[key] !== value
  ) {
    // The other fields of the section belonged to the old choice (e.g. Adam's beta1 when switching to gd).
    node = {};
    parent[parts[parts.length - 2]] = node;
  }
  node[key] = value;
}

/** Validates a merged config object; the error names the flag or file field at fault and what was expected. */
export function parseTrainConfig(raw: unknown, origin: ConfigOrigin): TrainConfig {
  requireDataSection(raw, origin);
  const schema = trainConfigSchema();
  const parsed = schema.safeParse(withDefaultChoices(raw));
  if (parsed.success) return parsed.data;
  const problem = describeSchemaProblem(parsed.error, raw, schema);
  const flag = flagFor(problem.field, origin.flags);
  const message = `${problem.field}: expected ${problem.expected}, got ${problem.received}`;
  if (flag !== undefined) {
    throw new ConfigError(
      `${flag}: expected ${problem.expected}, got ${problem.received} (config field ${problem.field})`,
    );
  }
  if (origin.file !== undefined) throw new FileFormatError(origin.file, message);
  throw new ConfigError(message);
}

/**
 * Every other section has defaults, but there is no sensible default data set, so `basin train` with nothing
 * else says where data come from instead of the schema's generic "data: expected an object".
 */
function requireDataSection(raw: unknown, origin: ConfigOrigin): void {
  if (raw === null || typeof raw !== 'object' || (raw as Record<string, unknown>).data !== undefined) return;
  const sources = DATA_SOURCES.map((source) => source.name).join(', ');
  if (origin.file !== undefined) {
    throw new FileFormatError(
      origin.file,
      `data: expected a data section with a source (${sources}), got nothing; add one or pass --data <source>`,
    );
  }
  throw new ConfigError(
    `no training data: pass --data <source> (${sources}) with its options, ` +
      'e.g. --data gaussian --samples 80 --input-dim 20, or --config <file> with a data section (basin train --help)',
  );
}

/** The choice each section makes when it gives other fields but not its discriminator (e.g. only `learningRate`). */
export const DEFAULT_CHOICES: Readonly<Record<string, readonly [string, string]>> = {
  data: ['source', 'gaussian'],
  init: ['kind', 'pytorch'],
  optimiser: ['kind', 'adam'],
  schedule: ['kind', 'constant'],
  slopeNoise: ['distribution', 'gaussian'],
};

function withDefaultChoices(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const config = { ...(raw as Record<string, unknown>) };
  for (const [section, [key, choice]] of Object.entries(DEFAULT_CHOICES)) {
    const value = config[section];
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(key in value)) {
      config[section] = { [key]: choice, ...value };
    }
  }
  return config;
}

/**
 * Checks that need the data (a subset larger than the set, PCA components beyond the dimension) can only run after
 * the schema, while loading. Their `InvalidArgumentError` names the config field (`data.count`); this phrases it
 * like a schema error, naming the flag that set the field or the config file it came from.
 */
export function namingOrigin(error: unknown, origin: ConfigOrigin): unknown {
  if (!(error instanceof InvalidArgumentError)) return error;
  const section = /^[A-Za-z]+/.exec(error.argument)?.[0];
  if (section === undefined || !(section in trainConfigSchema().shape)) return error;
  const flag = flagFor(error.argument, origin.flags);
  if (flag !== undefined) {
    const received = error.received === undefined ? '' : `, got ${describeValue(error.received)}`;
    return new ConfigError(`${flag}: expected ${error.expected}${received} (config field ${error.argument})`);
  }
  return origin.file === undefined ? error : new FileFormatError(origin.file, error.message);
}

export class ConfigError extends BasinError {
  override name = 'ConfigError';
}

function flagFor(field: string, flags: ReadonlyMap<string, string>): string | undefined {
  for (const [path, flag] of flags) {
    if (field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`)) return flag;
  }
  return undefined;
}

/** The library objects a config describes, with every default filled in and cross-field rules checked. */
export interface ResolvedTrainConfig {
  readonly config: TrainConfig;
  readonly architecture: (inputDim: number, outputDim: number) => Architecture;
  readonly loss: LossKind;
  readonly init: Initialisation;
  readonly optimiser: OptimiserConfig;
  readonly schedule: Schedule;
  readonly stopping: StoppingRule;
  readonly slopeNoise: SlopeNoise | undefined;
  readonly seeds: {
    readonly data: number;
    readonly init: number;
    readonly shuffle: number;
    readonly slopeNoise: number;
  };
  readonly baseDirectory: string;
}

export function resolveTrainConfig(config: TrainConfig, configFile: string | undefined): ResolvedTrainConfig {
  const optimiser = validateOptimiser({
    ...DEFAULT_OPTIMISERS[config.optimiser.kind],
    ...config.optimiser,
  } as OptimiserConfig);
  const learningRate = config.schedule.learningRate ?? DEFAULT_LEARNING_RATES[optimiser.kind];
  const schedule = validateSchedule({ ...config.schedule, learningRate });
  const stopping = validateStoppingRule(config.stopping);
  const slopeNoise = config.slopeNoise ? validateSlopeNoise(config.slopeNoise) : undefined;
  const init: Initialisation = config.init;
  const activation = parseActivation(config.model.activation, 'model.activation');
  const { hidden, bias } = config.model;
  const outputBias = config.model.outputBias ?? bias;
  const baseDirectory = configFile ? dirname(resolve(configFile)) : process.cwd();
  const section = config.data as { source: string };
  const data = dataSourceNamed(section.source)?.withAbsolutePaths?.(section, baseDirectory) ?? section;
  return {
    config: {
      ...config,
      data: data as TrainConfig['data'],
      schedule: { ...config.schedule, learningRate } as TrainConfig['schedule'],
    },
    architecture: (inputDim, outputDim) =>
      validateArchitecture({
        inputDim,
        hidden: hidden.map((width) => ({ width, activation, bias })),
        outputDim,
        outputBias,
      }),
    loss: config.model.loss,
    init,
    optimiser,
    schedule,
    stopping,
    slopeNoise,
    seeds: {
      data: deriveSeed(config.seed, 'data'),
      init: deriveSeed(config.seed, 'init'),
      shuffle: deriveSeed(config.seed, 'shuffle'),
      slopeNoise: deriveSeed(config.seed, 'slope-noise'),
    },
    baseDirectory,
  };
}
