import { DECIDED_CLASSES, END_POINT_CLASSES } from '../run/end-point-class.js';
import type { Proportion } from '../core/statistics.js';
import type { CellSummary, SweepSummary } from '../sweep/summary.js';
import { formatNumber, formatPercent, formatRate, formatSetting, formatTable } from './format.js';

/** Column headers and rows of a sweep's per-cell table, shared by `basin results` and the HTML report. */
export function summaryRows(summary: SweepSummary): { headers: string[]; rows: string[][] } {
  const hasMinima = summary.cells.some((cell) => cell.minima !== null);
  const hasConstant = summary.cells.some((cell) => cell.constantOutput !== null);
  const hasMce = summary.cells.some((cell) => cell.mce.count > 0);
  const hasClasses = summary.cells.some((cell) => cell.certified > 0);
  // With classes, the `end points` column says what the verdicts column said, by class.
  const hasVerdicts =
    !hasClasses &&
    summary.cells.some((cell) => Object.keys(cell.verdicts).length > 0 || cell.certificateFailures > 0);
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
    // Once end points are certified, "sub-optimal" means a proved sub-optimal minimum; the threshold is just that.
    hasClasses ? `not ${criterion} [95% CI]` : `sub-optimal (not ${criterion}) [95% CI]`,
    ...(hasClasses ? [...CERTIFIED_HEADERS, 'end points'] : []),
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
    formatProportion(cell.suboptimal),
    ...(hasClasses ? [...certifiedColumns(cell), classCounts(cell)] : []),
    ...(hasConstant ? [cell.constantOutput === null ? '–' : formatProportion(cell.constantOutput)] : []),
    ...(hasMinima ? [cell.minima === null ? '–' : `${cell.minima.length} (${cell.minima.join(', ')})`] : []),
    ...(hasVerdicts ? [verdictCounts(cell.verdicts, cell.certificateFailures)] : []),
    ...(hasBackends ? [backendCounts(cell.backends ?? {}, cell.lockstepRuns ?? 0)] : []),
  ]);
  return { headers, rows };
}

/**
 * The per-cell table of a sweep as plain text (`basin results`, the end of `basin sweep`), followed by the table of
 * certified end-point classes when some run was certified.
 */
export function formatSummaryTable(summary: SweepSummary): string {
  const { headers, rows } = summaryRows(summary);
  const classes = formatClassTable(summary);
  return formatTable(headers, rows) + (classes === '' ? '' : `\n\ncertified end points\n${classes}`);
}

/** Headers of the two certified columns every table of sub-optimal end points shows (see `certifiedColumns`). */
export const CERTIFIED_HEADERS: readonly string[] = [
  'sub-optimal minima (certified) [95% CI]',
  'undecided [95% CI]',
];

/**
 * A cell's proved sub-optimal local minima and its undecided runs (kink, inconclusive, not converged), each as a
 * fraction of the certified runs with its Wilson 95% interval; "–" when no run of the cell was certified.
 */
export function certifiedColumns(cell: CellSummary): string[] {
  if (cell.certified === 0) return ['–', '–'];
  return [formatProportion(cell.classes['sub-optimal-min']), formatProportion(cell.undecided)];
}

/** "12.5% (2) [3.5%, 36.0%]": a proportion with its count and Wilson 95% interval; "–" without trials. */
export function formatProportion(p: Proportion): string {
  return p.estimate === null ? '–' : `${formatRate(p.successes, p.trials)} ${formatInterval(p)}`;
}

/** "[3.5%, 36.0%]": a proportion's Wilson 95% interval. */
export function formatInterval(p: Proportion): string {
  return `[${formatPercent(p.low)}, ${formatPercent(p.high)}]`;
}

/** "global 12, sub-optimal-min 2, not-converged 2 (of 16)": the certified classes of a cell, largest first. */
export function classCounts(cell: CellSummary): string {
  if (cell.certified === 0) return '–';
  const parts = END_POINT_CLASSES.filter((c) => cell.classes[c].successes > 0)
    .sort((a, b) => cell.classes[b].successes - cell.classes[a].successes)
    .map((c) => `${c} ${cell.classes[c].successes}`);
  const uncertified = cell.runs - cell.failed - cell.certified;
  return `${parts.join(', ')}${uncertified > 0 ? `; not certified ${uncertified}` : ''}`;
}

/**
 * Per cell, each end-point class as count, fraction of the certified runs and Wilson 95% interval, then the
 * undecided runs (kink + inconclusive + not converged); empty when no run of the sweep was certified.
 */
export function classRows(summary: SweepSummary): { headers: string[]; rows: string[][] } {
  if (!summary.cells.some((cell) => cell.certified > 0)) return { headers: [], rows: [] };
  const headers = [
    'cell',
    ...summary.axes,
    'certified',
    ...END_POINT_CLASSES.map((c) => `${c} [95% CI]`),
    'undecided [95% CI]',
  ];
  const rows = summary.cells.map((cell) => [
    String(cell.cell.index),
    ...summary.axes.map((axis) => formatSetting(cell.axes[axis])),
    `${cell.certified}/${cell.runs - cell.failed}`,
    ...END_POINT_CLASSES.map((c) => formatProportion(cell.classes[c])),
    formatProportion(cell.undecided),
  ]);
  return { headers, rows };
}

/** The class table as plain text (`basin results`); empty when nothing was certified. */
export function formatClassTable(summary: SweepSummary): string {
  const { headers, rows } = classRows(summary);
  return headers.length === 0 ? '' : formatTable(headers, rows);
}

/**
 * One sentence on a sweep's certified end points: how many were certified, decided by class, and how many were
 * undecided; undefined when none was.
 */
export function certificationNote(summary: SweepSummary): string | undefined {
  if (!summary.cells.some((cell) => cell.certified > 0)) return undefined;
  const total = (pick: (cell: CellSummary) => number): number =>
    summary.cells.reduce((n, cell) => n + pick(cell), 0);
  const finished = total((cell) => cell.runs - cell.failed);
  const certified = total((cell) => cell.certified);
  const count = (c: (typeof END_POINT_CLASSES)[number]): number => total((cell) => cell.classes[c].successes);
  const decided = DECIDED_CLASSES.map((c) => `${c} ${count(c)}`).join(', ');
  const undecided = total((cell) => cell.undecided.successes);
  const parts = END_POINT_CLASSES.filter((c) => !DECIDED_CLASSES.includes(c)).map((c) => `${c} ${count(c)}`);
  return (
    `End points certified: ${certified} of ${finished} finished runs. Decided: ${decided}. ` +
    `Undecided: ${formatRate(undecided, certified, { ofTotal: true })}: ` +
    `${parts.join(', ')}. "sub-optimal-min" counts only proved local minima above zero loss; "not-converged" ` +
    'runs were not critical when their polishing budget was spent.'
  );
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
