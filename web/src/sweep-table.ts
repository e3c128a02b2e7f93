import { parquetReadObjects } from 'hyparquet';

/**
 * A sweep as `basin sweep export` writes it (the store's flat `runs` table: one row per run with its cell's
 * configuration as JSON and its measurements), read from Parquet or JSON. Pure data and functions: Node tests and the
 * browser share them.
 */
export interface SweepRun {
  readonly sweep: string;
  readonly cellIndex: number;
  readonly repetition: number;
  readonly seed: number;
  readonly status: string;
  readonly error: string | null;
  /** The cell's configuration flattened to dotted keys, values as display strings. */
  readonly config: Readonly<Record<string, string>>;
  readonly finalLoss: number | null;
  readonly mse: number | null;
  readonly mce: number | null;
  readonly gradientNorm: number | null;
  readonly kinkMargin: number | null;
  readonly minEigenvalue: number | null;
  readonly maxEigenvalue: number | null;
  readonly morseIndex: number | null;
  readonly verdict: string | null;
  readonly iterations: number | null;
}

export interface SweepTable {
  readonly source: string;
  readonly runs: readonly SweepRun[];
  /** Configuration keys whose value differs between cells: the possible axes of a phase diagram. */
  readonly parameters: readonly string[];
  /**
   * The sweeps the runs belong to, in order of first appearance. An export of a whole store holds several, and their
   * runs must not share one phase diagram: `sweepOf` picks one.
   */
  readonly sweeps: readonly string[];
}

export class SweepFormatError extends Error {
  override name = 'SweepFormatError';
}

const REQUIRED = ['cell_index', 'repetition', 'status', 'config_json'] as const;

export function sweepFromRows(rows: readonly Record<string, unknown>[], source: string): SweepTable {
  if (rows.length === 0) throw new SweepFormatError(`${source}: expected at least one run, got none`);
  const missing = REQUIRED.filter((column) => !(column in rows[0]));
  if (missing.length > 0) {
    throw new SweepFormatError(
      `${source}: expected the runs table of a sweep export (columns ${REQUIRED.join(', ')}, final_loss, …); missing ${missing.join(', ')}`,
    );
  }
  return tableOf(
    rows.map((row, index) => toRun(row, index, source)),
    source,
  );
}

/** The runs of one sweep of `table`, with the parameters that vary within it. */
export function sweepOf(table: SweepTable, sweep: string): SweepTable {
  if (!table.sweeps.includes(sweep))
    throw new SweepFormatError(`${table.source}: no sweep "${sweep}" (it holds ${table.sweeps.join(', ')})`);
  return tableOf(
    table.runs.filter((run) => run.sweep === sweep),
    table.source,
  );
}

function tableOf(runs: readonly SweepRun[], source: string): SweepTable {
  const values = new Map<string, Set<string>>();
  for (const run of runs) {
    for (const [key, value] of Object.entries(run.config)) {
      let set = values.get(key);
      if (!set) values.set(key, (set = new Set()));
      set.add(value);
    }
  }
  const parameters = [...values.entries()]
    .filter(([, set]) => set.size > 1)
    .map(([key]) => key)
    .sort();
  return { source, runs, parameters, sweeps: [...new Set(runs.map((run) => run.sweep))] };
}

export function parseSweepJson(text: string, source: string): SweepTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SweepFormatError(
      `${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const rows = Array.isArray(parsed) ? parsed : (parsed as { runs?: unknown } | null)?.runs;
  if (!Array.isArray(rows))
    throw new SweepFormatError(`${source}: expected a JSON array of runs or an object with a "runs" array`);
  return sweepFromRows(rows as Record<string, unknown>[], source);
}

export async function parseSweepParquet(buffer: ArrayBuffer, source: string): Promise<SweepTable> {
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: buffer });
  } catch (error) {
    throw new SweepFormatError(
      `${source}: not a readable Parquet file (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return sweepFromRows(rows, source);
}

function toRun(row: Record<string, unknown>, index: number, source: string): SweepRun {
  const where = `${source}, run ${index + 1}`;
  const numberOrNull = (column: string): number | null => {
    const value = row[column];
    if (value === null || value === undefined) return null;
    const n = typeof value === 'bigint' ? Number(value) : Number(value);
    if (Number.isNaN(n))
      throw new SweepFormatError(
        `${where}: column ${column}: expected a number or null, got ${JSON.stringify(String(value))}`,
      );
    return n;
  };
  const config = row.config_json;
  let parsed: unknown;
  try {
    parsed = typeof config === 'string' ? JSON.parse(config) : config;
  } catch {
    throw new SweepFormatError(
      `${where}: column config_json: expected JSON text, got ${JSON.stringify(String(config).slice(0, 40))}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SweepFormatError(`${where}: column config_json: expected a JSON object`);
  }
  const cellIndex = numberOrNull('cell_index');
  const repetition = numberOrNull('repetition');
  if (cellIndex === null || repetition === null)
    throw new SweepFormatError(`${where}: cell_index and repetition must not be null`);
  return {
    sweep: String(row.sweep ?? ''),
    cellIndex,
    repetition,
    seed: numberOrNull('seed') ?? 0,
    status: String(row.status),
    error: row.error === null || row.error === undefined ? null : String(row.error),
    config: flatten(parsed as Record<string, unknown>),
    finalLoss: numberOrNull('final_loss'),
    mse: numberOrNull('mse'),
    mce: numberOrNull('mce'),
    gradientNorm: numberOrNull('gradient_norm'),
    kinkMargin: numberOrNull('kink_margin'),
    minEigenvalue: numberOrNull('min_eigenvalue'),
    maxEigenvalue: numberOrNull('max_eigenvalue'),
    morseIndex: numberOrNull('morse_index'),
    verdict: row.verdict === null || row.verdict === undefined ? null : String(row.verdict),
    iterations: numberOrNull('iterations'),
  };
}

function flatten(
  object: Record<string, unknown>,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  for (const [key, value] of Object.entries(object)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      flatten(value as Record<string, unknown>, path, out);
    else out[path] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/** What a phase-diagram cell is coloured by. */
export const METRICS = {
  'median-log-loss': 'median log₁₀ final loss',
  'zero-error': 'fraction of runs with zero training error (MCE = 0)',
  failed: 'fraction of failed runs',
} as const;
export type Metric = keyof typeof METRICS;

export interface PhaseCell {
  readonly x: string;
  readonly y: string;
  readonly value: number | null;
  readonly runs: number;
}

/** Runs grouped by the values of two configuration keys, so a click on a cell finds its runs at once. */
export class PhaseIndex {
  private readonly groups = new Map<string, SweepRun[]>();

  constructor(
    readonly table: SweepTable,
    readonly xKey: string,
    readonly yKey: string,
  ) {
    for (const run of table.runs) {
      const key = cellKey(run.config[xKey] ?? '—', run.config[yKey] ?? '—');
      let group = this.groups.get(key);
      if (!group) this.groups.set(key, (group = []));
      group.push(run);
    }
  }

  cells(metric: Metric): PhaseCell[] {
    return [...this.groups.entries()].map(([key, runs]) => {
      const [x, y] = JSON.parse(key) as [string, string];
      return { x, y, value: metricOf(runs, metric), runs: runs.length };
    });
  }

  runs(x: string, y: string): readonly SweepRun[] {
    return this.groups.get(cellKey(x, y)) ?? [];
  }
}

function cellKey(x: string, y: string): string {
  return JSON.stringify([x, y]);
}

export function metricOf(runs: readonly SweepRun[], metric: Metric): number | null {
  switch (metric) {
    case 'median-log-loss': {
      const logs = runs
        .filter((r) => r.status === 'ok' && r.finalLoss !== null)
        .map((r) => Math.log10(Math.max(r.finalLoss!, 1e-300)))
        .sort((a, b) => a - b);
      if (logs.length === 0) return null;
      const middle = Math.floor(logs.length / 2);
      return logs.length % 2 === 1 ? logs[middle] : (logs[middle - 1] + logs[middle]) / 2;
    }
    case 'zero-error': {
      const known = runs.filter((r) => r.mce !== null);
      return known.length === 0 ? null : known.filter((r) => r.mce === 0).length / known.length;
    }
    case 'failed':
      return runs.filter((r) => r.status !== 'ok').length / runs.length;
  }
}

/**
 * A phase diagram's axis over one configuration key. Numeric keys (every value a finite number) are quantitative:
 * cells sit at their values, sorted, each spanning the band half-way to its neighbours, on a log scale when the values
 * are positive and span at least `LOG_AXIS_RATIO`. Other keys are categorical, in text order.
 */
export type Axis =
  | {
      readonly kind: 'numeric';
      readonly key: string;
      /** The distinct values, ascending. */
      readonly values: readonly number[];
      readonly log: boolean;
      /** The extent of the cells at each value, in the same order as `values`. */
      readonly bands: readonly (readonly [number, number])[];
    }
  | { readonly kind: 'categorical'; readonly key: string; readonly values: readonly string[] };

/** Positive values spanning this ratio or more go on a log axis: sweeps double widths and sample counts. */
export const LOG_AXIS_RATIO = 10;

export function axisOf(key: string, values: Iterable<string>): Axis {
  const distinct = [...new Set(values)];
  const numbers = distinct.map((v) => (v.trim() === '' ? Number.NaN : Number(v)));
  if (!numbers.every((n) => Number.isFinite(n))) return { kind: 'categorical', key, values: distinct.sort() };
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const log = sorted[0] > 0 && sorted[sorted.length - 1] / sorted[0] >= LOG_AXIS_RATIO;
  const to = log ? Math.log10 : (v: number) => v;
  const from = log ? (t: number) => 10 ** t : (t: number) => t;
  const t = sorted.map(to);
  // Half-way to each neighbour; the end cells as wide as their inner half, a lone value one unit (decade) wide.
  const edges = t.map((value, i) => (i === 0 ? value : (t[i - 1] + value) / 2));
  const last = t[t.length - 1];
  edges.push(t.length === 1 ? last + 0.5 : last + (last - t[t.length - 2]) / 2);
  edges[0] = t.length === 1 ? t[0] - 0.5 : t[0] - (t[1] - t[0]) / 2;
  const bands = sorted.map((_, i) => [from(edges[i]), from(edges[i + 1])] as const);
  return { kind: 'numeric', key, values: sorted, log, bands };
}

/** The band of a cell at display value `value` on a numeric axis. */
export function bandOf(axis: Axis & { kind: 'numeric' }, value: string): readonly [number, number] {
  return axis.bands[axis.values.indexOf(Number(value))];
}
