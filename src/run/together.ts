import { AUTO_MIN_MULTIPLY_ADDS } from '../backend/backend.js';
import { allocate } from '../core/dtype.js';
import { DATA_SOURCES, dataSourceNamed, drawsFromRunSeed } from '../data/sources/index.js';
import type { DataSource } from '../data/sources/source.js';
import { multiplyAddsPerRow } from '../model/architecture.js';
import { summedObjective } from '../backend/restarts.js';
import { batchSizeOf, lockstepCompatible } from '../train/optimiser.js';
import { trainAsync, type TrainResult } from '../train/train.js';
import { norm2 } from '../train/vector.js';
import {
  finishRun,
  initialPoint,
  prepareRun,
  runEnvironment,
  type RunOptions,
  runTraining,
  type TrainingRun,
} from './pipeline.js';
import { resolveRunSpec, type RunSpec } from './spec.js';

/*
 * Batched restarts: runs that differ only in their seed trained together, K networks in lock-step on the same data
 * as one objective over the stacked θ (`restartsObjective` + `summedObjective`, src/backend/restarts.ts).
 *
 * That gives each run exactly the trajectory it takes alone (bit for bit on the reference backend) only when
 * - every run trains on the same samples: the data do not depend on the run's seed (fixed by `seeds.data` or the
 *   source's own seed, or a source without one such as the 4-point sets) and neither does the slope noise;
 * - every run sees the same evaluations: full batch (the minibatch order derives from the run's seed);
 * - the optimiser updates each coordinate from its own history (`lockstepCompatible`: not L-BFGS, whose line search
 *   couples the networks through the summed loss);
 * - nothing stops on the summed loss or gradient: no `lossTarget`, no `gradientNormTarget`;
 * - the engine is a host backend: the device loop trains one network.
 *
 * and it pays only for small nets: below `AUTO_MIN_MULTIPLY_ADDS` multiply-adds per evaluation, `auto` keeps a single
 * run on the TypeScript reference because ONNX Runtime's ~35 µs per call outweighs the work (docs/performance.md);
 * K such runs in one call share that cost. Larger runs already get ONNX Runtime alone; they run alone.
 */
export const LOCKSTEP_MAX_RUNS = 32;

/** Why runs of `spec` (one per seed) must train alone, or undefined when they may train together. */
export function lockstepObstacle(
  spec: RunSpec,
  sources: readonly DataSource[] = DATA_SOURCES,
): string | undefined {
  const section = spec.data as { source: string };
  const source = dataSourceNamed(section.source, sources);
  if (source === undefined) return `unknown data source ${section.source}`;
  if (spec.seeds?.data === undefined && drawsFromRunSeed(section, source)) {
    return 'each seed draws its own data (no fixed data seed)';
  }
  if (spec.slopeNoise !== undefined && spec.seeds?.slopeNoise === undefined) {
    return 'each seed draws its own slope noise';
  }
  if (spec.backend === 'webgpu') return 'the device loop trains one network';
  const resolved = resolveRunSpec(spec);
  if (!lockstepCompatible(resolved.optimiser)) {
    return `${resolved.optimiser.kind} couples the networks through the summed loss`;
  }
  if (resolved.stopping.lossTarget !== undefined || resolved.stopping.gradientNormTarget !== undefined) {
    return 'a loss or gradient-norm target would stop on the summed objective';
  }
  const shape = source.shape?.(section);
  if (shape === undefined) return 'the data size is known only once loaded';
  const batchSize = batchSizeOf(resolved.optimiser);
  if (batchSize !== undefined && batchSize < shape.count) return 'minibatches are shuffled by each seed';
  const work = shape.count * multiplyAddsPerRow(resolved.architecture(shape.inputDim, shape.outputDim));
  if (work >= AUTO_MIN_MULTIPLY_ADDS) {
    return `${work} multiply-adds per evaluation ≥ ${AUTO_MIN_MULTIPLY_ADDS}: large enough to run alone`;
  }
  return undefined;
}

/** How many runs of `spec` may train together: `LOCKSTEP_MAX_RUNS`, or 1 when they may not. */
export function lockstepLimit(spec: RunSpec, sources: readonly DataSource[] = DATA_SOURCES): number {
  return lockstepObstacle(spec, sources) === undefined ? LOCKSTEP_MAX_RUNS : 1;
}

/**
 * Trains `specs` (the same spec with different seeds) together when `lockstepObstacle` allows, else one by one with
 * `runTraining`. Each result is what `runTraining(spec)` gives: bit for bit on the reference backend, to rounding on
 * ONNX Runtime's batched graph. `together` in each result's training says how many trained at once. A group in which
 * a network diverges (which stops the summed run) is trained again one run at a time.
 */
export async function runTrainingTogether(
  specs: readonly RunSpec[],
  options: RunOptions = {},
): Promise<{ readonly runs: TrainingRun[]; readonly together: number }> {
  const alone = async (): Promise<{ runs: TrainingRun[]; together: number }> => {
    const runs: TrainingRun[] = [];
    for (const spec of specs) runs.push(await runTraining(spec, options));
    return { runs, together: 1 };
  };
  const sources = runEnvironment(options).sources;
  if (
    specs.length <= 1 ||
    specs.length > LOCKSTEP_MAX_RUNS ||
    lockstepObstacle(specs[0], sources) !== undefined
  ) {
    return alone();
  }
  const first = await prepareRun(specs[0], options);
  const { architecture, samples, resolved } = first;
  const size = first.initialTheta.length;
  const count = specs.length;
  const dtype = resolved.spec.model.dtype;
  const thetas = allocate(dtype, count * size);
  const prepared = specs.map((spec, k) => {
    const own = resolveRunSpec(spec);
    const run = { ...first, resolved: own, initialTheta: initialPoint(own, architecture, samples) };
    thetas.set(run.initialTheta, k * size);
    return run;
  });
  // The group's evaluation does the work of `count` networks: that is what the automatic choice weighs.
  const choice = runEnvironment(options).chooseHost(
    resolved.spec.backend as Exclude<RunSpec['backend'], 'webgpu'>,
    { architecture, loss: resolved.loss, samples },
    {
      rowsPerEvaluation: count * samples.count,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    },
  );
  const restarts = choice.backend.restartsObjective(architecture, resolved.loss, samples, count);
  let trained: TrainResult;
  let final: ReturnType<typeof restarts.evaluateEach>;
  try {
    trained = await trainAsync({
      objective: summedObjective(restarts),
      initialTheta: thetas,
      optimiser: resolved.optimiser,
      schedule: resolved.schedule,
      stopping: resolved.stopping,
      shuffleSeed: resolved.seeds.shuffle,
      ...(options.traceLimit === undefined ? {} : { traceLimit: options.traceLimit }),
    });
    if (trained.stopReason === 'diverged') return alone();
    // Each network's loss and gradient at its end point: what a run alone ends with.
    final = restarts.evaluateEach(trained.theta);
  } finally {
    restarts.dispose();
  }
  const runs = prepared.map((run, k) => {
    const gradient = final.gradients.subarray(k * size, (k + 1) * size);
    return finishRun(
      run,
      {
        ...trained,
        theta: trained.theta.slice(k * size, (k + 1) * size),
        finalLoss: final.losses[k],
        gradientNorm: norm2(gradient),
      },
      choice.record,
    );
  });
  return { runs, together: count };
}
