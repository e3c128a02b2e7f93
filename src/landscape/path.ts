import type { CertifyOptions } from '../certify/certificate.js';
import { referenceLossScale } from '../certify/scale.js';
import { sameCanonicalPoint } from '../certify/symmetry.js';
import { InvalidArgumentError, requireInteger } from '../core/errors.js';
import { SEARCH_MERGE_TOLERANCE } from '../core/tolerances.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import { lossValue } from '../model/gradient.js';
import type { LossKind } from '../model/loss.js';
import { samplesAs, type Samples } from '../model/samples.js';
import { alignNetworks } from './align.js';
import {
  barrierRounding,
  DEFAULT_NEB_IMAGES,
  DEFAULT_NEB_ITERATIONS,
  gridProfileRecord,
  NEB_MAX_IMAGES,
  NEB_MAX_ITERATIONS,
  nudgedElasticBand,
} from './neb.js';
import type { ConnectionRecord, PathProfileRecord, SaddleRecord } from './records.js';
import { curvePoint } from './curve-point.js';
import { type CurveProfile, trainCurve } from './curves.js';
import { refineSaddle } from './saddle.js';
import { lossAlongSegment, requireParameterVector } from './segment.js';

export interface ConnectOptions {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  readonly from: Float64Array;
  readonly to: Float64Array;
  /** Node ids in a graph (default 0 and 1). */
  readonly fromId?: number;
  readonly toId?: number;
  /** NEB movable images (default DEFAULT_NEB_IMAGES = 12). */
  readonly images?: number;
  /** NEB iterations at most (default DEFAULT_NEB_ITERATIONS). */
  readonly maxIterations?: number;
  /**
   * A curve trained between the aligned ends before the band (Garipov et al. 2018, `trainCurve`): its profile is
   * recorded and the band starts on it, in the valley the curve found, rather than on the straight line. Default
   * `bezier`; false runs the band from the straight line.
   */
  readonly curve?: 'bezier' | 'polychain' | false;
  /** Adam steps of the curve (default DEFAULT_CURVE_STEPS). */
  readonly curveSteps?: number;
  /** Seed of the curve's t draws (default 1). */
  readonly seed?: number;
  /** Options of the saddle's certificate (it certifies the refined point as given). */
  readonly certify?: Omit<CertifyOptions, 'polish'>;
  readonly onProgress?: (stage: ConnectStage, done: number, total: number) => void;
}

/** The stages of `connectMinima`, in order, for progress reports. */
export type ConnectStage = 'align' | 'linear' | 'curve' | 'neb' | 'saddle';

/**
 * Adam steps of the curve that `connectMinima` trains before its band. On the Gaussian pairs of docs/landscape.md
 * 2000 steps brought the Bézier's maximum two orders of magnitude below the line's; the band only needs the valley,
 * and refines the top itself.
 */
export const DEFAULT_CURVE_STEPS = 1000;
/** Largest accepted `curveSteps`: far beyond what a curve needs (see DEFAULT_CURVE_STEPS). */
const MAX_CURVE_STEPS = 10_000_000;

/** Grid intervals of the straight-line profile. */
const LINEAR_INTERVALS = 50;

/**
 * Connects two minima: aligns θ_to to θ_from (hidden-unit permutation and positive rescaling, `alignNetworks`), and
 * stops there when the two are one minimum up to symmetry (aligned distance within SEARCH_MERGE_TOLERANCE, as
 * `basin search` merges end points: barrier 0, no band); otherwise records the loss along the straight segment
 * between the aligned ends, relaxes a climbing-image nudged elastic band started on that segment
 * (`nudgedElasticBand`), and, when the band climbs above the higher end by more than rounding, refines its climbing
 * image into a critical point and certifies it (`refineSaddle`; on a ReLU net, when that fails and the band crosses one
 * first-layer kink next to the climbing image, as a saddle on that kink). The top is the certified saddle when there is one,
 * otherwise the highest point of the lower of the two paths.
 *
 * @example
 * ```ts
 * import { landscape, model } from 'basin';
 *
 * // L = (w1·w2 − 1)²: minima on the hyperbola w1·w2 = 1, a saddle at the origin with L = 1 between its branches.
 * const net = model.mlp(1, [1], 1, { kind: 'linear' }, false);
 * const samples = model.makeSamples([1], [1], 1);
 * const edge = landscape.connectMinima({
 *   architecture: net, loss: 'mse', samples, from: Float64Array.of(2, 0.5), to: Float64Array.of(-0.5, -2), images: 5,
 * });
 * console.log(edge.saddle?.certified, edge.topLoss, edge.barrierFromStart); // true 1 1
 * ```
 */
export function connectMinima(options: ConnectOptions): ConnectionRecord {
  const { architecture, loss, onProgress } = options;
  const samples = samplesAs(options.samples, 'float64');
  const size = parameterCount(architecture);
  requireParameterVector('from', options.from, size);
  requireParameterVector('to', options.to, size);
  const fromId = requireInteger('fromId', options.fromId ?? 0, 0);
  const toId = requireInteger('toId', options.toId ?? 1, 0);
  // Checked here too, so that a bad value is refused even when the ends turn out to be one minimum (no band).
  if (options.images !== undefined) requireInteger('images', options.images, 1, NEB_MAX_IMAGES);
  if (options.maxIterations !== undefined) {
    requireInteger('maxIterations', options.maxIterations, 0, NEB_MAX_ITERATIONS);
  }
  if (
    options.curve !== undefined &&
    options.curve !== false &&
    options.curve !== 'bezier' &&
    options.curve !== 'polychain'
  ) {
    throw new InvalidArgumentError('curve', 'bezier, polychain or false', options.curve);
  }
  const curveSteps = requireInteger(
    'curveSteps',
    options.curveSteps ?? DEFAULT_CURVE_STEPS,
    0,
    MAX_CURVE_STEPS,
  );
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new InvalidArgumentError('onProgress', 'a function', options.onProgress);
  }
  const fromLoss = lossValue(architecture, loss, options.from, samples);
  const toLoss = lossValue(architecture, loss, options.to, samples);

  onProgress?.('align', 0, 1);
  const alignment = alignNetworks(architecture, options.from, options.to);
  const start = alignment.reference;
  const end = alignment.theta;
  onProgress?.('align', 1, 1);
  const sameMinimum = sameCanonicalPoint(start, end, SEARCH_MERGE_TOLERANCE);

  onProgress?.('linear', 0, 1);
  const segment = lossAlongSegment({
    architecture,
    loss,
    samples,
    from: start,
    to: end,
    intervals: LINEAR_INTERVALS,
  });
  const linear = gridProfileRecord('linear', segment.t, segment.loss);
  onProgress?.('linear', 1, 1);
  const base = {
    from: fromId,
    to: toId,
    fromLoss,
    toLoss,
    distanceBefore: alignment.distanceBefore,
    distanceAfter: alignment.distanceAfter,
    sameMinimum,
  };
  if (sameMinimum) {
    // One minimum seen twice: the segment between the aligned copies is rounding long, so there is nothing to climb.
    return {
      ...base,
      paths: [linear],
      saddle: null,
      barrierFromStart: 0,
      barrierFromEnd: 0,
      topLoss: Math.max(fromLoss, toLoss),
    };
  }

  const curveKind = options.curve ?? 'bezier';
  const images = options.images ?? DEFAULT_NEB_IMAGES;
  let initialImages: Float64Array[] | undefined;
  const curvePaths: PathProfileRecord[] = [];
  if (curveKind !== false) {
    const steps = curveSteps;
    onProgress?.('curve', 0, steps);
    const trained = trainCurve({
      architecture,
      loss,
      samples,
      from: start,
      to: end,
      kind: curveKind,
      steps,
      seed: options.seed ?? 1,
      onProgress: onProgress === undefined ? undefined : ({ step }) => onProgress('curve', step, steps),
    });
    curvePaths.push(curveProfileRecord(curveKind, trained.profile));
    initialImages = Array.from({ length: images }, (_, k) =>
      curvePoint(trained.curve, start, end, (k + 1) / (images + 1)),
    );
  }

  onProgress?.('neb', 0, options.maxIterations ?? DEFAULT_NEB_ITERATIONS);
  const band = nudgedElasticBand({
    architecture,
    loss,
    samples,
    from: start,
    to: end,
    images,
    initialImages,
    maxIterations: options.maxIterations,
    onProgress: onProgress === undefined ? undefined : (done, total) => onProgress('neb', done, total),
  });
  const paths = [linear, ...curvePaths, band.profile];
  const lowest = paths.reduce((best, path) => (path.maxLoss < best.maxLoss ? path : best));
  let saddle: SaddleRecord | null = null;
  const lossScale = referenceLossScale(samples, loss);
  const higherEnd = Math.max(fromLoss, toLoss);
  if (band.climbingImage !== null && band.profile.barrier > barrierRounding(higherEnd, lossScale)) {
    onProgress?.('saddle', 0, 1);
    saddle = refineSaddle({
      architecture,
      loss,
      samples,
      start: band.images[band.climbingImage],
      tangent: band.tangents[band.climbingImage],
      neighbours: [band.images[band.climbingImage - 1], band.images[band.climbingImage + 1]],
      from: start,
      to: end,
      certify: options.certify,
    }).record;
    onProgress?.('saddle', 1, 1);
  }
  const topLoss = saddle?.certified === true ? saddle.loss : lowest.maxLoss;
  return {
    ...base,
    paths,
    saddle,
    barrierFromStart: topLoss - fromLoss,
    barrierFromEnd: topLoss - toLoss,
    topLoss,
  };
}

/** A trained curve's profile as a record. */
function curveProfileRecord(method: 'bezier' | 'polychain', profile: CurveProfile): PathProfileRecord {
  return {
    method,
    t: Array.from(profile.t),
    loss: Array.from(profile.loss),
    maxLoss: profile.maxLoss,
    peakT: profile.peakT,
    barrier: profile.barrier,
  };
}
