/**
 * The `certify` namespace of `basin`: is a point θ a local minimum of the training loss? `certify` polishes θ to
 * a critical point, then decides from the exact gradient, the Hessian spectrum, the kink geometry of piecewise-
 * linear activations and loss probes, and returns a `Certificate` with the verdict and the rule that decided it.
 * `multistartSearch` trains from many starts and certifies the distinct end points.
 *
 * @example
 * ```ts
 * import { certify, data } from 'basin';
 *
 * const d1 = data.swirszczD1(); // Swirszcz et al.'s D1 with the paper's point (w, b, v, c) = (1, −3, 1, 0)
 * const certificate = certify.certify(d1.architecture, d1.loss, d1.points[0].theta, d1.dataset);
 * console.log(certificate.verdict, certificate.decision.rule); // 'local-min' 'convex-pieces'
 * console.log(certify.certificateToJson(certificate).format); // 'basin-certificate'
 * ```
 */
export { type Certificate, certify, type CertifyOptions, type KinkReport } from './certificate.js';
export { CERTIFICATE_FORMAT, CERTIFICATE_VERSION, certificateToJson } from './certificate-json.js';
export {
  decideVerdict,
  type Verdict,
  type VerdictEvidence,
  type VerdictResult,
  type VerdictRule,
  VERDICTS,
  type VerdictStrength,
} from './verdict.js';
export {
  DEFAULT_RESTARTS,
  DEFAULT_RETRIES,
  type DistinctEndPoint,
  multistartSearch,
  type SearchEndPoint,
  type SearchOptions,
  type SearchResult,
  type SearchTraining,
} from './search.js';
export { polish, type PolishOptions, type PolishProgress, type PolishResult } from './polish.js';
export {
  type DenseSpectrum,
  type EigenvalueCounts,
  hessianSpectrum,
  type HessianSpectrum,
  type LanczosSpectrum,
  type SpectrumOptions,
} from './spectrum.js';
export { probeLoss, type ProbeOptions, type ProbeReport } from './probes.js';
export { activationRegion, type RegionAnalysis, type RegionOptions } from './region.js';
export { analyseKinkPieces, type KinkPieceAnalysis, type KinkPieceOptions } from './kink-pieces.js';
export { analyseDeepKinks, type DeepKinkAnalysis, type DeepKinkOptions } from './deep-kinks.js';
export { type ConeProjection, projectOntoCone } from './cone.js';
export {
  canonicalise,
  positivelyHomogeneous,
  type RescalingDirection,
  rescalingDirections,
  sameCanonicalPoint,
} from './symmetry.js';
export {
  khatriRao,
  type KhatriRaoRank,
  khatriRaoRank,
  khatriRaoRankSurvey,
  type KhatriRaoSurveyCell,
  type KhatriRaoSurveyOptions,
  type KhatriRaoSurveyShape,
  type SlopePattern,
  slopePattern,
} from './khatri-rao.js';
