import { card, el, field, formatNumber, select } from '../dom.js';
import { download, exportButton } from '../downloads.js';
import {
  axisOrder,
  type Metric,
  METRICS,
  parseSweepJson,
  parseSweepParquet,
  PhaseIndex,
  type SweepRun,
  type SweepTable,
} from '../sweep-table.js';
import type { Notices } from './playground.js';
import { VegaChart } from './vega-chart.js';

const ROW_LIMIT = 200;

/**
 * The results browser: open a sweep export, see a phase diagram over two configuration keys, the distribution of
 * final losses in a cell, and any single run with its certificate. Each interaction's time (event to rendered
 * charts) is recorded in `data-last-interaction-ms` and `window.basinTimings`, which the e2e test reads.
 */
export function mountResults(root: HTMLElement, notices: Notices): void {
  const form = el('form', { class: 'controls', 'aria-label': 'Results settings' });
  const box = el('fieldset', {}, el('legend', {}, 'Sweep'));
  const file = field(
    box,
    'Open export',
    el('input', { type: 'file', accept: '.parquet,.json', id: 'sweep-file' }),
  );
  const xKey = field(box, 'x axis', select([], ''));
  const yKey = field(box, 'y axis', select([], ''));
  const metric = field(
    box,
    'Colour',
    select(Object.entries(METRICS) as [string, string][], 'median-log-loss'),
  );
  const status = el(
    'p',
    { class: 'status', id: 'results-status', 'aria-live': 'polite' },
    'Open runs.parquet or a JSON export of a sweep.',
  );
  form.append(box, status);
  form.addEventListener('submit', (event) => event.preventDefault());

  const phaseCard = card(
    'Phase diagram',
    exportButton('PNG', async () => download('phase-diagram.png', await phase.toPng())),
    exportButton('SVG', async () => download('phase-diagram.svg', await phase.toSvg(), 'image/svg+xml')),
  );
  const phase = new VegaChart(el('div', { class: 'chart', id: 'phase-chart' }), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 260,
    data: { name: 'cells' },
    params: [
      { name: 'xs', value: [] },
      { name: 'ys', value: [] },
      { name: 'metricTitle', value: '' },
    ],
    encoding: {
      x: { field: 'x', type: 'ordinal', sort: { field: 'xOrder' }, title: 'x' },
      y: { field: 'y', type: 'ordinal', sort: { field: 'yOrder', order: 'descending' }, title: 'y' },
    },
    layer: [
      {
        mark: { type: 'rect', cursor: 'pointer', stroke: '#fff' },
        encoding: {
          color: { field: 'value', type: 'quantitative', title: 'value', scale: { scheme: 'viridis' } },
          tooltip: [{ field: 'x' }, { field: 'y' }, { field: 'value', format: '.3g' }, { field: 'runs' }],
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: { text: { field: 'label' }, color: { value: '#fff' } },
      },
    ],
  });
  phaseCard.body.append(
    phase.element,
    el('p', { class: 'legend', id: 'phase-legend' }, 'Click a cell to see its runs.'),
  );

  const histogramCard = card(
    'Final losses in the selected cell',
    exportButton('PNG', async () => download('loss-distribution.png', await histogram.toPng())),
    exportButton('SVG', async () =>
      download('loss-distribution.svg', await histogram.toSvg(), 'image/svg+xml'),
    ),
  );
  const histogram = new VegaChart(el('div', { class: 'chart', id: 'histogram-chart' }), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 180,
    data: { name: 'losses' },
    mark: 'bar',
    encoding: {
      x: { field: 'logLoss', type: 'quantitative', bin: { maxbins: 30 }, title: 'log₁₀ final loss' },
      y: { aggregate: 'count', type: 'quantitative', title: 'runs' },
    },
  });
  const runsTable = el('table', { class: 'runs', id: 'runs-table' });
  histogramCard.body.append(histogram.element, runsTable);

  const runCard = card('Run and its certificate');
  const runFacts = el('table', { class: 'facts', id: 'run-facts' });
  runCard.body.append(runFacts);

  root.append(form, el('div', { class: 'cards' }, phaseCard.root, histogramCard.root, runCard.root));

  let table: SweepTable | undefined;
  let index: PhaseIndex | undefined;
  const timings: number[] = [];
  (window as unknown as { basinTimings: number[] }).basinTimings = timings;
  const timed = async (name: string, body: () => Promise<void>): Promise<void> => {
    const started = performance.now();
    await body();
    const ms = performance.now() - started;
    timings.push(ms);
    root.dataset.lastInteraction = name;
    root.dataset.lastInteractionMs = ms.toFixed(1);
  };

  const drawPhase = async (): Promise<void> => {
    if (!table) return;
    if (!index || index.xKey !== xKey.value || index.yKey !== yKey.value)
      index = new PhaseIndex(table, xKey.value, yKey.value);
    const cells = index.cells(metric.value as Metric);
    const xs = axisOrder(cells.map((c) => c.x));
    const ys = axisOrder(cells.map((c) => c.y));
    await phase.setData(
      'cells',
      cells.map((c) => ({
        ...c,
        xOrder: xs.indexOf(c.x),
        yOrder: ys.indexOf(c.y),
        label: c.value === null ? '—' : formatNumber(c.value, 2),
      })),
    );
    (document.getElementById('phase-legend') as HTMLElement).textContent =
      `x: ${xKey.value}, y: ${yKey.value}; colour: ${METRICS[metric.value as Metric]}. Click a cell to see its runs.`;
  };

  const showCell = async (x: string, y: string): Promise<void> => {
    if (!index) return;
    const runs = index.runs(x, y);
    await histogram.setData(
      'losses',
      runs
        .filter((r) => r.finalLoss !== null)
        .map((r) => ({ logLoss: Math.log10(Math.max(r.finalLoss!, 1e-300)) })),
    );
    const header = el(
      'tr',
      {},
      ...['rep', 'seed', 'final loss', 'MCE', 'verdict'].map((h) => el('th', {}, h)),
    );
    const body = el('tbody');
    for (const run of runs.slice(0, ROW_LIMIT)) {
      const row = el(
        'tr',
        { tabindex: '0', 'data-repetition': String(run.repetition) },
        el('td', {}, String(run.repetition)),
        el('td', {}, String(run.seed)),
        el('td', {}, formatNumber(run.finalLoss)),
        el('td', {}, formatNumber(run.mce)),
        el('td', {}, run.verdict ?? '—'),
      );
      const choose = (): void =>
        void timed('run', async () => {
          for (const other of body.children) other.removeAttribute('aria-selected');
          row.setAttribute('aria-selected', 'true');
          showRun(run);
        });
      row.addEventListener('click', choose);
      row.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') choose();
      });
      body.append(row);
    }
    runsTable.replaceChildren(
      el(
        'caption',
        {},
        `${x} × ${y}: ${runs.length} runs${runs.length > ROW_LIMIT ? ` (first ${ROW_LIMIT} listed)` : ''}`,
      ),
      el('thead', {}, header),
      body,
    );
  };

  const showRun = (run: SweepRun): void => {
    const rows: [string, string][] = [
      ['cell, repetition', `${run.cellIndex}, ${run.repetition}`],
      ['seed', String(run.seed)],
      ['status', run.status + (run.error ? `: ${run.error}` : '')],
      ['final loss', formatNumber(run.finalLoss)],
      ['MSE', formatNumber(run.mse)],
      ['training error (MCE)', formatNumber(run.mce)],
      ['‖∇L‖₂', formatNumber(run.gradientNorm)],
      ['kink margin', formatNumber(run.kinkMargin)],
      ['λ_min, λ_max', `${formatNumber(run.minEigenvalue)}, ${formatNumber(run.maxEigenvalue)}`],
      ['Morse index', formatNumber(run.morseIndex)],
      ['verdict', run.verdict ?? 'not certified'],
      ['iterations', formatNumber(run.iterations)],
      ...Object.entries(run.config).map(([k, v]) => [k, v] as [string, string]),
    ];
    runFacts.replaceChildren(...rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v))));
  };

  phase.addClickListener((datum) => {
    if (!datum || typeof datum.x !== 'string' || typeof datum.y !== 'string') return;
    const { x, y } = datum as { x: string; y: string };
    void timed('cell', () => showCell(x, y));
  });
  for (const control of [xKey, yKey, metric])
    control.addEventListener('change', () => void timed('axes', drawPhase));

  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    notices.clear();
    status.textContent = `Reading ${chosen.name}…`;
    const started = performance.now();
    try {
      table = chosen.name.endsWith('.parquet')
        ? await parseSweepParquet(await chosen.arrayBuffer(), chosen.name)
        : parseSweepJson(await chosen.text(), chosen.name);
      index = undefined;
      const keys = table.parameters.length > 0 ? table.parameters : ['(none)'];
      xKey.replaceChildren(...keys.map((k) => el('option', { value: k }, k)));
      yKey.replaceChildren(...keys.map((k) => el('option', { value: k }, k)));
      xKey.value = keys[0];
      yKey.value = keys[Math.min(1, keys.length - 1)];
      await drawPhase();
      status.textContent = `${chosen.name}: ${table.runs.length} runs, parameters ${table.parameters.join(', ') || 'none vary'}; loaded in ${Math.round(performance.now() - started)} ms.`;
    } catch (error) {
      notices.error(error instanceof Error ? error.message : String(error));
      status.textContent = 'Could not read that file; see the message above.';
    } finally {
      file.value = '';
    }
  });
}
