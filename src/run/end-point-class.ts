import type { RunResult } from '../sweep/run-result.js';

/**
 * What a sweep end point is, from its certificate (certify-end-point.ts). The classes split the runs a loss
 * threshold lumps together as "sub-optimal": slow runs, true local minima, saddles and points on a kink.
 *
 * - `global`: the certificate proves a global minimum (zero loss, or a known optimum).
 * - `sub-optimal-min`: a proved local minimum whose loss is above the global (zero-loss) threshold: a true spurious
 *   minimum. Points on a kink count here when the exact kink rules prove them (convex pieces, dead layer).
 * - `saddle`: a critical point with a proved direction of negative curvature.
 * - `kink`: on a kink where no exact rule applies (verdict `non-differentiable`, rule `kink-undecided`); the kink
 *   verdict (the certificate's explanation) is the `why`.
 * - `inconclusive`: a smooth critical point whose type the second-order test does not prove: degenerate Hessian (flat directions beyond the
 *   symmetries), a minimum only estimated by Lanczos, or no spectrum.
 * - `not-converged`: the polishing budget ran out (or failed) at a point that is not critical (verdict
 *   `not-critical`), or the certification raised an error.
 *
 * The first three are decided; the last three are the "undecided" runs a report counts.
 */
export type EndPointClass =
  'global' | 'sub-optimal-min' | 'saddle' | 'kink' | 'inconclusive' | 'not-converged';

export const END_POINT_CLASSES: readonly EndPointClass[] = [
  'global',
  'sub-optimal-min',
  'saddle',
  'kink',
  'inconclusive',
  'not-converged',
];

/** Classes whose runs the certificate decided (proved); the others are counted as undecided. */
export const DECIDED_CLASSES: readonly EndPointClass[] = ['global', 'sub-optimal-min', 'saddle'];

/** The certificate fields the classification reads (`extra.certificate` of a certified run, see certify-end-point.ts). */
export interface CertificateSummary {
  readonly verdict: string;
  readonly rule: string;
  readonly strength: string;
  /** The polishing's stop reason (`converged`, `max-iterations`, `stalled`, `non-finite`), null without polishing. */
  readonly polish: string | null;
  /** Loss at the certified (polished) point, in the run's own loss. */
  readonly loss: number;
  readonly relativeGradient: number;
  readonly nearKinkCount: number;
  readonly explanation?: string;
}

export interface EndPointClassification {
  readonly class: EndPointClass;
  /** One sentence: which verdict, rule and measurement put the run in its class. */
  readonly why: string;
}

const e = (value: number): string => value.toExponential(2);

/**
 * Classifies one end point from its certificate summary, or from the error that stopped its certification. Pure:
 * the same input gives the same class whatever stored or recomputed it.
 */
export function classifyEndPoint(
  input: { readonly certificate: CertificateSummary } | { readonly certificateError: string },
): EndPointClassification {
  if ('certificateError' in input) {
    return { class: 'not-converged', why: `certification failed: ${input.certificateError}` };
  }
  const c = input.certificate;
  const at = `L = ${e(c.loss)}, ‖∇L‖/lossScale = ${e(c.relativeGradient)}`;
  switch (c.verdict) {
    case 'global':
      return { class: 'global', why: `global minimum by the ${c.rule} rule (${at})` };
    case 'local-min':
      if (c.strength === 'proved') {
        const kink = c.nearKinkCount > 0 ? ` on a kink (${c.nearKinkCount} kinked pre-activations)` : '';
        return {
          class: 'sub-optimal-min',
          why: `local minimum proved by the ${c.rule} rule${kink} with loss above the zero-loss threshold (${at})`,
        };
      }
      return {
        class: 'inconclusive',
        why: `a minimum only ${c.strength} by the ${c.rule} rule, not proved (${at})`,
      };
    case 'saddle':
      return { class: 'saddle', why: `saddle by the ${c.rule} rule (${at})` };
    case 'non-differentiable':
      return {
        class: 'kink',
        why:
          `on a kink (${c.nearKinkCount} kinked pre-activations), rule ${c.rule}` +
          (c.explanation === undefined ? '' : `: ${c.explanation}`),
      };
    case 'degenerate':
      return { class: 'inconclusive', why: `degenerate critical point, rule ${c.rule} (${at})` };
    case 'not-critical':
      return {
        class: 'not-converged',
        why: `not critical after polishing (stop: ${c.polish ?? 'no polishing'}), rule ${c.rule} (${at})`,
      };
    default:
      return { class: 'not-converged', why: `unknown verdict "${c.verdict}"` };
  }
}

/**
 * The class of a stored or fresh run: the stored `endPointClass` when there is one, else classified from
 * `extra.certificate` / `extra.certificateError`; null for a run that was never certified.
 */
export function endPointClassOf(result: RunResult): EndPointClass | null {
  const stored = result.endPointClass;
  if (stored !== undefined && stored !== null && (END_POINT_CLASSES as readonly string[]).includes(stored)) {
    return stored as EndPointClass;
  }
  return classificationOf(result)?.class ?? null;
}

/** The full classification (with its reason) of a run, from its extra fields; null when it was never certified. */
export function classificationOf(result: RunResult): EndPointClassification | null {
  const extra = result.extra ?? {};
  if (typeof extra.certificateError === 'string') {
    return classifyEndPoint({ certificateError: extra.certificateError });
  }
  const certificate = extra.certificate as Partial<CertificateSummary> | undefined;
  if (certificate === undefined || typeof certificate.verdict !== 'string') return null;
  return classifyEndPoint({
    certificate: {
      verdict: certificate.verdict,
      rule: String(certificate.rule),
      strength: String(certificate.strength),
      polish: certificate.polish ?? null,
      loss: Number(certificate.loss),
      relativeGradient: Number(certificate.relativeGradient),
      nearKinkCount: Number(certificate.nearKinkCount ?? 0),
      ...(typeof certificate.explanation === 'string' ? { explanation: certificate.explanation } : {}),
    },
  });
}
