import { architectureToJson } from '../io/weights-file.js';
import { parameterCount } from '../model/architecture.js';
import { nodeEnvironment } from '../run/node-environment.js';
import { runTraining, type TrainingRun } from '../run/pipeline.js';
import { runTrainingTogether } from '../run/together.js';
import { specFromCell } from './cell-spec.js';
import type { RunOptions, RunResult } from './run-result.js';
import { trainRunConfigSchema } from './train-runner.js';

/**
 * One run of the `train` runner: the cell's settings as a run spec (cell-spec.ts) for the repetition's seed, run by
 * the pipeline (src/run/pipeline.ts) on Node's environment. Seeds for the data, the slope noise, the initialisation
 * and the minibatch order all derive from the run's seed by the spec's one rule, so the run replays alone, and with
 * `basin train` on the same spec. With `certify` (on by default in sweeps), the end point is then polished and
 * certified in float64: the verdict and Hessian columns describe the polished point, the loss, MSE, MCE, gradient and
 * kink-margin columns still the trained one.
 */
export async function run(config: unknown, seed: number, options: RunOptions): Promise<RunResult> {
  const spec = specFromCell(trainRunConfigSchema.parse(config), seed);
  const trained = await runTraining(spec, {
    environment: nodeEnvironment,
    traceLimit: 2,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  });
  if (trained.training.stopReason === 'diverged')
    throw new Error('training diverged (a loss or gradient became non-finite)');
  return resultOf(trained, options, 1);
}

/**
 * Several seeds of one cell trained together (batched restarts, src/run/together.ts): each result is what
 * `run(config, seed, options)` gives (bit for bit on the reference backend, to rounding on ONNX Runtime's batched
 * graph), with `lockstepRuns` = the number of seeds trained at once.
 */
export async function runLockstep(
  config: unknown,
  seeds: readonly number[],
  options: RunOptions,
): Promise<RunResult[]> {
  const cell = trainRunConfigSchema.parse(config);
  const { runs, together } = await runTrainingTogether(
    seeds.map((seed) => specFromCell(cell, seed)),
    {
      environment: nodeEnvironment,
      traceLimit: 2,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    },
  );
  return runs.map((trained) => {
    if (trained.training.stopReason === 'diverged')
      throw new Error('training diverged (a loss or gradient became non-finite)');
    return resultOf(trained, options, together);
  });
}

/** A trained (and certified) run as the sweep store's row. */
function resultOf(trained: TrainingRun, options: RunOptions, lockstepRuns: number): RunResult {
  const { measures, training, certificate, architecture, backend } = trained;
  return {
    finalLoss: measures.finalLoss,
    mse: measures.finalMse,
    mce: measures.finalMce,
    gradientNorm: measures.gradientNorm,
    kinkMargin: measures.minAbsPreActivation,
    minEigenvalue: null,
    maxEigenvalue: null,
    morseIndex: null,
    verdict: null,
    ...certificate?.columns,
    iterations: training.epochs,
    constantOutput: measures.constantOutput,
    backend: backend.backend,
    lockstepRuns,
    extra: {
      stopReason: training.stopReason,
      parameterCount: parameterCount(architecture),
      // `threads` null: the backend's own choice (ONNX Runtime: by the work of each session run, threads.ts).
      backendChoice: { ...backend, threads: options.threads ?? null },
      ...certificate?.extra,
      ...(certificate === undefined ? {} : { certifySettings: trained.resolved.certify }),
    },
    ...(options.keepWeights
      ? {
          weights: {
            architecture: architectureToJson(architecture),
            theta: Float64Array.from(training.theta),
          },
        }
      : {}),
  };
}
