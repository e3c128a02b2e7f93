import * as z from 'zod';
import { BasinError, FileFormatError } from '../core/errors.js';
import { VERDICTS } from '../certify/verdict.js';
import type { Dataset } from '../data/dataset.js';
import { SWIRSZCZ_PROBLEMS } from '../data/swirszcz.js';
import { TOY_DATASETS, type ToyDatasetName, toyDataset } from '../data/toy.js';
import { firstDuplicateKey } from '../io/json-duplicates.js';
import { describeSchemaProblem } from '../io/schema-issues.js';
import { parseActivation } from '../model/activation.js';
import { mlp, parameterCount } from '../model/architecture.js';
import { LOSS_KINDS } from '../model/loss.js';
import type { GraphRecord, PathRecord } from './records.js';
import type { RegionVolumeRecord } from './volume.js';

/*
 * Reading a landscape record back (`basin serve --landscape`, the explorer's upload): the JSON of records.ts checked
 * field by field, with one line that names the file and the field at fault, and the cross-checks JSON types cannot
 * express (θ's length against the problem's parameter count, node and edge references, equal-length profiles).
 * Keys the schema does not name are ignored, so a writer may add fields without breaking older readers.
 */

export type LandscapeRecord = GraphRecord | PathRecord;

export const LANDSCAPE_RECORD_KINDS = ['basin-landscape-graph', 'basin-landscape-path'] as const;
export const LANDSCAPE_RECORD_VERSION = 1;

const finite = z.number({ error: 'a finite number' });
const count = z.number({ error: 'an integer ≥ 0' }).int({ error: 'an integer ≥ 0' }).min(0);
const numbers = z.array(finite, { error: 'a list of finite numbers' });

const problemSchema = z.object({
  dataset: z.string({ error: 'a built-in dataset name' }),
  hidden: z.array(count.min(1, { error: 'an integer ≥ 1' })).min(1),
  activation: z.string({ error: 'an activation name' }),
  loss: z.enum(LOSS_KINDS as readonly [string, ...string[]]),
  parameters: count,
});

const profileSchema = z.object({
  method: z.enum(['linear', 'bezier', 'polychain', 'neb']),
  t: numbers,
  loss: numbers,
  maxLoss: finite,
  peakT: finite,
  barrier: finite,
});

const saddleSchema = z.object({
  certified: z.boolean({ error: 'true or false' }),
  reason: z.string({ error: 'a string' }),
  verdict: z.enum(VERDICTS as readonly [string, ...string[]]),
  rule: z.string({ error: 'a verdict rule' }),
  strength: z.enum(['proved', 'estimated', 'undecided']),
  morseIndex: count.nullable(),
  loss: finite,
  relativeGradient: finite,
  tangentOverlap: finite.nullable(),
  displacement: finite,
  theta: numbers,
});

const connectionSchema = z.object({
  from: count,
  to: count,
  fromLoss: finite,
  toLoss: finite,
  distanceBefore: finite,
  distanceAfter: finite,
  sameMinimum: z.boolean({ error: 'true or false' }),
  paths: z.array(profileSchema),
  saddle: saddleSchema.nullable(),
  barrierFromStart: finite,
  barrierFromEnd: finite,
  topLoss: finite,
});

const pathSchema = z.object({
  kind: z.literal('basin-landscape-path'),
  version: z.literal(1),
  problem: problemSchema,
  connection: connectionSchema,
});

const graphSchema = z.object({
  kind: z.literal('basin-landscape-graph'),
  version: z.literal(1),
  problem: problemSchema,
  restarts: count,
  seed: count,
  nodes: z
    .array(
      z.object({
        id: count,
        loss: finite,
        verdict: z.enum(VERDICTS as readonly [string, ...string[]]),
        rule: z.string({ error: 'a verdict rule' }),
        count: count,
        theta: numbers,
      }),
    )
    .min(1),
  excluded: z.array(
    z.object({
      loss: finite,
      verdict: z.enum(VERDICTS as readonly [string, ...string[]]),
      rule: z.string({ error: 'a verdict rule' }),
      count: count,
    }),
  ),
  pairing: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('all') }),
    z.object({ kind: z.literal('nearest'), k: count.min(1, { error: 'an integer ≥ 1' }), maxPairs: count }),
  ]),
  seconds: z.object({ search: finite, connect: finite }),
  edges: z.array(connectionSchema),
  merges: z.array(
    z.object({
      level: finite,
      left: z.array(count).min(1),
      right: z.array(count).min(1),
      edge: count,
      certified: z.boolean({ error: 'true or false' }),
    }),
  ),
});

/** The built-in datasets a record may name (those of `basin search --dataset`), as data. */
function builtInDataset(name: string): Dataset | undefined {
  const swirszcz = SWIRSZCZ_PROBLEMS[name];
  if (swirszcz !== undefined) return swirszcz().dataset;
  if ((TOY_DATASETS as readonly string[]).includes(name)) return toyDataset(name as ToyDatasetName);
  return undefined;
}

/**
 * Parses and checks the text of a `basin landscape path|graph` record; `file` names it in the one-line
 * FileFormatError for bad JSON, a wrong kind or version, a field of the wrong type, or θ of the wrong length.
 */
export function parseLandscapeRecord(text: string, file = 'landscape record'): LandscapeRecord {
  const fail = (detail: string): never => {
    throw new FileFormatError(file, detail);
  };
  const json = readRecordHeader(text, LANDSCAPE_RECORD_KINDS, fail);
  const schema = json.kind === 'basin-landscape-graph' ? graphSchema : pathSchema;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problem = describeSchemaProblem(parsed.error, json, schema);
    fail(`${problem.field}: expected ${problem.expected}, got ${problem.received}`);
  }
  const record = parsed.data as LandscapeRecord;
  checkProblem(record.problem, fail);
  const parameters = record.problem.parameters;
  const checkTheta = (field: string, theta: readonly number[]): void => {
    if (theta.length !== parameters) {
      fail(`${field} has ${theta.length} entries, expected problem.parameters = ${parameters}`);
    }
  };
  const checkConnection = (field: string, connection: PathRecord['connection'], nodes: number): void => {
    for (const end of ['from', 'to'] as const) {
      if (connection[end] >= nodes)
        fail(`${field}.${end}: expected a node id below ${nodes}, got ${connection[end]}`);
    }
    connection.paths.forEach((path, k) => {
      if (path.t.length !== path.loss.length) {
        fail(`${field}.paths[${k}]: t has ${path.t.length} entries but loss has ${path.loss.length}`);
      }
    });
    if (connection.saddle !== null) checkTheta(`${field}.saddle.theta`, connection.saddle.theta);
  };
  if (record.kind === 'basin-landscape-path') {
    checkConnection('connection', record.connection, 2);
    return record;
  }
  record.nodes.forEach((node, k) => {
    if (node.id !== k) fail(`nodes[${k}].id: expected ${k} (nodes are listed by id), got ${node.id}`);
    checkTheta(`nodes[${k}].theta`, node.theta);
  });
  record.edges.forEach((edge, k) => checkConnection(`edges[${k}]`, edge, record.nodes.length));
  record.merges.forEach((merge, k) => {
    if (merge.edge >= record.edges.length) {
      fail(`merges[${k}].edge: expected an edge index below ${record.edges.length}, got ${merge.edge}`);
    }
    for (const side of ['left', 'right'] as const) {
      const bad = merge[side].find((id) => id >= record.nodes.length);
      if (bad !== undefined) {
        fail(`merges[${k}].${side}: expected node ids below ${record.nodes.length}, got ${bad}`);
      }
    }
  });
  return record;
}

/**
 * The JSON object of a record whose `kind` is one of `kinds` and whose `version` is LANDSCAPE_RECORD_VERSION; `fail`
 * for bad JSON (one clean line), a key written twice, a non-object, an unknown kind or version.
 */
function readRecordHeader(
  text: string,
  kinds: readonly string[],
  fail: (detail: string) => never,
): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // The engine's message quotes the text, line breaks and control bytes included; the error stays one clean line.
    const reason = (error as Error).message.replace(/[\s\p{Cc}]+/gu, ' ');
    return fail(`not a basin landscape record: invalid JSON (${reason})`);
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined) fail(`the key ${duplicate.path} is written twice (line ${duplicate.line})`);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    fail('not a basin landscape record: expected a JSON object');
  }
  const header = json as Record<string, unknown>;
  if (!kinds.includes(header.kind as string)) {
    fail(
      `not a basin landscape record: kind is ${JSON.stringify(header.kind) ?? 'missing'}, expected ${kinds.map((k) => `"${k}"`).join(' or ')}`,
    );
  }
  if (header.version !== LANDSCAPE_RECORD_VERSION) {
    fail(
      `unsupported ${String(header.kind)} version ${JSON.stringify(header.version) ?? 'missing'}; this basin reads version ${LANDSCAPE_RECORD_VERSION}`,
    );
  }
  return header;
}

const proportionSchema = z.object({
  successes: count,
  trials: count,
  estimate: finite.nullable(),
  low: finite,
  high: finite,
});

const volumeSizeSchema = z.object({
  count: count.min(1, { error: 'an integer ≥ 1' }),
  inputDim: count.min(1, { error: 'an integer ≥ 1' }),
  width: count.min(1, { error: 'an integer ≥ 1' }),
  parameters: count,
  theorem8Width: count.nullable(),
  draws: count,
  fullRank: proportionSchema,
  badPossible: proportionSchema,
  badCertain: proportionSchema,
  globalPossible: proportionSchema,
  globalCertain: proportionSchema,
  allInactive: proportionSchema,
  foundBySearch: count,
  badPossibleWithAllInactive: count,
  gamma: finite,
  rateExponent: finite,
  theoremRate: finite,
  largestZeroResidual: finite.nullable(),
  smallestNonzeroResidual: finite.nullable(),
});

const volumeSchema = z.object({
  kind: z.literal('basin-landscape-volume'),
  version: z.literal(LANDSCAPE_RECORD_VERSION),
  model: z.string({ error: 'a string' }),
  settings: z.object({
    draws: count,
    epsilon: finite,
    negativeSlope: finite,
    labelEncoding: z.enum(['pm1', '01']),
    seed: count,
    residualTolerance: finite,
    coneCosineTolerance: finite,
    signSearch: z.boolean({ error: 'true or false' }),
    rankTolerance: z.string({ error: 'a string' }),
  }),
  sizes: z.array(volumeSizeSchema, { error: 'a list of sizes' }),
});

/** Every record `basin landscape` writes: what `basin report --landscape` shows. */
export type ReportableLandscapeRecord = LandscapeRecord | RegionVolumeRecord;

export const REPORTABLE_RECORD_KINDS = [...LANDSCAPE_RECORD_KINDS, 'basin-landscape-volume'] as const;

/**
 * Parses a record of `basin landscape graph|path|volume --out`, for `basin report --landscape`: graph and path
 * records as `parseLandscapeRecord` reads them, volume records checked field by field; one line naming the file and
 * the field at fault otherwise.
 */
export function parseReportableRecord(text: string, file = 'landscape record'): ReportableLandscapeRecord {
  const fail = (detail: string): never => {
    throw new FileFormatError(file, detail);
  };
  const json = readRecordHeader(text, REPORTABLE_RECORD_KINDS, fail);
  if (json.kind !== 'basin-landscape-volume') return parseLandscapeRecord(text, file);
  const parsed = volumeSchema.safeParse(json);
  if (!parsed.success) {
    const problem = describeSchemaProblem(parsed.error, json, volumeSchema);
    fail(`${problem.field}: expected ${problem.expected}, got ${problem.received}`);
  }
  return parsed.data as RegionVolumeRecord;
}

/** The problem must be one basin can rebuild: a built-in dataset, an activation it knows, and P matching them. */
function checkProblem(problem: LandscapeRecord['problem'], fail: (detail: string) => never): void {
  const dataset = builtInDataset(problem.dataset);
  if (dataset === undefined) {
    fail(
      `problem.dataset: expected one of ${[...Object.keys(SWIRSZCZ_PROBLEMS), ...TOY_DATASETS].join(', ')}, got ${JSON.stringify(problem.dataset)}`,
    );
  }
  const size = ((): number => {
    try {
      const activation = parseActivation(problem.activation, 'problem.activation');
      return parameterCount(mlp(dataset!.inputDim, problem.hidden, dataset!.outputDim, activation, true));
    } catch (error) {
      if (error instanceof BasinError) return fail(error.message);
      throw error;
    }
  })();
  if (problem.parameters !== size) {
    fail(
      `problem.parameters is ${problem.parameters}, but ${problem.dataset} with hidden widths ${problem.hidden.join(',')} has ${size} parameters`,
    );
  }
}
