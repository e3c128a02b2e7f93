import { data, deriveSeed, model } from 'basin';
import type { CsvData } from '../csv-data.js';
import type { DataKind, ExplorerState } from '../state.js';

/** One training problem as the worker holds it: the data, the network and the loss, all from the state. */
export interface Problem {
  readonly architecture: model.Architecture;
  readonly loss: model.LossKind;
  /** The training samples, slope noise attached when it is on. */
  readonly samples: model.Samples;
  readonly labelEncoding: data.LabelEncoding | undefined;
  /** What the data picture and the results name the data. */
  readonly description: string;
  /** The slope noise's distribution and seed, recorded with exported weights because the loss depends on it. */
  readonly slopeNoise: model.SlopeNoiseRecord | undefined;
  /** The global minimum's loss when the data say it (a perfect fit exists), for the certificate. */
  readonly knownOptimum: number | undefined;
  /** Start every training run from Swirszcz et al.'s saturated network (the `saturation` dataset) instead of init. */
  readonly saturated: boolean;
}

/** The data kinds this build can generate; the others are listed in the UI as not available yet. */
export const AVAILABLE_DATA: ReadonlySet<DataKind> = new Set([
  'gaussian',
  'teacher',
  'xor',
  'jellyfish',
  'swirszcz-d1',
  'swirszcz-d2',
  'swirszcz-d3',
  'saturation',
  'csv',
]);

export function buildProblem(state: ExplorerState, csv: CsvData | undefined): Problem {
  const built = buildData(state, csv);
  const activation = model.parseActivation(state.model.activation);
  const architecture = model.mlp(built.samples.inputDim, state.model.widths, 1, activation, state.model.bias);
  const slopeNoise: model.SlopeNoiseRecord | undefined =
    state.model.slopeNoise === null
      ? undefined
      : {
          distribution: 'gaussian',
          mean: 1,
          std: state.model.slopeNoise,
          seed: deriveSeed(state.data.seed, 'slope-noise'),
        };
  const samples = slopeNoise
    ? model.withSlopeNoise(built.samples, architecture, slopeNoise, slopeNoise.seed)
    : built.samples;
  return {
    slopeNoise,
    knownOptimum: built.knownOptimum,
    saturated: state.data.kind === 'saturation',
    architecture,
    loss: state.model.loss,
    samples,
    labelEncoding: built.labelEncoding,
    description: built.description,
  };
}

interface Data {
  readonly samples: model.Samples;
  readonly knownOptimum?: number;
  readonly labelEncoding: data.LabelEncoding | undefined;
  readonly description: string;
}

function buildData(state: ExplorerState, csv: CsvData | undefined): Data {
  const { kind, count, inputDim, seed } = state.data;
  switch (kind) {
    case 'gaussian': {
      const set = data.gaussianRandomLabels({ count, inputDim, seed });
      return {
        samples: set,
        labelEncoding: set.labelEncoding,
        description: `Gaussian, random ±1 labels (N = ${count}, d0 = ${inputDim})`,
      };
    }
    case 'teacher': {
      const teacher = model.mlp(inputDim, [2], 1, { kind: 'leaky-relu', slope: 0 }, true);
      const set = data.teacherDataset({ count, teacher, seed, target: 'pm1' });
      return {
        samples: set,
        labelEncoding: set.labelEncoding,
        description: `ReLU teacher ${inputDim}-2-1, ±1 labels (N = ${count})`,
      };
    }
    case 'xor':
    case 'jellyfish': {
      const set = data.toyDataset(kind);
      return {
        samples: set,
        labelEncoding: set.labelEncoding,
        description: `${kind} (Swirszcz et al. §3.1.2, 4 points)`,
      };
    }
    case 'swirszcz-d1':
    case 'swirszcz-d2':
    case 'swirszcz-d3': {
      const known = {
        'swirszcz-d1': data.swirszczD1,
        'swirszcz-d2': data.swirszczD2,
        'swirszcz-d3': data.swirszczD3,
      }[kind]();
      return {
        samples: known.dataset,
        labelEncoding: known.dataset.labelEncoding,
        ...(known.knownOptimum === undefined ? {} : { knownOptimum: known.knownOptimum }),
        description: `Swirszcz ${kind.slice(-2).toUpperCase()} (posed for ${model.describeArchitecture(known.architecture)})`,
      };
    }
    case 'saturation': {
      const teacher = model.mlp(inputDim, [3], 1, { kind: 'leaky-relu', slope: 0 }, true);
      const set = data.teacherDataset({ count, teacher, seed, target: 'regression' });
      return {
        samples: set,
        labelEncoding: undefined,
        description: `saturated start on ReLU-teacher regression data (N = ${count}, d0 = ${inputDim}); training cannot leave it`,
      };
    }
    case 'csv': {
      if (!csv) throw new Error('data: the CSV dataset needs an uploaded file; choose one with "Upload CSV"');
      return {
        samples: model.makeSamples(csv.x, csv.y, csv.inputDim),
        labelEncoding: undefined,
        description: `uploaded CSV (N = ${csv.count}, d0 = ${csv.inputDim})`,
      };
    }
    default:
      throw new Error(
        `data: "${kind}" is not available in this build yet (available: ${[...AVAILABLE_DATA].join(', ')})`,
      );
  }
}
