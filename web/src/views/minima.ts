import { landscape } from 'basin';
import { disconnectivityLayout } from '../disconnectivity.js';
import { card, el, field, formatNumber, select } from '../dom.js';
import { download, exportButton } from '../downloads.js';
import { checkActivation, DATA_KINDS, type DataKind, type ExplorerState } from '../state.js';
import type { Store } from '../store.js';
import type { LoadedPoint, Notices } from './playground.js';
import { VegaChart } from './vega-chart.js';

/** Where `basin serve --landscape` offers its record (relative to the page). */
export const SERVED_LANDSCAPE = 'api/landscape';

/** The playground's limits on a network (state.ts's widths rule): a record's net beyond them cannot be loaded. */
const MAX_HIDDEN_LAYERS = 4;
const MAX_WIDTH = 64;

/**
 * The landscape between minima: a `basin landscape graph` record as a disconnectivity graph (minima as leaves at
 * their loss, joins at the barrier tops, certified saddles solid, uncertified dashed) whose minima load into the
 * playground, and any connection's path profiles with its saddle; a `basin landscape path` record shows the profile.
 */
export function mountMinima(
  root: HTMLElement,
  store: Store,
  notices: Notices,
  loadPoint: (point: LoadedPoint) => Promise<void>,
): void {
  const form = el('form', { class: 'controls', 'aria-label': 'Landscape record' });
  const box = el('fieldset', {}, el('legend', {}, 'Landscape record'));
  const file = field(
    box,
    'Open record',
    el('input', { type: 'file', accept: '.json,application/json', id: 'landscape-file' }),
  );
  const connection = field(box, 'Connection', select([], ''));
  connection.id = 'f-connection';
  const minimum = field(box, 'Minimum', select([], ''));
  minimum.id = 'f-minimum';
  for (const control of [connection, minimum]) control.disabled = true;
  const load = el(
    'button',
    { type: 'button', id: 'load-minimum', disabled: true, title: 'Show this minimum in the playground' },
    'Load into playground',
  );
  const status = el(
    'p',
    { class: 'status', id: 'minima-status', 'aria-live': 'polite' },
    'Open the JSON that basin landscape graph or basin landscape path wrote, or start basin serve --landscape <file>.',
  );
  form.append(box, el('div', { class: 'buttons' }, load), status);
  form.addEventListener('submit', (event) => event.preventDefault());

  const graphCard = card(
    'Disconnectivity graph',
    exportButton('PNG', async () => download('disconnectivity.png', await graphChart.toPng())),
    exportButton('SVG', async () =>
      download('disconnectivity.svg', await graphChart.toSvg(), 'image/svg+xml'),
    ),
  );
  const graphChart = new VegaChart(el('div', { class: 'chart', id: 'graph-chart' }), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 320,
    layer: [
      {
        data: { name: 'segments' },
        mark: { type: 'rule', strokeWidth: 3, cursor: 'pointer' },
        encoding: {
          x: { field: 'x', type: 'quantitative', axis: null, scale: { padding: 40 } },
          x2: { field: 'x2' },
          y: {
            field: 'y',
            type: 'quantitative',
            title: 'training loss',
            scale: { zero: false, padding: 24 },
          },
          y2: { field: 'y2' },
          strokeDash: {
            field: 'style',
            type: 'nominal',
            title: 'join',
            scale: {
              domain: ['certified saddle', 'saddle not certified', 'no connection found'],
              range: [
                [1, 0],
                [6, 4],
                [1, 4],
              ],
            },
          },
          color: {
            field: 'style',
            type: 'nominal',
            title: 'join',
            scale: {
              domain: ['certified saddle', 'saddle not certified', 'no connection found'],
              range: ['#1d232b', '#b42318', '#8a939c'],
            },
          },
          tooltip: [{ field: 'label', type: 'nominal', title: 'connection' }],
        },
      },
      {
        data: { name: 'leaves' },
        mark: { type: 'point', filled: true, size: 90, color: '#1f6feb', cursor: 'pointer' },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'loss', type: 'quantitative' },
          tooltip: [{ field: 'label', type: 'nominal', title: 'minimum (click: load into the playground)' }],
        },
      },
      {
        data: { name: 'leaves' },
        mark: { type: 'text', dy: 14, baseline: 'top', fontSize: 11 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'loss', type: 'quantitative' },
          text: { field: 'short', type: 'nominal' },
        },
      },
    ],
  });
  const graphLegend = el('p', { class: 'legend', id: 'graph-legend' });
  graphCard.body.append(graphChart.element, graphLegend);

  const profileCard = card(
    'Path profile of the connection',
    exportButton('PNG', async () => download('path-profile.png', await profileChart.toPng())),
    exportButton('SVG', async () =>
      download('path-profile.svg', await profileChart.toSvg(), 'image/svg+xml'),
    ),
  );
  const profileChart = new VegaChart(el('div', { class: 'chart', id: 'profile-chart' }), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 260,
    layer: [
      {
        data: { name: 'profile' },
        mark: { type: 'line', point: { size: 16 } },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 't (0: from, 1: to)' },
          y: { field: 'loss', type: 'quantitative', title: 'training loss', scale: { zero: false } },
          color: {
            field: 'method',
            type: 'nominal',
            title: 'path',
            scale: { domain: ['linear', 'bezier', 'polychain', 'neb'] },
          },
        },
      },
      {
        data: { name: 'saddle' },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#b42318' },
        encoding: { y: { field: 'loss', type: 'quantitative' } },
      },
      {
        data: { name: 'saddle' },
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, x: 0, color: '#b42318', fontSize: 11 },
        encoding: { y: { field: 'loss', type: 'quantitative' }, text: { field: 'label', type: 'nominal' } },
      },
    ],
  });
  const saddleLine = el('p', { class: 'legend', id: 'saddle-label' });
  const facts = el('table', { class: 'facts', id: 'connection-facts' });
  profileCard.body.append(profileChart.element, saddleLine, facts);
  graphCard.root.hidden = true;
  profileCard.root.hidden = true;
  root.append(form, el('div', { class: 'cards' }, graphCard.root, profileCard.root));

  let record: landscape.LandscapeRecord | undefined;
  let source = '';

  const connections = (): readonly landscape.ConnectionRecord[] =>
    record === undefined ? [] : record.kind === 'basin-landscape-graph' ? record.edges : [record.connection];

  const showConnection = async (index: number): Promise<void> => {
    const edge = connections()[index];
    if (edge === undefined) return;
    connection.value = String(index);
    profileCard.root.hidden = false;
    await profileChart.setData(
      'profile',
      edge.paths.flatMap((path) => path.t.map((t, k) => ({ method: path.method, t, loss: path.loss[k] }))),
    );
    const saddle = edge.saddle;
    const verdictText =
      saddle === null
        ? ''
        : saddle.certified
          ? saddle.rule === 'kink-saddle'
            ? 'certified index 1 saddle on a kink'
            : 'certified Morse index 1'
          : `not certified: ${saddle.reason}`;
    await profileChart.setData(
      'saddle',
      saddle === null
        ? []
        : [
            {
              loss: saddle.loss,
              // The reason can be long; inside the chart it would run into the legend, so it is in the line below.
              label: `saddle ${formatNumber(saddle.loss)}: ${saddle.certified ? verdictText : 'not certified'}`,
            },
          ],
    );
    saddleLine.textContent =
      saddle === null
        ? 'No saddle: no path climbs above its ends (barrier ≤ 0 within rounding).'
        : `Saddle at loss ${formatNumber(saddle.loss)}: ${verdictText} (verdict ${saddle.verdict}, rule ${saddle.rule}, ${saddle.strength}).`;
    saddleLine.dataset.certified = String(saddle?.certified ?? false);
    // After the data: the axes' widths depend on the numbers, and the fit needs them.
    await profileChart.fitWidth();
    const rows: [string, string][] = [
      [
        'minima',
        `#${edge.from} (loss ${formatNumber(edge.fromLoss)}) ↔ #${edge.to} (loss ${formatNumber(edge.toLoss)})`,
      ],
      ['barrier from #' + edge.from, formatNumber(edge.barrierFromStart)],
      ['barrier from #' + edge.to, formatNumber(edge.barrierFromEnd)],
      [
        'top (the join level)',
        `${formatNumber(edge.topLoss)} (${saddle?.certified === true ? 'the certified saddle' : 'the best path’s highest point'})`,
      ],
      ...edge.paths.map((path): [string, string] => [
        `${path.method} path`,
        `barrier ${formatNumber(path.barrier)}, highest ${formatNumber(path.maxLoss)} at t = ${formatNumber(path.peakT, 3)}`,
      ]),
      [
        'distance ‖θ_to − θ_from‖',
        `${formatNumber(edge.distanceBefore)} (${formatNumber(edge.distanceAfter)} after aligning hidden units)${edge.sameMinimum ? '; one minimum up to symmetry' : ''}`,
      ],
    ];
    if (saddle !== null) {
      rows.push(
        ['saddle ‖∇L‖ / loss scale', formatNumber(saddle.relativeGradient)],
        [
          saddle.rule === 'kink-saddle' ? 'saddle index (on a kink)' : 'saddle Morse index',
          saddle.morseIndex === null ? '—' : String(saddle.morseIndex),
        ],
        ['|cos| negative direction · tangent', formatNumber(saddle.tangentOverlap)],
      );
    }
    facts.replaceChildren(...rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v))));
  };

  /** The playground's state for the record's problem, or why the playground cannot hold it. */
  const playgroundState = (problem: landscape.LandscapeProblemRecord): ExplorerState => {
    const kind = problem.dataset as DataKind;
    if (!DATA_KINDS.includes(kind))
      throw new Error(`dataset "${problem.dataset}" is not one the playground has`);
    if (problem.hidden.length > MAX_HIDDEN_LAYERS || problem.hidden.some((width) => width > MAX_WIDTH)) {
      throw new Error(
        `hidden widths ${problem.hidden.join(',')}: the playground holds at most ${MAX_HIDDEN_LAYERS} hidden layers of ${MAX_WIDTH} units`,
      );
    }
    try {
      checkActivation(problem.activation);
    } catch {
      throw new Error(`activation "${problem.activation}" is not one the playground has`);
    }
    const state = store.state;
    return {
      ...state,
      view: 'playground',
      data: { ...state.data, kind },
      // Built-in problems have biases in every layer (basin search --dataset) and no slope noise.
      model: {
        ...state.model,
        widths: [...problem.hidden],
        activation: problem.activation,
        bias: true,
        loss: problem.loss as ExplorerState['model']['loss'],
        slopeNoise: null,
      },
    };
  };

  const loadNode = (id: number): void => {
    if (record?.kind !== 'basin-landscape-graph') return;
    const node = record.nodes[id];
    if (node === undefined) return;
    let state: ExplorerState;
    try {
      state = playgroundState(record.problem);
    } catch (error) {
      notices.error(`${source}: cannot load minimum #${id} into the playground: ${(error as Error).message}`);
      return;
    }
    void loadPoint({
      state,
      theta: node.theta,
      label: `minimum #${id} of ${source}`,
      recordedLoss: node.loss,
    });
  };

  graphChart.addClickListener((datum) => {
    if (datum === undefined) return;
    if (typeof datum.node === 'number') loadNode(datum.node);
    else if (typeof datum.edge === 'number') void showConnection(datum.edge);
  });
  connection.addEventListener('change', () => void showConnection(Number(connection.value)));
  load.addEventListener('click', () => loadNode(Number(minimum.value)));

  const describeEdge = (edge: landscape.ConnectionRecord, k: number): string =>
    `${record?.kind === 'basin-landscape-graph' ? `${k}: ` : ''}#${edge.from} ↔ #${edge.to}, top ${formatNumber(edge.topLoss)}, ${edge.saddle === null ? 'no saddle' : edge.saddle.certified ? 'certified saddle' : 'saddle not certified'}`;

  const open = async (text: string, name: string): Promise<void> => {
    // Parsed in full before anything is replaced: a bad file leaves the view as it was.
    const next = landscape.parseLandscapeRecord(text, name);
    record = next;
    source = name;
    const edges = connections();
    connection.replaceChildren(
      ...edges.map((edge, k) => el('option', { value: String(k) }, describeEdge(edge, k))),
    );
    connection.disabled = edges.length < 2;
    const problem = `${next.problem.dataset}, hidden ${next.problem.hidden.join(',')}, ${next.problem.activation}, ${next.problem.loss}, P = ${next.problem.parameters}`;
    if (next.kind === 'basin-landscape-graph') {
      minimum.replaceChildren(
        ...next.nodes.map((node) =>
          el(
            'option',
            { value: String(node.id) },
            `#${node.id}: loss ${formatNumber(node.loss)} (${node.count} restarts)`,
          ),
        ),
      );
      minimum.disabled = false;
      load.disabled = false;
      graphCard.root.hidden = false;
      const layout = disconnectivityLayout(next.nodes, next.merges);
      await graphChart.setData(
        'segments',
        layout.segments.map((segment) => ({
          ...segment,
          label: segment.edge === null ? segment.style : describeEdge(next.edges[segment.edge], segment.edge),
        })),
      );
      await graphChart.setData(
        'leaves',
        layout.leaves.map((leaf) => ({
          ...leaf,
          short: `#${leaf.node} ${formatNumber(leaf.loss, 3)} ×${leaf.count}`,
          label: `#${leaf.node}: loss ${formatNumber(leaf.loss)}, ${leaf.count} of ${next.restarts} restarts, ${next.nodes[leaf.node].verdict}`,
        })),
      );
      await graphChart.fitWidth();
      const certified = next.merges.filter((merge) => merge.certified).length;
      graphLegend.textContent = `${next.nodes.length} minima from ${next.restarts} restarts (seed ${next.seed}); ${next.merges.length} joins, ${certified} at a certified saddle (solid), ${next.merges.length - certified} not certified (dashed). Labels: #id, loss, ×restarts. Click a minimum to load it into the playground, a join to see its path profile.`;
      status.textContent = `${name}: graph of ${next.nodes.length} minima and ${next.edges.length} connections on ${problem}.`;
    } else {
      minimum.replaceChildren();
      minimum.disabled = true;
      load.disabled = true;
      graphCard.root.hidden = true;
      status.textContent = `${name}: one connection on ${problem}.`;
    }
    root.dataset.record = next.kind;
    profileCard.root.hidden = edges.length === 0;
    if (edges.length > 0) await showConnection(0);
  };

  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    notices.clear();
    try {
      await open(await chosen.text(), chosen.name);
    } catch (error) {
      notices.error(error instanceof Error ? error.message : String(error));
      status.textContent = 'Could not read that file; see the message above.';
    } finally {
      file.value = '';
    }
  });

  /** The record `basin serve --landscape` offers; without it the server answers 404 and the view waits for a file. */
  const openServed = async (): Promise<void> => {
    let response: Response;
    try {
      response = await fetch(SERVED_LANDSCAPE, { cache: 'no-store' });
    } catch {
      return; // No server behind the page (opened from disk): only uploads.
    }
    if (response.status === 404) return;
    const header = response.headers.get('x-basin-source');
    const name = header === null ? 'basin serve' : decodeURIComponent(header);
    try {
      const text = await response.text();
      if (!response.ok) throw new Error(`${name}: ${text}`);
      await open(text, name);
      root.dataset.served = 'true';
    } catch (error) {
      notices.error(error instanceof Error ? error.message : String(error));
      status.textContent = `Could not read the record basin serve offers (${name}); see the message above.`;
    }
  };
  // A record served at start-up is drawn while another tab shows: fit the charts once this tab appears.
  let shown = store.state.view === 'minima';
  store.subscribe(() => {
    const now = store.state.view === 'minima';
    if (now && !shown && record !== undefined) {
      void graphChart.fitWidth();
      void profileChart.fitWidth();
    }
    shown = now;
  });
  void openServed();
}
