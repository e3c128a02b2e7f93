import { writeOutputFile } from './output-file.js';
/**
 * The basin-weights file on disk. The format itself (schema, serialise, parse) lives in weights-format.ts, which has
 * no Node imports so that the browser explorer can bundle it; this module adds the file reading and writing.
 */

import { readUserFile } from './user-file.js';
import { parseWeights, serialiseWeights, type WeightsFile } from './weights-format.js';

export * from './weights-format.js';

export function writeWeightsFile(path: string, weights: WeightsFile): void {
  writeOutputFile(path, serialiseWeights(weights), 'the weights file');
}

export function readWeightsFile(path: string): WeightsFile {
  return parseWeights(readUserFile(path, 'the weights file'), path);
}
