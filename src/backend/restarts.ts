import { allocate, dtypeOf, type FloatArray } from '../core/dtype.js';
import { BasinError, InvalidArgumentError, requireInteger } from '../core/errors.js';
import type { BackendName, BackendObjective } from './backend.js';

/** Losses and gradients of K networks at once. */
export interface RestartsEvaluation {
  /** loss_k of network k. */
  readonly losses: Float64Array;
  /** K × P, network k's gradient in row k, in θ's precision. */
  readonly gradients: FloatArray;
}

/**
 * K independent networks of the same architecture trained on the same samples (restarts from different
 * initialisations), evaluated together so that a backend can share X between them. θ for all K networks is one
 * array of K × P values, network k in [k·P, (k+1)·P) with the layout of `parameterLayout`.
 */
export interface RestartsObjective {
  readonly backend: BackendName;
  readonly restarts: number;
  /** P, parameters of one network. */
  readonly parameterCount: number;
  readonly sampleCount: number;
  evaluateEach(thetas: FloatArray, batch?: Int32Array): RestartsEvaluation;
  dispose(): void;
}

/** Throws unless `thetas` holds K × P parameters. */
export function checkRestartThetas(thetas: FloatArray, restarts: number, parameters: number): void {
  if (thetas.length !== restarts * parameters) {
    throw new InvalidArgumentError(
      'thetas',
      `${restarts} × ${parameters} = ${restarts * parameters} parameters (K networks × P)`,
      thetas.length,
    );
  }
}

/**
 * K networks evaluated one after the other through a single-network objective: what every backend can do, and
 * the reference that batched implementations are tested against.
 */
export function loopedRestartsObjective(single: BackendObjective, restarts: number): RestartsObjective {
  requireInteger('restarts', restarts, 1);
  const size = single.parameterCount;
  let disposed = false;
  return {
    backend: single.backend,
    restarts,
    parameterCount: size,
    sampleCount: single.sampleCount,
    evaluateEach(thetas, batch) {
      if (disposed) throw new BasinError('objective: evaluated after dispose()');
      checkRestartThetas(thetas, restarts, size);
      const losses = new Float64Array(restarts);
      const gradients = allocate(dtypeOf(thetas), thetas.length);
      for (let k = 0; k < restarts; k++) {
        const { loss: value, gradient } = single.evaluate(thetas.subarray(k * size, (k + 1) * size), batch);
        losses[k] = value;
        gradients.set(gradient, k * size);
      }
      return { losses, gradients };
    },
    dispose() {
      disposed = true;
      single.dispose();
    },
  };
}

/**
 * The K networks as one `Objective` over the stacked θ (K·P parameters) whose loss is Σ_k loss_k. Its gradient is
 * the K gradients side by side, so any optimiser that updates each coordinate from that coordinate's own history
 * (GD, SGD, momentum, Adam) takes, on the stacked θ, exactly the K independent trajectories in lock-step. Not so
 * for anything that couples coordinates (L-BFGS, line searches, loss or gradient-norm stopping targets): those
 * see the sum. Minibatch optimisers give every network the same batches.
 */
export function summedObjective(restarts: RestartsObjective): BackendObjective {
  return {
    backend: restarts.backend,
    parameterCount: restarts.restarts * restarts.parameterCount,
    sampleCount: restarts.sampleCount,
    evaluate(theta, batch) {
      const { losses, gradients } = restarts.evaluateEach(theta, batch);
      let total = 0;
      for (const value of losses) total += value;
      return { loss: total, gradient: gradients };
    },
    dispose() {
      restarts.dispose();
    },
  };
}
