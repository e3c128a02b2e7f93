import { makeDirectory, writeOutputFile } from '../../io/output-file.js';
import { join } from 'node:path';
import { FileFormatError } from '../../core/errors.js';
import { readUserFileAsync } from '../../io/user-file.js';
import type { Dataset } from '../dataset.js';
import { type LabelEncoding, parseLabelEncoding } from '../labels.js';
import { readNpyFloatArray, writeNpy } from '../loaders/npy-array.js';

/**
 * A preprocessed dataset on disk, so that slow steps (whitening CIFAR-10 takes minutes) run once: a directory with
 * `x.npy` (count × inputDim), `y.npy` (count labels in the dataset's encoding) and `provenance.json`.
 */
export const PREPARED_FILES = { x: 'x.npy', y: 'y.npy', provenance: 'provenance.json' } as const;

export async function savePreparedDataset(directory: string, dataset: Dataset): Promise<void> {
  makeDirectory(directory);
  await writeNpy(join(directory, PREPARED_FILES.x), dataset.x, [dataset.count, dataset.inputDim]);
  await writeNpy(join(directory, PREPARED_FILES.y), dataset.y, [dataset.count]);
  const record = { labelEncoding: dataset.labelEncoding ?? null, provenance: dataset.provenance };
  writeOutputFile(
    join(directory, PREPARED_FILES.provenance),
    `${JSON.stringify(record, null, 2)}\n`,
    "the prepared dataset's provenance",
  );
}

/** Reads a directory written by {@link savePreparedDataset}; its provenance notes where it was loaded from. */
export async function loadPreparedDataset(directory: string): Promise<Dataset> {
  const provenanceFile = join(directory, PREPARED_FILES.provenance);
  const text = await readUserFileAsync(provenanceFile, "the prepared dataset's provenance");
  let record: { labelEncoding?: unknown; provenance?: unknown };
  try {
    record = JSON.parse(text) as typeof record;
  } catch (error) {
    throw new FileFormatError(
      provenanceFile,
      `cannot be read as JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof record.provenance !== 'object' || record.provenance === null) {
    throw new FileFormatError(provenanceFile, 'has no "provenance" object');
  }
  const labelEncoding: LabelEncoding | undefined =
    record.labelEncoding === null || record.labelEncoding === undefined
      ? undefined
      : parseLabelEncoding(String(record.labelEncoding), `${provenanceFile}: labelEncoding`);
  const x = await readNpyFloatArray(join(directory, PREPARED_FILES.x));
  const y = await readNpyFloatArray(join(directory, PREPARED_FILES.y));
  if (x.shape.length !== 2) {
    throw new FileFormatError(
      join(directory, PREPARED_FILES.x),
      `needs shape (count, inputDim), got (${x.shape.join(', ')})`,
    );
  }
  const [count, inputDim] = x.shape;
  if (y.shape.length !== 1 || y.shape[0] !== count) {
    throw new FileFormatError(
      join(directory, PREPARED_FILES.y),
      `needs shape (${count},) to match x.npy, got (${y.shape.join(', ')})`,
    );
  }
  const yValues =
    x.values instanceof Float32Array ? Float32Array.from(y.values) : Float64Array.from(y.values);
  return {
    x: x.values,
    y: yValues,
    count,
    inputDim,
    outputDim: 1,
    labelEncoding,
    provenance: { ...(record.provenance as Record<string, unknown>), preparedDirectory: directory },
  };
}
