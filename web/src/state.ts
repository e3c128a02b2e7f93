/**
 * Everything the explorer shows follows from this state, and the state round-trips through the URL's hash, so a
 * copied link reproduces the view (training is seeded and deterministic, so `trained` re-runs it to the same θ).
 * Pure data and functions: no DOM, so Node tests import it.
 */
import { model, train } from 'basin';

export const VIEWS = ['playground', 'landscape', 'minima', 'results'] as const;
export type View = (typeof VIEWS)[number];

export const DATA_KINDS = [
  'gaussian',
  'teacher',
  'xor',
  'jellyfish',
  'swirszcz-d1',
  'swirszcz-d2',
  'swirszcz-d3',
  'saturation',
  'csv',
] as const;
export type DataKind = (typeof DATA_KINDS)[number];

// Initialisations, optimisers and losses are the library's own lists (model.INIT_KINDS, train.OPTIMISER_KINDS,
// model.LOSS_KINDS), so the URL and the controls cannot drift from the names the library accepts.
/** Where training runs: basin's TypeScript library (float64), or its WebGPU engine (float32, full-batch Adam). */
export const ENGINES = ['cpu', 'webgpu'] as const;
export type EngineName = (typeof ENGINES)[number];
export const LANDSCAPE_MODES = ['slice', 'segment'] as const;

export interface ExplorerState {
  readonly view: View;
  readonly data: {
    readonly kind: DataKind;
    /** Sample count N (generated data only). */
    readonly count: number;
    /** Input dimension d0 (Gaussian and teacher data only). */
    readonly inputDim: number;
    readonly seed: number;
  };
  readonly model: {
    readonly widths: readonly number[];
    /** In the library's names: relu, leaky-relu:ρ, tanh, sigmoid, linear. */
    readonly activation: string;
    readonly bias: boolean;
    readonly loss: model.LossKind;
    /** Std of Soudry–Carmon's Gaussian slope noise N(1, σ²); null when off. */
    readonly slopeNoise: number | null;
  };
  readonly init: {
    readonly kind: model.InitKind;
    readonly mean: number;
    readonly scale: number;
    readonly seed: number;
  };
  readonly optimiser: {
    readonly kind: train.OptimiserKind;
    readonly learningRate: number;
    readonly batchSize: number;
    readonly epochs: number;
    /**
     * `webgpu` trains with the WebGPU engine when the browser has an adapter and the settings are ones it runs
     * (full-batch Adam: method adam, batch size ≥ N); otherwise training stays on the CPU and says why.
     */
    readonly engine: EngineName;
  };
  readonly trained: boolean;
  readonly landscape: {
    readonly mode: (typeof LANDSCAPE_MODES)[number];
    /** Half-width of the slice in units of the filter-normalised directions. */
    readonly span: number;
    readonly resolution: number;
    readonly directionSeed: number;
    /** Restarts of the multistart that picks the segment's end points (the worst and the best minimum). */
    readonly restarts: number;
  };
}

export const DEFAULT_STATE: ExplorerState = {
  view: 'playground',
  data: { kind: 'xor', count: 40, inputDim: 2, seed: 1 },
  model: { widths: [4], activation: 'relu', bias: true, loss: 'mse', slopeNoise: null },
  init: { kind: 'pytorch', mean: 0, scale: 1, seed: 1 },
  optimiser: { kind: 'adam', learningRate: 0.02, batchSize: 16, epochs: 400, engine: 'cpu' },
  trained: false,
  landscape: { mode: 'slice', span: 1, resolution: 31, directionSeed: 1, restarts: 8 },
};

/** One field of the state in the URL: its key, how to read it and write it. */
interface Field {
  readonly key: string;
  read(state: ExplorerState): string;
  write(state: ExplorerState, text: string): ExplorerState;
}

export class StateFieldError extends Error {
  constructor(key: string, expected: string, text: string) {
    super(`URL parameter "${key}": expected ${expected}, got ${JSON.stringify(text)}`);
  }
}

function choice<T extends string>(key: string, options: readonly T[], text: string): T {
  if ((options as readonly string[]).includes(text)) return text as T;
  throw new StateFieldError(key, `one of ${options.join(', ')}`, text);
}

function number(key: string, text: string, min: number, max: number, integer: boolean): number {
  const value = Number(text);
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new StateFieldError(key, `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`, text);
  }
  return value;
}

export function parseWidths(text: string, key = 'widths'): number[] {
  const parts = text.split(/[\s,-]+/).filter((part) => part !== '');
  if (parts.length === 0 || parts.length > 4) throw new StateFieldError(key, '1 to 4 widths like 8,8', text);
  return parts.map((part) => number(key, part, 1, 64, true));
}

export function checkActivation(text: string, key = 'act'): string {
  if (/^(relu|linear|tanh|sigmoid)$/.test(text)) return text;
  const leaky = /^leaky-relu:(.+)$/.exec(text);
  if (leaky && Number.isFinite(Number(leaky[1])) && Number(leaky[1]) !== 1) return text;
  throw new StateFieldError(key, 'relu, leaky-relu:ρ (ρ ≠ 1), tanh, sigmoid or linear', text);
}

const FIELDS: readonly Field[] = [
  { key: 'view', read: (s) => s.view, write: (s, t) => ({ ...s, view: choice('view', VIEWS, t) }) },
  {
    key: 'data',
    read: (s) => s.data.kind,
    write: (s, t) => ({ ...s, data: { ...s.data, kind: choice('data', DATA_KINDS, t) } }),
  },
  {
    key: 'n',
    read: (s) => String(s.data.count),
    write: (s, t) => ({ ...s, data: { ...s.data, count: number('n', t, 1, 5000, true) } }),
  },
  {
    key: 'd0',
    read: (s) => String(s.data.inputDim),
    write: (s, t) => ({ ...s, data: { ...s.data, inputDim: number('d0', t, 1, 64, true) } }),
  },
  {
    key: 'dseed',
    read: (s) => String(s.data.seed),
    write: (s, t) => ({ ...s, data: { ...s.data, seed: number('dseed', t, 0, 2 ** 32 - 1, true) } }),
  },
  {
    key: 'widths',
    read: (s) => s.model.widths.join(','),
    write: (s, t) => ({ ...s, model: { ...s.model, widths: parseWidths(t) } }),
  },
  {
    key: 'act',
    read: (s) => s.model.activation,
    write: (s, t) => ({ ...s, model: { ...s.model, activation: checkActivation(t) } }),
  },
  {
    key: 'bias',
    read: (s) => (s.model.bias ? '1' : '0'),
    write: (s, t) => ({ ...s, model: { ...s.model, bias: choice('bias', ['0', '1'], t) === '1' } }),
  },
  {
    key: 'loss',
    read: (s) => s.model.loss,
    write: (s, t) => ({ ...s, model: { ...s.model, loss: choice('loss', model.LOSS_KINDS, t) } }),
  },
  {
    key: 'noise',
    read: (s) => (s.model.slopeNoise === null ? 'off' : String(s.model.slopeNoise)),
    write: (s, t) => ({
      ...s,
      model: { ...s.model, slopeNoise: t === 'off' ? null : number('noise', t, 0, 10, false) },
    }),
  },
  {
    key: 'init',
    read: (s) => s.init.kind,
    write: (s, t) => ({ ...s, init: { ...s.init, kind: choice('init', model.INIT_KINDS, t) } }),
  },
  {
    key: 'imean',
    read: (s) => String(s.init.mean),
    write: (s, t) => ({ ...s, init: { ...s.init, mean: number('imean', t, -10, 10, false) } }),
  },
  {
    key: 'iscale',
    read: (s) => String(s.init.scale),
    write: (s, t) => ({ ...s, init: { ...s.init, scale: number('iscale', t, 0, 100, false) } }),
  },
  {
    key: 'seed',
    read: (s) => String(s.init.seed),
    write: (s, t) => ({ ...s, init: { ...s.init, seed: number('seed', t, 0, 2 ** 32 - 1, true) } }),
  },
  {
    key: 'opt',
    read: (s) => s.optimiser.kind,
    write: (s, t) => ({ ...s, optimiser: { ...s.optimiser, kind: choice('opt', train.OPTIMISER_KINDS, t) } }),
  },
  {
    key: 'lr',
    read: (s) => String(s.optimiser.learningRate),
    write: (s, t) => ({
      ...s,
      optimiser: { ...s.optimiser, learningRate: number('lr', t, 1e-9, 100, false) },
    }),
  },
  {
    key: 'batch',
    read: (s) => String(s.optimiser.batchSize),
    write: (s, t) => ({ ...s, optimiser: { ...s.optimiser, batchSize: number('batch', t, 1, 5000, true) } }),
  },
  {
    key: 'epochs',
    read: (s) => String(s.optimiser.epochs),
    write: (s, t) => ({ ...s, optimiser: { ...s.optimiser, epochs: number('epochs', t, 1, 100000, true) } }),
  },
  {
    key: 'engine',
    read: (s) => s.optimiser.engine,
    write: (s, t) => ({ ...s, optimiser: { ...s.optimiser, engine: choice('engine', ENGINES, t) } }),
  },
  {
    key: 'trained',
    read: (s) => (s.trained ? '1' : '0'),
    write: (s, t) => ({ ...s, trained: choice('trained', ['0', '1'], t) === '1' }),
  },
  {
    key: 'ls',
    read: (s) => s.landscape.mode,
    write: (s, t) => ({ ...s, landscape: { ...s.landscape, mode: choice('ls', LANDSCAPE_MODES, t) } }),
  },
  {
    key: 'span',
    read: (s) => String(s.landscape.span),
    write: (s, t) => ({ ...s, landscape: { ...s.landscape, span: number('span', t, 1e-6, 100, false) } }),
  },
  {
    key: 'res',
    read: (s) => String(s.landscape.resolution),
    write: (s, t) => ({ ...s, landscape: { ...s.landscape, resolution: number('res', t, 3, 101, true) } }),
  },
  {
    key: 'dirseed',
    read: (s) => String(s.landscape.directionSeed),
    write: (s, t) => ({
      ...s,
      landscape: { ...s.landscape, directionSeed: number('dirseed', t, 0, 2 ** 32 - 1, true) },
    }),
  },
  {
    key: 'restarts',
    read: (s) => String(s.landscape.restarts),
    write: (s, t) => ({ ...s, landscape: { ...s.landscape, restarts: number('restarts', t, 2, 64, true) } }),
  },
];

/** The URL hash for a state (without the leading '#'). Every field is written, so a link never depends on defaults. */
export function encodeState(state: ExplorerState): string {
  const params = new URLSearchParams();
  for (const field of FIELDS) params.set(field.key, field.read(state));
  return params.toString();
}

export interface DecodedState {
  readonly state: ExplorerState;
  /** One readable message per parameter that was malformed or unknown; those fields keep their defaults. */
  readonly problems: readonly string[];
  /** The `csv` parameter, if any: an uploaded dataset carried by the link (see csv-link.ts). */
  readonly csv: string | undefined;
}

export function decodeState(hash: string, base: ExplorerState = DEFAULT_STATE): DecodedState {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  let state = base;
  const problems: string[] = [];
  const known = new Set([...FIELDS.map((field) => field.key), 'csv']);
  for (const key of params.keys()) {
    if (!known.has(key)) problems.push(`URL parameter "${key}" is not one the explorer knows; ignored`);
  }
  for (const field of FIELDS) {
    const text = params.get(field.key);
    if (text === null) continue;
    try {
      state = field.write(state, text);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { state, problems, csv: params.get('csv') ?? undefined };
}
