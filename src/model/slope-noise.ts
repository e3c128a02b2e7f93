import { allocate, type DType, type FloatArray } from '../core/dtype.js';
import { InvalidArgumentError, requireFinite } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Architecture } from './architecture.js';
import type { Samples } from './samples.js';

/**
 * The distribution of Soudry–Carmon's fixed multiplicative noise ε on each hidden unit's activation slope for each
 * sample. The paper needs only a distribution that is absolutely continuous; its experimental choice is unknown
 * (papers.md §2.2 [X]), so basin offers these, all centred at 1 by default:
 * - `gaussian`: ε ~ N(mean, std²)
 * - `uniform`: ε ~ U[mean − halfWidth, mean + halfWidth]
 * - `lognormal`: ε = mean·exp(σ·z − σ²/2), z ~ N(0,1) (positive, mean `mean`)
 */
export type SlopeNoise =
  | { readonly distribution: 'gaussian'; readonly mean: number; readonly std: number }
  | { readonly distribution: 'uniform'; readonly mean: number; readonly halfWidth: number }
  | { readonly distribution: 'lognormal'; readonly mean: number; readonly sigma: number };

export const DEFAULT_SLOPE_NOISE: SlopeNoise = { distribution: 'gaussian', mean: 1, std: 0.1 };

export function validateSlopeNoise(noise: SlopeNoise, argument = 'slopeNoise'): SlopeNoise {
  requireFinite(`${argument}.mean`, noise.mean);
  switch (noise.distribution) {
    case 'gaussian':
      requireFinite(`${argument}.std`, noise.std, 0);
      break;
    case 'uniform':
      requireFinite(`${argument}.halfWidth`, noise.halfWidth, 0);
      break;
    case 'lognormal':
      requireFinite(`${argument}.sigma`, noise.sigma, 0);
      break;
    default:
      throw new InvalidArgumentError(`${argument}.distribution`, 'gaussian, uniform or lognormal', noise);
  }
  return noise;
}

/** Draws one noise matrix per hidden layer (count × width), reproducibly from `seed`. */
export function drawSlopeNoise(
  noise: SlopeNoise,
  architecture: Architecture,
  count: number,
  seed: number,
  dtype: DType = 'float64',
): FloatArray[] {
  validateSlopeNoise(noise);
  const rng = new Rng(seed);
  return architecture.hidden.map((layer) => {
    const matrix = allocate(dtype, count * layer.width);
    for (let k = 0; k < matrix.length; k++) matrix[k] = sampleNoise(noise, rng);
    return matrix;
  });
}

function sampleNoise(noise: SlopeNoise, rng: Rng): number {
  switch (noise.distribution) {
    case 'gaussian':
      return noise.mean + noise.std * rng.gaussian();
    case 'uniform':
      return noise.mean + noise.halfWidth * (2 * rng.uniform() - 1);
    case 'lognormal':
      return noise.mean * Math.exp(noise.sigma * rng.gaussian() - (noise.sigma * noise.sigma) / 2);
  }
}

/** The samples with a freshly drawn, fixed noise matrix attached. */
export function withSlopeNoise(
  samples: Samples,
  architecture: Architecture,
  noise: SlopeNoise,
  seed: number,
): Samples {
  const dtype = samples.x instanceof Float64Array ? 'float64' : 'float32';
  return { ...samples, slopeNoise: drawSlopeNoise(noise, architecture, samples.count, seed, dtype) };
}
