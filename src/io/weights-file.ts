/**
 * The basin-weights file on disk. The format itself (schema, serialise, parse) lives in weights-format.ts, which has
 * no Node imports so that the browser explorer can bundle it; this module adds the file reading and writing.
 */
import { readFileSync, writeFileSync } from 'node:fs';

import { FileFormatError } from '../core/errors.js';
import { parseWeights, serialiseWeights, type WeightsFile } from './weights-format.js';

export * from './weights-format.js';

export function writeWeightsFile(path: string, weights: WeightsFile): void {
  writeFileSync(path, serialiseWeights(weights));
}

export function readWeightsFile(path: string): WeightsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FileFormatError(
      path,
      `cannot read the weights file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return parseWeights(text, path);
}
