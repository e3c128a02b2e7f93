import type { landscape } from 'basin';
import { card, el, field, formatNumber, numberInput, select } from '../dom.js';
import { download, exportButton, toCsv } from '../downloads.js';
import { type ExplorerState, LANDSCAPE_MODES } from '../state.js';
import type { Store } from '../store.js';
import type { WorkerClient } from '../worker-client.js';
import { drawHeatmap, heatmapSvg } from './heatmap.js';
import type { Notices } from './playground.js';
import { VegaChart } from './vega-chart.js';

/**
 * Landscape views around the playground's trained point: a 2-D slice along two orthogonal, filter-normalised
 * directions, or the loss along the segment between the worst and the best minimum of a multistart.
 */
export function mountLandscape(
  root: HTMLElement,
  store: Store,
  worker: WorkerClient,
  notices: Notices,
  ensureTrained: () => Promise<void>,
): { compute(): Promise<void> } {
  const form = el('form', { class: 'controls', 'aria-label': 'Landscape settings' });
  const box = el('fieldset', {}, el('legend', {}, 'Landscape'));
  const s = store.state.landscape;
  const mode = field(
    box,
    'View',
    select(
      [
        ['slice', '2-D slice'],
        ['segment', 'Segment between minima'],
      ],
      s.mode,
    ),
  );
  const span = field(box, 'Half-width', numberInput(s.span, 'any', 0));
  const resolution = field(box, 'Grid points', numberInput(s.resolution, '1', 3, 101));
  const directionSeed = field(box, 'Direction seed', numberInput(s.directionSeed, '1', 0));
  const restarts = field(box, 'Restarts', numberInput(s.restarts, '1', 2, 64));
  const compute = el('button', { type: 'button', class: 'primary', id: 'compute-landscape' }, 'Compute');
  const status = el(
    'p',
    { class: 'status', id: 'landscape-status', 'aria-live': 'polite' },
    'Uses the playground’s network.',
  );
  form.append(box, el('div', { class: 'buttons' }, compute), status);
  form.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('change', () => {
    const read = (input: HTMLInputElement): number => Number(input.value);
    const next: ExplorerState['landscape'] = {
      mode: LANDSCAPE_MODES.includes(mode.value as never)
        ? (mode.value as ExplorerState['landscape']['mode'])
        : 'slice',
      span: read(span),
      resolution: read(resolution),
      directionSeed: read(directionSeed),
      restarts: read(restarts),
    };
    const bad = Object.entries(next).find(
      ([, v]) => typeof v === 'number' && !((Number.isFinite(v) && v > 0) || v === 0),
    );
    if (
      bad ||
      next.resolution < 3 ||
      next.resolution > 101 ||
      next.restarts < 2 ||
      next.restarts > 64 ||
      !(next.span > 0)
    ) {
      notices.error('Landscape: half-width must be > 0, grid points in [3, 101], restarts in [2, 64]');
      return;
    }
    notices.clear();
    store.update({ ...store.state, landscape: next });
  });

  let slice: landscape.LossSlice | undefined;
  const sliceCard = card(
    '2-D slice (log₁₀ loss, contours)',
    exportButton('PNG', () => download('slice.png', canvas.toDataURL('image/png'))),
    exportButton('SVG', () => slice && download('slice.svg', heatmapSvg(slice), 'image/svg+xml')),
    exportButton('CSV', () => {
      if (!slice) return;
      const n = slice.alpha.length;
      const rows = Array.from(slice.loss, (loss, k) => [
        slice!.alpha[k % n],
        slice!.beta[Math.floor(k / n)],
        loss,
      ]);
      download('slice.csv', toCsv(['alpha', 'beta', 'loss'], rows), 'text/csv');
    }),
  );
  const canvas = el('canvas', {
    class: 'plot',
    id: 'slice-canvas',
    width: '440',
    height: '440',
    role: 'img',
    'aria-label': 'loss slice heat map',
  });
  sliceCard.body.append(
    canvas,
    el(
      'p',
      { class: 'legend' },
      'Centre (red dot) is the trained point; directions are orthogonal and filter-normalised (Li et al. 2018), biases included in each unit’s filter.',
    ),
  );

  const segmentCard = card(
    'Loss along the segment from the worst to the best minimum',
    exportButton('PNG', async () => download('segment.png', await segmentChart.toPng())),
    exportButton('SVG', async () => download('segment.svg', await segmentChart.toSvg(), 'image/svg+xml')),
  );
  const segmentChart = new VegaChart(el('div', { class: 'chart', id: 'segment-chart' }), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 240,
    data: { name: 'profile' },
    layer: [
      {
        mark: 'line',
        encoding: {
          x: { field: 't', type: 'quantitative', title: 't (0: worst minimum, 1: best)' },
          y: { field: 'loss', type: 'quantitative', title: 'training loss' },
        },
      },
      {
        transform: [{ filter: 'datum.t === 0 || datum.t === 1' }],
        mark: { type: 'point', filled: true, size: 70, color: '#b42318' },
        encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' } },
      },
    ],
  });
  const segmentFacts = el('p', { class: 'legend', id: 'segment-facts' });
  segmentCard.body.append(segmentChart.element, segmentFacts);
  root.append(form, el('div', { class: 'cards' }, sliceCard.root, segmentCard.root));

  const showMode = (): void => {
    const isSlice = store.state.landscape.mode === 'slice';
    sliceCard.root.hidden = !isSlice;
    segmentCard.root.hidden = isSlice;
    span.disabled = !isSlice;
    resolution.disabled = !isSlice;
    directionSeed.disabled = !isSlice;
    restarts.disabled = isSlice;
  };
  store.subscribe(showMode);
  showMode();

  const run = async (): Promise<void> => {
    notices.clear();
    compute.disabled = true;
    try {
      if (!store.trained) {
        status.textContent = 'Training the playground’s network first…';
        await ensureTrained();
        if (!store.trained) return;
      }
      const started = performance.now();
      if (store.state.landscape.mode === 'slice') {
        status.textContent = 'Evaluating the slice…';
        const payload = await worker.request({ kind: 'slice', state: store.state });
        if (payload.kind !== 'slice') return;
        slice = payload.slice;
        drawHeatmap(canvas, slice);
        status.textContent = `Slice: ${slice.alpha.length}² losses from ${formatNumber(slice.min)} to ${formatNumber(slice.max)} in ${Math.round(performance.now() - started)} ms.`;
      } else {
        status.textContent = 'Training the restarts…';
        const payload = await worker.request({ kind: 'segment', state: store.state }, (progress) => {
          status.textContent = `Restart ${progress.epoch} of ${store.state.landscape.restarts}: final loss ${formatNumber(progress.loss)}`;
        });
        if (payload.kind !== 'segment') return;
        const { profile, finalLosses, worst, best } = payload;
        await segmentChart.setData(
          'profile',
          Array.from(profile.t, (t, k) => ({ t, loss: profile.loss[k] })),
        );
        segmentFacts.textContent = `Restart losses: ${finalLosses.map((l) => formatNumber(l, 3)).join(', ')}. Worst #${worst} (${formatNumber(profile.endpoints[0])}) → best #${best} (${formatNumber(profile.endpoints[1])}); barrier above the higher end: ${formatNumber(profile.barrier)}.`;
        status.textContent = `Segment computed in ${Math.round(performance.now() - started)} ms.`;
      }
    } catch (error) {
      notices.error(error instanceof Error ? error.message : String(error));
      status.textContent = 'Failed; see the message above.';
    } finally {
      compute.disabled = false;
    }
  };
  compute.addEventListener('click', () => void run());
  return { compute: run };
}
