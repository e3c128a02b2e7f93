import type { FloatArray } from '../core/dtype.js';
import { requireFinite, requireInteger } from '../core/errors.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import { lossValue } from '../model/gradient.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import { requireParameterVector } from './segment.js';

export interface SliceOptions {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  readonly centre: FloatArray;
  /** The two directions spanning the plane, e.g. from `sliceDirections`. */
  readonly directions: readonly [FloatArray, FloatArray];
  /** Half-width of the square [−span, span]² in units of the directions. Default 1. */
  readonly span?: number;
  /** Grid points per axis; an odd number puts the centre on the grid. Default 31. */
  readonly resolution?: number;
}

export interface LossSlice {
  /** Coordinates along the first direction (the x axis). */
  readonly alpha: Float64Array;
  /** Coordinates along the second direction (the y axis). */
  readonly beta: Float64Array;
  /** L(centre + α·d1 + β·d2), row-major with one row per β: loss[j·alpha.length + i] is at (alpha[i], beta[j]). */
  readonly loss: Float64Array;
  readonly min: number;
  readonly max: number;
}

/** The loss on a square grid in the plane through `centre` spanned by two directions (Li et al. 2018's 2-D plots). */
export function lossSlice(options: SliceOptions): LossSlice {
  const { architecture, loss, samples, centre, directions } = options;
  const size = parameterCount(architecture);
  requireParameterVector('centre', centre, size);
  requireParameterVector('directions[0]', directions[0], size);
  requireParameterVector('directions[1]', directions[1], size);
  const span = requireFinite('span', options.span ?? 1, Number.MIN_VALUE);
  const resolution = requireInteger('resolution', options.resolution ?? 31, 2, 1001);
  const axis = Float64Array.from({ length: resolution }, (_, i) => -span + (2 * span * i) / (resolution - 1));
  const [d1, d2] = directions;
  const values = new Float64Array(resolution * resolution);
  const theta = new Float64Array(size);
  let min = Infinity;
  let max = -Infinity;
  for (let j = 0; j < resolution; j++) {
    for (let i = 0; i < resolution; i++) {
      for (let p = 0; p < size; p++) theta[p] = centre[p] + axis[i] * d1[p] + axis[j] * d2[p];
      const value = lossValue(architecture, loss, theta, samples);
      values[j * resolution + i] = value;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
  }
  return { alpha: axis, beta: axis.slice(), loss: values, min, max };
}
