/**
 * The `landscape` namespace of `basin`: pictures of the loss around a point. Two-dimensional slices along
 * filter-normalised random directions (Li et al. 2018), the loss along the segment between two points (its barrier),
 * the activation regions of a network over a grid of its inputs, the connection of two minima (`connectMinima`:
 * alignment, a climbing-image nudged elastic band, and the certified saddle at its top), and the disconnectivity
 * graph of the minima a multistart search finds (`landscapeGraph`, `mergeTree`, `graphLayout`).
 *
 * @example
 * ```ts
 * import { Rng, data, landscape, model } from 'basin';
 *
 * const set = data.toyDataset('jellyfish');
 * const net = model.mlp(2, [4], 1, { kind: 'leaky-relu', slope: 0 }, true);
 * const centre = model.initialise(net, { kind: 'pytorch' }, 1);
 * const directions = landscape.sliceDirections({ architecture: net, centre, rng: new Rng(2) });
 * const slice = landscape.lossSlice({ architecture: net, loss: 'mse', samples: set, centre, directions, resolution: 9 });
 * console.log(slice.loss.length, slice.min <= slice.max); // 81 true
 * ```
 */
export {
  type BiasTreatment,
  filterNormalise,
  type SliceDirectionOptions,
  sliceDirections,
} from './directions.js';
export { type LossSlice, lossSlice, type SliceOptions } from './slice.js';
export { type Alignment, alignNetworks } from './align.js';
export type * from './records.js';
export {
  barrierRounding,
  improvedTangent,
  type NebOptions,
  type NebResult,
  type NetworkProblem,
  networkObjective,
  nudgedElasticBand,
  type Objective,
  type PlainProblem,
} from './neb.js';
export {
  type CriticalPointSearch,
  findCriticalPoint,
  refineSaddle,
  type RefineSaddleOptions,
  type SaddleRefinement,
} from './saddle.js';
export { type ConnectOptions, connectMinima } from './path.js';
export {
  edgeCertified,
  edgeLevel,
  type GraphEdge,
  type GraphLayout,
  graphLayout,
  type GraphLeaf,
  type GraphNode,
  type GraphSegment,
  mergeComponents,
  mergeTree,
} from './graph.js';
export {
  choosePairs,
  type ConnectionSettings,
  DEFAULT_MAX_PAIRS,
  DEFAULT_NEAREST,
  findMinima,
  type FoundMinima,
  type GraphOptions,
  type LandscapeProblem,
  landscapeGraph,
  landscapePath,
  type MinimaSearchOptions,
  MINIMUM_VERDICTS,
  type PathOptions,
  problemRecord,
} from './graph-run.js';
export { lossAlongSegment, type SegmentOptions, type SegmentProfile } from './segment.js';
export { type InputGridOptions, type InputRegions, inputRegions, kinks1d } from './input-regions.js';
