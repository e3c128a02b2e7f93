import * as z from 'zod';
import { type Certificate, certify } from '../certify/certificate.js';
import { DEFAULT_NEWTON_ITERATIONS, DEFAULT_NEWTON_LIMIT, type PolishOptions } from '../certify/polish.js';
import type { FloatArray } from '../core/dtype.js';
import type { LabelEncoding } from '../data/labels.js';
import type { Architecture } from '../model/architecture.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import { classifyEndPoint } from './end-point-class.js';
import type { RunResult } from '../sweep/run-result.js';
import { nonNegativeInteger, positive, positiveInteger } from '../io/schema-primitives.js';
import { parameterCount } from '../model/architecture.js';

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
  /**
   * Most multiply-adds of Levenberg–Marquardt polishing, counted as m·P·min(m, P) per iteration (m = N·outputs
   * residuals, P parameters: one dense step). The iterations are cut to fit, down to `minPolishIterations`, so large
   * points get fewer of them; a budget in work, not seconds, keeps a run's class independent of the machine and its
   * load. Optional without a default (no cut), so that `certify: true` cells keep their hashes.
   */
  polishWork: positive.optional(),
  /** The fewest iterations `polishWork` may leave (default 10). */
  minPolishIterations: positiveInteger.optional(),
  /**
   * Most iterations of polishing's Newton fallback (0 = none). Optional without a default, so that `certify: true`
   * cells keep their hashes: absent means polishing's own default (20).
   */
  newtonIterations: nonNegativeInteger.optional(),
  /**
   * `always`: the Hessian spectrum of every certified point (its counts and extreme eigenvalues are stored);
   * `when-needed`: only at smooth critical points with loss above zero, the only points whose verdict it decides
   * (global, not-critical, kink and dead-layer verdicts are decided before it). Optional without a default, so that
   * `certify: true` cells keep their hashes: absent means `always`.
   */
  spectrum: z.enum(['always', 'when-needed'], { error: 'always or when-needed' }).optional(),
});

export type CertifySettings = z.infer<typeof certifySettingsSchema>;

/**
 * What a train-runner sweep does when its cells have no `certify` setting: every end point is certified with these,
 * the per-point budget that keeps `basin reproduce --quick` within its time (docs/sweeps.md). The budget is counted
 * in polishing iterations, not seconds, so that a run's class does not depend on the machine or its load: a point
 * that is still not critical when the iterations are spent is classified `not-converged` (end-point-class.ts).
 * A sweep sets its own budget with `certify: { … }` in `base` (or a grid), or opts out with `certify: false`.
 */
export const SWEEP_CERTIFY_DEFAULTS: CertifySettings = Object.freeze(
  certifySettingsSchema.parse({
    polishIterations: 1000,
    polishWork: 1e8,
    newtonIterations: 20,
    spectrum: 'when-needed',
  }),
);

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
  readonly columns: Pick<RunResult, 'verdict' | 'minEigenvalue' | 'maxEigenvalue' | 'morseIndex'> & {
    readonly endPointClass: string;
  };
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
  const spectrum = { denseLimit: settings.denseLimit, negativeDirections: false };
  const labels = point.labelEncoding === undefined ? {} : { labelEncoding: point.labelEncoding };
  const whenNeeded = settings.spectrum === 'when-needed';
  try {
    certificate = certifyPoint(point.architecture, point.loss, point.theta, point.samples, {
      polish: polishOptionsFor(settings, point),
      probes: settings.probes === 0 ? false : { count: settings.probes },
      region: settings.region,
      spectrum: whenNeeded ? false : spectrum,
      ...labels,
    });
    if (whenNeeded && certificate.spectrum === undefined && certificate.decision.rule === 'second-order') {
      // A smooth critical point above zero loss: only the spectrum decides it. Certify the polished point again,
      // with the spectrum and without polishing (the same point, so every other quantity is the same).
      const first = certificate;
      const second = certifyPoint(point.architecture, point.loss, first.theta, point.samples, {
        polish: false,
        probes: false,
        region: false,
        spectrum,
        ...labels,
      });
      certificate = {
        ...second,
        polish: first.polish,
        probes: first.probes,
        region: first.region,
        regionSkipped: first.regionSkipped,
        seconds: first.seconds + second.seconds,
      };
    }
  } catch (error) {
    const certificateError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      columns: {
        verdict: null,
        minEigenvalue: null,
        maxEigenvalue: null,
        morseIndex: null,
        endPointClass: classifyEndPoint({ certificateError }).class,
      },
      extra: { certificateError },
    };
  }
  return certificateFields(certificate);
}

/** What one polishing iteration of a point is counted as against `polishWork`: m·P·min(m, P) multiply-adds. */
export function polishIterationWork(point: Pick<EndPoint, 'architecture' | 'samples'>): number {
  const residuals = point.samples.count * point.architecture.outputDim;
  const parameters = parameterCount(point.architecture);
  return residuals * parameters * Math.min(residuals, parameters);
}

/**
 * The polishing a point gets within `polishWork` (a Levenberg–Marquardt iteration counted as `polishIterationWork`,
 * a Newton one as NEWTON_WEIGHT of those): the Newton fallback's `newtonIterations` when it applies and the budget
 * holds them and `minPolishIterations` more, else none; then `polishIterations` Levenberg–Marquardt iterations cut to what is left,
 * never below `minPolishIterations`.
 */
export function polishBudgetFor(
  settings: CertifySettings,
  point: Pick<EndPoint, 'architecture' | 'samples'>,
): { readonly iterations: number; readonly newtonIterations: number | undefined } {
  if (settings.polishWork === undefined) {
    return { iterations: settings.polishIterations, newtonIterations: settings.newtonIterations };
  }
  const fits = Math.floor(settings.polishWork / polishIterationWork(point));
  const least = settings.minPolishIterations ?? 10;
  // The Newton iterations are set aside first, when the fallback applies (P ≤ DEFAULT_NEWTON_LIMIT, the dense one) and the budget has room
  // for them (each counted as NEWTON_WEIGHT Levenberg–Marquardt iterations: it builds the whole Hessian) and the
  // fewest LM iterations.
  const newton =
    parameterCount(point.architecture) <= DEFAULT_NEWTON_LIMIT
      ? (settings.newtonIterations ?? DEFAULT_NEWTON_ITERATIONS)
      : 0;
  const newtonIterations = fits >= least + NEWTON_WEIGHT * newton ? newton : 0;
  const iterations = Math.min(
    settings.polishIterations,
    Math.max(least, fits - NEWTON_WEIGHT * newtonIterations),
  );
  return { iterations, newtonIterations };
}

/**
 * A Newton iteration counted against `polishWork` as this many Levenberg–Marquardt iterations: it forms the whole
 * Hessian. Measured on a Fig. 5.1 end point (d0 = d1 = 10, N = 121, P = 121), 20 Newton iterations added 0.50–0.63 s
 * to 30–200 LM iterations of 3.5–4.1 ms each, i.e. at least 7 LM iterations' worth each.
 */
export const NEWTON_WEIGHT = 10;

function polishOptionsFor(
  settings: CertifySettings,
  point: Pick<EndPoint, 'architecture' | 'samples'>,
): PolishOptions {
  const budget = polishBudgetFor(settings, point);
  return {
    maxIterations: budget.iterations,
    // Newton iterations 0: no fallback at all (newtonLimit 0), rather than one that starts and stops at once.
    ...(budget.newtonIterations === undefined
      ? {}
      : budget.newtonIterations === 0
        ? { newtonLimit: 0 }
        : { newtonIterations: budget.newtonIterations, newtonLimit: DEFAULT_NEWTON_LIMIT }),
  };
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
    polishIterations: c.polish?.iterations ?? null,
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
    // The decision's own words, for points the class alone does not explain (a kink the exact rules do not cover).
    ...(c.verdict === 'non-differentiable' ? { explanation: c.decision.explanation } : {}),
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
      endPointClass: classifyEndPoint({ certificate }).class,
    },
    extra: { certificate },
  };
}
