import { InvalidArgumentError } from '../core/errors.js';

/**
 * Quadratic losses, named as the papers use them. With residual e = output − y over all samples and outputs:
 * - `mse` = (1/N)‖e‖²  (Soudry–Hoffer, eq. 2.3: 1/N, not 1/(2N); for vector outputs the sum runs over outputs too)
 * - `sse` = ‖e‖²       (Swirszcz et al.: a plain sum, not averaged)
 */
export type LossKind = 'mse' | 'sse';

export const LOSS_KINDS: readonly LossKind[] = ['mse', 'sse'];

/** The factor c in loss = c·‖e‖². */
export function lossScale(loss: LossKind, sampleCount: number): number {
  switch (loss) {
    case 'mse':
      return 1 / sampleCount;
    case 'sse':
      return 1;
  }
}

export function parseLoss(text: string, argument = 'loss'): LossKind {
  if (text === 'mse' || text === 'sse') return text;
  throw new InvalidArgumentError(argument, 'mse or sse', text);
}
