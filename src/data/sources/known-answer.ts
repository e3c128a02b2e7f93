import * as z from 'zod';
import type { Dataset } from '../dataset.js';
import { SWIRSZCZ_PROBLEMS } from '../swirszcz.js';
import { TOY_DATASETS, toyDataset } from '../toy.js';
import type { DType } from '../../core/dtype.js';
import { samplesAs } from '../../model/samples.js';
import { type DataShape, type DataSource, defineDataSource, labels } from './source.js';

/*
 * The built-in known-answer datasets of Swirszcz, Czarnecki & Pascanu as `basin train` data sources: the 1-D
 * regression sets D1–D3 and the 4-point classification sets Jellyfish and XOR. The points come from their
 * constructors in src/data (never copied here), so training, `basin certify --dataset` and the explorer all see the
 * same data, and `basin certify result.json` rebuilds them from the recorded `source` name.
 */

/** Swirszcz D1–D3: regression targets, so no label encoding; their nets are 1-m-1 ReLU with biases and sse loss. */
const swirszczSources: DataSource[] = Object.entries(SWIRSZCZ_PROBLEMS).map(([name, problem]) => {
  const width = problem().architecture.hidden[0].width;
  return defineDataSource({
    name,
    description:
      `Swirszcz et al.'s 1-D regression set ${name.slice(-2).toUpperCase()} (papers.md §3.4); ` +
      `the paper's net: --hidden ${width} --bias --loss sse`,
    schema: z.strictObject({ source: z.literal(name) }),
    shape: () => shapeOf(problem().dataset),
    load: async (_, context) => inPrecision(problem().dataset, context.dtype),
  });
});

/** Jellyfish and XOR: two classes, ±1 labels by default as everywhere in basin, {0, 1} on request. */
const toySources: DataSource[] = TOY_DATASETS.map((name) =>
  defineDataSource({
    name,
    description: `Swirszcz et al.'s 4-point 2-D classification set ${name} (papers.md §3.3), for 2-h-1 nets`,
    schema: z.strictObject({ source: z.literal(name), labels: labels.default('pm1') }),
    shape: (config) => shapeOf(toyDataset(name, config.labels)),
    load: async (config, context) => inPrecision(toyDataset(name, config.labels), context.dtype),
  }),
);

export const KNOWN_ANSWER_SOURCES: readonly DataSource[] = [...swirszczSources, ...toySources];

function inPrecision(dataset: Dataset, dtype: DType): Dataset {
  return { ...dataset, ...samplesAs(dataset, dtype) };
}

function shapeOf(dataset: Dataset): DataShape {
  return { count: dataset.count, inputDim: dataset.inputDim, outputDim: dataset.outputDim };
}
