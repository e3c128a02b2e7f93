import type { TopLevelSpec } from 'vega-lite';
import { card, el, field, formatNumber, select } from '../dom.js';
import { download, exportButton } from '../downloads.js';
import {
  type Axis,
  axisOf,
  bandOf,
  type Metric,
  METRICS,
  parseSweepJson,
  parseSweepParquet,
  type PhaseCell,
  PhaseIndex,
  type SweepRun,
  sweepOf,
  type SweepTable,
} from '../sweep-table.js';
import type { Notices } from './playground.js';
import { VegaChart } from './vega-chart.js';

const ROW_LIMIT = 200;

/** Where `basin serve --store/--results` serves the runs (relative, so the explorer works under any path). */
export const SERVED_RESULTS = 'api/results';

/** A phase-diagram cell as the chart draws it: the cell, its place on each axis and its label. */
interface DrawnCell extends PhaseCell {
  readonly label: string;
  readonly x0?: number;
  readonly x1?: number;
  readonly xValue?: number;
  readonly y0?: number;
  readonly y1?: number;
  readonly yValue?: number;
}

/**
 * One axis of the phase diagram as Vega-Lite encodings: a numeric key is a quantitative scale (linear or log) with
 * each cell spanning its band, so N = 12, 20, 21, 42 sit at their values; any other key is ordinal, in text order.
 */
function axisEncoding(axis: Axis, channel: 'x' | 'y'): { rect: object; text: object } {
  const title = axis.key;
  // labelLimit 0: no truncation; long activation names ("leaky-relu:0.1") are shown whole.
  const labels = { labelLimit: 0, labelOverlap: 'greedy' as const };
  if (axis.kind === 'categorical') {
    const values = channel === 'y' ? [...axis.values].reverse() : [...axis.values];
    const encoding = { field: channel, type: 'ordinal', sort: values, title, axis: labels };
    return { rect: { [channel]: encoding }, text: { [channel]: encoding } };
  }
  const edges = axis.bands.flat();
  const scale = {
    type: axis.log ? 'log' : 'linear',
    domain: [Math.min(...edges), Math.max(...edges)],
    nice: false,
    zero: false,
  };
  // Ticks at the swept values, written as typed (12, 0.001), not in a log scale's exponent form.
  const axisSpec = { ...labels, values: [...axis.values], labelExpr: "format(datum.value, '~r')" };
  return {
    rect: {
      [channel]: { field: `${channel}0`, type: 'quantitative', scale, title, axis: axisSpec },
      [`${channel}2`]: { field: `${channel}1` },
    },
    text: { [channel]: { field: `${channel}Value`, type: 'quantitative', scale, title, axis: axisSpec } },
  };
}

function phaseSpec(x: Axis, y: Axis, metricTitle: string): TopLevelSpec {
  const xs = axisEncoding(x, 'x');
  const ys = axisEncoding(y, 'y');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 260,
    // Fit the whole chart, axis labels and legend included, into the card: without it long labels were cut off.
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { name: 'cells' },
    layer: [
      {
        mark: { type: 'rect', cursor: 'pointer', stroke: '#fff' },
        encoding: {
          ...xs.rect,
          ...ys.rect,
          color: { field: 'value', type: 'quantitative', title: metricTitle, scale: { scheme: 'viridis' } },
          tooltip: [
            { field: 'x', title: x.key },
            { field: 'y', title: y.key },
            { field: 'value', format: '.3g' },
            { field: 'runs' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: { ...xs.text, ...ys.text, text: { field: 'label' }, color: { value: '#fff' } },
      },
    ],
  } as TopLevelSpec;
}

/** The smallest share of a numeric axis a cell must span to carry its value as text (about 30 px of 500). */
const LABEL_MIN_BAND = 0.06;

/** The share of the axis (in scale units: log units on a log axis) that the cell at `value` spans. */
function bandShare(axis: Axis & { kind: 'numeric' }, value: string): number {
  const to = axis.log ? Math.log10 : (v: number): number => v;
  const [low, high] = bandOf(axis, value);
  const edges = axis.bands.flat().map(to);
  return (to(high) - to(low)) / (Math.max(...edges) - Math.min(...edges));
}

function drawnCell(cell: PhaseCell, x: Axis, y: Axis): DrawnCell {
  const place = (axis: Axis, value: string, channel: 'x' | 'y'): object => {
    if (axis.kind === 'categorical') return {};
    const [low, high] = bandOf(axis, value);
    return { [`${channel}0`]: low, [`${channel}1`]: high, [`${channel}Value`]: Number(value) };
  };
  // A cell label needs room: none in cells narrower than LABEL_MIN_BAND of the axis (say N = 20 beside N = 21).
  const roomy = (axis: Axis, value: string): boolean =>
    axis.kind === 'categorical' || bandShare(axis, value) >= LABEL_MIN_BAND;
  return {
    ...cell,
    label:
      !roomy(x, cell.x) || !roomy(y, cell.y) ? '' : cell.value === null ? '—' : formatNumber(cell.value, 2),
    ...place(x, cell.x, 'x'),
    ...place(y, cell.y, 'y'),
  };
}

/**
 * The results browser: open a sweep export (or the runs `basin serve --store/--results` serves), choose one of its
 * sweeps, see a phase diagram over two configuration keys, the distribution of final losses in a cell, and any
 * single run with its certificate. Each interaction's time (event to rendered charts) is recorded in
 * `data-last-interaction-ms` and `window.basinTimings`, which the explorer benchmark (bench/explorer.ts) reads.
 */
export function mountResults(root: HTMLElement, notices: Notices): void {
  const form = el('form', { class: 'controls', 'aria-label': 'Results settings' });
  const box = el('fieldset', {}, el('legend', {}, 'Sweep'));
  const file = field(
    box,
    'Open export',
    el('input', { type: 'file', accept: '.parquet,.json', id: 'sweep-file' }),
  );
  const sweepChoice = field(box, 'Sweep', select([], ''));
  const xKey = field(box, 'x axis', select([], ''));
  const yKey = field(box, 'y axis', select([], ''));
  const metric = field(
    box,
    'Colour',
    select(Object.entries(METRICS) as [string, string][], 'median-log-loss'),
  );
  for (const control of [sweepChoice, xKey, yKey]) control.disabled = true;
  const reload = el(
    'button',
    { type: 'button', id: 'reload-results', hidden: true, title: 'Read the served runs again' },
    'Reload from server',
  );
  const status = el(
    'p',
    { class: 'status', id: 'results-status', 'aria-live': 'polite' },
    'Open runs.parquet (from basin results <store> --export DIR) or a JSON export of a sweep, or start basin serve --store <store>.',
  );
  form.append(box, el('div', { class: 'buttons' }, reload), status);
  form.addEventListener('submit', (event) => event.preventDefault());

  const phaseCard = card(
    'Phase diagram',
    exportButton('PNG', async () => {
      if (phase) download('phase-diagram.png', await phase.toPng());
    }),
    exportButton('SVG', async () => {
      if (phase) download('phase-diagram.svg', await phase.toSvg(), 'image/svg+xml');
    }),
  );
  const phaseElement = el('div', { class: 'chart', id: 'phase-chart' });
  const phaseLegend = el('p', { class: 'legend', id: 'phase-legend' }, 'No sweep opened yet.');
  phaseCard.body.append(phaseElement, phaseLegend);
  let phase: VegaChart | undefined;

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

  /** Everything that was opened, and the one sweep shown. */
  let opened: SweepTable | undefined;
  let table: SweepTable | undefined;
  let index: PhaseIndex | undefined;
  /** The phase chart's axes: the chart is rebuilt when they change (a numeric axis has another encoding). */
  let drawnAxes = '';
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
    const title = METRICS[metric.value as Metric];
    if (cells.every((c) => c.value === null)) {
      // An empty colour scale would draw a legend from NaN to NaN: say why there is nothing to colour instead.
      phase?.finalize();
      phase = undefined;
      drawnAxes = '';
      phaseElement.replaceChildren();
      phaseLegend.textContent = `No run of ${sweepChoice.value} has a value for the colour "${title}"; choose another colour.`;
      return;
    }
    const x = axisOf(
      xKey.value,
      cells.map((c) => c.x),
    );
    const y = axisOf(
      yKey.value,
      cells.map((c) => c.y),
    );
    const axes = JSON.stringify([x, y, title]);
    if (!phase || axes !== drawnAxes) {
      phase?.finalize();
      phaseElement.replaceChildren();
      phase = new VegaChart(phaseElement, phaseSpec(x, y, title));
      phase.addClickListener(onCellClick);
      drawnAxes = axes;
    }
    await phase.setData(
      'cells',
      cells.map((c) => drawnCell(c, x, y)),
    );
    phaseLegend.textContent = `${sweepChoice.value}: x ${xKey.value}, y ${yKey.value}; colour: ${title}. Click a cell to see its runs.`;
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
      ['sweep', run.sweep],
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

  const clearSelection = async (): Promise<void> => {
    await histogram.setData('losses', []);
    runsTable.replaceChildren();
    runFacts.replaceChildren();
  };

  function onCellClick(datum: Record<string, unknown> | undefined): void {
    if (!datum || typeof datum.x !== 'string' || typeof datum.y !== 'string') return;
    const { x, y } = datum as { x: string; y: string };
    void timed('cell', () => showCell(x, y));
  }

  /** Shows one sweep of what was opened: its parameters become the axis choices. */
  const chooseSweep = async (name: string): Promise<void> => {
    if (!opened) return;
    table = sweepOf(opened, name);
    index = undefined;
    const keys = table.parameters.length > 0 ? table.parameters : ['(none)'];
    const keep = (control: HTMLSelectElement, fallback: string): void => {
      const previous = control.value;
      control.replaceChildren(...keys.map((k) => el('option', { value: k }, k)));
      control.value = keys.includes(previous) ? previous : fallback;
      control.disabled = false;
    };
    keep(xKey, keys[0]);
    keep(yKey, keys[Math.min(1, keys.length - 1)]);
    if (xKey.value === yKey.value && keys.length > 1) yKey.value = keys.find((k) => k !== xKey.value)!;
    await clearSelection();
    await drawPhase();
  };

  /** Takes a freshly read table: lists its sweeps and shows the first (or the one shown before a reload). */
  const open = async (read: SweepTable, started: number): Promise<void> => {
    const previous = sweepChoice.value;
    opened = read;
    sweepChoice.replaceChildren(
      ...read.sweeps.map((name) => {
        const runs = read.runs.filter((run) => run.sweep === name).length;
        return el('option', { value: name }, `${name || '(unnamed)'} (${runs} runs)`);
      }),
    );
    sweepChoice.value = read.sweeps.includes(previous) ? previous : read.sweeps[0];
    sweepChoice.disabled = read.sweeps.length < 2;
    await chooseSweep(sweepChoice.value);
    status.textContent = `${read.source}: ${read.runs.length} runs in ${read.sweeps.length} sweep${read.sweeps.length === 1 ? '' : 's'}; ${sweepChoice.value}: ${table!.runs.length} runs, parameters ${table!.parameters.join(', ') || 'none vary'}; loaded in ${Math.round(performance.now() - started)} ms.`;
  };

  sweepChoice.addEventListener('change', () => void timed('sweep', () => chooseSweep(sweepChoice.value)));
  for (const control of [xKey, yKey, metric])
    control.addEventListener('change', () => void timed('axes', drawPhase));

  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    notices.clear();
    status.textContent = `Reading ${chosen.name}…`;
    const started = performance.now();
    try {
      await open(
        chosen.name.endsWith('.parquet')
          ? await parseSweepParquet(await chosen.arrayBuffer(), chosen.name)
          : parseSweepJson(await chosen.text(), chosen.name),
        started,
      );
    } catch (error) {
      notices.error(error instanceof Error ? error.message : String(error));
      status.textContent = 'Could not read that file; see the message above.';
    } finally {
      file.value = '';
    }
  });

  /**
   * The runs `basin serve --store/--results` serves, read again on every call (a running sweep adds runs). A server
   * without them (a plain static host, or serve without those flags) answers 404 and the view waits for a file.
   */
  const openServed = async (): Promise<void> => {
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(SERVED_RESULTS, { cache: 'no-store' });
    } catch {
      return; // No server behind the page (opened from disk): only uploads.
    }
    if (response.status === 404) return;
    reload.hidden = false;
    const header = response.headers.get('x-basin-source');
    const source = header === null ? 'basin serve' : decodeURIComponent(header);
    try {
      if (!response.ok) throw new Error(`${source}: ${await response.text()}`);
      status.textContent = `Reading ${source}…`;
      const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
      await open(
        json
          ? parseSweepJson(await response.text(), source)
          : await parseSweepParquet(await response.arrayBuffer(), source),
        started,
      );
      root.dataset.served = 'true';
    } catch (error) {
      notices.error(error instanceof Error ? error.message : String(error));
      status.textContent = `Could not read the runs basin serve offers (${source}); see the message above.`;
    }
  };
  reload.addEventListener('click', () => {
    notices.clear();
    void openServed();
  });
  void openServed();
}
