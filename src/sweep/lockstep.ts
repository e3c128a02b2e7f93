import { AUTO_MIN_MULTIPLY_ADDS } from '../backend/select.js';
import { multiplyAddsPerRow } from '../model/architecture.js';
import { batchSizeOf } from '../train/optimiser.js';
import { buildArchitecture, optimiserOf } from './train-run-config.js';
import type { TrainRunConfig } from './train-runner.js';

/**
 * Batched restarts in sweeps: the runs (seeds) of one cell trained together, K networks in lock-step on the same
 * data as one objective over the stacked θ (`restartsObjective` + `summedObjective`, src/backend/restarts.ts).
 *
 * That gives each seed exactly the trajectory it takes alone only when
 * - every seed trains on the same samples: the data do not depend on the run's seed (a fixed `dataSeed`, or the
 *   fixed 4-point sets jellyfish and xor) and there is no slope noise (drawn from the run's seed);
 * - every seed sees the same evaluations: full batch (the minibatch order derives from the run's seed);
 * - the optimiser updates each coordinate from its own history: gd (with or without momentum), sgd, adam — not
 *   L-BFGS, whose line search and curvature pairs couple the networks through the summed loss;
 * - nothing stops on the summed loss or gradient: no `lossTarget`, no `gradientNormTarget`.
 *
 * and it pays only for small nets: below `AUTO_MIN_MULTIPLY_ADDS` multiply-adds per evaluation, `auto` keeps a single
 * run on the TypeScript reference because ONNX Runtime's ~35 µs per call outweighs the work (docs/performance.md);
 * K such runs in one call share that cost, and the ONNX restarts graph reads X once for 16 networks. Larger runs
 * already get ONNX Runtime alone, and batching them would only trade memory (K × N × width intermediates) for the
 * 0.4–0.6 × per-network time of the benchmark's case (c); they run alone.
 */
export const LOCKSTEP_MAX_RUNS = 32;

/** How many seeds of a cell with config `c` may train together: `LOCKSTEP_MAX_RUNS`, or 1 when they may not. */
export function lockstepLimit(c: TrainRunConfig): number {
  return lockstepObstacle(c) === undefined ? LOCKSTEP_MAX_RUNS : 1;
}

/** Why the seeds of a cell with config `c` must run alone, or undefined when they may train in lock-step. */
export function lockstepObstacle(c: TrainRunConfig): string | undefined {
  const toy = c.dataset === 'jellyfish' || c.dataset === 'xor';
  if (!toy && c.dataSeed === undefined) return 'each seed draws its own data (no dataSeed)';
  if (c.slopeNoise > 0) return 'each seed draws its own slope noise';
  if (c.optimiser === 'lbfgs') return 'L-BFGS couples the networks through the summed loss';
  if (c.lossTarget !== undefined || c.gradientNormTarget !== undefined) {
    return 'a loss or gradient-norm target would stop on the summed objective';
  }
  const count = toy ? 4 : (c.N ?? 0);
  const inputDim = toy ? 2 : (c.d0 ?? 0);
  const batchSize = batchSizeOf(optimiserOf(c));
  if (batchSize !== undefined && batchSize < count) return 'minibatches are shuffled by each seed';
  const perRow = multiplyAddsPerRow(buildArchitecture(c, inputDim));
  const work = count * perRow;
  if (work >= AUTO_MIN_MULTIPLY_ADDS) {
    return `${work} multiply-adds per evaluation ≥ ${AUTO_MIN_MULTIPLY_ADDS}: large enough to run alone`;
  }
  return undefined;
}
