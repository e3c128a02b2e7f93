import { allocate, type DType, type FloatArray } from '../core/dtype.js';
import { InvalidArgumentError, requireFinite } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { type Architecture, parameterLayout } from './architecture.js';

/**
 * Weight initialisations.
 * - `pytorch`: PyTorch's default for nn.Linear: W and b ~ U(−1/√fan_in, 1/√fan_in) (kaiming_uniform with a = √5).
 *   This is what the Soudry–Hoffer code used.
 * - `lecun`: W ~ N(mean, σ²) with σ = scale/√fan_in (LeCun'98: scale 1).
 * - `xavier`: W ~ N(mean, σ²) with σ = scale·√(2/(fan_in + fan_out)) (Glorot'10: scale 1).
 * - `gaussian`: W ~ N(mean, std²) with a fixed std (Swirszcz's σ = 0.01 experiments).
 * For the normal families biases are N(biasMean, biasStd²), 0 by default. A non-zero `mean` gives Swirszcz et al.'s
 * shifted-mean "blind spot" initialisations.
 */
export type Initialisation =
  | { readonly kind: 'pytorch' }
  | {
      readonly kind: 'lecun' | 'xavier';
      readonly mean: number;
      readonly scale: number;
      readonly biasMean: number;
      readonly biasStd: number;
    }
  | {
      readonly kind: 'gaussian';
      readonly mean: number;
      readonly std: number;
      readonly biasMean: number;
      readonly biasStd: number;
    };

/** The initialisation schemes by name, in the order the explorer lists them. */
export type InitKind = Initialisation['kind'];
export const INIT_KINDS: readonly InitKind[] = ['pytorch', 'lecun', 'xavier', 'gaussian'];

export const DEFAULT_INITIALISATION: Initialisation = { kind: 'pytorch' };

export function initialise(
  architecture: Architecture,
  init: Initialisation,
  seed: number,
  dtype: DType = 'float64',
): FloatArray {
  const layout = parameterLayout(architecture);
  const theta = allocate(dtype, layout.size);
  const rng = new Rng(seed);
  for (const layer of layout.layers) {
    const { inputs, outputs, weightOffset, biasOffset } = layer;
    const weights = outputs * inputs;
    switch (init.kind) {
      case 'pytorch': {
        const bound = 1 / Math.sqrt(inputs);
        for (let k = 0; k < weights; k++) theta[weightOffset + k] = rng.uniformIn(-bound, bound);
        if (biasOffset !== undefined) {
          for (let j = 0; j < outputs; j++) theta[biasOffset + j] = rng.uniformIn(-bound, bound);
        }
        break;
      }
      case 'lecun':
      case 'xavier':
      case 'gaussian': {
        requireFinite('init.mean', init.mean);
        requireFinite('init.biasMean', init.biasMean);
        requireFinite('init.biasStd', init.biasStd, 0);
        const std =
          init.kind === 'gaussian'
            ? requireFinite('init.std', init.std, 0)
            : requireFinite('init.scale', init.scale, 0) *
              (init.kind === 'lecun' ? 1 / Math.sqrt(inputs) : Math.sqrt(2 / (inputs + outputs)));
        for (let k = 0; k < weights; k++) theta[weightOffset + k] = init.mean + std * rng.gaussian();
        if (biasOffset !== undefined) {
          for (let j = 0; j < outputs; j++)
            theta[biasOffset + j] = init.biasMean + init.biasStd * rng.gaussian();
        }
        break;
      }
      default:
        throw new InvalidArgumentError('init.kind', 'pytorch, lecun, xavier or gaussian', init);
    }
  }
  return theta;
}
