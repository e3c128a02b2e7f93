import { type LossKind, lossScale } from '../model/loss.js';
import type { Samples } from '../model/samples.js';

/**
 * The loss scale that relative tolerances refer to: c·‖y‖², the loss of the network that outputs 0 everywhere
 * (for `mse` with ±1 labels that is 1). It depends on the data only, so the same point gets the same tolerances
 * however it was reached. All-zero targets fall back to 1 so that a tolerance never becomes 0.
 */
export function referenceLossScale(samples: Samples, loss: LossKind): number {
  let sum = 0;
  for (let k = 0; k < samples.y.length; k++) sum += samples.y[k] * samples.y[k];
  const scale = lossScale(loss, samples.count) * sum;
  return scale > 0 ? scale : 1;
}
