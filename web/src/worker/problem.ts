import { data, model, run } from 'basin';
import type { CsvData } from '../csv-data.js';
import { specFromState } from '../run-spec.js';
import type { DataKind, ExplorerState } from '../state.js';

/** One training problem as the worker holds it: the data, the network and the loss, all from the state. */
export interface Problem {
  /** The run spec of the state (restart 0); restarts change its seeds only. */
  readonly spec: run.RunSpec;
  readonly dataset: data.Dataset;
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

/** The explorer's engines: the browser environment, its WebGPU device acquired once and kept. */
export const explorerEnvironment: run.RunEnvironment = run.browserEnvironment();

/** The state's run spec, prepared by the run pipeline: its data, network and slope noise as the worker holds them. */
export async function buildProblem(state: ExplorerState, csv: CsvData | undefined): Promise<Problem> {
  if (!AVAILABLE_DATA.has(state.data.kind)) {
    throw new Error(
      `data: "${state.data.kind}" is not available in this build yet (available: ${[...AVAILABLE_DATA].join(', ')})`,
    );
  }
  const spec = specFromState(state, csv);
  const prepared = await run.prepareRun(spec, { environment: explorerEnvironment });
  const { resolved, dataset } = prepared;
  const known = data.SWIRSZCZ_PROBLEMS[state.data.kind]?.();
  return {
    spec,
    dataset,
    slopeNoise: resolved.slopeNoise ? { ...resolved.slopeNoise, seed: resolved.seeds.slopeNoise } : undefined,
    knownOptimum: known?.knownOptimum,
    saturated: state.data.kind === 'saturation',
    architecture: prepared.architecture,
    loss: resolved.loss,
    samples: prepared.samples,
    labelEncoding: dataset.labelEncoding,
    description: describeData(state, csv, known),
  };
}

function describeData(
  state: ExplorerState,
  csv: CsvData | undefined,
  known: data.KnownAnswerProblem | undefined,
): string {
  const { kind, count, inputDim } = state.data;
  switch (kind) {
    case 'gaussian':
      return `Gaussian, random ±1 labels (N = ${count}, d0 = ${inputDim})`;
    case 'teacher':
      return `ReLU teacher ${inputDim}-2-1, ±1 labels (N = ${count})`;
    case 'xor':
    case 'jellyfish':
      return `${kind} (Swirszcz et al. §3.1.2, 4 points)`;
    case 'swirszcz-d1':
    case 'swirszcz-d2':
    case 'swirszcz-d3':
      return `Swirszcz ${kind.slice(-2).toUpperCase()} (posed for ${model.describeArchitecture(known!.architecture)})`;
    case 'saturation':
      return `saturated start on ReLU-teacher regression data (N = ${count}, d0 = ${inputDim}); training cannot leave it`;
    case 'csv':
      return `uploaded CSV (N = ${csv?.count ?? 0}, d0 = ${csv?.inputDim ?? 0})`;
  }
}
