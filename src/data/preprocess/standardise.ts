import type { FloatArray } from '../../core/dtype.js';

/** Per-feature x_j ← (x_j − mean_j) / scale_j, fitted on one set and reusable on another (train → test). */
export interface Standardisation {
  readonly mean: Float64Array;
  /** Population standard deviation (1/N) of each feature; 1 for constant features, which are only centred. */
  readonly scale: Float64Array;
  /** How many features were constant on the fitted data (and so were centred but not rescaled). */
  readonly constantFeatures: number;
}

/** Per-feature mean and standard deviation (two passes in float64, so no cancellation of large means). */
export function fitStandardisation(x: FloatArray, count: number, dim: number): Standardisation {
  const mean = featureMeans(x, count, dim);
  const variance = new Float64Array(dim);
  for (let n = 0; n < count; n++) {
    const base = n * dim;
    for (let j = 0; j < dim; j++) {
      const d = x[base + j] - mean[j];
      variance[j] += d * d;
    }
  }
  const scale = new Float64Array(dim);
  let constantFeatures = 0;
  for (let j = 0; j < dim; j++) {
    const std = Math.sqrt(variance[j] / count);
    // A feature constant up to rounding has no scale to divide by; centring alone keeps it finite.
    if (std <= 1e-12 * Math.max(1, Math.abs(mean[j]))) {
      scale[j] = 1;
      constantFeatures++;
    } else {
      scale[j] = std;
    }
  }
  return { mean, scale, constantFeatures };
}

export function applyStandardisation(
  x: FloatArray,
  count: number,
  dim: number,
  fitted: Standardisation,
): void {
  const { mean, scale } = fitted;
  for (let n = 0; n < count; n++) {
    const base = n * dim;
    for (let j = 0; j < dim; j++) x[base + j] = (x[base + j] - mean[j]) / scale[j];
  }
}

/** Mean of each column of a count × dim row-major matrix, accumulated in float64. */
export function featureMeans(x: FloatArray, count: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let n = 0; n < count; n++) {
    const base = n * dim;
    for (let j = 0; j < dim; j++) mean[j] += x[base + j];
  }
  for (let j = 0; j < dim; j++) mean[j] /= count;
  return mean;
}
