import { type FloatArray, run, type train } from 'basin';
import { explorerSeeds } from '../run-spec.js';
import type { ExplorerState } from '../state.js';
import { explorerEnvironment, type Problem } from './problem.js';

/**
 * Trains a run spec in the worker: the library's run pipeline in the browser environment, the call `basin train`
 * and sweeps make on Node, so a result here is the result there (test/run/one-spec.test.ts checks it bit for bit).
 */
export function trainSpec(
  spec: run.RunSpec,
  options: {
    readonly dataset?: Problem['dataset'];
    readonly onEpoch?: (progress: train.EpochProgress) => void;
  } = {},
): Promise<run.TrainingRun> {
  return run.runTraining(spec, {
    environment: explorerEnvironment,
    ...(options.dataset ? { dataset: options.dataset } : {}),
    ...(options.onEpoch ? { hooks: { onEpoch: options.onEpoch } } : {}),
  });
}

/**
 * Trains the problem from the state's seeded initialisation. `restart` selects an independent initialisation
 * (multistart); restart 0 is the playground's own network. The problem's data are reused (restarts differ in seeds
 * only); `engine` is the state's, so a webgpu run needs settings the device loop runs (see gpu-training.ts).
 */
export async function trainProblem(
  problem: Problem,
  state: ExplorerState,
  restart = 0,
  onEpoch?: (progress: train.EpochProgress) => void,
  engine: run.RunSpec['backend'] = 'reference',
): Promise<
  run.TrainingRun['training'] & { readonly initialTheta: FloatArray; readonly run: run.TrainingRun }
> {
  // Restarts differ from the playground's run in their seeds only. The GPU computes in float32: its θ starts as the
  // float32 rounding of the same draw, while the data stay the problem's.
  const spec: run.RunSpec = {
    ...problem.spec,
    seeds: explorerSeeds(state, restart),
    backend: engine,
    ...(engine === 'webgpu' ? { model: { ...problem.spec.model, dtype: 'float32' } } : {}),
  };
  const trained = await trainSpec(spec, { dataset: problem.dataset, ...(onEpoch ? { onEpoch } : {}) });
  return { ...trained.training, initialTheta: trained.initialTheta, run: trained };
}
