/**
 * The `landscape` namespace of `basin`: pictures of the loss around a point. Two-dimensional slices along
 * filter-normalised random directions (Li et al. 2018), the loss along the segment between two points (its barrier),
 * curves between two minima trained to lower that barrier (a quadratic Bézier or a polygonal chain, Garipov et al.
 * 2018), the activation regions of a network over a grid of its inputs, the connection of two minima
 * (`connectMinima`: alignment, a climbing-image nudged elastic band, and the certified saddle at its top), and a
 * Monte Carlo estimate of the angular volume of the activation regions that hold bad or global minima
 * (`regionVolumes`, Soudry–Hoffer Theorem 6), and the disconnectivity graph of the minima a multistart search finds
 * (`landscapeGraph`, `mergeTree`, `graphLayout`).
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
 *
 * // L = (w1·w2 − 1)²: the straight line between (2, ½) and (½, 2) rises to 0.5625²; a trained Bézier bends
 * // towards the valley w1·w2 = 1 that joins them.
 * const product = model.mlp(1, [1], 1, { kind: 'linear' }, false);
 * const ends = {
 *   architecture: product,
 *   loss: 'mse' as const,
 *   samples: model.makeSamples([1], [1], 1),
 *   from: Float64Array.of(2, 0.5),
 *   to: Float64Array.of(0.5, 2),
 * };
 * const line = landscape.curveProfile({ ...ends, curve: { kind: 'linear' } });
 * const bezier = landscape.trainCurve({ ...ends, kind: 'bezier', steps: 600, seed: 3 });
 * console.log(line.maxLoss, bezier.profile.maxLoss < line.maxLoss / 100); // 0.31640625 true
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
  LANDSCAPE_RECORD_KINDS,
  LANDSCAPE_RECORD_VERSION,
  type LandscapeRecord,
  parseLandscapeRecord,
} from './record-file.js';
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
export {
  decideRidgeSaddle,
  type RidgeDecision,
  type RidgeEvidence,
  type RidgeSaddle,
  type RidgeSearchOptions,
  refineRidgeSaddle,
} from './ridge.js';
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
export {
  curvePoint,
  curveTangent,
  freePointWeight,
  PATH_CURVE_KINDS,
  type PathCurve,
  type PathCurveKind,
} from './curve-point.js';
export {
  type CurveObjective,
  curveObjective,
  type CurveProblem,
  type CurveProfile,
  curveProfile,
  type CurveProfileOptions,
  type CurveProgress,
  type TrainCurveOptions,
  type TrainedCurve,
  trainCurve,
} from './curves.js';
export { type InputGridOptions, type InputRegions, inputRegions, kinks1d } from './input-regions.js';
export {
  classifyRegion,
  drawRegionProblem,
  rateConstant,
  type RegionClassification,
  type RegionDraw,
  type RegionMinimum,
  regionMinimum,
  type RegionVolumeOptions,
  type RegionVolumeRecord,
  regionVolumes,
  searchConeFeasible,
  SIGN_SEARCH_MAX_UNITS,
  VOLUME_MAX_ENTRIES,
  type VolumeProgress,
  type VolumeSize,
  type VolumeSizeEstimate,
} from './volume.js';
