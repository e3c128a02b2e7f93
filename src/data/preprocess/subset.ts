import { InvalidArgumentError, requireInteger } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';

/**
 * `count` of the row indices `from`, chosen uniformly without replacement by a seeded partial Fisher–Yates
 * shuffle (the Rng of src/core/rng.ts), returned in ascending order so that the subset keeps the files' order.
 */
export function seededSubset(from: Int32Array, count: number, seed: number): Int32Array {
  requireInteger('subset.count', count, 1);
  requireInteger('subset.seed', seed, 0, 0xffffffff);
  if (count > from.length) {
    throw new InvalidArgumentError('subset.count', `at most the ${from.length} eligible samples`, count);
  }
  const pool = Int32Array.from(from);
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) {
    const j = i + rng.integer(pool.length - i);
    const tmp = pool[i];
    pool[i] = pool[j];
    pool[j] = tmp;
  }
  return pool.subarray(0, count).sort();
}
