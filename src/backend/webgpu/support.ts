import type { Architecture } from '../../model/architecture.js';
import { formatActivation } from '../../model/activation.js';
import { LOSS_KINDS, type LossKind } from '../../model/loss.js';
import type { Samples } from '../../model/samples.js';

/**
 * Why the WebGPU kernels cannot compute this problem, or `undefined` when they can (device limits aside; the engine
 * checks those against the device it gets). The kernels implement leaky ReLU (ReLU included) and linear hidden
 * layers, a linear output layer, biases on or off, any depth, mse and sse, without slope noise.
 */
export function webGpuUnsupportedReason(
  architecture: Architecture,
  loss: LossKind,
  samples: Samples,
): string | undefined {
  if (!LOSS_KINDS.includes(loss)) return `loss ${String(loss)}: the WebGPU kernels implement mse and sse`;
  for (const [i, layer] of architecture.hidden.entries()) {
    const kind = layer.activation.kind;
    if (kind !== 'leaky-relu' && kind !== 'linear') {
      return `hidden[${i}] activation ${formatActivation(layer.activation)}: the WebGPU kernels implement relu, leaky-relu and linear only`;
    }
  }
  if (samples.slopeNoise !== undefined) {
    return 'slope noise (samples.slopeNoise) is not implemented by the WebGPU kernels';
  }
  if (samples.count * Math.max(samples.inputDim, samples.outputDim) >= 2 ** 32) {
    return 'more sample values than 32-bit GPU indices can address';
  }
  return undefined;
}
