import type { SweepSummary } from '../sweep/summary.js';
import { formatNumber, formatPercent, formatSetting, formatTable } from './format.js';

/** Column headers and rows of a sweep's per-cell table, shared by `basin results` and the HTML report. */
export function summaryRows(summary: SweepSummary): { headers: string[]; rows: string[][] } {
  const hasMinima = summary.cells.some((cell) => cell.minima !== null);
  const hasConstant = summary.cells.some((cell) => cell.constantOutput !== null);
  const hasMce = summary.cells.some((cell) => cell.mce.count > 0);
  const hasVerdicts = summary.cells.some(
    (cell) => Object.keys(cell.verdicts).length > 0 || cell.certificateFailures > 0,
  );
  const hasBackends = summary.cells.some((cell) => Object.keys(cell.backends ?? {}).length > 0);
  const criterion = `${summary.success.metric} ≤ ${summary.success.atMost}`;
  const headers = [
    'cell',
    ...summary.axes,
    'runs',
    'failed',
    ...(hasMce ? ['MCE mean ± std', 'MCE median'] : []),
    'MSE mean ± std',
    'MSE median',
    `sub-optimal (not ${criterion}) [95% CI]`,
    ...(hasConstant ? ['constant output [95% CI]'] : []),
    ...(hasMinima ? ['distinct minima (multiplicities)'] : []),
    ...(hasVerdicts ? ['certificates'] : []),
    ...(hasBackends ? ['backend'] : []),
  ];
  const rows = summary.cells.map((cell) => [
    String(cell.cell.index),
    ...summary.axes.map((axis) => formatSetting(cell.axes[axis])),
    String(cell.runs),
    String(cell.failed),
    ...(hasMce
      ? [`${formatNumber(cell.mce.mean)} ± ${formatNumber(cell.mce.std)}`, formatNumber(cell.mce.median)]
      : []),
    `${formatNumber(cell.mse.mean)} ± ${formatNumber(cell.mse.std)}`,
    formatNumber(cell.mse.median),
    `${formatPercent(cell.suboptimal.estimate)} [${formatPercent(cell.suboptimal.low)}, ${formatPercent(cell.suboptimal.high)}]`,
    ...(hasConstant
      ? [
          cell.constantOutput === null
            ? '–'
            : `${formatPercent(cell.constantOutput.estimate)} [${formatPercent(cell.constantOutput.low)}, ${formatPercent(cell.constantOutput.high)}]`,
        ]
      : []),
    ...(hasMinima ? [cell.minima === null ? '–' : `${cell.minima.length} (${cell.minima.join(', ')})`] : []),
    ...(hasVerdicts ? [verdictCounts(cell.verdicts, cell.certificateFailures)] : []),
    ...(hasBackends ? [backendCounts(cell.backends ?? {}, cell.lockstepRuns ?? 0)] : []),
  ]);
  return { headers, rows };
}

/** The per-cell table of a sweep as plain text. */
export function formatSummaryTable(summary: SweepSummary): string {
  const { headers, rows } = summaryRows(summary);
  return formatTable(headers, rows);
}

/** "reference 30 (24 batched)": runs by backend, then how many were trained in lock-step with others. */
export function backendCounts(backends: Readonly<Record<string, number>>, lockstep: number): string {
  const parts = Object.entries(backends)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([backend, count]) => `${backend} ${count}`);
  if (parts.length === 0) return '–';
  return `${parts.join(', ')}${lockstep > 0 ? ` (${lockstep} batched)` : ''}`;
}

/** "global 28, local-min 2, failed 1": verdicts by count, then the runs whose certification failed. */
export function verdictCounts(verdicts: Readonly<Record<string, number>>, failures: number): string {
  const parts = Object.entries(verdicts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([verdict, count]) => `${verdict} ${count}`);
  if (failures > 0) parts.push(`failed ${failures}`);
  return parts.length === 0 ? '–' : parts.join(', ');
}
