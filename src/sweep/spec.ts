import * as z from 'zod';
import { FileFormatError, InvalidArgumentError } from '../core/errors.js';
import { requireMemory, SizeLimitError } from '../core/limits.js';
import { describeSchemaProblem } from '../io/schema-issues.js';
import { readUserFile } from '../io/user-file.js';
import { parseStructuredText } from '../io/structured-text.js';
import { canonicalJson, configHash } from './config-hash.js';
import type { Runner } from './runner.js';

/**
 * A sweep: many runs of one runner over a set of cells, `repetitions` seeds per cell. Cells are `base` merged with
 * each entry of `cells` (or `{}` when absent), crossed with every combination of the `grid` axes.
 */
export interface SweepSpec {
  readonly name: string;
  readonly description: string | undefined;
  readonly seed: number;
  readonly repetitions: number;
  readonly runner: string;
  readonly keepWeights: boolean;
  /**
   * Whether runs of a cell may be trained together in lock-step (batched restarts; see src/run/together.ts). An execution
   * choice like the number of workers, not part of the sweep's identity: it does not change the results (beyond
   * rounding) and is left out of the stored spec and its hash. Absent: true.
   */
  readonly batchRestarts: boolean | undefined;
  readonly success: SuccessCriterion;
  readonly base: Readonly<Record<string, unknown>>;
  readonly grid: Readonly<Record<string, readonly unknown[]>> | undefined;
  readonly cells: readonly Readonly<Record<string, unknown>>[] | undefined;
}

/** When a run counts as reaching the optimum: its `metric` is at most `atMost` (e.g. zero training error). */
export interface SuccessCriterion {
  readonly metric: 'mce' | 'mse' | 'loss';
  readonly atMost: number;
}

/** One cell: a complete run configuration (validated by the runner's schema) and its identity. */
export interface SweepCell {
  readonly index: number;
  readonly hash: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export const MAX_SEED = 0xffffffff;

const nonNegativeInteger = (max: number) =>
  z
    .number({ error: `an integer in [0, ${max}]` })
    .int({ error: `an integer in [0, ${max}]` })
    .min(0, { error: `an integer in [0, ${max}]` })
    .max(max, { error: `an integer in [0, ${max}]` });

const partialConfig = z.record(z.string(), z.unknown(), { error: 'an object of run settings' });

export const sweepSpecSchema = z.strictObject({
  name: z
    .string({ error: 'a name of letters, digits, ".", "_" or "-"' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'a name of letters, digits, ".", "_" or "-"' }),
  description: z.string({ error: 'a string' }).optional(),
  seed: nonNegativeInteger(MAX_SEED),
  repetitions: z
    .number({ error: 'an integer ≥ 1' })
    .int({ error: 'an integer ≥ 1' })
    .min(1, { error: 'an integer ≥ 1' }),
  runner: z.string({ error: 'a runner name' }).default('train'),
  keepWeights: z.boolean({ error: 'true or false' }).default(false),
  batchRestarts: z.boolean({ error: 'true or false' }).optional(),
  success: z
    .strictObject({
      metric: z.enum(['mce', 'mse', 'loss']),
      atMost: z.number({ error: 'a number ≥ 0' }).min(0, { error: 'a number ≥ 0' }),
    })
    .default({ metric: 'mce', atMost: 0 }),
  base: partialConfig.default({}),
  grid: z
    .record(
      z.string(),
      z.array(z.unknown(), { error: 'a list of values' }).min(1, { error: 'a list with at least one value' }),
      { error: 'an object mapping each axis to a list of values' },
    )
    .optional(),
  cells: z
    .array(partialConfig, { error: 'a list of cells' })
    .min(1, { error: 'a list with at least one cell' })
    .optional(),
});

/** Reads a sweep spec from a YAML (.yaml/.yml) or JSON (.json) file. */
export function readSweepSpec(path: string): SweepSpec {
  return parseSweepSpec(readUserFile(path, 'the sweep spec'), path);
}

/** Parses spec text; `file` names the source in errors and picks the syntax (JSON for .json, YAML otherwise). */
export function parseSweepSpec(text: string, file = 'spec'): SweepSpec {
  return validateSweepSpec(parseStructuredText(text, file), file);
}

/** Validates an already-parsed spec object (what presets build in code). */
export function validateSweepSpec(input: unknown, file = 'spec'): SweepSpec {
  const parsed = sweepSpecSchema.safeParse(input);
  if (!parsed.success) {
    const problem = describeSchemaProblem(parsed.error, input, sweepSpecSchema);
    throw new FileFormatError(
      file,
      `${problem.field}: expected ${problem.expected}, got ${problem.received}`,
    );
  }
  const spec = parsed.data;
  if (spec.grid !== undefined && Object.keys(spec.grid).length === 0) {
    throw new FileFormatError(
      file,
      'grid: expected at least one axis with a list of values, got an empty grid',
    );
  }
  return {
    name: spec.name,
    description: spec.description,
    seed: spec.seed,
    repetitions: spec.repetitions,
    runner: spec.runner,
    keepWeights: spec.keepWeights,
    batchRestarts: spec.batchRestarts,
    success: spec.success,
    base: spec.base,
    grid: spec.grid,
    cells: spec.cells,
  };
}

/**
 * The cells of a spec, each validated by the runner's schema. An unknown setting or a bad value is reported at the
 * place in the spec it came from (`grid.N[2]`, `cells[1].width`, `base.activation`).
 */
export function expandCells(spec: SweepSpec, runner: Runner, file = 'spec'): SweepCell[] {
  const known = Object.keys(runner.configSchema.shape);
  const checkKeys = (where: string, record: Readonly<Record<string, unknown>>): void => {
    for (const key of Object.keys(record)) {
      if (!known.includes(key)) {
        throw new FileFormatError(
          file,
          `${where}.${key}: expected one of the ${runner.name} runner's settings (${known.join(', ')}), got an unknown key`,
        );
      }
    }
  };
  checkKeys('base', spec.base);
  if (spec.grid) checkKeys('grid', spec.grid);
  spec.cells?.forEach((cell, i) => checkKeys(`cells[${i}]`, cell));

  const axes = Object.entries(spec.grid ?? {});
  const cellCount =
    (spec.cells?.length ?? 1) * axes.reduce((product, [, values]) => product * values.length, 1);
  requireSweepMemory(file, 'grid', `${cellCount} cells`, cellCount);
  const cells: SweepCell[] = [];
  const seen = new Map<string, string>();
  const listed = spec.cells ?? [{}];
  listed.forEach((entry, listIndex) => {
    for (const choice of cartesian(axes.map(([, values]) => values.length))) {
      const config: Record<string, unknown> = { ...spec.base, ...entry };
      axes.forEach(([axis, values], a) => (config[axis] = values[choice[a]]));
      const source = (key: string): string => {
        const a = axes.findIndex(([axis]) => axis === key);
        if (a >= 0) return `grid.${key}[${choice[a]}]`;
        if (spec.cells && key in entry) return `cells[${listIndex}].${key}`;
        return `base.${key}`;
      };
      const parsed = runner.configSchema.safeParse(config);
      if (!parsed.success) {
        const problem = describeSchemaProblem(parsed.error, config, runner.configSchema);
        const [key, ...rest] = problem.field.split('.');
        const where = key in config ? [source(key), ...rest].join('.') : `base.${problem.field}`;
        throw new FileFormatError(file, `${where}: expected ${problem.expected}, got ${problem.received}`);
      }
      const valid = parsed.data as Record<string, unknown>;
      try {
        runner.requireFits?.(valid);
      } catch (error) {
        if (!(error instanceof SizeLimitError)) throw error;
        const settings = axes.map(([axis]) => source(axis));
        // Named by the keys the spec wrote (a default depth is not the author's doing), where each was written.
        const keys = error.field.split(', ');
        const written = keys.filter((key) => key in config);
        const field = (written.length > 0 ? written.map(source) : keys).join(', ');
        throw new FileFormatError(
          file,
          `cell ${cells.length}${settings.length > 0 ? ` (${settings.join(', ')})` : ''}: ${field}: ${error.detail}`,
        );
      }
      const hash = configHash(valid);
      const earlier = seen.get(hash);
      if (earlier !== undefined) {
        throw new FileFormatError(
          file,
          `cell ${cells.length}: expected settings distinct from every other cell, got the same as ${earlier}`,
        );
      }
      seen.set(hash, `cell ${cells.length}`);
      cells.push({ index: cells.length, hash, config: valid });
    }
  });
  return cells;
}

/**
 * What planning a sweep keeps per run (its task and its place in the store's bookkeeping), for the size check that
 * refuses `repetitions: 1000000000` before the plan is built (the loop alone would hold the process for minutes).
 */
const PLANNED_RUN_BYTES = 1024;

/** Throws a FileFormatError naming the spec and `field` when `runs` planned runs would exceed the memory limit. */
export function requireSweepMemory(file: string, field: string, what: string, runs: number): void {
  try {
    requireMemory(field, `${what} (about ${PLANNED_RUN_BYTES} bytes each to plan)`, runs * PLANNED_RUN_BYTES);
  } catch (error) {
    throw error instanceof SizeLimitError ? new FileFormatError(file, error.message) : error;
  }
}

/** The settings that differ between cells: the axes a table or figure of this sweep is indexed by. */
export function varyingKeys(
  cells: readonly { readonly config: Readonly<Record<string, unknown>> }[],
): string[] {
  const keys = new Set(cells.flatMap((cell) => Object.keys(cell.config)));
  return [...keys].filter((key) => {
    const first = canonicalJson(cells[0]?.config[key]);
    return cells.some((cell) => canonicalJson(cell.config[key]) !== first);
  });
}

/**
 * The spec as plain JSON, with defaults filled in (what the store records and hashes). `batchRestarts` is left out:
 * it says how to compute the runs, not which runs, so turning it off resumes the same sweep.
 */
export function specToJson(spec: SweepSpec): Record<string, unknown> {
  return JSON.parse(canonicalJson({ ...spec, batchRestarts: undefined })) as Record<string, unknown>;
}

function* cartesian(sizes: readonly number[]): Generator<number[]> {
  const choice = sizes.map(() => 0);
  if (sizes.some((size) => size === 0)) return;
  for (;;) {
    yield [...choice];
    let a = sizes.length - 1;
    while (a >= 0 && ++choice[a] === sizes[a]) choice[a--] = 0;
    if (a < 0) return;
  }
}

/** Throws unless `name` is one of the runners offered. */
export function pickRunner(name: string, runners: readonly Runner[], file = 'spec'): Runner {
  const runner = runners.find((r) => r.name === name);
  if (runner === undefined) {
    throw new InvalidArgumentError(
      `${file}: runner`,
      `one of ${runners.map((r) => JSON.stringify(r.name)).join(', ')}`,
      name,
    );
  }
  return runner;
}
