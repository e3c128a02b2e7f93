import { card, el, formatNumber } from '../dom.js';
import { download, exportButton, toCsv } from '../downloads.js';
import { parseCsvData } from '../csv-data.js';
import type { ExplorerState } from '../state.js';
import type { Store } from '../store.js';
import { type WorkerClient, WorkerStoppedError } from '../worker-client.js';
import type { PointReport } from '../worker/certificate.js';
import type { TrainedPayload } from '../worker/protocol.js';
import { drawInputPlot, inputPlotSvg } from './input-plot.js';
import { playgroundControls } from './playground-controls.js';
import { VegaChart } from './vega-chart.js';

/** A network given from outside (a minimum of a landscape record): its settings, θ, and the loss recorded for it. */
export interface LoadedPoint {
  readonly state: ExplorerState;
  readonly theta: readonly number[];
  /** What the status line calls it, e.g. "minimum #2 of graph.json". */
  readonly label: string;
  readonly recordedLoss: number;
}

export interface Notices {
  error(message: string): void;
  clear(): void;
}

/** The playground: settings, live training, the loss curve, the input-space picture and the point's certificate. */
export function mountPlayground(
  root: HTMLElement,
  store: Store,
  worker: WorkerClient,
  notices: Notices,
): { trainNow(): Promise<void>; loadPoint(point: LoadedPoint): Promise<void> } {
  const status = el('p', { class: 'status', id: 'train-status', 'aria-live': 'polite' }, 'Not trained yet.');
  const controls = playgroundControls(
    store.state,
    (update) => store.update(update(store.state)),
    (problem) => (problem === undefined ? notices.clear() : notices.error(problem)),
  );
  controls.root.append(status);
  const probeGpu = (): void => {
    worker.request({ kind: 'gpu-info' }).then(
      (payload) => {
        if (payload.kind === 'gpu-info') controls.showGpu(payload.info);
      },
      (error: unknown) => {
        if (!(error instanceof WorkerStoppedError))
          controls.showGpu({
            available: false,
            reason: error instanceof Error ? error.message : String(error),
            failed: true,
          });
      },
    );
  };
  probeGpu();

  const lossCard = card(
    'Loss curve',
    exportButton('PNG', async () => download('loss-curve.png', await lossChart.toPng())),
    exportButton('SVG', async () => download('loss-curve.svg', await lossChart.toSvg(), 'image/svg+xml')),
  );
  const lossChart = new VegaChart(el('div', { class: 'chart', id: 'loss-chart' }), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 220,
    data: { name: 'points' },
    mark: { type: 'line', interpolate: 'linear' },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'loss', type: 'quantitative', title: 'training loss (log scale)', scale: { type: 'log' } },
    },
  });
  lossCard.body.append(lossChart.element);

  const inputCard = card(
    'Data, function and activation regions',
    exportButton('PNG', () => download('input-space.png', inputCanvas.toDataURL('image/png'))),
    exportButton('SVG', () => {
      if (store.trained?.picture)
        download('input-space.svg', inputPlotSvg(pictureData(store.trained)), 'image/svg+xml');
    }),
    exportButton('Data CSV', () => {
      const trained = store.trained;
      if (!trained) return;
      const d = trained.inputDim;
      const rows = Array.from(trained.y, (y, n) => [...trained.x.subarray(n * d, (n + 1) * d), y]);
      download(
        'data.csv',
        toCsv([...Array.from({ length: d }, (_, i) => `x${i + 1}`), 'y'], rows),
        'text/csv',
      );
    }),
    exportButton('Weights', () => {
      if (store.trained) download('weights.json', store.trained.weightsJson, 'application/json');
    }),
  );
  const inputCanvas = el('canvas', {
    class: 'plot',
    id: 'input-canvas',
    width: '420',
    height: '420',
    role: 'img',
    'aria-label': 'input space plot',
  });
  const inputNote = el('p', { class: 'legend' });
  inputCard.body.append(inputCanvas, inputNote);

  const certCard = card(
    'Certificate of the current point',
    exportButton('PNG', async () => download('spectrum.png', await spectrumChart.toPng())),
    exportButton('SVG', async () => download('spectrum.svg', await spectrumChart.toSvg(), 'image/svg+xml')),
  );
  const facts = el('table', { class: 'facts', id: 'certificate' });
  const spectrumChart = new VegaChart(el('div', { class: 'chart', id: 'spectrum-chart' }), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 160,
    data: { name: 'eigen' },
    mark: { type: 'point', filled: true, size: 30 },
    encoding: {
      x: { field: 'index', type: 'quantitative', title: 'eigenvalue index (ascending)' },
      y: { field: 'value', type: 'quantitative', title: 'Hessian eigenvalue' },
      color: {
        field: 'sign',
        type: 'nominal',
        scale: {
          domain: ['negative', 'zero (|λ| ≤ tol)', 'positive'],
          range: ['#b42318', '#8a939c', '#1f6feb'],
        },
      },
    },
  });
  certCard.body.append(facts, spectrumChart.element);

  root.append(controls.root, el('div', { class: 'cards' }, lossCard.root, inputCard.root, certCard.root));

  let curve: { epoch: number; loss: number }[] = [];
  const setBusy = (busy: boolean): void => {
    controls.train.disabled = busy;
    controls.stop.disabled = !busy;
    controls.certify.disabled = busy || store.trained === undefined;
  };

  const trainNow = async (): Promise<void> => {
    notices.clear();
    setBusy(true);
    curve = [];
    await lossChart.setData('points', []);
    status.textContent = 'Training…';
    let lastDraw = 0;
    try {
      const payload = await worker.request(
        { kind: 'train', state: store.state, csvText: store.csvText },
        (progress) => {
          if (!(progress.loss > 0)) return;
          curve.push({ epoch: progress.epoch, loss: progress.loss });
          status.textContent = `Training… epoch ${progress.epoch + 1}, loss ${formatNumber(progress.loss)}`;
          const now = performance.now();
          if (now - lastDraw > 60) {
            lastDraw = now;
            void lossChart.setData('points', curve.slice());
          }
        },
      );
      if (payload.kind !== 'train') return;
      store.setTrained(payload);
      store.update({ ...store.state, trained: true });
      curve = payload.traceEpochs
        .map((epoch, k) => ({ epoch, loss: payload.traceLoss[k] }))
        .filter((p) => p.loss > 0);
      await lossChart.setData('points', curve);
      const { engine } = payload;
      const where =
        engine.name === 'webgpu'
          ? ` on WebGPU (${engine.adapter}, float32; final loss and ‖∇L‖ in float64 at its θ)`
          : ' on the CPU';
      status.textContent = `Trained ${payload.architecture} for ${payload.epochs} epochs${where} (${payload.stopReason}): final loss ${formatNumber(payload.finalLoss)}, ‖∇L‖ ${formatNumber(payload.gradientNorm)}.${engine.note === undefined ? '' : ` ${engine.note}.`}`;
      status.dataset.engine = engine.name;
      status.dataset.finalLoss = String(payload.finalLoss);
      drawPicture(payload);
      facts.replaceChildren();
      await spectrumChart.setData('eigen', []);
    } catch (error) {
      if (error instanceof WorkerStoppedError) status.textContent = 'Stopped; the partial run was discarded.';
      else notices.error(error instanceof Error ? error.message : String(error));
      if (!(error instanceof WorkerStoppedError))
        status.textContent = 'Training failed; see the message above.';
    } finally {
      setBusy(false);
    }
  };

  const drawPicture = (payload: TrainedPayload): void => {
    if (!payload.picture) {
      const context = inputCanvas.getContext('2d')!;
      context.clearRect(0, 0, inputCanvas.width, inputCanvas.height);
      inputNote.textContent = `The input has ${payload.inputDim} dimensions; the picture needs 1 or 2.`;
      return;
    }
    drawInputPlot(inputCanvas, pictureData(payload));
    const { regions, kinks } = payload.picture;
    inputNote.textContent = regions.hasKinks
      ? `${regions.regionCount} activation regions visible${payload.inputDim === 1 ? `, ${kinks.length} kinks (dashed)` : ' (dark lines are kinks)'}. Colours: red below, blue above the labels' midpoint. ${payload.description}.`
      : `Smooth activation: one region, no kinks. ${payload.description}.`;
  };

  const certifyNow = async (): Promise<void> => {
    notices.clear();
    setBusy(true);
    controls.certify.disabled = true;
    status.textContent = 'Polishing and certifying (gradient, kinks, Hessian spectrum, verdict)…';
    try {
      const payload = await worker.request({ kind: 'certify' });
      if (payload.kind !== 'certify') return;
      await showCertificate(payload.report);
      status.textContent = 'Certified the current point.';
    } catch (error) {
      notices.error(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  /**
   * Shows a given θ as the playground's point (no training): the settings go into the form, the worker evaluates
   * the loss and draws the picture, and Certify point certifies it. The link does not carry θ, so `trained` stays off.
   */
  const loadPoint = async (point: LoadedPoint): Promise<void> => {
    notices.clear();
    setBusy(true);
    store.update({ ...point.state, trained: false });
    controls.show(store.state);
    curve = [];
    await lossChart.setData('points', []);
    facts.replaceChildren();
    await spectrumChart.setData('eigen', []);
    status.textContent = `Loading ${point.label}…`;
    delete status.dataset.finalLoss;
    try {
      const payload = await worker.request({ kind: 'load', state: store.state, theta: point.theta });
      if (payload.kind !== 'train') return;
      store.setTrained(payload);
      const shown = formatNumber(payload.finalLoss);
      const mismatch =
        shown === formatNumber(point.recordedLoss)
          ? ''
          : ` The record gives loss ${formatNumber(point.recordedLoss)}: the data or the network here differ from the record's.`;
      status.textContent = `Loaded ${point.label} (${payload.architecture}, not trained here): loss ${shown}, ‖∇L‖ ${formatNumber(payload.gradientNorm)}. Certify point checks it.${mismatch}`;
      status.dataset.engine = 'cpu';
      status.dataset.finalLoss = String(payload.finalLoss);
      drawPicture(payload);
    } catch (error) {
      if (!(error instanceof WorkerStoppedError)) {
        notices.error(`${point.label}: ${error instanceof Error ? error.message : String(error)}`);
        status.textContent = 'Loading failed; see the message above.';
      }
    } finally {
      setBusy(false);
    }
  };

  const showCertificate = async (report: PointReport): Promise<void> => {
    const rows: [string, string][] = [
      ['verdict', `${report.verdict} (rule: ${report.rule})`],
      ['why', report.explanation],
      ['point', report.polished ? 'polished in float64 before certifying' : 'as trained'],
      ['loss', formatNumber(report.loss)],
      ['‖∇L‖₂', formatNumber(report.gradientNorm)],
      [
        'training error (MCE)',
        report.mce === undefined ? 'not a classification task' : formatNumber(report.mce),
      ],
      ['kink margin min|u|', `${formatNumber(report.kinkMargin)} (${report.nearKinkCount} on a kink)`],
      ['parameters P', String(report.parameterCount)],
      ['Morse index', report.morseIndex === undefined ? '—' : String(report.morseIndex)],
      ['time', `${report.seconds.toFixed(2)} s`],
    ];
    const values = report.eigenvalues;
    if (values) {
      rows.push([
        'λ_min, λ_max',
        `${formatNumber(values[0])}, ${formatNumber(values[values.length - 1])} (${report.spectrumMethod})`,
      ]);
      const zero = report.zeroThreshold;
      await spectrumChart.setData(
        'eigen',
        Array.from(values, (value, index) => ({
          index,
          value,
          sign: value < -zero ? 'negative' : value > zero ? 'positive' : 'zero (|λ| ≤ tol)',
        })),
      );
    } else {
      rows.push(['spectrum', report.spectrumSkipped ?? '—']);
      await spectrumChart.setData('eigen', []);
    }
    facts.replaceChildren(...rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v))));
    facts.dataset.verdict = report.verdict;
  };

  controls.train.addEventListener('click', () => void trainNow());
  controls.stop.addEventListener('click', () => {
    worker.stop();
    store.setTrained(undefined);
    // The fresh worker acquires its own device when it trains; ask it again what it has.
    probeGpu();
  });
  controls.certify.addEventListener('click', () => void certifyNow());
  controls.upload.addEventListener('change', async () => {
    const file = controls.upload.files?.[0];
    if (!file) return;
    const text = await file.text();
    try {
      const data = parseCsvData(text);
      store.csvText = text;
      store.update({ ...store.state, trained: false, data: { ...store.state.data, kind: 'csv' } });
      controls.show(store.state);
      notices.clear();
      status.textContent = `Loaded ${file.name}: ${data.count} samples, ${data.inputDim} inputs. Press Train.`;
    } catch (error) {
      notices.error(`${file.name}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      controls.upload.value = '';
    }
  });
  document.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
    if (typing || event.ctrlKey || event.metaKey || event.altKey || root.hidden) return;
    if (event.key === 't' && !controls.train.disabled) void trainNow();
    if (event.key === 'c' && !controls.certify.disabled) void certifyNow();
  });
  return { trainNow, loadPoint };
}

function pictureData(payload: TrainedPayload): Parameters<typeof drawInputPlot>[1] {
  return {
    inputDim: payload.inputDim,
    x: payload.x,
    y: payload.y,
    regions: payload.picture!.regions,
    kinks: payload.picture!.kinks,
  };
}
