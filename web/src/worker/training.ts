import type { FloatArray } from '../../../src/core/dtype.js';
import { deriveSeed } from '../../../src/core/rng.js';
import { saturatedNetwork } from '../../../src/data/swirszcz.js';
import { type Initialisation, initialise } from '../../../src/model/init.js';
import { referenceObjective } from '../../../src/train/objective.js';
import { DEFAULT_OPTIMISERS, type OptimiserConfig } from '../../../src/train/optimiser.js';
import { type EpochProgress, train, type TrainResult } from '../../../src/train/train.js';
import type { ExplorerState } from '../state.js';
import type { Problem } from './problem.js';

export function initialisationOf(state: ExplorerState): Initialisation {
  const { kind, mean, scale } = state.init;
  switch (kind) {
    case 'pytorch':
      return { kind };
    case 'lecun':
    case 'xavier':
      return { kind, mean, scale, biasMean: 0, biasStd: 0 };
    case 'gaussian':
      return { kind, mean, std: scale, biasMean: 0, biasStd: 0 };
  }
}

export function optimiserOf(state: ExplorerState): OptimiserConfig {
  const { kind, batchSize } = state.optimiser;
  switch (kind) {
    case 'gd':
      return DEFAULT_OPTIMISERS.gd;
    case 'sgd':
      return { ...DEFAULT_OPTIMISERS.sgd, batchSize };
    case 'adam':
      return { ...DEFAULT_OPTIMISERS.adam, batchSize };
    case 'lbfgs':
      return DEFAULT_OPTIMISERS.lbfgs;
  }
}

/**
 * Trains the problem from the state's seeded initialisation with the library's `train`: the same call the CLI makes,
 * so a result here is the result there. `restart` selects an independent initialisation (multistart); restart 0 is
 * the playground's own network.
 */
export function trainProblem(
  problem: Problem,
  state: ExplorerState,
  restart = 0,
  onEpoch?: (progress: EpochProgress) => void,
): TrainResult & { readonly initialTheta: FloatArray } {
  const { seed, initialTheta } = initialPoint(problem, state, restart);
  const result = train({
    objective: referenceObjective(problem.architecture, problem.loss, problem.samples),
    initialTheta,
    optimiser: optimiserOf(state),
    schedule: { kind: 'constant', learningRate: state.optimiser.learningRate },
    stopping: { maxEpochs: state.optimiser.epochs },
    shuffleSeed: deriveSeed(seed, 'shuffle'),
    ...(onEpoch ? { onEpoch } : {}),
  });
  return { ...result, initialTheta };
}

/** The seeded starting point of restart `restart` (0: the playground's own network), and the seed it came from. */
export function initialPoint(
  problem: Problem,
  state: ExplorerState,
  restart = 0,
): { readonly seed: number; readonly initialTheta: FloatArray } {
  const seed = restart === 0 ? state.init.seed : deriveSeed(state.init.seed, 'restart', restart);
  const initialTheta = problem.saturated
    ? saturatedNetwork({ architecture: problem.architecture, samples: problem.samples, seed })
    : initialise(problem.architecture, initialisationOf(state), seed);
  return { seed, initialTheta };
}
