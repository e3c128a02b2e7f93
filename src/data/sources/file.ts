import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import { InvalidArgumentError } from '../../core/errors.js';
import { withDenseProducts } from '../../backend/select.js';
import type { Dataset } from '../dataset.js';
import { samplesFingerprint } from '../fingerprint.js';
import { DATA_SPLITS, type DataSplit } from '../loaders/idx.js';
import { IMAGE_LAYOUTS, type ImageLayout, type SourceFormat } from '../loaders/image-set.js';
import { loadImageSet, SOURCE_FORMATS } from '../loaders/load.js';
import { parseBinarySplit } from '../preprocess/binary-split.js';
import { type PreprocessRecipe, prepareDataset } from '../preprocess/prepare.js';
import { DEFAULT_WHITENING_EPSILON, WHITENING_METHODS, type WhiteningMethod } from '../preprocess/whiten.js';
import { count, defineDataSource, labels, seed } from './source.js';

/*
 * `source: file`: samples from an IDX, CIFAR-10, NPY or CSV file or directory (`loadImageSet`), made into a binary
 * task by `prepareDataset` with every choice it offers. The fields mirror `basin data prepare`; `count`/`seed` are
 * the subset (so `--samples`/`--data-seed` apply) and `labels` the label encoding, as in the other sources.
 */

const binaryRule = z.string({ error: 'a binary split rule such as parity' }).superRefine((text, context) => {
  try {
    parseBinarySplit(text);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    context.addIssue({ code: 'custom', message: error.expected, input: text });
  }
});

const whitenSchema = z
  .strictObject({
    method: z.enum(WHITENING_METHODS as [WhiteningMethod, ...WhiteningMethod[]]),
    epsilon: z
      .number({ error: 'a finite number ≥ 0' })
      .min(0, { error: 'a finite number ≥ 0' })
      .default(DEFAULT_WHITENING_EPSILON),
    components: count.optional(),
  })
  .superRefine((whiten, context) => {
    if (whiten.method === 'zca' && whiten.components !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['components'],
        message: 'no value for ZCA (it keeps every direction; PCA can keep fewer)',
        input: whiten.components,
      });
    }
  });

const schema = z
  .strictObject({
    source: z.literal('file'),
    /** A file, or a directory of MNIST-style IDX files or CIFAR-10 batches; relative to the config file. */
    path: z.string({ error: 'a file or directory path' }).min(1, { error: 'a file or directory path' }),
    format: z.enum(SOURCE_FORMATS as [SourceFormat, ...SourceFormat[]]).optional(),
    /** Directories: which files (train, test, or both). */
    split: z.enum(DATA_SPLITS as [DataSplit, ...DataSplit[]]).default('train'),
    /** NPY labels, or an IDX label file not named by the MNIST convention. */
    labelFile: z.string().min(1).optional(),
    /** CSV: the column holding class labels (default `label`). */
    labelColumn: z.string().min(1).optional(),
    /** NPY/CSV: the shape of one sample, e.g. [28, 28]. */
    shape: z.array(count).min(1).optional(),
    layout: z.enum(IMAGE_LAYOUTS as [ImageLayout, ...ImageLayout[]]).optional(),
    binary: binaryRule.default('parity'),
    labels: labels.default('pm1'),
    /** Keep this many samples (seeded subset of those the binary rule keeps); all when absent. */
    count: count.optional(),
    /** Seed of the subset (default: derived from the run seed). */
    seed: seed.optional(),
    downsample: count.optional(),
    scale: z.boolean().default(true),
    standardise: z.boolean().default(false),
    whiten: whitenSchema.optional(),
  })
  .superRefine((config, context) => {
    if (config.seed !== undefined && config.count === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['seed'],
        message: 'no value without data.count (the seed picks the subset)',
        input: config.seed,
      });
    }
  });

type FileSourceConfig = z.infer<typeof schema>;

export const fileSource = defineDataSource({
  name: 'file',
  description:
    'an IDX, CIFAR-10, NPY or CSV file or directory, made a binary task (split, subset, whitening …)',
  schema,
  withAbsolutePaths: (config, baseDirectory) => ({
    ...config,
    path: resolve(baseDirectory, config.path),
    ...(config.labelFile === undefined ? {} : { labelFile: resolve(baseDirectory, config.labelFile) }),
  }),
  load: async (config, context) => {
    const at = (path: string): string => (isAbsolute(path) ? path : resolve(context.baseDirectory, path));
    const images = await namingConfigFields(() =>
      loadImageSet(at(config.path), {
        split: config.split,
        ...(config.format === undefined ? {} : { format: config.format }),
        ...(config.labelFile === undefined ? {} : { labels: at(config.labelFile) }),
        ...(config.labelColumn === undefined ? {} : { labelColumn: config.labelColumn }),
        ...(config.shape === undefined ? {} : { sampleShape: config.shape }),
        ...(config.layout === undefined ? {} : { layout: config.layout }),
      }),
    );
    const { dataset } = await namingConfigFields(async () =>
      withDenseProducts('auto', async (products) =>
        prepareDataset(
          images,
          recipe(config, context.seed, context.dtype),
          {},
          products === undefined ? {} : { products },
        ),
      ),
    );
    return withFingerprint(dataset);
  },
});

function recipe(
  config: FileSourceConfig,
  defaultSeed: number,
  dtype: PreprocessRecipe['dtype'],
): PreprocessRecipe {
  return {
    split: parseBinarySplit(config.binary, 'data.binary'),
    labelEncoding: config.labels,
    dtype,
    scaleToUnit: config.scale,
    standardise: config.standardise,
    // The loaded images are this run's own, so preprocessing may work in them instead of in a copy.
    reusePixels: true,
    ...(config.count === undefined
      ? {}
      : { subset: { count: config.count, seed: config.seed ?? defaultSeed } }),
    ...(config.downsample === undefined ? {} : { downsample: config.downsample }),
    ...(config.whiten === undefined ? {} : { whiten: config.whiten }),
  };
}

/** The dataset with a digest of its samples in the provenance, which `basin certify` compares on rebuilding. */
function withFingerprint(dataset: Dataset): Dataset {
  return { ...dataset, provenance: { ...dataset.provenance, fingerprint: samplesFingerprint(dataset) } };
}

/** Argument names of the loaders and of `prepareDataset` → the config fields the user wrote. */
const CONFIG_FIELDS: readonly [RegExp, string][] = [
  [/^images\.labels$/, 'labelFile'],
  [/^split(\..*)?$/, 'binary'],
  [/^subset\.count$|^count$/, 'count'],
  [/^subset\.seed$/, 'seed'],
  [/^downsample$/, 'downsample'],
  [/^scale$/, 'scale'],
  [/^whiten\.(.*)$/, 'whiten.$1'],
  [/^layout$/, 'layout'],
  [/^sampleShape$/, 'shape'],
  [/^labelColumn$/, 'labelColumn'],
  [/^labels$/, 'labelFile'],
  [/^format$/, 'format'],
];

/**
 * The `data.…` config field (without `data.`) that an argument of the loaders or of `prepareDataset` comes from
 * (`subset.count` → `count`, `whiten.components` → `whiten.components`), or undefined when none does. Data-dependent
 * checks, which a schema cannot make, are raised with the library's argument names; callers rename them with this.
 */
export function dataConfigField(argument: string): string | undefined {
  for (const [pattern, field] of CONFIG_FIELDS) {
    if (pattern.test(argument)) return argument.replace(pattern, field);
  }
  return undefined;
}

/**
 * Runs `work`, renaming the argument of an `InvalidArgumentError` it throws with `rename` (by default to the `data.…`
 * field that set it: `subset.count: expected at most the 412 eligible samples` → `data.count: …`), so that
 * data-dependent checks name what the user wrote. File errors already name their file and pass unchanged.
 */
export async function namingConfigFields<T>(
  work: () => Promise<T>,
  rename: (field: string) => string | undefined = (field) => `data.${field}`,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    const field = dataConfigField(error.argument);
    const renamed = field === undefined ? undefined : rename(field);
    if (renamed === undefined) throw error;
    throw new InvalidArgumentError(renamed, error.expected, error.received);
  }
}
