import type { DType } from '../src/core/dtype.js';
import type { CaseId } from './cases.js';

/** One measured (case, dtype, engine). Times are per step of all `restarts` networks. */
export interface ResultRow {
  readonly caseId: CaseId;
  readonly dtype: DType;
  readonly engine: string;
  /** `reference`: numpy or PyTorch; `basin`: one of basin's engines. */
  readonly kind: 'reference' | 'basin';
  readonly threads: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly repetitions: number;
  readonly timesMs: readonly number[];
  readonly restarts: number;
  readonly flops: number;
  readonly loss: number | undefined;
  readonly peakRssBytes: number;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Figures derived from a row and the other rows of its (case, dtype). */
export interface DerivedFigures {
  readonly perNetworkMs: number;
  readonly gflops: number;
  /** Fraction of the numpy sgemm 2048³ rate of the same run; null when numpy was not measured. */
  readonly fractionOfPeak: number | null;
  /** medianMs / numpy's medianMs (< 1: faster than numpy). */
  readonly vsNumpy: number | null;
  readonly vsTorch: number | null;
  /** Against the faster of numpy and PyTorch: the comparison that counts. */
  readonly vsFastestReference: number | null;
}

export function deriveFigures(
  row: ResultRow,
  rows: readonly ResultRow[],
  peakGflops: number | undefined,
): DerivedFigures {
  const sibling = (engine: string): ResultRow | undefined =>
    rows.find((r) => r.caseId === row.caseId && r.dtype === row.dtype && r.engine === engine);
  const numpy = sibling('numpy');
  const torch = sibling('torch');
  const references = [numpy, torch].filter((r) => r !== undefined);
  const fastest = references.length ? Math.min(...references.map((r) => r.medianMs)) : undefined;
  const gflops = row.flops / row.medianMs / 1e6;
  return {
    perNetworkMs: row.medianMs / row.restarts,
    gflops,
    fractionOfPeak: peakGflops === undefined ? null : gflops / peakGflops,
    vsNumpy: numpy ? row.medianMs / numpy.medianMs : null,
    vsTorch: torch ? row.medianMs / torch.medianMs : null,
    vsFastestReference: fastest === undefined ? null : row.medianMs / fastest,
  };
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
