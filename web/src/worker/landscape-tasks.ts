import { landscape, Rng } from 'basin';
import type { ExplorerState } from '../state.js';
import type { Problem } from './problem.js';
import { trainProblem } from './training.js';

/** The 2-D slice around θ along two orthogonal, filter-normalised random directions. */
export function sliceAround(
  problem: Problem,
  state: ExplorerState,
  theta: Float64Array,
): landscape.LossSlice {
  const { span, resolution, directionSeed } = state.landscape;
  const directions = landscape.sliceDirections({
    architecture: problem.architecture,
    centre: theta,
    rng: new Rng(directionSeed),
  });
  return landscape.lossSlice({ ...problem, centre: theta, directions, span, resolution });
}

export interface MultistartSegment {
  /** Final loss of every restart, in restart order. */
  readonly finalLosses: readonly number[];
  readonly worst: number;
  readonly best: number;
  readonly profile: landscape.SegmentProfile;
}

/**
 * Trains `restarts` independent initialisations with the playground's settings, then profiles the loss along the
 * segment from the worst end point (t = 0) to the best (t = 1): a barrier between a bad and a good minimum.
 */
export async function multistartSegment(
  problem: Problem,
  state: ExplorerState,
  onRestart?: (done: number, loss: number) => void,
): Promise<MultistartSegment> {
  const results = [];
  for (let restart = 0; restart < state.landscape.restarts; restart++) {
    const result = await trainProblem(problem, state, restart);
    onRestart?.(restart + 1, result.finalLoss);
    results.push(result);
  }
  const finalLosses = results.map((r) => r.finalLoss);
  const worst = finalLosses.indexOf(Math.max(...finalLosses));
  const best = finalLosses.indexOf(Math.min(...finalLosses));
  const profile = landscape.lossAlongSegment({
    ...problem,
    from: Float64Array.from(results[worst].theta),
    to: Float64Array.from(results[best].theta),
    intervals: 60,
    extend: 0.2,
  });
  return { finalLosses, worst, best, profile };
}

export interface InputPicture {
  readonly regions: landscape.InputRegions;
  /** Kink positions for 1-D inputs (empty for 2-D, where the region map shows them). */
  readonly kinks: Float64Array;
}

/** The network's function and activation regions over the data's bounding box (padded by 15 %). */
export function inputPicture(
  problem: Problem,
  theta: Float64Array,
  resolution: number,
): InputPicture | undefined {
  const { architecture, samples } = problem;
  if (architecture.inputDim > 2) return undefined;
  const range = (column: number): [number, number] => {
    let low = Infinity;
    let high = -Infinity;
    for (let n = 0; n < samples.count; n++) {
      const value = samples.x[n * samples.inputDim + column];
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    const pad = 0.15 * Math.max(high - low, 1e-6);
    return [low - pad, high + pad];
  };
  const xRange = range(0);
  const regions = landscape.inputRegions({
    architecture,
    theta,
    xRange,
    ...(architecture.inputDim === 2 ? { yRange: range(1) } : {}),
    resolution,
  });
  const kinks =
    architecture.inputDim === 1 ? landscape.kinks1d(architecture, theta, xRange, 2000) : new Float64Array(0);
  return { regions, kinks };
}
