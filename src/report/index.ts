/**
 * The `report` namespace of `basin/node`: figures and HTML reports of stored sweeps. `writeReport` summarises every
 * sweep of a result store into `report.html` with SVG and PNG figures (Vega-Lite, rendered by resvg); figures and
 * the number formatting are usable on their own.
 *
 * @example
 * ```ts
 * import { report } from 'basin/node';
 *
 * const figure = report.seriesFigure({
 *   name: 'demo',
 *   title: 'Success rate',
 *   caption: 'Two points.',
 *   xTitle: 'width',
 *   yTitle: 'success',
 *   seriesTitle: 'data',
 *   points: [
 *     { x: 2, y: 0.4, series: 'xor' },
 *     { x: 4, y: 0.9, series: 'xor' },
 *   ],
 * });
 * const svg = await report.renderSvg(figure);
 * console.log(svg.startsWith('<svg'), report.formatPercent(0.25)); // true '25.0%'
 * ```
 */
export {
  type Figure,
  type HorizontalLine,
  type ReferenceLine,
  seriesFigure,
  type SeriesFigureOptions,
  type SeriesPoint,
} from './figure.js';
export { renderSvg, svgToPng } from './render.js';
export { type ReportOptions, writeReport, type WrittenReport } from './write-report.js';
export type { ReportSection, ReportTable, SectionBuilder } from './section.js';
export {
  graphFigure,
  graphSection,
  landscapeSection,
  pathFigure,
  pathSection,
  type StandaloneSection,
} from './landscape-section.js';
export { formatNumber, formatPercent, formatRate, formatTable } from './format.js';
export { volumeFigure, volumeSection, volumeTable } from './volume-section.js';
