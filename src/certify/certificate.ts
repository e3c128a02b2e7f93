import type { CurvatureOperator } from '../backend/curvature.js';
import { referenceCurvature } from '../backend/reference-curvature.js';
import { type FloatArray } from '../core/dtype.js';
import { BasinError, InvalidArgumentError, requireFinite } from '../core/errors.js';
import { norm } from '../core/linalg/index.js';
import {
  GRADIENT_TOLERANCE,
  KINK_TOLERANCE,
  KNOWN_OPTIMUM_TOLERANCE,
  ZERO_LOSS_TOLERANCE,
} from '../core/tolerances.js';
import { misclassificationError, type LabelEncoding } from '../data/labels.js';
import { activationRule } from '../model/activation.js';
import { type Architecture, describeArchitecture, parameterLayout } from '../model/architecture.js';
import { checkCompatible, type ForwardCache } from '../model/forward.js';
import { lossAndGradient } from '../model/gradient.js';
import { type KinkMargin, kinkMargin } from '../model/kinks.js';
import type { LossKind } from '../model/loss.js';
import { samplesAs, type Samples } from '../model/samples.js';
import { analyseDeepKinks, type DeepKinkAnalysis } from './deep-kinks.js';
import { analyseKinkPieces, type KinkPieceAnalysis } from './kink-pieces.js';
import { firstLayerKinkNormal, type KinkPair, kinkedPairs } from './kink-set.js';
import { polish, type PolishOptions, type PolishResult } from './polish.js';
import { type NamedDirection, probeLoss, type ProbeOptions, type ProbeReport } from './probes.js';
import { activationRegion, type RegionAnalysis } from './region.js';
import { referenceLossScale } from './scale.js';
import { hessianSpectrum, type HessianSpectrum, type SpectrumOptions } from './spectrum.js';
import { Subspace } from './subspace.js';
import { rescalingDirections } from './symmetry.js';
import { decideVerdict, type Verdict, type VerdictResult } from './verdict.js';
import { constantOutputLoss } from '../data/swirszcz.js';

export interface CertifyOptions {
  /** Polish before certifying (default {} = on with defaults); false certifies the point exactly as given. */
  readonly polish?: PolishOptions | false;
  /**
   * ‖∇L‖ ≤ gradientTolerance·lossScale counts as stationary (default GRADIENT_TOLERANCE = 1e-12; polishing uses
   * the same).
   */
  readonly gradientTolerance?: number;
  /** |pre-activation| ≤ kinkTolerance counts as on a kink (default KINK_TOLERANCE = 1e-9, absolute). */
  readonly kinkTolerance?: number;
  /** L ≤ zeroLossTolerance·lossScale counts as zero loss (default ZERO_LOSS_TOLERANCE = 1e-20). */
  readonly zeroLossTolerance?: number;
  /** The global minimum value when it is known (e.g. 0 for a dataset with a perfect fit). */
  readonly knownOptimum?: number;
  /** |L − knownOptimum| ≤ optimumTolerance·lossScale counts as equal (default KNOWN_OPTIMUM_TOLERANCE). */
  readonly optimumTolerance?: number;
  /** Hessian spectrum options; false skips it. */
  readonly spectrum?: SpectrumOptions | false;
  /** Directional probe options; false skips them. */
  readonly probes?: ProbeOptions | false;
  /** Most side patterns of one unit's kinked samples tested exactly (default 4096). */
  readonly maxPatternsPerUnit?: number;
  /** Label encoding for the misclassification error (binary classification data only). */
  readonly labelEncoding?: LabelEncoding;
  /** Activation-region analysis for one-hidden-layer nets (default true; skipped with a reason when too large). */
  readonly region?: boolean;
  /**
   * Largest N × D feature matrix the region analysis factorises (default 2·10⁶ entries: its SVD costs O(N·D·min(N, D))
   * and took 32 s for 500 × 4817 here).
   */
  readonly regionMaxEntries?: number;
  /**
   * The engine of the float64 products of polishing, the Lanczos spectrum and the probes (the caller owns and
   * disposes it; default: the reference kernels). `withCurvature` (src/backend/select.ts, Node only) picks one by a
   * backend request. Dense Hessians, the kink tests and the region analysis always use the reference kernels.
   */
  readonly curvature?: CurvatureOperator;
}

export interface KinkReport extends KinkMargin {
  /** Every pair within the tolerance (at most 100 listed; `nearKinkCount` has the total). */
  readonly pairs: readonly KinkPair[];
}

/**
 * Everything basin can say about one point of the loss landscape. Quantities are float64 at the certified point
 * `theta` (the polished one when polishing ran).
 */
export interface Certificate {
  readonly architecture: string;
  readonly parameterCount: number;
  readonly sampleCount: number;
  readonly loss: LossKind;
  readonly theta: Float64Array;
  readonly polish: PolishResult | undefined;
  readonly lossValue: number;
  /** c·‖y‖², the scale relative tolerances refer to. */
  readonly lossScale: number;
  readonly misclassificationError: number | undefined;
  /** ‖∇L‖₂ with the kink convention of src/model/activation.ts. */
  readonly gradientNorm: number;
  /** ‖∇L‖₂ with the first-layer kink normals removed: the same on every side of the kinks. */
  readonly tangentialGradientNorm: number;
  readonly gradientTolerance: number;
  readonly kinks: KinkReport;
  /** Rescaling-symmetry tangents (one per unit with non-zero weights in a positively homogeneous layer). */
  readonly symmetryDirections: number;
  readonly spectrum: HessianSpectrum | undefined;
  readonly spectrumSkipped: string | undefined;
  readonly pieces: KinkPieceAnalysis;
  /**
   * The descent test on the pieces of every kinked pair (any layer; deep-kinks.ts), run when there are kinks and the
   * exact one-hidden-layer test does not apply; undefined otherwise.
   */
  readonly deepKinks: DeepKinkAnalysis | undefined;
  /** A ReLU layer inactive on every sample (output locally constant), when there is one. */
  readonly deadLayer: number | undefined;
  readonly probes: ProbeReport | undefined;
  readonly region: RegionAnalysis | undefined;
  readonly regionSkipped: string | undefined;
  readonly verdict: Verdict;
  readonly decision: VerdictResult;
  /** Wall-clock seconds per stage (polish, spectrum, kink test, probes, region) and in total. */
  readonly timings: Readonly<Record<'polish' | 'spectrum' | 'pieces' | 'probes' | 'region', number>>;
  /** The engine of the products (see `CertifyOptions.curvature`). */
  readonly engine: CurvatureOperator['engine'];
  readonly seconds: number;
}

/**
 * Polishes (optionally) and certifies a point: loss, MCE, gradient, kink margin, Hessian spectrum with the
 * symmetry zero modes separated, the exact one-hidden-layer kink test, directional probes, the activation region,
 * and a verdict with the rule that decided it (see verdict.ts and docs/certification.md).
 *
 * @example
 * ```ts
 * const d1 = swirszczD1();
 * const certificate = certify(d1.architecture, d1.loss, d1.points[0].theta, d1.dataset);
 * certificate.verdict; // 'local-min' (the point sits on a kink; decided by the convex-pieces rule)
 * ```
 */
export function certify(
  architecture: Architecture,
  loss: LossKind,
  theta: FloatArray,
  samples: Samples,
  options: CertifyOptions = {},
): Certificate {
  const started = performance.now();
  const timings = { polish: 0, spectrum: 0, pieces: 0, probes: 0, region: 0 };
  const timed = <T>(stage: keyof typeof timings, work: () => T): T => {
    const begin = performance.now();
    try {
      return work();
    } finally {
      timings[stage] += (performance.now() - begin) / 1000;
    }
  };
  const exact = samplesAs(samples, 'float64');
  const start = Float64Array.from(theta);
  checkCompatible(architecture, start, exact);
  const gradientTolerance = requireFinite(
    'gradientTolerance',
    options.gradientTolerance ?? GRADIENT_TOLERANCE,
    0,
  );
  const kinkTolerance = requireFinite('kinkTolerance', options.kinkTolerance ?? KINK_TOLERANCE, 0);
  const zeroLossTolerance = requireFinite(
    'zeroLossTolerance',
    options.zeroLossTolerance ?? ZERO_LOSS_TOLERANCE,
    0,
  );
  const optimumTolerance = requireFinite(
    'optimumTolerance',
    options.optimumTolerance ?? KNOWN_OPTIMUM_TOLERANCE,
    0,
  );
  if (options.knownOptimum !== undefined) requireFinite('knownOptimum', options.knownOptimum, 0);
  if (options.labelEncoding !== undefined && !['pm1', '01'].includes(options.labelEncoding)) {
    throw new InvalidArgumentError('labelEncoding', 'pm1 or 01', options.labelEncoding);
  }

  const curvature = options.curvature ?? referenceCurvature(architecture, loss, exact);
  const polished =
    options.polish === false
      ? undefined
      : timed('polish', () =>
          polish(architecture, loss, start, exact, { gradientTolerance, curvature, ...options.polish }),
        );
  const point = polished?.theta ?? start;
  const scale = referenceLossScale(exact, loss);
  const { loss: value, gradient, cache } = lossAndGradient(architecture, loss, point, exact);
  const margin = kinkMargin(cache, kinkTolerance);
  const pairs = kinkedPairs(cache, kinkTolerance);
  const layout = parameterLayout(architecture);
  const firstLayerNormals = pairs
    .filter((p) => p.layer === 0)
    .map((pair) => firstLayerKinkNormal(layout, exact, pair));
  const tangentialGradientNorm =
    firstLayerNormals.length === 0
      ? norm(gradient)
      : norm(new Subspace(firstLayerNormals, point.length).complementOf(gradient as Float64Array));

  const tangents = rescalingDirections(architecture, point).map((d) => d.vector);
  let spectrum: HessianSpectrum | undefined;
  let spectrumSkipped: string | undefined;
  if (options.spectrum === false) spectrumSkipped = 'not requested';
  else {
    spectrum = timed('spectrum', () =>
      hessianSpectrum(architecture, loss, point, exact, tangents, options.spectrum || undefined, curvature),
    );
  }

  const pieces = timed('pieces', () =>
    analyseKinkPieces(architecture, loss, point, exact, cache, {
      gradientTolerance: gradientTolerance * scale,
      kinkTolerance,
      maxPatternsPerUnit: options.maxPatternsPerUnit,
    }),
  );
  const deepKinks =
    pairs.length > 0 && !pieces.applicable
      ? timed('pieces', () =>
          analyseDeepKinks(architecture, loss, point, exact, cache, {
            gradientTolerance: gradientTolerance * scale,
            kinkTolerance,
          }),
        )
      : undefined;
  const deadLayer = findDeadLayer(cache, kinkTolerance);
  const decision = decideVerdict({
    loss: value,
    lossScale: scale,
    zeroLossTolerance,
    knownOptimum: options.knownOptimum,
    optimumTolerance,
    relativeGradient: norm(gradient) / scale,
    relativeTangentialGradient: tangentialGradientNorm / scale,
    gradientTolerance,
    kinkedPairs: pairs.length,
    deepKinkedPairs: pairs.filter((p) => p.layer > 0).length,
    pieces,
    deepKinks,
    constantOutput:
      deadLayer === undefined
        ? undefined
        : { layer: deadLayer, bestConstantLoss: constantOutputLoss(exact, loss) },
    spectrum,
  });

  let probes: ProbeReport | undefined;
  if (options.probes !== false) {
    const named: NamedDirection[] = [];
    firstLayerNormals.slice(0, 20).forEach((direction, k) => {
      named.push({ label: `kink normal (sample ${pairs[k].sample}, unit ${pairs[k].unit})`, direction });
    });
    spectrum?.negativeDirections.forEach((direction, k) => {
      named.push({ label: `negative-curvature eigenvector ${k + 1}`, direction });
    });
    if (pieces.applicable && pieces.witness !== undefined) {
      named.push({ label: 'descent witness of the kink test', direction: pieces.witness.direction });
    }
    if (deepKinks?.witness !== undefined) {
      named.push({ label: 'descent witness of the deep kink test', direction: deepKinks.witness.direction });
    }
    probes = timed('probes', () =>
      probeLoss(architecture, loss, point, exact, scale, named, options.probes || undefined, (at) =>
        curvature.loss(at),
      ),
    );
  }

  let region: RegionAnalysis | undefined;
  let regionSkipped: string | undefined;
  if (options.region === false) regionSkipped = 'not requested';
  else {
    try {
      region = timed('region', () =>
        activationRegion(architecture, point, exact, {
          loss,
          kinkTolerance,
          maxEntries: options.regionMaxEntries ?? 2e6,
        }),
      );
    } catch (error) {
      if (!(error instanceof BasinError)) throw error;
      regionSkipped = error.message;
    }
  }

  const { output } = cache;
  const mce =
    options.labelEncoding !== undefined && exact.outputDim === 1
      ? misclassificationError(output, exact.y, options.labelEncoding)
      : undefined;

  return {
    architecture: describeArchitecture(architecture),
    parameterCount: point.length,
    sampleCount: exact.count,
    loss,
    theta: point,
    polish: polished,
    lossValue: value,
    lossScale: scale,
    misclassificationError: mce,
    gradientNorm: norm(gradient),
    tangentialGradientNorm,
    gradientTolerance,
    kinks: { ...margin, pairs: pairs.slice(0, 100) },
    symmetryDirections: tangents.length,
    spectrum,
    spectrumSkipped,
    pieces,
    deepKinks,
    deadLayer,
    probes,
    region,
    regionSkipped,
    verdict: decision.verdict,
    decision,
    timings,
    engine: curvature.engine,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The first ReLU (ρ = 0) hidden layer whose every pre-activation is below −tolerance, if any. */
function findDeadLayer(cache: ForwardCache, tolerance: number): number | undefined {
  for (let l = 0; l < cache.layout.layers.length - 1; l++) {
    const activation = cache.layout.layers[l].activation;
    if (activation === undefined || activation.kind !== 'leaky-relu' || activation.slope !== 0) continue;
    if (!activationRule(activation).hasKink) continue;
    const u = cache.pre[l];
    let dead = true;
    for (let k = 0; k < u.length && dead; k++) dead = u[k] < -tolerance;
    if (dead) return l;
  }
  return undefined;
}
