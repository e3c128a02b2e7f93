import type { SweepSummary } from '../sweep/summary.js';
import type { Figure, SeriesPoint } from './figure.js';
import { seriesFigure } from './figure.js';
import { formatSetting } from './format.js';
import { certificationNote, classRows, summaryRows } from './summary-table.js';

export interface ReportTable {
  readonly caption: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** What a report shows of one sweep: text, figures, tables, and the sweep's configuration and code version. */
export interface ReportSection {
  readonly title: string;
  /** Paragraphs of plain text. */
  readonly text: readonly string[];
  readonly figures: readonly Figure[];
  readonly tables: readonly ReportTable[];
  readonly summary: SweepSummary;
}

/** Makes the section for a sweep it recognises (a reproduction preset), or returns undefined. */
export type SectionBuilder = (summary: SweepSummary) => ReportSection | undefined;

/** The per-cell statistics table every section carries. */
export function cellTable(summary: SweepSummary): ReportTable {
  const { headers, rows } = summaryRows(summary);
  return { caption: `Per-cell statistics of sweep ${summary.sweep.sweep}`, headers, rows };
}

/**
 * A section with what the certificates say added: a sentence counting the certified end points by class (and the
 * undecided ones), and the per-cell table of classes with Wilson 95% intervals. Unchanged when nothing was
 * certified. The report applies it to every section, preset or generic.
 */
export function withCertification(section: ReportSection): ReportSection {
  const note = certificationNote(section.summary);
  if (note === undefined) return section;
  const { headers, rows } = classRows(section.summary);
  return {
    ...section,
    text: [...section.text, note],
    tables: [
      ...section.tables,
      {
        caption:
          `Certified end points per cell of sweep ${section.summary.sweep.sweep}: count · fraction of the ` +
          'certified runs [Wilson 95% interval]',
        headers,
        rows,
      },
    ],
  };
}

/**
 * The section for any sweep: the cell table, and when some setting is numeric, the mean final error (± std) and the
 * fraction of sub-optimal end points (Wilson 95% interval) against it, one line per combination of the others: proved
 * sub-optimal minima when the runs were certified, runs missing the success criterion otherwise.
 */
export function genericSection(summary: SweepSummary): ReportSection {
  const numeric = summary.axes.filter((axis) =>
    summary.cells.every((cell) => typeof cell.axes[axis] === 'number'),
  );
  const x = numeric.includes('N') ? 'N' : numeric[0];
  const figures: Figure[] = [];
  if (x !== undefined) {
    const others = summary.axes.filter((axis) => axis !== x);
    const series = (axes: Readonly<Record<string, unknown>>): string =>
      others.length === 0 ? 'all' : others.map((axis) => `${axis}=${formatSetting(axes[axis])}`).join(', ');
    const useMce = summary.cells.some((cell) => cell.mce.count > 0);
    // Once end points are certified, "sub-optimal" means a proved sub-optimal minimum, not a missed threshold.
    const certified = summary.cells.some((cell) => cell.certified > 0);
    const errorPoints: SeriesPoint[] = summary.cells
      .filter((cell) => (useMce ? cell.mce : cell.mse).mean !== null)
      .map((cell) => {
        const m = useMce ? cell.mce : cell.mse;
        const spread = m.std ?? 0;
        return {
          x: cell.axes[x] as number,
          y: m.mean!,
          low: m.mean! - spread,
          high: m.mean! + spread,
          series: series(cell.axes),
        };
      });
    const name = summary.sweep.sweep;
    figures.push(
      seriesFigure({
        name: `${name}-error`,
        title: `${name}: final training ${useMce ? 'MCE' : 'MSE'}`,
        caption: `Mean ± std over the runs of each cell, against ${x}.`,
        xTitle: x,
        yTitle: useMce ? 'final training MCE' : 'final training MSE',
        seriesTitle: others.join(', ') || 'cells',
        points: errorPoints,
      }),
      seriesFigure({
        name: `${name}-suboptimal`,
        title: `${name}: sub-optimal end points`,
        caption: certified
          ? 'Fraction of the certified runs that end in a proved sub-optimal local minimum, with Wilson 95% intervals.'
          : `Fraction of runs not meeting ${summary.success.metric} ≤ ${summary.success.atMost}, with Wilson 95% intervals.`,
        xTitle: x,
        yTitle: certified ? 'fraction proved sub-optimal minima' : 'fraction sub-optimal',
        seriesTitle: others.join(', ') || 'cells',
        yDomain: [0, 1],
        points: summary.cells
          .map((cell) => ({ cell, p: certified ? cell.classes['sub-optimal-min'] : cell.suboptimal }))
          .filter(({ p }) => p.estimate !== null)
          .map(({ cell, p }) => ({
            x: cell.axes[x] as number,
            y: p.estimate!,
            low: p.low,
            high: p.high,
            series: series(cell.axes),
          })),
      }),
    );
  }
  return {
    title: `Sweep ${summary.sweep.sweep}`,
    text: [String(summary.sweep.spec.description ?? '')].filter((t) => t !== ''),
    figures,
    tables: [cellTable(summary)],
    summary,
  };
}
