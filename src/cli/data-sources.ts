import * as z from 'zod';
import type { DType } from '../core/dtype.js';
import type { Dataset } from '../data/dataset.js';
import { gaussianRandomLabels } from '../data/gaussian.js';
import { LABEL_ENCODINGS, type LabelEncoding } from '../data/labels.js';
import { teacherDataset } from '../data/teacher.js';
import { parseActivation } from '../model/activation.js';
import { mlp } from '../model/architecture.js';
import { makeSamples } from '../model/samples.js';

/**
 * Where `basin train` gets its samples: the `data` section of a training config, selected by its `source` key.
 *
 * Adding a source (e.g. a file loader) is one entry in `DATA_SOURCES`: a strict zod schema whose `source` key is a
 * literal with the source's name, and a `load` function that returns a `Dataset` (samples, label encoding and a
 * JSON provenance record). The config schema, the one-line error messages and `basin train --data <name>` pick it
 * up from there; `--samples`/`--input-dim`/`--labels` map to `count`/`inputDim`/`labels` when the schema has them.
 */
export interface DataSource<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly description: string;
  readonly schema: S;
  load(config: z.infer<S>, context: DataContext): Promise<Dataset>;
}

export interface DataContext {
  /** Seed for generated data when the section gives none (derived from the run's seed). */
  readonly seed: number;
  readonly dtype: DType;
  /** Directory that relative paths in the config are resolved against (the config file's directory). */
  readonly baseDirectory: string;
}

/** Keeps each source's `load` typed against its own schema while the registry holds them together. */
export function defineDataSource<S extends z.ZodObject>(source: DataSource<S>): DataSource {
  return source as unknown as DataSource;
}

const count = z
  .number({ error: 'an integer ≥ 1' })
  .int({ error: 'an integer ≥ 1' })
  .min(1, { error: 'an integer ≥ 1' });
const seed = z
  .number({ error: 'an integer in [0, 4294967295]' })
  .int({ error: 'an integer in [0, 4294967295]' })
  .min(0, { error: 'an integer in [0, 4294967295]' })
  .max(0xffffffff, { error: 'an integer in [0, 4294967295]' });
const labels = z.enum(LABEL_ENCODINGS as [LabelEncoding, ...LabelEncoding[]]);
const activationName = z.string().refine((text) => isActivation(text), {
  error: 'one of relu, leaky-relu:<ρ>, linear, tanh, sigmoid',
});

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
  load: async (config, context) =>
    teacherDataset({
      count: config.count,
      teacher: mlp(config.inputDim, config.hidden, 1, parseActivation(config.activation), config.bias),
      seed: config.seed ?? context.seed,
      target: config.target,
      dtype: context.dtype,
    }),
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
      if (config.y.length !== config.x.length) {
        context.addIssue({
          code: 'custom',
          path: ['y'],
          message: `${config.x.length} labels (one per row of data.x)`,
          input: config.y,
        });
      }
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

/** Every data source `basin train` knows, by `source` name. Add new sources here. */
export const DATA_SOURCES: readonly DataSource[] = [gaussianSource, teacherSource, inlineSource];

export function dataSourceNamed(name: string): DataSource | undefined {
  return DATA_SOURCES.find((source) => source.name === name);
}

/** The `data` section's schema: a union over the registered sources, selected by `source`. */
export function dataSectionSchema(): z.ZodType {
  const [first, ...rest] = DATA_SOURCES.map((source) => source.schema);
  return z.discriminatedUnion('source', [first, ...rest]);
}

function isActivation(text: string): boolean {
  try {
    parseActivation(text);
    return true;
  } catch {
    return false;
  }
}
