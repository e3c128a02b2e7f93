import * as z from 'zod';
import { type Certificate, certify } from '../certify/certificate.js';
import type { FloatArray } from '../core/dtype.js';
import type { LabelEncoding } from '../data/labels.js';
import type { Architecture } from '../model/architecture.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import type { RunResult } from './run-result.js';
import { nonNegativeInteger, positiveInteger } from '../io/schema-primitives.js';

/*
 * Certificates of sweep end points. A sweep certifies hundreds of points, so the defaults drop what only adds
 * evidence and no decision: the random probes (sampled, never change a verdict) and the activation-region analysis
 * (one SVD of an N × d0·d1 matrix). Both can be switched back on per sweep.
 */

export const certifySettingsSchema = z.strictObject({
  /** Random probe directions per radius (1e-2, 1e-3, 1e-4); 0 = none. Probes are evidence, not part of a verdict. */
  probes: nonNegativeInteger.default(0),
  /** The Soudry–Hoffer activation-region analysis (rank(A∘X), best loss in the region). */
  region: z.boolean({ error: 'true or false' }).default(false),
  /** Largest parameter count with the dense Hessian (all eigenvalues, counts); beyond it Lanczos. */
  denseLimit: nonNegativeInteger.default(1000),
  /** Most polishing iterations (Levenberg–Marquardt, then Newton) before certifying. */
  polishIterations: positiveInteger.default(200),
});

export type CertifySettings = z.infer<typeof certifySettingsSchema>;

/**
 * The train runner's `certify` setting: `true` (the defaults above), `false`/absent (no certificate), or an object
 * of settings. `true` is expanded to the full object, so a stored cell records exactly what was done.
 */
export const certifySettingSchema = z
  .union([z.boolean(), certifySettingsSchema], {
    error: 'true, false or an object of certify settings (probes, region, denseLimit, polishIterations)',
  })
  .transform((value): CertifySettings | false => (value === true ? certifySettingsSchema.parse({}) : value));

/** What a certificate adds to a run: the certificate columns of the store and `extra.certificate`. */
export interface CertifiedFields {
  readonly columns: Pick<RunResult, 'verdict' | 'minEigenvalue' | 'maxEigenvalue' | 'morseIndex'>;
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface EndPoint {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly theta: FloatArray;
  /** The samples the run trained on (with its slope noise, if any). */
  readonly samples: Samples;
  readonly labelEncoding: LabelEncoding | undefined;
}

/**
 * Polishes and certifies a trained end point. Any error is caught and returned as `extra.certificateError` (the
 * convention of run-result.ts) with empty certificate columns: one point that cannot be certified must not cost
 * the run its training measurements, nor stop the sweep. `certifyPoint` is replaceable for tests.
 */
export function certifyEndPoint(
  point: EndPoint,
  settings: CertifySettings,
  certifyPoint: typeof certify = certify,
): CertifiedFields {
  let certificate: Certificate;
  try {
    certificate = certifyPoint(point.architecture, point.loss, point.theta, point.samples, {
      polish: { maxIterations: settings.polishIterations },
      probes: settings.probes === 0 ? false : { count: settings.probes },
      region: settings.region,
      spectrum: { denseLimit: settings.denseLimit, negativeDirections: false },
      ...(point.labelEncoding === undefined ? {} : { labelEncoding: point.labelEncoding }),
    });
  } catch (error) {
    return {
      columns: { verdict: null, minEigenvalue: null, maxEigenvalue: null, morseIndex: null },
      extra: { certificateError: error instanceof Error ? `${error.name}: ${error.message}` : String(error) },
    };
  }
  return certificateFields(certificate);
}

/** The columns and the JSON summary of a certificate (non-finite numbers become null, as JSON has none). */
export function certificateFields(c: Certificate): CertifiedFields {
  const spectrum = c.spectrum;
  let extremes: readonly (number | undefined)[] = [];
  let counts: { negative: number; zero: number; positive: number } | null = null;
  if (spectrum?.method === 'dense') {
    extremes = [spectrum.eigenvalues[0], spectrum.eigenvalues[spectrum.size - 1]];
    counts = { ...spectrum.counts };
  } else if (spectrum?.method === 'lanczos') {
    // Ritz values: the smallest bounds λ_min from above, the largest bounds λ_max from below.
    extremes = [spectrum.smallest[0], spectrum.largest[0]];
  }
  const finite = (value: number | undefined): number | null =>
    value !== undefined && Number.isFinite(value) ? value : null;
  const certificate = {
    verdict: c.verdict,
    rule: c.decision.rule,
    strength: c.decision.strength,
    morseIndex: c.decision.morseIndex ?? null,
    polish: c.polish?.stopReason ?? null,
    loss: c.lossValue,
    mse: c.lossValue / (c.loss === 'sse' ? c.sampleCount : 1),
    mce: c.misclassificationError ?? null,
    gradientNorm: c.gradientNorm,
    relativeGradient: c.gradientNorm / c.lossScale,
    kinkMargin: finite(c.kinks.minAbsPreActivation),
    nearKinkCount: c.kinks.nearKinkCount,
    spectrum: spectrum?.method ?? null,
    hessianNegative: counts?.negative ?? null,
    hessianZero: counts?.zero ?? null,
    hessianPositive: counts?.positive ?? null,
    minEigenvalue: finite(extremes[0]),
    maxEigenvalue: finite(extremes[1]),
    symmetryDirections: c.symmetryDirections,
    regionRank: c.region?.rank ?? null,
    seconds: c.seconds,
  };
  return {
    columns: {
      verdict: c.verdict,
      minEigenvalue: certificate.minEigenvalue,
      maxEigenvalue: certificate.maxEigenvalue,
      // Only a saddle's verdict states one. The negative count of the dense Hessian is not a Morse index in
      // general: at a kink (Jellyfish minima) the Hessian with the a(0) = ρ convention can have negative
      // eigenvalues at a proved local minimum; extra.certificate keeps the counts.
      morseIndex: c.decision.morseIndex ?? null,
    },
    extra: { certificate },
  };
}
