import * as z from 'zod';
import { InvalidArgumentError } from '../../core/errors.js';
import { gaussianRandomLabels } from '../gaussian.js';
import { LABEL_ENCODINGS } from '../labels.js';
import { teacherDataset } from '../teacher.js';
import { parseActivation } from '../../model/activation.js';
import { mlp } from '../../model/architecture.js';
import { makeSamples } from '../../model/samples.js';
import { requireNetworkFits } from '../../model/memory.js';
import { activationName, count, type DataSource, defineDataSource, labels, seed } from './source.js';
import { KNOWN_ANSWER_SOURCES } from './known-answer.js';

export type { DataContext, DataSource } from './source.js';
export { defineDataSource } from './source.js';

/*
 * The registry of data sources (see source.ts for what a source is): generated data (gaussian, teacher), samples
 * written in the spec (inline) and the built-in known-answer datasets (known-answer.ts). These run anywhere; files on
 * disk (`file`, file.ts) are a Node-only source that `NODE_DATA_SOURCES` (node.ts) adds. Adding a source is one
 * entry in `DATA_SOURCES` (or `NODE_DATA_SOURCES` when it needs the file system).
 */

export const gaussianSource = defineDataSource({
  name: 'gaussian',
  description: 'x ~ N(0, I), random labels with probability ½ each (Soudry–Hoffer Fig. 5.1/5.2)',
  schema: z.strictObject({
    source: z.literal('gaussian'),
    count,
    inputDim: count,
    labels: labels.default('pm1'),
    seed: seed.optional(),
  }),
  shape: (config) => ({ count: config.count, inputDim: config.inputDim, outputDim: 1 }),
  load: async (config, context) =>
    gaussianRandomLabels({
      count: config.count,
      inputDim: config.inputDim,
      seed: config.seed ?? context.seed,
      labelEncoding: config.labels,
      dtype: context.dtype,
    }),
});

export const teacherSource = defineDataSource({
  name: 'teacher',
  description: 'x ~ N(0, I) labelled by a random teacher network (N(0,1) weights)',
  schema: z.strictObject({
    source: z.literal('teacher'),
    count,
    inputDim: count,
    hidden: z.array(count).default([4]),
    activation: activationName.default('relu'),
    bias: z.boolean().default(true),
    target: z.enum(['regression', ...LABEL_ENCODINGS]).default('pm1'),
    seed: seed.optional(),
  }),
  shape: (config) => ({ count: config.count, inputDim: config.inputDim, outputDim: 1 }),
  load: async (config, context) => {
    const teacher = mlp(config.inputDim, config.hidden, 1, parseActivation(config.activation), config.bias);
    requireNetworkFits(teacher, 'data.hidden', 1, 'float64');
    return teacherDataset({
      count: config.count,
      teacher,
      seed: config.seed ?? context.seed,
      target: config.target,
      dtype: context.dtype,
    });
  },
});

export const inlineSource = defineDataSource({
  name: 'inline',
  description:
    'samples written in the config itself: x as a list of rows, y as one target (or row) per sample',
  schema: z
    .strictObject({
      source: z.literal('inline'),
      x: z.array(z.array(z.number({ error: 'a finite number' })).min(1)).min(1, {
        error: 'at least one sample (N ≥ 1)',
      }),
      y: z.array(
        z.union([z.number({ error: 'a finite number' }), z.array(z.number({ error: 'a finite number' }))]),
      ),
      labels: labels.optional(),
    })
    .superRefine((config, context) => {
      // `x: []` has its own error from .min(1); the checks below compare rows with the first one.
      if (config.x.length === 0) return;
      const width = config.x[0].length;
      config.x.forEach((row, n) => {
        if (row.length !== width) {
          context.addIssue({
            code: 'custom',
            path: ['x', n],
            message: `a row of ${width} numbers (like data.x[0])`,
            input: row,
          });
        }
      });
      const targets = Array.isArray(config.y[0]) ? config.y[0].length : undefined;
      config.y.forEach((target, n) => {
        const length = Array.isArray(target) ? target.length : undefined;
        if (length !== targets || length === 0) {
          context.addIssue({
            code: 'custom',
            path: ['y', n],
            message:
              targets === undefined
                ? 'a number, like data.y[0]'
                : `a row of ${targets} numbers, like data.y[0]`,
            input: target,
          });
        }
      });
      if (config.y.length !== config.x.length) {
        context.addIssue({
          code: 'custom',
          path: ['y'],
          message: `${config.x.length} labels (one per row of data.x)`,
          input: config.y,
        });
      }
    }),
  shape: (config) => ({
    count: config.x.length,
    inputDim: config.x[0].length,
    outputDim: Array.isArray(config.y[0]) ? config.y[0].length : 1,
  }),
  load: async (config, context) => {
    const outputDim = Array.isArray(config.y[0]) ? config.y[0].length : 1;
    const samples = makeSamples(
      config.x.flat(),
      config.y.flat(),
      config.x[0].length,
      outputDim,
      context.dtype,
    );
    return {
      ...samples,
      labelEncoding: config.labels,
      provenance: { generator: 'inline', count: samples.count },
    };
  },
});

/**
 * Samples the caller hands to the pipeline (`runTraining(spec, { dataset })`): arrays already in memory, or data a
 * procedure of its own prepared (Table 1's whitened rows). The section records what they are; a spec naming it
 * cannot load anything by itself.
 */
export const providedSource = defineDataSource({
  name: 'provided',
  description: 'samples passed to runTraining with { dataset } (the section only describes them)',
  schema: z.strictObject({
    source: z.literal('provided'),
    description: z
      .string({ error: 'a description of the samples' })
      .min(1, { error: 'a description of the samples' }),
  }),
  load: (config) =>
    Promise.reject(
      new InvalidArgumentError(
        'data.source',
        'a source that loads data (provided samples come with runTraining(spec, { dataset }))',
        `provided: ${config.description}`,
      ),
    ),
});

/** The data sources that run in any environment (browser included), by `source` name. Add new sources here. */
export const DATA_SOURCES: readonly DataSource[] = [
  gaussianSource,
  teacherSource,
  inlineSource,
  ...KNOWN_ANSWER_SOURCES,
  providedSource,
];

export function dataSourceNamed(
  name: string,
  sources: readonly DataSource[] = DATA_SOURCES,
): DataSource | undefined {
  return sources.find((source) => source.name === name);
}

/** The `data` section's schema: a union over `sources`, selected by `source`. */
export function dataSectionSchema(sources: readonly DataSource[] = DATA_SOURCES): z.ZodType {
  const [first, ...rest] = sources.map((source) => source.schema);
  return z.discriminatedUnion('source', [first, ...rest]);
}

/**
 * Whether the section's samples are drawn from the run's seed: the source takes a `seed` and the section leaves it
 * to the run. Runs whose data do not depend on their seed can train together (batched restarts).
 */
export function drawsFromRunSeed(section: { readonly source: string }, source: DataSource): boolean {
  return 'seed' in source.schema.shape && (section as { seed?: unknown }).seed === undefined;
}
