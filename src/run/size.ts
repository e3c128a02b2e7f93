import { bytesOf, requireMemory } from '../core/limits.js';
import type { DataShape } from '../data/sources/source.js';
import { parameterLayout } from '../model/architecture.js';
import { FLOAT64_BYTES, requireDataFits, requireNetworkFits } from '../model/memory.js';
import { batchSizeOf } from '../train/optimiser.js';
import type { ResolvedRun } from './spec.js';

/*
 * What a run will allocate, from its declared sizes, before it allocates it (src/core/limits.ts says why). Three
 * parts, each checked against the limit and named by the field that sets it:
 *   - the samples: N × (d0 + outputs) values, in the run's precision (`data.count`);
 *   - the network's training state: P parameters × a few copies (θ, gradient, the line search's trial point, the best
 *     point kept, the optimiser's moments or L-BFGS's 2m history vectors) (`model.hidden`);
 *   - one evaluation's layer caches: rows × Σ widths × 3 (pre-activations, activations, back-propagated errors), rows
 *     being the minibatch or all N; the end point is measured in float64 on all N (`model.hidden`).
 * The counts are lower bounds of what the engines keep, which is all a refusal needs: a run the check lets through
 * may still be large, but one it refuses could not have run within the limit.
 */

/** θ, gradient, trial point, best point: what every optimiser keeps beside its own state. */
const BASE_PARAMETER_COPIES = 4;
const CACHE_COPIES = 3;

function optimiserCopies(run: ResolvedRun): number {
  const settings = run.optimiser as { kind: string; memory?: number };
  if (settings.kind === 'lbfgs') return 2 * (settings.memory ?? 10);
  return settings.kind === 'adam' ? 2 : 1;
}

/** Throws a SizeLimitError naming the field at fault when a run of `run` on data of `shape` would exceed the limit. */
export function requireRunFits(run: ResolvedRun, shape: DataShape): void {
  const dtype = run.spec.model.dtype;
  const bytes = dtype === 'float32' ? 4 : FLOAT64_BYTES;
  requireDataFits(shape, dtype);
  const architecture = run.architecture(shape.inputDim, shape.outputDim);
  const layout = parameterLayout(architecture);
  requireNetworkFits(
    architecture,
    'model.hidden',
    BASE_PARAMETER_COPIES + optimiserCopies(run),
    dtype,
    'training a',
  );
  const units = layout.layers.reduce((sum, layer) => sum + layer.outputs, 0);
  const batch = batchSizeOf(run.optimiser);
  const rows = batch === undefined ? shape.count : Math.min(batch, shape.count);
  const cacheBytes = Math.max(
    bytesOf(rows * units * CACHE_COPIES, bytes),
    bytesOf(shape.count * units * CACHE_COPIES, FLOAT64_BYTES),
  );
  requireMemory(
    'model.hidden',
    `the layer outputs of ${shape.count} samples through ${units} units (× ${CACHE_COPIES} per unit)`,
    cacheBytes,
  );
}
