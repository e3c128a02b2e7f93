import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';

/**
 * Learning-rate schedules, as functions of the 0-based epoch index e (epoch e is the (e+1)-th pass over the data).
 * - `constant`: lr.
 * - `exponential`: lr·γ^e.
 * - `hold-then-exponential`: lr while e < holdEpochs, then lr·γ^(e − holdEpochs). With lr = 5e-4, holdEpochs = 200,
 *   γ = 0.95 this is the Soudry–Hoffer CIFAR regime (`models/cifar10.py`: `lr·0.95^(epoch−200)` after epoch 200),
 *   whose log's 1-based epoch 217 is e = 216 here: 5e-4·0.95^16 ≈ 2.2e-4, as logged.
 */
export type Schedule =
  | { readonly kind: 'constant'; readonly learningRate: number }
  | { readonly kind: 'exponential'; readonly learningRate: number; readonly gamma: number }
  | {
      readonly kind: 'hold-then-exponential';
      readonly learningRate: number;
      readonly holdEpochs: number;
      readonly gamma: number;
    };

export type ScheduleKind = Schedule['kind'];
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['constant', 'exponential', 'hold-then-exponential'];

/** The Soudry–Hoffer CIFAR regime: 5e-4, constant for 200 epochs, then × 0.95 per epoch. */
export const CIFAR_REGIME: Schedule = {
  kind: 'hold-then-exponential',
  learningRate: 5e-4,
  holdEpochs: 200,
  gamma: 0.95,
};

export function validateSchedule(schedule: Schedule, argument = 'schedule'): Schedule {
  requireFinite(`${argument}.learningRate`, schedule.learningRate, Number.MIN_VALUE);
  switch (schedule.kind) {
    case 'constant':
      break;
    case 'exponential':
      requireFinite(`${argument}.gamma`, schedule.gamma, Number.MIN_VALUE);
      break;
    case 'hold-then-exponential':
      requireInteger(`${argument}.holdEpochs`, schedule.holdEpochs, 0);
      requireFinite(`${argument}.gamma`, schedule.gamma, Number.MIN_VALUE);
      break;
    default:
      throw new InvalidArgumentError(`${argument}.kind`, SCHEDULE_KINDS.join(', '), schedule);
  }
  return schedule;
}

export function learningRateAt(schedule: Schedule, epoch: number): number {
  switch (schedule.kind) {
    case 'constant':
      return schedule.learningRate;
    case 'exponential':
      return schedule.learningRate * Math.pow(schedule.gamma, epoch);
    case 'hold-then-exponential':
      return schedule.learningRate * Math.pow(schedule.gamma, Math.max(0, epoch - schedule.holdEpochs));
  }
}

/** The γ that takes the rate from lr to lr·factor in `epochs` epochs (γ = factor^(1/epochs)). */
export function gammaForDecay(factor: number, epochs: number): number {
  requireFinite('factor', factor, Number.MIN_VALUE);
  requireInteger('epochs', epochs, 1);
  return Math.pow(factor, 1 / epochs);
}
