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
  /** x takes integer values only (e.g. hidden units): integer ticks, no 2.5. */
  readonly xIntegers?: boolean;
  /** Log-scale y (points, bars and lines must then be > 0). */
  readonly yLog?: boolean;
  readonly yDomain?: readonly [number, number];
}

/** Plot area of every figure, in pixels. */
const WIDTH = 520;
const HEIGHT = 300;
/** Theory-line labels: font size, and the gap between a label and its line or the plot's top. */
const LABEL_FONT_SIZE = 11;
const LABEL_GAP = 3;
/** Width of a rotated label across the x axis: its line height. */
const LABEL_THICKNESS = LABEL_FONT_SIZE + 2;
/** Length of a label along its line, from DejaVu Sans's mean advance of about 0.62 em. */
const labelLength = (label: string): number => Math.ceil(0.62 * LABEL_FONT_SIZE * label.length);

/** A theory line's label as drawn: which side of its line, and the pixel y at which it starts (reading upward). */
export interface PlacedReferenceLabel extends ReferenceLine {
  readonly side: 'left' | 'right';
  readonly top: number;
}

/**
 * Where each theory-line label goes so that no two overlap: labels are drawn along their lines, left of the line
 * if that strip is free, else right of it, else in a lower tier below the longest label. Pixel x follows the x
 * scale (log: Vega's domain rounded to powers of ten, which the spec then fixes; linear: the data's range).
 */
export function placeReferenceLabels(
  references: readonly ReferenceLine[],
  options: Pick<SeriesFigureOptions, 'points' | 'xLog'>,
): PlacedReferenceLabel[] {
  const domain = xDomain(references, options);
  const pixel = (x: number): number => {
    const [low, high] = options.xLog ? domain.map(Math.log10) : domain;
    const value = options.xLog ? Math.log10(x) : x;
    return high === low ? WIDTH / 2 : (WIDTH * (value - low)) / (high - low);
  };
  const tierHeight = LABEL_GAP + Math.max(...references.map((r) => labelLength(r.label))) + 2 * LABEL_GAP;
  const taken: { tier: number; from: number; to: number }[] = [];
  const free = (tier: number, from: number, to: number): boolean =>
    from >= 0 && to <= WIDTH && taken.every((t) => t.tier !== tier || t.to <= from || to <= t.from);
  return [...references]
    .sort((a, b) => a.x - b.x)
    .map((reference) => {
      const at = pixel(reference.x);
      const left = [at - LABEL_GAP - LABEL_THICKNESS, at - LABEL_GAP] as const;
      const right = [at + LABEL_GAP, at + LABEL_GAP + LABEL_THICKNESS] as const;
      for (let tier = 0; ; tier++) {
        const top = LABEL_GAP + tier * tierHeight;
        // Past the plot's height the labels would leave it: the last tier takes any free side, even off the edge.
        const last = top + 2 * tierHeight > HEIGHT;
        for (const [side, [from, to]] of [
          ['left', left],
          ['right', right],
        ] as const) {
          if (free(tier, from, to) || (last && side === 'right')) {
            taken.push({ tier, from, to });
            return { ...reference, side, top };
          }
        }
      }
    });
}

/** The x domain that label placement assumes; for a log scale the spec fixes it to the same powers of ten. */
function xDomain(
  references: readonly ReferenceLine[],
  options: Pick<SeriesFigureOptions, 'points' | 'xLog'>,
): [number, number] {
  const xs = [...options.points.map((p) => p.x), ...references.map((r) => r.x)];
  const low = Math.min(...xs);
  const high = Math.max(...xs);
  return options.xLog ? [10 ** Math.floor(Math.log10(low)), 10 ** Math.ceil(Math.log10(high))] : [low, high];
}

/** Lines with points and interval bars, one colour per series, plus dashed theory lines: every figure of a report. */
export function seriesFigure(options: SeriesFigureOptions): Figure {
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: options.xTitle,
    scale: options.xLog
      ? {
          type: 'log' as const,
          ...(options.references?.length ? { domain: xDomain(options.references, options) } : {}),
        }
      : { zero: false },
    ...(options.xIntegers ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
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
    width: WIDTH,
    height: HEIGHT,
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
            ...(['left', 'right'] as const).map((side) => ({
              data: {
                values: placeReferenceLabels(references, options).filter((label) => label.side === side),
              },
              // Read upwards from `top`: rotated by 270°, the text's baseline side faces right, so "bottom" puts
              // the text left of its line and "top" right of it, LABEL_GAP away.
              mark: {
                type: 'text' as const,
                angle: 270,
                align: 'right' as const,
                baseline: side === 'left' ? ('bottom' as const) : ('top' as const),
                dy: side === 'left' ? -LABEL_GAP : LABEL_GAP,
                fontSize: LABEL_FONT_SIZE,
              },
              encoding: {
                x: { field: 'x', type: 'quantitative' as const },
                y: { field: 'top', type: 'quantitative' as const, scale: null },
                text: { field: 'label' },
              },
            })),
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
