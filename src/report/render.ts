import { existsSync, readdirSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { BasinError } from '../core/errors.js';
import type { Figure } from './figure.js';

/** Folders resvg searches for fonts; Debian's fonts-dejavu-core puts DejaVu Sans under the first. */
const FONT_DIRECTORIES = ['/usr/share/fonts', '/usr/local/share/fonts'];

/** Renders a figure's Vega-Lite spec to SVG with Vega's own renderer (no browser). */
export async function renderSvg(figure: Figure): Promise<string> {
  const view = new vega.View(vega.parse(compile(figure.spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises SVG to PNG with resvg at `scale` × the SVG's size. resvg draws text only with a font it can load, so a
 * machine without fonts gets a clear error instead of a figure with blank labels.
 */
export function svgToPng(svg: string, scale = 2): Buffer {
  const fontDirs = FONT_DIRECTORIES.filter((dir) => existsSync(dir) && readdirSync(dir).length > 0);
  if (fontDirs.length === 0) {
    throw new BasinError(
      `no fonts under ${FONT_DIRECTORIES.join(' or ')}: PNG figures need one (Debian: apt-get install fonts-dejavu-core)`,
    );
  }
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontDirs,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return resvg.render().asPng();
}
