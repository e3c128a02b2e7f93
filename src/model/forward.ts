import { allocate, dtypeOf, type FloatArray } from '../core/dtype.js';
import { InvalidArgumentError } from '../core/errors.js';
import { activationRule } from './activation.js';
import { type Architecture, parameterLayout, type ParameterLayout } from './architecture.js';
import { affine } from './kernels.js';
import type { Samples } from './samples.js';

/**
 * Everything a forward pass leaves behind for backprop and curvature: per layer the pre-activations U_l
 * (count × width) and, for hidden layers, the activations H_l = ε_l ⊙ f(U_l). The last entry of `pre` is the
 * network output.
 */
export interface ForwardCache {
  readonly layout: ParameterLayout;
  readonly samples: Samples;
  readonly pre: readonly FloatArray[];
  readonly post: readonly FloatArray[];
  readonly output: FloatArray;
}

export function checkCompatible(
  architecture: Architecture,
  theta: FloatArray,
  samples: Samples,
): ParameterLayout {
  const layout = parameterLayout(architecture);
  if (theta.length !== layout.size) {
    throw new InvalidArgumentError('theta', `${layout.size} parameters for this architecture`, theta.length);
  }
  if (samples.inputDim !== architecture.inputDim) {
    throw new InvalidArgumentError(
      'samples.inputDim',
      `${architecture.inputDim} (the network's input dimension)`,
      samples.inputDim,
    );
  }
  if (samples.outputDim !== architecture.outputDim) {
    throw new InvalidArgumentError(
      'samples.outputDim',
      `${architecture.outputDim} (the network's output dimension)`,
      samples.outputDim,
    );
  }
  if (samples.slopeNoise) {
    if (samples.slopeNoise.length !== architecture.hidden.length) {
      throw new InvalidArgumentError(
        'samples.slopeNoise',
        `one matrix per hidden layer (${architecture.hidden.length})`,
        samples.slopeNoise.length,
      );
    }
    samples.slopeNoise.forEach((noise, l) => {
      if (noise.length !== samples.count * architecture.hidden[l].width) {
        throw new InvalidArgumentError(`samples.slopeNoise[${l}]`, 'count × width entries', noise.length);
      }
    });
  }
  return layout;
}

/** Runs the network on every sample and keeps the intermediates. */
export function forward(architecture: Architecture, theta: FloatArray, samples: Samples): ForwardCache {
  const layout = checkCompatible(architecture, theta, samples);
  const dtype = dtypeOf(theta);
  const rows = samples.count;
  const pre: FloatArray[] = [];
  const post: FloatArray[] = [];
  let input: FloatArray = samples.x;
  layout.layers.forEach((layer, l) => {
    const u = allocate(dtype, rows * layer.outputs);
    affine(input, rows, theta, layer, u);
    pre.push(u);
    if (layer.activation === undefined) return;
    const rule = activationRule(layer.activation);
    const slope = layer.activation.kind === 'leaky-relu' ? layer.activation.slope : 0;
    const noise = samples.slopeNoise?.[l];
    const h = allocate(dtype, u.length);
    for (let k = 0; k < u.length; k++) h[k] = (noise ? noise[k] : 1) * rule.value(u[k], slope);
    post.push(h);
    input = h;
  });
  return { layout, samples, pre, post, output: pre[pre.length - 1] };
}

/** Network outputs (count × outputDim) for the given samples. */
export function predict(architecture: Architecture, theta: FloatArray, samples: Samples): FloatArray {
  return forward(architecture, theta, samples).output;
}
