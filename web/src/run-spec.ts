import { deriveSeed } from '../../src/core/rng.js';
import { dataSourceNamed } from '../../src/data/sources/index.js';
import type { DataShape } from '../../src/data/sources/source.js';
import { parseRunSpec, type RunSpec, type RunSpecInput } from '../../src/run/spec.js';
import { optimiserFromSettings } from '../../src/train/optimiser.js';
import type { CsvData } from './csv-data.js';
import type { ExplorerState } from './state.js';

/**
 * The explorer's state as the run spec the worker trains (src/run/spec.ts): the only reading of the Data, Network
 * and Optimiser panels, so that a copied link, the spec shown for `basin train` and the worker's run agree.
 *
 * Seeds: the URL has a data seed and an init seed, and they stay independent (changing the init seed keeps the data).
 * The spec fixes its streams from them: data ← data seed, slope noise ← derived from the data seed (the noise is part
 * of the problem, the same for every restart), init ← the init seed (restart k: derived from it), shuffle ← derived
 * from the init seed. These are the seeds the explorer has always used, so old links train to the same θ.
 *
 * Data kinds map to sources: gaussian, teacher (a 2-unit ReLU teacher, ±1 labels), xor, jellyfish, swirszcz-d1…d3,
 * saturation (regression data of a 3-unit ReLU teacher, started from Swirszcz's saturated network) and csv (the
 * uploaded file, inline).
 */
export function specFromState(state: ExplorerState, csv: CsvData | undefined, restart = 0): RunSpec {
  const { kind, mean, scale } = state.init;
  const spec: RunSpecInput = {
    seed: state.init.seed,
    seeds: explorerSeeds(state, restart),
    data: dataOf(state, csv),
    model: {
      hidden: [...state.model.widths],
      activation: state.model.activation,
      bias: state.model.bias,
      loss: state.model.loss,
      dtype: 'float64',
    },
    init:
      state.data.kind === 'saturation'
        ? { kind: 'saturated' }
        : kind === 'pytorch'
          ? { kind }
          : kind === 'gaussian'
            ? { kind, mean, std: scale }
            : { kind, mean, scale },
    optimiser: optimiserFromSettings(state.optimiser.kind, { batchSize: state.optimiser.batchSize }),
    schedule: { kind: 'constant', learningRate: state.optimiser.learningRate },
    stopping: { maxEpochs: state.optimiser.epochs },
    ...(state.model.slopeNoise === null
      ? {}
      : { slopeNoise: { distribution: 'gaussian', mean: 1, std: state.model.slopeNoise } }),
    backend: state.optimiser.engine === 'webgpu' ? 'webgpu' : 'reference',
  };
  return parseRunSpec(spec);
}

/** The spec's seeds for restart `restart` of the state (see `specFromState`). */
export function explorerSeeds(state: ExplorerState, restart = 0): NonNullable<RunSpec['seeds']> {
  const initSeed = restart === 0 ? state.init.seed : deriveSeed(state.init.seed, 'restart', restart);
  return {
    data: state.data.seed,
    slopeNoise: deriveSeed(state.data.seed, 'slope-noise'),
    init: initSeed,
    shuffle: deriveSeed(initSeed, 'shuffle'),
  };
}

/**
 * The size of the state's dataset when the explorer cannot change it: the known-answer sets (XOR, Jellyfish, Swirszcz
 * D1–D3), whose sources take no sample count. Samples N and Inputs d0 do not apply to them; undefined otherwise (the
 * uploaded CSV has the file's size, which the worker reports).
 */
export function fixedDataShape(state: ExplorerState): DataShape | undefined {
  if (state.data.kind === 'csv') return undefined;
  const section = dataOf(state, undefined) as { source: string };
  const source = dataSourceNamed(section.source);
  if (!source || 'count' in source.schema.shape) return undefined;
  return source.shape?.(source.schema.parse(section));
}

function dataOf(state: ExplorerState, csv: CsvData | undefined): RunSpecInput['data'] {
  const { kind, count, inputDim } = state.data;
  switch (kind) {
    case 'gaussian':
      return { source: 'gaussian', count, inputDim, labels: 'pm1' };
    case 'teacher':
      return {
        source: 'teacher',
        count,
        inputDim,
        hidden: [2],
        activation: 'relu',
        bias: true,
        target: 'pm1',
      };
    case 'saturation':
      return {
        source: 'teacher',
        count,
        inputDim,
        hidden: [3],
        activation: 'relu',
        bias: true,
        target: 'regression',
      };
    case 'xor':
    case 'jellyfish':
    case 'swirszcz-d1':
    case 'swirszcz-d2':
    case 'swirszcz-d3':
      return { source: kind };
    case 'csv': {
      if (!csv) throw new Error('data: the CSV dataset needs an uploaded file; choose one with "Upload CSV"');
      const rows = Array.from({ length: csv.count }, (_, n) =>
        Array.from(csv.x.subarray(n * csv.inputDim, (n + 1) * csv.inputDim)),
      );
      return { source: 'inline', x: rows, y: Array.from(csv.y) };
    }
  }
}
