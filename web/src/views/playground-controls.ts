import * as basin from 'basin';
import { el, field, numberInput, select } from '../dom.js';
import { AVAILABLE_DATA } from '../worker/problem.js';
import type { GpuInfo } from '../worker/protocol.js';
import { fixedDataShape } from '../run-spec.js';
import { checkActivation, DATA_KINDS, type EngineName, type ExplorerState, parseWidths } from '../state.js';

const DATA_LABELS: Record<(typeof DATA_KINDS)[number], string> = {
  gaussian: 'Gaussian, random labels',
  teacher: 'Teacher network',
  xor: 'XOR',
  jellyfish: 'Jellyfish',
  'swirszcz-d1': 'Swirszcz D1',
  'swirszcz-d2': 'Swirszcz D2',
  'swirszcz-d3': 'Swirszcz D3',
  saturation: 'Saturation',
  csv: 'Uploaded CSV',
};

export interface PlaygroundControls {
  readonly root: HTMLElement;
  readonly train: HTMLButtonElement;
  readonly stop: HTMLButtonElement;
  readonly certify: HTMLButtonElement;
  readonly upload: HTMLInputElement;
  /** Puts the state's values into the form (after a URL load). */
  show(state: ExplorerState): void;
  /** Enables the WebGPU engine when the worker found an adapter, and says which (or why there is none). */
  showGpu(info: GpuInfo): void;
}

/**
 * The playground's form. Every change is validated with the same rules as the URL (state.ts), and a bad value is
 * reported by `onProblem` instead of reaching the worker.
 */
export function playgroundControls(
  initial: ExplorerState,
  onChange: (update: (state: ExplorerState) => ExplorerState) => void,
  onProblem: (message: string | undefined) => void,
): PlaygroundControls {
  const data = el('fieldset', {}, el('legend', {}, 'Data'));
  const dataKind = field(
    data,
    'Dataset',
    select(
      DATA_KINDS.map(
        (kind) =>
          [
            kind,
            AVAILABLE_DATA.has(kind) ? DATA_LABELS[kind] : `${DATA_LABELS[kind]} (not in this build)`,
          ] as const,
      ),
      initial.data.kind,
    ),
  );
  for (const option of dataKind.options) option.disabled = !AVAILABLE_DATA.has(option.value as never);
  const count = field(data, 'Samples N', numberInput(initial.data.count, '1', 1, 5000));
  const inputDim = field(data, 'Inputs d0', numberInput(initial.data.inputDim, '1', 1, 64));
  const dataSeed = field(data, 'Data seed', numberInput(initial.data.seed, '1', 0));
  const upload = field(
    data,
    'Upload CSV',
    el('input', { type: 'file', accept: '.csv,text/csv', id: 'csv-upload' }),
  );
  const sizeNote = el('p', { class: 'legend', id: 'data-size-note', hidden: true });
  data.append(sizeNote);

  const model = el('fieldset', {}, el('legend', {}, 'Network'));
  const widths = field(
    model,
    'Hidden widths',
    el('input', { type: 'text', value: initial.model.widths.join(','), 'aria-describedby': 'widths-help' }),
  );
  const activation = field(
    model,
    'Activation',
    select(['relu', 'leaky-relu:0.1', 'tanh', 'sigmoid', 'linear'], initial.model.activation),
  );
  if (activation.value !== initial.model.activation) {
    activation.append(el('option', { value: initial.model.activation }, initial.model.activation));
    activation.value = initial.model.activation;
  }
  const bias = field(model, 'Biases', el('input', { type: 'checkbox' }));
  const loss = field(model, 'Loss', select(basin.model.LOSS_KINDS, initial.model.loss));
  const noiseOn = field(model, 'Slope noise', el('input', { type: 'checkbox' }));
  const noiseStd = field(model, 'Noise σ', numberInput(initial.model.slopeNoise ?? 0.1, 'any', 0, 10));

  const init = el('fieldset', {}, el('legend', {}, 'Initialisation'));
  const initKind = field(init, 'Scheme', select(basin.model.INIT_KINDS, initial.init.kind));
  const initMean = field(init, 'Mean μ', numberInput(initial.init.mean, 'any', -10, 10));
  const initScale = field(init, 'Scale', numberInput(initial.init.scale, 'any', 0, 100));
  const seed = field(init, 'Seed', numberInput(initial.init.seed, '1', 0));

  const optimiser = el('fieldset', {}, el('legend', {}, 'Optimiser'));
  const optimiserKind = field(
    optimiser,
    'Method',
    select(basin.train.OPTIMISER_KINDS, initial.optimiser.kind),
  );
  const learningRate = field(
    optimiser,
    'Learning rate',
    numberInput(initial.optimiser.learningRate, 'any', 0),
  );
  const batchSize = field(optimiser, 'Batch size', numberInput(initial.optimiser.batchSize, '1', 1));
  const epochs = field(optimiser, 'Epochs', numberInput(initial.optimiser.epochs, '1', 1, 100000));
  const engine = field(
    optimiser,
    'Engine',
    select(
      [
        ['cpu', 'CPU (TypeScript)'],
        ['webgpu', 'WebGPU'],
      ],
      initial.optimiser.engine,
    ),
  );
  engine.id = 'engine';
  const gpuOption = engine.querySelector<HTMLOptionElement>('option[value=webgpu]')!;
  // Disabled until the worker reports an adapter; a link asking for webgpu keeps it selected meanwhile.
  gpuOption.disabled = initial.optimiser.engine !== 'webgpu';
  const engineNote = el(
    'p',
    { class: 'legend', id: 'engine-note' },
    'Looking for a WebGPU adapter… WebGPU runs full-batch Adam (method adam, batch size ≥ N) in float32; other settings train on the CPU.',
  );
  optimiser.append(engineNote);

  const train = el(
    'button',
    { type: 'button', class: 'primary', id: 'train', title: 'Train (keyboard: t)' },
    'Train',
  );
  const stop = el('button', { type: 'button', id: 'stop', disabled: true }, 'Stop');
  const certify = el('button', { type: 'button', id: 'certify', disabled: true }, 'Certify point');
  const root = el(
    'form',
    { class: 'controls', 'aria-label': 'Playground settings' },
    data,
    model,
    init,
    optimiser,
    el('div', { class: 'buttons' }, train, stop, certify),
  );
  root.addEventListener('submit', (event) => event.preventDefault());

  const num = (input: HTMLInputElement, name: string): number => {
    const value = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(value))
      throw new Error(`${name}: expected a number, got "${input.value}"`);
    return value;
  };

  /*
   * The known-answer sets and an uploaded CSV have their own size: Samples N and Inputs d0 are disabled for them and
   * show the fixed size, while the state keeps the values the generated datasets use (a disabled field is not read).
   */
  const showDataSize = (state: ExplorerState): void => {
    const fixed = fixedDataShape(state);
    const own = fixed !== undefined || state.data.kind === 'csv';
    count.disabled = own;
    inputDim.disabled = own;
    count.value = String(fixed?.count ?? state.data.count);
    inputDim.value = String(fixed?.inputDim ?? state.data.inputDim);
    if (state.data.kind === 'csv') {
      count.value = '';
      inputDim.value = '';
    }
    sizeNote.hidden = !own;
    sizeNote.textContent =
      fixed !== undefined
        ? `${DATA_LABELS[state.data.kind]} is a fixed set: N = ${fixed.count}, d0 = ${fixed.inputDim}.`
        : state.data.kind === 'csv'
          ? 'N and d0 are those of the uploaded CSV.'
          : '';
  };

  const read = (state: ExplorerState): ExplorerState => ({
    ...state,
    trained: false,
    data: {
      kind: dataKind.value as ExplorerState['data']['kind'],
      count: count.disabled ? state.data.count : num(count, 'Samples N'),
      inputDim: inputDim.disabled ? state.data.inputDim : num(inputDim, 'Inputs d0'),
      seed: num(dataSeed, 'Data seed'),
    },
    model: {
      widths: parseWidths(widths.value, 'Hidden widths'),
      activation: checkActivation(activation.value, 'Activation'),
      bias: bias.checked,
      loss: loss.value as ExplorerState['model']['loss'],
      slopeNoise: noiseOn.checked ? num(noiseStd, 'Noise σ') : null,
    },
    init: {
      kind: initKind.value as ExplorerState['init']['kind'],
      mean: num(initMean, 'Mean μ'),
      scale: num(initScale, 'Scale'),
      seed: num(seed, 'Seed'),
    },
    optimiser: {
      kind: optimiserKind.value as ExplorerState['optimiser']['kind'],
      learningRate: num(learningRate, 'Learning rate'),
      batchSize: num(batchSize, 'Batch size'),
      epochs: num(epochs, 'Epochs'),
      engine: engine.value as EngineName,
    },
  });

  root.addEventListener('change', (event) => {
    if (event.target === upload) return;
    try {
      let next: ExplorerState | undefined;
      onChange((state) => (next = read(state)));
      if (next) showDataSize(next);
      onProblem(undefined);
    } catch (error) {
      onProblem(error instanceof Error ? error.message : String(error));
    }
  });

  const show = (state: ExplorerState): void => {
    dataKind.value = state.data.kind;
    count.value = String(state.data.count);
    inputDim.value = String(state.data.inputDim);
    dataSeed.value = String(state.data.seed);
    widths.value = state.model.widths.join(',');
    activation.value = state.model.activation;
    bias.checked = state.model.bias;
    loss.value = state.model.loss;
    noiseOn.checked = state.model.slopeNoise !== null;
    noiseStd.value = String(state.model.slopeNoise ?? 0.1);
    initKind.value = state.init.kind;
    initMean.value = String(state.init.mean);
    initScale.value = String(state.init.scale);
    seed.value = String(state.init.seed);
    optimiserKind.value = state.optimiser.kind;
    learningRate.value = String(state.optimiser.learningRate);
    batchSize.value = String(state.optimiser.batchSize);
    epochs.value = String(state.optimiser.epochs);
    engine.value = state.optimiser.engine;
    showDataSize(state);
  };
  const showGpu = (info: GpuInfo): void => {
    gpuOption.disabled = !info.available;
    gpuOption.textContent = info.available ? 'WebGPU' : 'WebGPU (unavailable)';
    engine.dataset.gpu = info.available
      ? info.software
        ? 'software'
        : 'hardware'
      : info.failed
        ? 'failed'
        : 'none';
    engineNote.textContent = info.available
      ? `WebGPU adapter: ${info.adapter}${info.software ? ' (a CPU emulation: correct results, not GPU speed)' : ''}. It runs full-batch Adam (method adam, batch size ≥ N) in float32; other settings train on the CPU.`
      : `WebGPU unavailable: ${info.reason}. Training runs on the CPU.`;
  };
  show(initial);
  return { root, train, stop, certify, upload, show, showGpu };
}
