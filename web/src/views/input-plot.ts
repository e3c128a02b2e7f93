import type { landscape } from 'basin';
import { interpolateRdBu } from 'd3-scale-chromatic';

/**
 * The data and the network's function over a 1-D or 2-D input space, with the activation regions and kinks:
 * 2-D: the output as a diverging colour field (red below the labels' midpoint, blue above), region boundaries as dark
 * lines, samples as dots in their label's colour. 1-D: the function as a curve, kinks as dashed verticals, samples as
 * dots. Drawn on a canvas for the screen and PNG, and written as SVG (vector marks over the raster field) for export.
 */
export interface InputPlotData {
  readonly inputDim: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly regions: landscape.InputRegions;
  readonly kinks: Float64Array;
}

const SIZE = 420;
const MARGIN = 34;

interface Mark {
  readonly kind: 'dot' | 'line' | 'path';
  readonly points: readonly (readonly [number, number])[];
  readonly colour: string;
  readonly dashed?: boolean;
}

export function drawInputPlot(canvas: HTMLCanvasElement, data: InputPlotData): void {
  canvas.width = SIZE;
  canvas.height = SIZE;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, SIZE, SIZE);
  if (data.inputDim === 2)
    context.drawImage(fieldImage(data), MARGIN, MARGIN, SIZE - 2 * MARGIN, SIZE - 2 * MARGIN);
  for (const mark of marks(data)) drawMark(context, mark);
  drawAxes(context, data);
}

export function inputPlotSvg(data: InputPlotData): string {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">`,
  ];
  parts.push(`<rect width="${SIZE}" height="${SIZE}" fill="#fff"/>`);
  if (data.inputDim === 2) {
    const inner = SIZE - 2 * MARGIN;
    parts.push(
      `<image x="${MARGIN}" y="${MARGIN}" width="${inner}" height="${inner}" href="${fieldImage(data).toDataURL('image/png')}"/>`,
    );
  }
  for (const mark of marks(data)) {
    if (mark.kind === 'dot') {
      const [[x, y]] = mark.points;
      parts.push(
        `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4.5" fill="${mark.colour}" stroke="#fff" stroke-width="1.2"/>`,
      );
    } else {
      const d = mark.points
        .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`)
        .join('');
      parts.push(
        `<path d="${d}" fill="none" stroke="${mark.colour}" stroke-width="${mark.kind === 'line' ? 1 : 2}"${mark.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

/** The colour of a value relative to the labels' range: red below the midpoint, blue above. */
function colourOf(value: number, low: number, high: number): string {
  const middle = (low + high) / 2;
  const half = Math.max((high - low) / 2, 1e-9);
  const t = 0.5 + 0.42 * Math.max(-1, Math.min(1, (value - middle) / half));
  return interpolateRdBu(t);
}

function labelRange(y: Float64Array): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const value of y) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  return low === high ? [low - 1, high + 1] : [low, high];
}

function fieldImage(data: InputPlotData): HTMLCanvasElement {
  const { regions } = data;
  const nx = regions.x.length;
  const ny = regions.y.length;
  const [low, high] = labelRange(data.y);
  const image = document.createElement('canvas');
  image.width = nx;
  image.height = ny;
  const context = image.getContext('2d')!;
  const pixels = context.createImageData(nx, ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const k = j * nx + i;
      const boundary =
        (i + 1 < nx && regions.region[k + 1] !== regions.region[k]) ||
        (j + 1 < ny && regions.region[k + nx] !== regions.region[k]);
      const rgb = boundary ? [30, 35, 43] : parseRgb(colourOf(regions.output[k], low, high));
      // Row j holds y[j], increasing upwards; image rows run downwards.
      const p = ((ny - 1 - j) * nx + i) * 4;
      pixels.data.set([rgb[0], rgb[1], rgb[2], 255], p);
    }
  }
  context.putImageData(pixels, 0, 0);
  return image;
}

function parseRgb(colour: string): number[] {
  const match = /rgb\((\d+), ?(\d+), ?(\d+)\)/.exec(colour);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [128, 128, 128];
}

function frame(data: InputPlotData): {
  px: (x: number) => number;
  py: (y: number) => number;
  yRange: [number, number];
} {
  const { regions } = data;
  const x0 = regions.x[0];
  const x1 = regions.x[regions.x.length - 1];
  const inner = SIZE - 2 * MARGIN;
  let yRange: [number, number];
  if (data.inputDim === 2) {
    yRange = [regions.y[0], regions.y[regions.y.length - 1]];
  } else {
    let low = Math.min(...data.y);
    let high = Math.max(...data.y);
    for (const value of regions.output) {
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    const pad = 0.08 * Math.max(high - low, 1e-6);
    yRange = [low - pad, high + pad];
  }
  return {
    px: (x) => MARGIN + ((x - x0) / (x1 - x0)) * inner,
    py: (y) => SIZE - MARGIN - ((y - yRange[0]) / (yRange[1] - yRange[0])) * inner,
    yRange,
  };
}

function marks(data: InputPlotData): Mark[] {
  const { px, py, yRange } = frame(data);
  const [low, high] = labelRange(data.y);
  const result: Mark[] = [];
  if (data.inputDim === 1) {
    for (const kink of data.kinks) {
      result.push({
        kind: 'line',
        points: [
          [px(kink), py(yRange[0])],
          [px(kink), py(yRange[1])],
        ],
        colour: '#6b7480',
        dashed: true,
      });
    }
    const curve = Array.from(data.regions.x, (x, i) => [px(x), py(data.regions.output[i])] as const);
    result.push({ kind: 'path', points: curve, colour: '#16202c' });
  }
  const count = data.y.length;
  for (let n = 0; n < count; n++) {
    const point: [number, number] =
      data.inputDim === 2 ? [px(data.x[2 * n]), py(data.x[2 * n + 1])] : [px(data.x[n]), py(data.y[n])];
    const colour = data.y[n] > (low + high) / 2 ? '#1f5fa8' : '#c0392b';
    result.push({ kind: 'dot', points: [point], colour });
  }
  return result;
}

function drawMark(context: CanvasRenderingContext2D, mark: Mark): void {
  context.save();
  if (mark.kind === 'dot') {
    const [[x, y]] = mark.points;
    context.beginPath();
    context.arc(x, y, 4.5, 0, 2 * Math.PI);
    context.fillStyle = mark.colour;
    context.fill();
    context.strokeStyle = '#fff';
    context.lineWidth = 1.2;
    context.stroke();
  } else {
    context.beginPath();
    mark.points.forEach(([x, y], i) => (i === 0 ? context.moveTo(x, y) : context.lineTo(x, y)));
    context.strokeStyle = mark.colour;
    context.lineWidth = mark.kind === 'line' ? 1 : 2;
    context.setLineDash(mark.dashed ? [4, 3] : []);
    context.stroke();
  }
  context.restore();
}

function drawAxes(context: CanvasRenderingContext2D, data: InputPlotData): void {
  const { regions } = data;
  const { yRange } = frame(data);
  context.strokeStyle = '#5b6670';
  context.strokeRect(MARGIN, MARGIN, SIZE - 2 * MARGIN, SIZE - 2 * MARGIN);
  context.fillStyle = '#1d232b';
  context.font = '11px "DejaVu Sans", sans-serif';
  const x0 = regions.x[0];
  const x1 = regions.x[regions.x.length - 1];
  context.fillText(x0.toFixed(2), MARGIN, SIZE - MARGIN + 14);
  context.fillText(x1.toFixed(2), SIZE - MARGIN - 28, SIZE - MARGIN + 14);
  context.fillText('x₁', SIZE / 2, SIZE - 8);
  context.fillText(yRange[0].toFixed(2), 2, SIZE - MARGIN);
  context.fillText(yRange[1].toFixed(2), 2, MARGIN + 10);
  context.fillText(data.inputDim === 2 ? 'x₂' : 'output', 2, SIZE / 2);
}
