import { requireFinite, requireInteger } from '../core/errors.js';

/**
 * When training stops: after `maxEpochs` epochs at the latest, earlier when the full-batch loss falls to
 * `lossTarget` or the full-batch gradient norm ‖∇L‖₂ to `gradientNormTarget` (each checked once per epoch, at the
 * start of the epoch for full-batch optimisers and at its end for minibatch ones).
 */
export interface StoppingRule {
  readonly maxEpochs: number;
  readonly lossTarget?: number;
  readonly gradientNormTarget?: number;
}

/**
 * Why training ended.
 * - `max-epochs`: ran every epoch allowed.
 * - `loss-target`, `gradient-norm-target`: reached the target.
 * - `aborted`: the caller's AbortSignal fired.
 * - `diverged`: a loss or gradient became non-finite; θ is the last point whose evaluation was finite.
 * - `line-search-failed`: L-BFGS found no decrease even along −∇L (usually: the loss is at rounding level).
 * - `callback`: the caller's `shouldStop` (see `TrainOptions`) returned true.
 */
export type StopReason =
  | 'max-epochs'
  | 'loss-target'
  | 'gradient-norm-target'
  | 'aborted'
  | 'diverged'
  | 'line-search-failed'
  | 'callback';

export function validateStoppingRule(rule: StoppingRule, argument = 'stopping'): StoppingRule {
  requireInteger(`${argument}.maxEpochs`, rule.maxEpochs, 0);
  if (rule.lossTarget !== undefined) requireFinite(`${argument}.lossTarget`, rule.lossTarget, 0);
  if (rule.gradientNormTarget !== undefined) {
    requireFinite(`${argument}.gradientNormTarget`, rule.gradientNormTarget, 0);
  }
  return rule;
}

/** The reason to stop at a point with this full-batch loss and gradient norm, if any target is met. */
export function targetReached(
  rule: StoppingRule,
  loss: number,
  gradientNorm: number,
): 'loss-target' | 'gradient-norm-target' | undefined {
  if (rule.lossTarget !== undefined && loss <= rule.lossTarget) return 'loss-target';
  if (rule.gradientNormTarget !== undefined && gradientNorm <= rule.gradientNormTarget) {
    return 'gradient-norm-target';
  }
  return undefined;
}
