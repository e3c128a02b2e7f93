import type { FloatArray } from '../../core/dtype.js';
import { InvalidArgumentError } from '../../core/errors.js';

/** x ← (x − offset) / divisor for every value: the map that takes the fitted data to [0, 1]. */
export interface UnitScaling {
  readonly offset: number;
  readonly divisor: number;
  /** `bytes`: the file stores 0–255, so the map is ÷ 255; `min-max`: the data's own smallest and largest value. */
  readonly rule: 'bytes' | 'min-max';
}

/** The [0, 1] map for these values: ÷ 255 for byte-valued files, (x − min)/(max − min) otherwise. */
export function fitUnitScaling(x: FloatArray, storedAsBytes: boolean): UnitScaling {
  if (storedAsBytes) return { offset: 0, divisor: 255, rule: 'bytes' };
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
  }
  if (!(max > min)) {
    throw new InvalidArgumentError(
      'scale',
      'data with at least two distinct values to map onto [0, 1]',
      `all ${min}`,
    );
  }
  return { offset: min, divisor: max - min, rule: 'min-max' };
}

export function applyUnitScaling(x: FloatArray, scaling: UnitScaling): void {
  const { offset, divisor } = scaling;
  for (let i = 0; i < x.length; i++) x[i] = (x[i] - offset) / divisor;
}
