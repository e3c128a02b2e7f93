import { extname } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';
import { requireWritableTarget, writeOutputFile } from '../io/output-file.js';
import type { Figure } from '../report/figure.js';

/** Checks a `--figure` target before any work: an .svg or .png file that can be written. */
export function requireFigureTarget(path: string, flag: string): void {
  const extension = extname(path).toLowerCase();
  if (extension !== '.svg' && extension !== '.png') {
    throw new InvalidArgumentError(flag, 'a file name ending in .svg or .png', path);
  }
  requireWritableTarget(path, flag);
}

/** Writes the figure as SVG or PNG, by the file's extension (checked by `requireFigureTarget`). */
export async function writeFigureFile(path: string, figure: Figure): Promise<void> {
  // vega and resvg take about a second to load: only a run that draws pays for them, not every bad flag.
  const { renderSvg, svgToPng } = await import('../report/render.js');
  const svg = await renderSvg(figure);
  const png = extname(path).toLowerCase() === '.png';
  writeOutputFile(path, png ? svgToPng(svg) : svg, 'the figure');
}
