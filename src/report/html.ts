import type { StandaloneSection } from './landscape-section.js';
import type { ReportSection } from './section.js';

export interface RenderedFigure {
  readonly name: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
}

export interface HtmlReport {
  readonly title: string;
  readonly generatedAt: Date;
  readonly codeVersion: string;
  /** The result store the sweeps come from; undefined for a report of standalone sections only. */
  readonly store: string | undefined;
  readonly sections: readonly {
    readonly section: StandaloneSection | ReportSection;
    readonly figures: readonly RenderedFigure[];
  }[];
}

/** One self-contained HTML page: inline SVG figures, tables, each sweep's configuration and code version. */
export function renderHtml(report: HtmlReport): string {
  const body = report.sections.map(({ section, figures }) => {
    const sweep = 'summary' in section ? section.summary.sweep : undefined;
    return `<section>
<h2>${escape(section.title)}</h2>
${section.text.map((p) => `<p>${escape(p)}</p>`).join('\n')}
${figures
  .map(
    (f) => `<figure id="${escape(f.name)}">${f.svg}
<figcaption><b>${escape(f.title)}.</b> ${escape(f.caption)} Files: <a href="figures/${escape(f.name)}.svg">SVG</a>, <a href="figures/${escape(f.name)}.png">PNG</a>.</figcaption></figure>`,
  )
  .join('\n')}
${section.tables
  .map(
    (t) => `<table><caption>${escape(t.caption)}</caption>
<thead><tr>${t.headers.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead>
<tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`,
  )
  .join('\n')}
${
  sweep === undefined
    ? ''
    : `<details><summary>Configuration of sweep ${escape(sweep.sweep)} (runner ${escape(sweep.runner)}, seed ${sweep.seed}, code ${escape(sweep.codeVersion)})</summary>
<pre>${escape(JSON.stringify(sweep.spec, null, 2))}</pre></details>`
}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(report.title)}</title>
<style>
body { font-family: 'DejaVu Sans', sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3em; }
figure { margin: 1.5em 0; } figcaption { font-size: 0.9em; max-width: 800px; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; font-size: 0.8em; }
</style></head><body>
<h1>${escape(report.title)}</h1>
<p>Generated ${escape(report.generatedAt.toISOString())} by basin ${escape(report.codeVersion)}${report.store === undefined ? '' : ` from the result store <code>${escape(report.store)}</code>`}.</p>
${body.join('\n')}
</body></html>
`;
}

function escape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
