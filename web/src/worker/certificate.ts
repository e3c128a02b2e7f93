import { certify } from 'basin';
import type { Problem } from './problem.js';

/** Above this many parameters the certificate uses Lanczos end values instead of the dense spectrum. */
export const DENSE_SPECTRUM_LIMIT = 600;

/** What the explorer shows of the library's certificate for the current point. */
export interface PointReport {
  readonly verdict: certify.Verdict;
  readonly rule: string;
  readonly explanation: string;
  readonly polished: boolean;
  readonly loss: number;
  readonly gradientNorm: number;
  readonly mce: number | undefined;
  readonly kinkMargin: number;
  readonly nearKinkCount: number;
  readonly parameterCount: number;
  /** Hessian eigenvalues, ascending: all of them (dense), or Lanczos's smallest and largest. */
  readonly eigenvalues: Float64Array | undefined;
  readonly spectrumMethod: 'dense' | 'lanczos' | undefined;
  /** |λ| at or below this counts as zero. */
  readonly zeroThreshold: number;
  readonly morseIndex: number | undefined;
  readonly spectrumSkipped: string | undefined;
  readonly seconds: number;
}

/** Polishes and certifies θ with `certify.certify` (the same call as `basin certify`), keeping what the page draws. */
export function certifyPoint(problem: Problem, theta: Float64Array): PointReport {
  const certificate = certify.certify(problem.architecture, problem.loss, theta, problem.samples, {
    ...(problem.labelEncoding ? { labelEncoding: problem.labelEncoding } : {}),
    ...(problem.knownOptimum === undefined ? {} : { knownOptimum: problem.knownOptimum }),
    spectrum: { denseLimit: DENSE_SPECTRUM_LIMIT },
  });
  const spectrum = certificate.spectrum;
  const eigenvalues =
    spectrum === undefined
      ? undefined
      : spectrum.method === 'dense'
        ? spectrum.eigenvalues
        : Float64Array.from([...spectrum.smallest, ...Array.from(spectrum.largest).reverse()]);
  return {
    verdict: certificate.verdict,
    rule: certificate.decision.rule,
    explanation: certificate.decision.explanation,
    polished: certificate.polish !== undefined,
    loss: certificate.lossValue,
    gradientNorm: certificate.gradientNorm,
    mce: certificate.misclassificationError,
    kinkMargin: certificate.kinks.minAbsPreActivation,
    nearKinkCount: certificate.kinks.nearKinkCount,
    parameterCount: certificate.parameterCount,
    eigenvalues,
    spectrumMethod: spectrum?.method,
    zeroThreshold: spectrum?.zeroThreshold ?? 0,
    morseIndex: certificate.decision.morseIndex,
    spectrumSkipped: certificate.spectrumSkipped,
    seconds: certificate.seconds,
  };
}
