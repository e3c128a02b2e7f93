import type { landscape } from 'basin';
import { contours } from 'd3-contour';
import { geoPath, geoTransform } from 'd3-geo';
import { interpolateViridis } from 'd3-scale-chromatic';

/**
 * A 2-D loss slice as a heat map of log10(loss) with contour lines (d3-contour's marching squares on the same
 * values), the centre marked. Canvas for the screen and PNG; SVG with the contours as vector paths.
 */
const SIZE = 440;
const MARGIN = 40;
const LEVELS = 12;

interface Layout {
  readonly log: Float64Array;
  readonly low: number;
  readonly high: number;
  readonly contourPaths: string[];
}

function layout(slice: landscape.LossSlice): Layout {
  const n = slice.alpha.length;
  // Losses can reach exactly 0 at an interpolating minimum: floor them at 1e-300 so log10 stays finite.
  const log = Float64Array.from(slice.loss, (value) => Math.log10(Math.max(value, 1e-300)));
  let low = Infinity;
  let high = -Infinity;
  for (const value of log) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const cell = (SIZE - 2 * MARGIN) / (n - 1);
  const toPixels = geoTransform({
    point(x, y) {
      // d3-contour puts grid value k at coordinate k + 0.5; grid point 0 sits on the left/bottom edge of the frame.
      this.stream.point(MARGIN + (x - 0.5) * cell, SIZE - MARGIN - (y - 0.5) * cell);
    },
  });
  const path = geoPath(toPixels);
  const thresholds = Array.from({ length: LEVELS }, (_, k) => low + ((high - low) * (k + 0.5)) / LEVELS);
  const contourPaths =
    high > low
      ? contours()
          .size([n, n])
          .thresholds(thresholds)(Array.from(log))
          .map((polygon) => path(polygon) ?? '')
      : [];
  return { log, low, high, contourPaths };
}

function fieldImage(slice: landscape.LossSlice, { log, low, high }: Layout): HTMLCanvasElement {
  const n = slice.alpha.length;
  const image = document.createElement('canvas');
  image.width = n;
  image.height = n;
  const context = image.getContext('2d')!;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      context.fillStyle = interpolateViridis(high > low ? (log[j * n + i] - low) / (high - low) : 0.5);
      context.fillRect(i, n - 1 - j, 1, 1);
    }
  }
  return image;
}

export function drawHeatmap(canvas: HTMLCanvasElement, slice: landscape.LossSlice): void {
  const shape = layout(slice);
  canvas.width = SIZE;
  canvas.height = SIZE;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, SIZE, SIZE);
  context.imageSmoothingEnabled = true;
  const inner = SIZE - 2 * MARGIN;
  const half = inner / (slice.alpha.length - 1) / 2;
  context.drawImage(
    fieldImage(slice, shape),
    MARGIN - half,
    MARGIN - half,
    inner + 2 * half,
    inner + 2 * half,
  );
  context.strokeStyle = 'rgba(255,255,255,0.85)';
  context.lineWidth = 1;
  for (const d of shape.contourPaths) context.stroke(new Path2D(d));
  context.fillStyle = '#ff4d4d';
  context.beginPath();
  context.arc(SIZE / 2, SIZE / 2, 4, 0, 2 * Math.PI);
  context.fill();
  drawFrame(context, slice, shape);
}

export function heatmapSvg(slice: landscape.LossSlice): string {
  const shape = layout(slice);
  const inner = SIZE - 2 * MARGIN;
  const half = inner / (slice.alpha.length - 1) / 2;
  const image = fieldImage(slice, shape).toDataURL('image/png');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">`,
    `<rect width="${SIZE}" height="${SIZE}" fill="#fff"/>`,
    `<image x="${MARGIN - half}" y="${MARGIN - half}" width="${inner + 2 * half}" height="${inner + 2 * half}" preserveAspectRatio="none" style="image-rendering:auto" href="${image}"/>`,
    ...shape.contourPaths.map((d) => `<path d="${d}" fill="none" stroke="#fff" stroke-opacity="0.85"/>`),
    `<circle cx="${SIZE / 2}" cy="${SIZE / 2}" r="4" fill="#ff4d4d"/>`,
    `<text x="${SIZE / 2}" y="${SIZE - 8}" font-size="12" text-anchor="middle">α (direction 1), from ${slice.alpha[0]} to ${slice.alpha[slice.alpha.length - 1]}</text>`,
    `<text x="12" y="${SIZE / 2}" font-size="12" transform="rotate(-90 12 ${SIZE / 2})" text-anchor="middle">β (direction 2)</text>`,
    `<text x="${MARGIN}" y="20" font-size="12">log₁₀ loss from ${shape.low.toFixed(2)} (dark) to ${shape.high.toFixed(2)} (yellow)</text>`,
    '</svg>',
  ].join('');
}

function drawFrame(context: CanvasRenderingContext2D, slice: landscape.LossSlice, shape: Layout): void {
  context.strokeStyle = '#5b6670';
  context.strokeRect(MARGIN, MARGIN, SIZE - 2 * MARGIN, SIZE - 2 * MARGIN);
  context.fillStyle = '#1d232b';
  context.font = '12px "DejaVu Sans", sans-serif';
  const first = slice.alpha[0];
  const last = slice.alpha[slice.alpha.length - 1];
  context.fillText(String(first), MARGIN - 6, SIZE - MARGIN + 15);
  context.fillText(String(last), SIZE - MARGIN - 10, SIZE - MARGIN + 15);
  context.fillText('α (direction 1)', SIZE / 2 - 40, SIZE - 8);
  context.save();
  context.translate(14, SIZE / 2 + 40);
  context.rotate(-Math.PI / 2);
  context.fillText('β (direction 2)', 0, 0);
  context.restore();
  context.fillText(
    `log₁₀ loss: ${shape.low.toFixed(2)} (dark) … ${shape.high.toFixed(2)} (yellow)`,
    MARGIN,
    20,
  );
}
