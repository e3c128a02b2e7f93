import type { DType } from '../src/core/dtype.js';
import type { CaseId } from './cases.js';
import { ROW_STAGES, type RowMeasurement, type RowRun } from './row.js';
import { median } from './timing.js';
import { formatPercent } from '../src/report/format.js';

/** One measured (case, dtype, engine). Times are per step of all `restarts` networks. */
export interface ResultRow {
  readonly caseId: CaseId;
  readonly dtype: DType;
  readonly engine: string;
  /** `reference`: numpy or PyTorch; `basin`: one of basin's engines. */
  readonly kind: 'reference' | 'basin';
  readonly threads: number | 'auto';
  readonly medianMs: number;
  readonly minMs: number;
  readonly repetitions: number;
  readonly timesMs: readonly number[];
  readonly restarts: number;
  readonly flops: number;
  readonly loss: number | undefined;
  /** Epoch cases: the full-batch loss after the epoch (untimed). */
  readonly finalLoss?: number;
  readonly peakRssBytes: number;
  /** Where it ran: `cpu` when left out; `cuda` for PyTorch CUDA, `gpu` for a basin GPU engine. */
  readonly device?: 'cpu' | 'cuda' | 'gpu';
  readonly details: Readonly<Record<string, unknown>>;
}

/** Peak RSS that issue 5 allows for training on 50 000 × 3072 float32 inputs (case (d)): 2 GB = 2·10⁹ bytes. */
export const RSS_LIMIT_BYTES = 2e9;

/** basin on a GPU may take at most this multiple of PyTorch CUDA's time on case (a), on the same GPU. */
export const GPU_LIMIT_VS_TORCH_CUDA = 2;

function onCpu(row: ResultRow): boolean {
  return row.device === undefined || row.device === 'cpu';
}

/** Figures derived from a row and the other rows of its (case, dtype). */
export interface DerivedFigures {
  readonly perNetworkMs: number;
  readonly gflops: number;
  /** Fraction of the numpy sgemm 2048³ rate of the same run; null when numpy was not measured. */
  readonly fractionOfPeak: number | null;
  /** medianMs / numpy's medianMs (< 1: faster than numpy). */
  readonly vsNumpy: number | null;
  /** Against PyTorch on the CPU (its faster variant). */
  readonly vsTorch: number | null;
  /** Against the faster of numpy and PyTorch on the CPU: the comparison that counts. */
  readonly vsFastestReference: number | null;
  /** Against PyTorch CUDA (`--gpu`); null when it was not measured. */
  readonly vsTorchCuda: number | null;
}

export function deriveFigures(
  row: ResultRow,
  rows: readonly ResultRow[],
  peakGflops: number | undefined,
): DerivedFigures {
  const references = rows.filter(
    (r) => r.caseId === row.caseId && r.dtype === row.dtype && r.kind === 'reference',
  );
  const siblings = references.filter(onCpu);
  const fastest = (candidates: readonly ResultRow[]): number | undefined =>
    candidates.length === 0 ? undefined : Math.min(...candidates.map((r) => r.medianMs));
  const numpy = fastest(siblings.filter((r) => r.engine === 'numpy'));
  const torch = fastest(siblings.filter((r) => r.engine.startsWith('torch')));
  const reference = fastest(siblings);
  const torchCuda = fastest(references.filter((r) => r.device === 'cuda'));
  const gflops = row.flops / row.medianMs / 1e6;
  const ratio = (base: number | undefined): number | null =>
    base === undefined ? null : row.medianMs / base;
  return {
    perNetworkMs: row.medianMs / row.restarts,
    gflops,
    fractionOfPeak: peakGflops === undefined ? null : gflops / peakGflops,
    vsNumpy: ratio(numpy),
    vsTorch: ratio(torch),
    vsFastestReference: ratio(reference),
    vsTorchCuda: ratio(torchCuda),
  };
}

/** One of issue 5's targets, checked against the figures of this run. */
export interface GoalCheck {
  readonly goal: string;
  readonly measured: string;
  /** null when a figure it needs was not measured in this run. */
  readonly met: boolean | null;
}

/**
 * The targets for `engine`: ≤ 0.6 × PyTorch (its faster CPU variant) on every case and precision; case (a) float32
 * at ≥ 50% of the numpy sgemm 2048³ rate; case (c) per network ≤ ¼ of case (b); case (d) float32 (training on
 * 50 000 × 3072 float32 inputs) under 2 GB peak RSS. Besides, for every basin engine that ran on a GPU: case (a)
 * within 2 × PyTorch CUDA's time, when `--gpu` measured it.
 */
export function checkGoals(
  rows: readonly ResultRow[],
  peakGflops: number | undefined,
  engine: string,
): GoalCheck[] {
  const own = rows.filter((r) => r.engine === engine);
  const checks: GoalCheck[] = own.map((row) => {
    const { vsTorch } = deriveFigures(row, rows, peakGflops);
    return {
      goal: `(${row.caseId}) ${row.dtype}: ${engine} ≤ 0.6 × PyTorch`,
      measured: vsTorch === null ? 'PyTorch not measured' : `${vsTorch.toFixed(2)} × PyTorch`,
      met: vsTorch === null ? null : vsTorch <= 0.6,
    };
  });
  const a32 = own.find((r) => r.caseId === 'a' && r.dtype === 'float32');
  if (a32) {
    const { fractionOfPeak, gflops } = deriveFigures(a32, rows, peakGflops);
    checks.push({
      goal: `(a) float32: ${engine} ≥ 50% of the matmul peak`,
      measured:
        fractionOfPeak === null
          ? 'peak not measured'
          : `${gflops.toFixed(1)} GFLOP/s = ${(100 * fractionOfPeak).toFixed(0)}% of ${peakGflops!.toFixed(1)}`,
      met: fractionOfPeak === null ? null : fractionOfPeak >= 0.5,
    });
  }
  for (const row of own.filter((r) => r.caseId === 'c')) {
    const single = own.find((r) => r.caseId === 'b' && r.dtype === row.dtype);
    const ratio = single ? row.medianMs / row.restarts / single.medianMs : undefined;
    checks.push({
      goal: `(c) ${row.dtype}: ${engine} per network ≤ ¼ of (b)`,
      measured: ratio === undefined ? '(b) not measured' : `${ratio.toFixed(2)} × (b)`,
      met: ratio === undefined ? null : ratio <= 0.25,
    });
  }
  for (const row of own.filter((r) => r.caseId === 'd' && r.dtype === 'float32')) {
    checks.push({
      goal: `(d) float32: ${engine} peak RSS < 2 GB`,
      measured: `${(row.peakRssBytes / 1e9).toFixed(2)} GB (${(row.peakRssBytes / 2 ** 20).toFixed(0)} MiB)`,
      met: row.peakRssBytes < RSS_LIMIT_BYTES,
    });
  }
  for (const row of rows.filter((r) => r.kind === 'basin' && r.device === 'gpu' && r.caseId === 'a')) {
    const { vsTorchCuda } = deriveFigures(row, rows, peakGflops);
    checks.push({
      goal: `(a) ${row.dtype}: ${row.engine} ≤ ${GPU_LIMIT_VS_TORCH_CUDA} × PyTorch CUDA`,
      measured:
        vsTorchCuda === null ? 'PyTorch CUDA not measured' : `${vsTorchCuda.toFixed(2)} × PyTorch CUDA`,
      met: vsTorchCuda === null ? null : vsTorchCuda <= GPU_LIMIT_VS_TORCH_CUDA,
    });
  }
  return checks;
}

export function formatGoals(checks: readonly GoalCheck[]): string {
  const mark = (met: boolean | null): string => (met === null ? 'n/a ' : met ? 'met ' : 'MISS');
  return checks.map((c) => `${mark(c.met)}  ${c.goal}: ${c.measured}`).join('\n');
}

const COLUMNS = [
  'case',
  'dtype',
  'engine',
  'median ms',
  'min ms',
  'reps',
  'ms/net',
  'GFLOP/s',
  '%peak',
  '×numpy',
  '×torch',
  'RSS MiB',
];

function fixed(value: number | null, digits: number): string {
  return value === null ? '–' : value.toFixed(digits);
}

/** A plain-text table, one line per row, ratios against the references of the same case and dtype. */
export function formatTable(rows: readonly ResultRow[], peakGflops: number | undefined): string {
  const body = rows.map((row) => {
    const d = deriveFigures(row, rows, peakGflops);
    return [
      `(${row.caseId})`,
      row.dtype,
      row.engine,
      fixed(row.medianMs, row.medianMs < 10 ? 3 : 1),
      fixed(row.minMs, row.minMs < 10 ? 3 : 1),
      String(row.repetitions),
      fixed(d.perNetworkMs, 3),
      fixed(d.gflops, 1),
      d.fractionOfPeak === null ? '–' : (100 * d.fractionOfPeak).toFixed(0),
      fixed(d.vsNumpy, 2),
      fixed(d.vsTorch, 2),
      (row.peakRssBytes / 2 ** 20).toFixed(0),
    ];
  });
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(COLUMNS), ...body.map(line)].join('\n');
}

/** The row case (issue 13): basin's whole Table 1 CIFAR row may take at most this multiple of PyTorch's recipe. */
export const ROW_LIMIT_VS_TORCH = 0.5;
/** … and its eigendecomposition of the 3072 × 3072 covariance at most this multiple of numpy's `eigh`. */
export const EIGEN_LIMIT_VS_NUMPY = 5;

function fastestWhole(candidates: readonly RowMeasurement[]): RowMeasurement | undefined {
  return candidates.reduce<RowMeasurement | undefined>(
    (best, m) => (best === undefined || m.wholeSeconds < best.wholeSeconds ? m : best),
    undefined,
  );
}

/**
 * The recipe basin's row is compared with: the fastest PyTorch variant (by the whole row), or the numpy-only
 * recipe when PyTorch is absent.
 */
export function rowRecipe(measurements: readonly RowMeasurement[]): RowMeasurement | undefined {
  const references = measurements.filter((m) => m.kind === 'reference');
  return fastestWhole(references.filter((m) => m.label.startsWith('torch'))) ?? fastestWhole(references);
}

export function checkRowGoals(measurements: readonly RowMeasurement[]): GoalCheck[] {
  const basin = measurements.find((m) => m.kind === 'basin');
  if (basin === undefined) return [];
  const recipe = rowRecipe(measurements);
  const torch = recipe !== undefined && recipe.label.startsWith('torch') ? recipe : undefined;
  const whole = torch === undefined ? undefined : basin.wholeSeconds / torch.wholeSeconds;
  // Every recipe runs numpy's eigh; the fastest of them is the comparison, as for the other references.
  const eighs = measurements.filter((m) => m.kind === 'reference').map((m) => m.stages.eigendecomposition);
  const eigh = eighs.length === 0 ? undefined : Math.min(...eighs);
  const eigen = eigh === undefined ? undefined : basin.stages.eigendecomposition / eigh;
  return [
    {
      goal: `(row): whole row ≤ ${ROW_LIMIT_VS_TORCH} × PyTorch recipe`,
      measured:
        whole !== undefined
          ? `${whole.toFixed(2)} × PyTorch (${basin.wholeSeconds.toFixed(1)} s / ${torch!.wholeSeconds.toFixed(1)} s)`
          : recipe !== undefined
            ? `PyTorch not measured (${(basin.wholeSeconds / recipe.wholeSeconds).toFixed(2)} × the ${recipe.label} recipe)`
            : 'PyTorch not measured',
      met: whole === undefined ? null : whole <= ROW_LIMIT_VS_TORCH,
    },
    {
      goal: `(row): eigendecomposition ≤ ${EIGEN_LIMIT_VS_NUMPY} × numpy eigh`,
      measured:
        eigen === undefined
          ? 'numpy not measured'
          : `${eigen.toFixed(2)} × numpy (${basin.stages.eigendecomposition.toFixed(1)} s / ${eigh!.toFixed(1)} s)`,
      met: eigen === undefined ? null : eigen <= EIGEN_LIMIT_VS_NUMPY,
    },
  ];
}

function seconds(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

/** Seconds per stage for basin and each recipe, and basin's ratio to the recipe of `rowRecipe`. */
export function formatRowTable(run: RowRun): string {
  const { measurements } = run;
  const recipe = rowRecipe(measurements);
  const basin = measurements.find((m) => m.kind === 'basin');
  const ratio = (of: (m: RowMeasurement) => number): string =>
    basin === undefined || recipe === undefined || of(recipe) === 0
      ? '–'
      : (of(basin) / of(recipe)).toFixed(2);
  const middle = (values: readonly number[]): string => (values.length === 0 ? '–' : seconds(median(values)));
  const percent = (value: number | null): string => formatPercent(value);
  const header = [
    'stage (seconds)',
    ...measurements.map((m) => m.label),
    `basin / ${recipe?.label ?? 'recipe'}`,
  ];
  const lines: string[][] = [
    ...ROW_STAGES.map((stage) => [
      stage,
      ...measurements.map((m) => seconds(m.stages[stage])),
      ratio((m) => m.stages[stage]),
    ]),
    ['whole row', ...measurements.map((m) => seconds(m.wholeSeconds)), ratio((m) => m.wholeSeconds)],
    ['epochs run', ...measurements.map((m) => String(m.epochs)), ''],
    ['median epoch', ...measurements.map((m) => middle(m.epochSeconds)), ''],
    ['median check', ...measurements.map((m) => middle(m.checkSeconds)), ''],
    ['train MCE at end', ...measurements.map((m) => percent(m.trainMce)), ''],
    ['test MCE', ...measurements.map((m) => percent(m.testMce)), ''],
    ['peak RSS MiB', ...measurements.map((m) => (m.peakRssBytes / 2 ** 20).toFixed(0)), ''],
  ];
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((cells) => cells[i].length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [
    `case (row): ${run.case.description}`,
    `epochs: ${run.case.epochs} (--row-epochs); files: ${(run.files.bytes / 1e6).toFixed(0)} MB written in ` +
      `${run.files.seconds.toFixed(1)} s (untimed)`,
    line(header),
    ...lines.map(line),
  ].join('\n');
}
