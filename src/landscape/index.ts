/**
 * The `landscape` namespace of `basin`: pictures of the loss around a point. Two-dimensional slices along
 * filter-normalised random directions (Li et al. 2018), the loss along the segment between two points (its barrier),
 * the activation regions of a network over a grid of its inputs, and a Monte Carlo estimate of the angular volume of
 * the activation regions that hold bad or global minima (`regionVolumes`, Soudry–Hoffer Theorem 6).
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
export { lossAlongSegment, type SegmentOptions, type SegmentProfile } from './segment.js';
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
