import type { SweepSummary } from '../sweep/summary.js';
import { formatNumber, formatPercent, formatSetting, formatTable } from './format.js';

/** Column headers and rows of a sweep's per-cell table, shared by `basin results` and the HTML report. */
export function summaryRows(summary: SweepSummary): { headers: string[]; rows: string[][] } {
  const hasMinima = summary.cells.some((cell) => cell.minima !== null);
  const hasConstant = summary.cells.some((cell) => cell.constantOutput !== null);
  const hasMce = summary.cells.some((cell) => cell.mce.count > 0);
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
  ]);
  return { headers, rows };
}

/** The per-cell table of a sweep as plain text. */
export function formatSummaryTable(summary: SweepSummary): string {
  const { headers, rows } = summaryRows(summary);
  return formatTable(headers, rows);
}
