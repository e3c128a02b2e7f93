import { InvalidArgumentError } from '../core/errors.js';
import { makeSamples } from '../model/samples.js';
import type { Dataset } from './dataset.js';
import { encodeLabel, type LabelEncoding } from './labels.js';

/**
 * The two 4-point classification sets of Swirszcz, Czarnecki & Pascanu v1 §3.1.2 (papers.md §3.3), for 2-h-1
 * networks. The paper does not state the label encoding or the loss [X]; basin uses the project default ±1 labels
 * (threshold 0) and accepts {0,1} on request.
 */
export type ToyDatasetName = 'jellyfish' | 'xor';

export const TOY_DATASETS: readonly ToyDatasetName[] = ['jellyfish', 'xor'];

/** Each point with its class (true = positive), copied from the paper. */
const POINTS: { readonly [K in ToyDatasetName]: readonly (readonly [number, number, boolean])[] } = {
  // Positive class [1.0, 0.0] and [0.2, 0.6]; negative class [0.0, 1.0] and [0.6, 0.2].
  jellyfish: [
    [1.0, 0.0, true],
    [0.2, 0.6, true],
    [0.0, 1.0, false],
    [0.6, 0.2, false],
  ],
  // The standard XOR points (the paper does not print them): positive where exactly one coordinate is 1.
  xor: [
    [0, 0, false],
    [0, 1, true],
    [1, 0, true],
    [1, 1, false],
  ],
};

export function toyDataset(name: ToyDatasetName, labelEncoding: LabelEncoding = 'pm1'): Dataset {
  const points = POINTS[name];
  if (points === undefined) throw new InvalidArgumentError('dataset', TOY_DATASETS.join(' or '), name);
  const x = points.flatMap((p) => [p[0], p[1]]);
  const y = points.map((p) => encodeLabel(p[2], labelEncoding));
  return {
    ...makeSamples(x, y, 2),
    labelEncoding,
    provenance: {
      generator: name,
      labelEncoding,
      source: 'Swirszcz, Czarnecki & Pascanu 2016, v1 §3.1.2 (papers.md §3.3)',
    },
  };
}

/** Jellyfish: (1, 0)+, (0.2, 0.6)+, (0, 1)−, (0.6, 0.2)−. */
export function jellyfish(labelEncoding: LabelEncoding = 'pm1'): Dataset {
  return toyDataset('jellyfish', labelEncoding);
}

/** XOR: (0, 0)−, (0, 1)+, (1, 0)+, (1, 1)−. */
export function xor(labelEncoding: LabelEncoding = 'pm1'): Dataset {
  return toyDataset('xor', labelEncoding);
}
