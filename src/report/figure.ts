import type { TopLevelSpec } from 'vega-lite';

/** One point of a series: a cell's statistic with an optional interval (± std, or a confidence interval). */
export interface SeriesPoint {
  readonly x: number;
  readonly y: number;
  readonly low?: number;
  readonly high?: number;
  readonly series: string;
}

/** A vertical line from theory (e.g. #params = N), drawn dashed with its label. */
export interface ReferenceLine {
  readonly x: number;
  readonly label: string;
}

/** A horizontal line from the paper or theory (e.g. the end of a reported range), drawn dashed with its label. */
export interface HorizontalLine {
  readonly y: number;
  readonly label: string;
}

export interface Figure {
  /** File name stem: letters, digits, "-", ".". */
  readonly name: string;
  readonly title: string;
  /** What the figure shows and how to read it, printed under it in the report. */
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

export interface SeriesFigureOptions {
  readonly name: string;
  readonly title: string;
  readonly caption: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly seriesTitle: string;
  readonly points: readonly SeriesPoint[];
  readonly references?: readonly ReferenceLine[];
  readonly horizontal?: readonly HorizontalLine[];
  readonly xLog?: boolean;
  /** Log-scale y (points, bars and lines must then be > 0). */
  readonly yLog?: boolean;
  readonly yDomain?: readonly [number, number];
}

/** Lines with points and interval bars, one colour per series, plus dashed theory lines: every figure of a report. */
export function seriesFigure(options: SeriesFigureOptions): Figure {
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: options.xTitle,
    scale: options.xLog ? { type: 'log' as const } : { zero: false },
  };
  const color = { field: 'series', type: 'nominal' as const, title: options.seriesTitle };
  const y = {
    field: 'y',
    type: 'quantitative' as const,
    title: options.yTitle,
    scale: {
      ...(options.yDomain ? { domain: [...options.yDomain] } : {}),
      ...(options.yLog ? { type: 'log' as const } : {}),
    },
  };
  const references = options.references ?? [];
  const horizontal = options.horizontal ?? [];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: 520,
    height: 300,
    background: 'white',
    config: {
      font: 'DejaVu Sans',
      axis: { labelFontSize: 12, titleFontSize: 13 },
      legend: { labelFontSize: 12, labelLimit: 320 },
    },
    layer: [
      {
        data: {
          values: options.points.filter((p) => p.low !== undefined && p.high !== undefined) as SeriesPoint[],
        },
        mark: { type: 'errorbar', ticks: true },
        encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color },
      },
      {
        data: { values: options.points as SeriesPoint[] },
        mark: { type: 'line', point: { size: 40 }, strokeWidth: 2 },
        encoding: { x, y, color },
      },
      ...(references.length === 0
        ? []
        : [
            {
              data: { values: references as ReferenceLine[] },
              mark: { type: 'rule' as const, strokeDash: [6, 4], color: 'black' },
              encoding: { x: { field: 'x', type: 'quantitative' as const } },
            },
            {
              data: { values: references as ReferenceLine[] },
              mark: {
                type: 'text' as const,
                angle: 270,
                align: 'right' as const,
                dx: -4,
                dy: -4,
                y: 4,
                fontSize: 11,
              },
              encoding: { x: { field: 'x', type: 'quantitative' as const }, text: { field: 'label' } },
            },
          ]),
      ...(horizontal.length === 0
        ? []
        : [
            {
              data: { values: horizontal as HorizontalLine[] },
              mark: { type: 'rule' as const, strokeDash: [6, 4], color: 'black' },
              encoding: { y: { field: 'y', type: 'quantitative' as const } },
            },
            {
              data: { values: horizontal as HorizontalLine[] },
              mark: { type: 'text' as const, align: 'left' as const, dx: 4, dy: -6, x: 4, fontSize: 11 },
              encoding: { y: { field: 'y', type: 'quantitative' as const }, text: { field: 'label' } },
            },
          ]),
    ],
  };
  return { name: options.name, title: options.title, caption: options.caption, spec };
}
