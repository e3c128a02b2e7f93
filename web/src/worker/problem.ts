import { deriveSeed } from '../../../src/core/rng.js';
import type { LabelEncoding } from '../../../src/data/labels.js';
import { gaussianRandomLabels } from '../../../src/data/gaussian.js';
import { teacherDataset } from '../../../src/data/teacher.js';
import { toyDataset } from '../../../src/data/toy.js';
import { swirszczD1, swirszczD2, swirszczD3 } from '../../../src/data/swirszcz.js';
import { parseActivation } from '../../../src/model/activation.js';
import { type Architecture, describeArchitecture, mlp } from '../../../src/model/architecture.js';
import type { LossKind } from '../../../src/model/loss.js';
import { makeSamples, type Samples } from '../../../src/model/samples.js';
import { withSlopeNoise } from '../../../src/model/slope-noise.js';
import type { SlopeNoiseRecord } from '../../../src/io/weights-format.js';
import type { CsvData } from '../csv-data.js';
import type { DataKind, ExplorerState } from '../state.js';

/** One training problem as the worker holds it: the data, the network and the loss, all from the state. */
export interface Problem {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  /** The training samples, slope noise attached when it is on. */
  readonly samples: Samples;
  readonly labelEncoding: LabelEncoding | undefined;
  /** What the data picture and the results name the data. */
  readonly description: string;
  /** The slope noise's distribution and seed, recorded with exported weights because the loss depends on it. */
  readonly slopeNoise: SlopeNoiseRecord | undefined;
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
  const data = buildData(state, csv);
  const activation = parseActivation(state.model.activation);
  const architecture = mlp(data.samples.inputDim, state.model.widths, 1, activation, state.model.bias);
  const slopeNoise: SlopeNoiseRecord | undefined =
    state.model.slopeNoise === null
      ? undefined
      : {
          distribution: 'gaussian',
          mean: 1,
          std: state.model.slopeNoise,
          seed: deriveSeed(state.data.seed, 'slope-noise'),
        };
  const samples = slopeNoise
    ? withSlopeNoise(data.samples, architecture, slopeNoise, slopeNoise.seed)
    : data.samples;
  return {
    slopeNoise,
    knownOptimum: data.knownOptimum,
    saturated: state.data.kind === 'saturation',
    architecture,
    loss: state.model.loss,
    samples,
    labelEncoding: data.labelEncoding,
    description: data.description,
  };
}

interface Data {
  readonly samples: Samples;
  readonly knownOptimum?: number;
  readonly labelEncoding: LabelEncoding | undefined;
  readonly description: string;
}

function buildData(state: ExplorerState, csv: CsvData | undefined): Data {
  const { kind, count, inputDim, seed } = state.data;
  switch (kind) {
    case 'gaussian': {
      const data = gaussianRandomLabels({ count, inputDim, seed });
      return {
        samples: data,
        labelEncoding: data.labelEncoding,
        description: `Gaussian, random ±1 labels (N = ${count}, d0 = ${inputDim})`,
      };
    }
    case 'teacher': {
      const teacher = mlp(inputDim, [2], 1, { kind: 'leaky-relu', slope: 0 }, true);
      const data = teacherDataset({ count, teacher, seed, target: 'pm1' });
      return {
        samples: data,
        labelEncoding: data.labelEncoding,
        description: `ReLU teacher ${inputDim}-2-1, ±1 labels (N = ${count})`,
      };
    }
    case 'xor':
    case 'jellyfish': {
      const data = toyDataset(kind);
      return {
        samples: data,
        labelEncoding: data.labelEncoding,
        description: `${kind} (Swirszcz et al. §3.1.2, 4 points)`,
      };
    }
    case 'swirszcz-d1':
    case 'swirszcz-d2':
    case 'swirszcz-d3': {
      const known = { 'swirszcz-d1': swirszczD1, 'swirszcz-d2': swirszczD2, 'swirszcz-d3': swirszczD3 }[
        kind
      ]();
      return {
        samples: known.dataset,
        labelEncoding: known.dataset.labelEncoding,
        ...(known.knownOptimum === undefined ? {} : { knownOptimum: known.knownOptimum }),
        description: `Swirszcz ${kind.slice(-2).toUpperCase()} (posed for ${describeArchitecture(known.architecture)})`,
      };
    }
    case 'saturation': {
      const teacher = mlp(inputDim, [3], 1, { kind: 'leaky-relu', slope: 0 }, true);
      const data = teacherDataset({ count, teacher, seed, target: 'regression' });
      return {
        samples: data,
        labelEncoding: undefined,
        description: `saturated start on ReLU-teacher regression data (N = ${count}, d0 = ${inputDim}); training cannot leave it`,
      };
    }
    case 'csv': {
      if (!csv) throw new Error('data: the CSV dataset needs an uploaded file; choose one with "Upload CSV"');
      return {
        samples: makeSamples(csv.x, csv.y, csv.inputDim),
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
