import * as z from 'zod';
import type { DType } from '../../core/dtype.js';
import type { Dataset } from '../dataset.js';
import { LABEL_ENCODINGS, type LabelEncoding } from '../labels.js';
import { positiveInteger, seed32 } from '../../io/schema-primitives.js';

/**
 * Where `basin train` gets its samples: the `data` section of a training config, selected by its `source` key.
 *
 * A source is a strict zod schema whose `source` key is a literal with the source's name, and a `load` function
 * that returns a `Dataset` (samples, label encoding and a JSON provenance record). The registry `DATA_SOURCES`
 * (data-sources.ts) lists them; the config schema, the one-line error messages and `basin train --data <name>`
 * pick them up from there; `--samples`/`--input-dim`/`--labels` map to `count`/`inputDim`/`labels` when the schema
 * has them.
 */
export interface DataSource<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly description: string;
  readonly schema: S;
  load(config: z.infer<S>, context: DataContext): Promise<Dataset>;
  /**
   * The section with its file paths made absolute against `baseDirectory` (the config file's directory, or the
   * working directory). The resolved config is what result and weights files record, so `basin certify` can
   * rebuild the data from anywhere. Sources without paths leave this out.
   */
  withAbsolutePaths?(config: z.infer<S>, baseDirectory: string): z.infer<S>;
  /**
   * The data's size without loading them, for planning (which runs of a sweep may train together). Sources whose
   * size is known only once loaded (files) leave this out.
   */
  shape?(config: z.infer<S>): DataShape;
}

export interface DataShape {
  readonly count: number;
  readonly inputDim: number;
  readonly outputDim: number;
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

/** Schema pieces the sources share, so a count or seed is described the same way in every error. */
export const count = positiveInteger;
export const seed = seed32;
export const labels = z.enum(LABEL_ENCODINGS as [LabelEncoding, ...LabelEncoding[]]);
export { activationName } from '../../io/schema-primitives.js';
