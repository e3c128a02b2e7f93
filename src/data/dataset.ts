import type { LabelEncoding } from './labels.js';
import type { Samples } from '../model/samples.js';

/** Samples plus what a result file must record about where they came from. */
export interface Dataset extends Samples {
  /** Binary encoding of the labels when the task is binary classification (MCE is then defined). */
  readonly labelEncoding: LabelEncoding | undefined;
  /** A JSON-serialisable description of how the data were made: generator or file, seed, preprocessing. */
  readonly provenance: Readonly<Record<string, unknown>>;
}
