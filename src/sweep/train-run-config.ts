import { parseActivation } from '../model/activation.js';
import { type Architecture, mlp } from '../model/architecture.js';
import { DEFAULT_OPTIMISERS, type OptimiserConfig } from '../train/optimiser.js';
import type { TrainRunConfig } from './train-runner.js';

/**
 * What a `train` runner config means as basin objects: the network and the optimiser. One place, so that a run
 * (train-run.ts) and the lock-step decision (lockstep.ts) cannot read the same settings differently.
 */
export function buildArchitecture(c: TrainRunConfig, inputDim: number): Architecture {
  const width = c.width === 'd0' ? inputDim : c.width;
  return mlp(inputDim, Array<number>(c.depth).fill(width), 1, parseActivation(c.activation), c.bias);
}

export function optimiserOf(c: TrainRunConfig): OptimiserConfig {
  switch (c.optimiser) {
    case 'gd':
      return { kind: 'gd', momentum: c.momentum };
    case 'sgd':
      return {
        kind: 'sgd',
        batchSize: c.batchSize ?? DEFAULT_OPTIMISERS.sgd.batchSize,
        momentum: c.momentum,
      };
    case 'adam':
      return { ...DEFAULT_OPTIMISERS.adam, ...(c.batchSize === undefined ? {} : { batchSize: c.batchSize }) };
    case 'lbfgs':
      return DEFAULT_OPTIMISERS.lbfgs;
  }
}
