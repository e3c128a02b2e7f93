import { InvalidArgumentError } from '../core/errors.js';
import type { StoredSweep } from '../sweep/store/result-store.js';

/**
 * Refuses `--sweep` names that the store does not hold, listing those it does, so that a mistyped name never reads
 * as an empty sweep (`basin results` and `basin report` share it).
 */
export function requireStoredSweeps(requested: readonly string[], stored: readonly StoredSweep[]): void {
  const known = stored.map((sweep) => sweep.sweep);
  const unknown = requested.find((name) => !known.includes(name));
  if (unknown !== undefined) {
    throw new InvalidArgumentError('--sweep', `one of ${known.join(', ') || '(no sweeps)'}`, unknown);
  }
}
