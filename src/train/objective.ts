import type { FloatArray } from '../core/dtype.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import { checkCompatible } from '../model/forward.js';
import { lossAndGradient } from '../model/gradient.js';
import type { LossKind } from '../model/loss.js';
import { checkBatch, type Samples, selectSamples } from '../model/samples.js';

/** The loss and its gradient at one point, in θ's precision. */
export interface Evaluation {
  readonly loss: number;
  readonly gradient: FloatArray;
}

/**
 * What an optimiser sees of a training problem: a differentiable function of the flat parameter vector θ (layout of
 * `parameterLayout`), defined on the whole training set or on a minibatch of it.
 *
 * `evaluate(θ)` is the full-batch loss. `evaluate(θ, batch)` is the same loss formula applied to the rows `batch`
 * only: for `mse` that is (1/B)‖e_B‖² (PyTorch's `MSELoss` on a minibatch), for `sse` it is ‖e_B‖². Backends
 * (plain TypeScript, ONNX, WASM, …) implement this interface; `train` does not care which one it gets.
 */
export interface Objective {
  readonly parameterCount: number;
  readonly sampleCount: number;
  evaluate(theta: FloatArray, batch?: Int32Array): Evaluation;
}

/** The objective computed by basin's own closed-form backprop (`lossAndGradient`), the reference for every backend. */
export function referenceObjective(architecture: Architecture, loss: LossKind, samples: Samples): Objective {
  const size = parameterCount(architecture);
  // Validate shapes once here so that a mismatch is reported before training starts, not at the first step.
  checkCompatible(architecture, new Float64Array(size), samples);
  return {
    parameterCount: size,
    sampleCount: samples.count,
    evaluate(theta, batch) {
      const rows = batch === undefined ? samples : selectSamples(samples, checkBatch(batch, samples.count));
      const { loss: value, gradient } = lossAndGradient(architecture, loss, theta, rows);
      return { loss: value, gradient };
    },
  };
}
