import { createHash } from 'node:crypto';
import type { Samples } from '../model/samples.js';

/**
 * A SHA-256 digest of the samples exactly as training sees them (sizes, precision, the bytes of x and y), written
 * as `sha256:<hex>`. Data read from files can change after a run; a result that records this digest lets
 * `basin certify` check that the data it rebuilds are the ones the network was trained on. Hashing runs at several
 * hundred MB/s, well under the time it took to load the files.
 */
export function samplesFingerprint(samples: Samples): string {
  const hash = createHash('sha256');
  const precision = samples.x instanceof Float32Array ? 'float32' : 'float64';
  hash.update(JSON.stringify([samples.count, samples.inputDim, samples.outputDim, precision]));
  for (const array of [samples.x, samples.y]) {
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }
  return `sha256:${hash.digest('hex')}`;
}
