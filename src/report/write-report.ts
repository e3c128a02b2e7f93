import { makeDirectory, writeOutputFile } from '../io/output-file.js';
import { join } from 'node:path';
import { codeVersion } from '../sweep/code-version.js';
import type { ResultStore } from '../sweep/store/result-store.js';
import { summariseSweep } from '../sweep/summary.js';
import { renderHtml, type RenderedFigure } from './html.js';
import { renderSvg, svgToPng } from './render.js';
import { genericSection, type ReportSection, type SectionBuilder, withCertification } from './section.js';

export interface WrittenReport {
  readonly html: string;
  readonly figures: readonly string[];
}

export interface ReportOptions {
  readonly title?: string;
  /** Builders for sweeps that deserve their own section (presets); other sweeps get the generic section. */
  readonly builders?: readonly SectionBuilder[];
  /** Only these sweeps (all by default). */
  readonly sweeps?: readonly string[];
}

/** Writes `report.html` and `figures/<name>.svg|png` for every sweep of the store into `directory`. */
export async function writeReport(
  store: ResultStore,
  directory: string,
  options: ReportOptions = {},
): Promise<WrittenReport> {
  const figureDirectory = join(directory, 'figures');
  makeDirectory(figureDirectory);
  const written: string[] = [];
  const sections: { section: ReportSection; figures: RenderedFigure[] }[] = [];
  for (const sweep of await store.sweeps()) {
    if (options.sweeps !== undefined && !options.sweeps.includes(sweep.sweep)) continue;
    const summary = await summariseSweep(store, sweep.sweep);
    const section = withCertification(
      options.builders?.map((build) => build(summary)).find((s) => s !== undefined) ??
        genericSection(summary),
    );
    const figures: RenderedFigure[] = [];
    for (const figure of section.figures) {
      const svg = await renderSvg(figure);
      const svgPath = join(figureDirectory, `${figure.name}.svg`);
      const pngPath = join(figureDirectory, `${figure.name}.png`);
      writeOutputFile(svgPath, svg, 'a report figure');
      writeOutputFile(pngPath, svgToPng(svg), 'a report figure');
      written.push(svgPath, pngPath);
      figures.push({ name: figure.name, title: figure.title, caption: figure.caption, svg });
    }
    sections.push({ section, figures });
  }
  const html = join(directory, 'report.html');
  writeOutputFile(
    html,
    renderHtml({
      title: options.title ?? 'basin report',
      generatedAt: new Date(),
      codeVersion: codeVersion(),
      store: store.path,
      sections,
    }),
    'the report',
  );
  return { html, figures: written };
}
