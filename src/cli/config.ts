import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { BasinError, describeValue, FileFormatError, InvalidArgumentError } from '../core/errors.js';
import { SizeLimitError } from '../core/limits.js';
import { describeSchemaProblem } from '../io/schema-issues.js';
import { readUserFile } from '../io/user-file.js';
import { parseStructuredText } from '../io/structured-text.js';
import { dataSourceNamed } from '../data/sources/index.js';
import { LOADING_DATA_SOURCES, NODE_DATA_SOURCES } from '../data/sources/node.js';
import {
  resolveRunSpec,
  type ResolvedRun,
  type RunSpec,
  runSpecSchema,
  withDefaultChoices,
} from '../run/spec.js';

/*
 * The `basin train` configuration: one schema for config files (JSON or YAML) and flags. Flags are written into
 * the same object at their config path (flags win over the file), then the whole object is validated once, so a
 * bad value is reported the same way whatever its origin, naming the flag or the file field.
 */

const outputSchema = z.strictObject({
  result: z.string().min(1).default('train-result.json'),
  weights: z.string().min(1).optional(),
});

/**
 * The run spec (src/run/spec.ts) over Node's data sources, plus where `basin train` writes its files. The spec's
 * `certify` is left out: `basin certify result.json` certifies a trained run, with its own flags and report.
 */
export function trainConfigSchema() {
  return runSpecSchema(NODE_DATA_SOURCES)
    .omit({ certify: true })
    .extend({ output: outputSchema.prefault({}) });
}

export type TrainConfig = z.infer<ReturnType<typeof trainConfigSchema>>;

/** Where a config value came from, to name it in errors: a flag, or a field of a file. */
export interface ConfigOrigin {
  readonly file: string | undefined;
  /** Config path (dot/bracket form, e.g. `schedule.learningRate`) → the flag that set it. */
  readonly flags: ReadonlyMap<string, string>;
}

/** Reads a JSON (.json) or YAML (anything else) config file into a plain object. */
export function readConfigFile(file: string): Record<string, unknown> {
  const value = parseStructuredText(readUserFile(file, 'the config file'), file);
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
  const sources = LOADING_DATA_SOURCES.map((source) => source.name).join(', ');
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

/**
 * Checks that need the data (a subset larger than the set, PCA components beyond the dimension) can only run after
 * the schema, while loading. Their `InvalidArgumentError` names the config field (`data.count`); this phrases it
 * like a schema error, naming the flag that set the field or the config file it came from.
 */
export function namingOrigin(error: unknown, origin: ConfigOrigin): unknown {
  if (error instanceof SizeLimitError) {
    const flag = flagFor(error.field, origin.flags);
    if (flag !== undefined) return new ConfigError(`${flag}: ${error.detail} (config field ${error.field})`);
    return origin.file === undefined ? error : new FileFormatError(origin.file, error.message);
  }
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

/** A parsed `basin train` config as the run spec it defines, with paths made absolute and defaults filled in. */
export interface ResolvedTrainConfig {
  /** The config as recorded in result files: the spec's sections (data paths absolute, learning rate filled) and `output`. */
  readonly config: TrainConfig;
  readonly spec: RunSpec;
  readonly run: ResolvedRun;
  readonly baseDirectory: string;
}

export function resolveTrainConfig(config: TrainConfig, configFile: string | undefined): ResolvedTrainConfig {
  const baseDirectory = configFile ? dirname(resolve(configFile)) : process.cwd();
  const section = config.data as { source: string };
  const data =
    dataSourceNamed(section.source, NODE_DATA_SOURCES)?.withAbsolutePaths?.(section, baseDirectory) ??
    section;
  const { output, ...rest } = config;
  const run = resolveRunSpec({ ...rest, data } as RunSpec);
  return { config: { ...run.spec, output } as TrainConfig, spec: run.spec, run, baseDirectory };
}
