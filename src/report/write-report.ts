import { makeDirectory, writeOutputFile } from '../io/output-file.js';
import { join } from 'node:path';
import { codeVersion } from '../sweep/code-version.js';
import type { ResultStore } from '../sweep/store/result-store.js';
import { summariseSweep } from '../sweep/summary.js';
import { renderHtml, type RenderedFigure } from './html.js';
import { renderSvg, svgToPng } from './render.js';
import type { Figure } from './figure.js';
import type { StandaloneSection } from './landscape-section.js';
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
  /** Sections without a sweep (e.g. `landscapeSection` of a `basin landscape` record), after the sweeps'. */
  readonly sections?: readonly StandaloneSection[];
}

/**
 * Writes `report.html` and `figures/<name>.svg|png` for every sweep of the store (when there is one) and every
 * standalone section into `directory`.
 */
export async function writeReport(
  store: ResultStore | undefined,
  directory: string,
  options: ReportOptions = {},
): Promise<WrittenReport> {
  const figureDirectory = join(directory, 'figures');
  makeDirectory(figureDirectory);
  const written: string[] = [];
  const sections: { section: StandaloneSection | ReportSection; figures: RenderedFigure[] }[] = [];
  const used = new Set<string>();
  const render = async (figures: readonly Figure[]): Promise<RenderedFigure[]> => {
    const rendered: RenderedFigure[] = [];
    for (const given of figures) {
      // Two records of one problem make figures of one name: the later ones get -2, -3, … rather than overwrite.
      let figure = given;
      for (let k = 2; used.has(figure.name); k++) figure = { ...given, name: `${given.name}-${k}` };
      used.add(figure.name);
      const svg = await renderSvg(figure);
      const svgPath = join(figureDirectory, `${figure.name}.svg`);
      const pngPath = join(figureDirectory, `${figure.name}.png`);
      writeOutputFile(svgPath, svg, 'a report figure');
      writeOutputFile(pngPath, svgToPng(svg), 'a report figure');
      written.push(svgPath, pngPath);
      rendered.push({ name: figure.name, title: figure.title, caption: figure.caption, svg });
    }
    return rendered;
  };
  for (const sweep of store === undefined ? [] : await store.sweeps()) {
    if (options.sweeps !== undefined && !options.sweeps.includes(sweep.sweep)) continue;
    const summary = await summariseSweep(store as ResultStore, sweep.sweep);
    const section = withCertification(
      options.builders?.map((build) => build(summary)).find((s) => s !== undefined) ??
        genericSection(summary),
    );
    sections.push({ section, figures: await render(section.figures) });
  }
  for (const section of options.sections ?? []) {
    sections.push({ section, figures: await render(section.figures) });
  }
  const html = join(directory, 'report.html');
  writeOutputFile(
    html,
    renderHtml({
      title: options.title ?? 'basin report',
      generatedAt: new Date(),
      codeVersion: codeVersion(),
      store: store?.path,
      sections,
    }),
    'the report',
  );
  return { html, figures: written };
}
