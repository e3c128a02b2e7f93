import * as z from 'zod';
import { parseActivation } from '../model/activation.js';

/*
 * The zod number primitives that basin's schemas share (the `basin train` configuration, the sweep's train
 * runner). Each error text is what `describeSchemaProblem` prints after "expected", e.g. `epochs: expected an
 * integer ≥ 1, got 0`; a value of the wrong type reads `expected a finite number, got "fast"`.
 */

export const positiveInteger = z
  .number({ error: 'an integer ≥ 1' })
  .int({ error: 'an integer ≥ 1' })
  .min(1, { error: 'an integer ≥ 1' });
export const nonNegativeInteger = z
  .number({ error: 'an integer ≥ 0' })
  .int({ error: 'an integer ≥ 0' })
  .min(0, { error: 'an integer ≥ 0' });
/** A seed of basin's 32-bit generators. */
export const seed32 = z
  .number({ error: 'an integer in [0, 4294967295]' })
  .int({ error: 'an integer in [0, 4294967295]' })
  .min(0, { error: 'an integer in [0, 4294967295]' })
  .max(0xffffffff, { error: 'an integer in [0, 4294967295]' });
export const finite = z.number({ error: 'a finite number' });
export const nonNegative = finite.min(0, { error: 'a number ≥ 0' });
export const positive = finite.gt(0, { error: 'a number > 0' });
export const unitInterval = finite
  .min(0, { error: 'a number in [0, 1)' })
  .lt(1, { error: 'a number in [0, 1)' });

/** A negative slope ρ of leaky ReLU; ρ = 1 would make the unit linear, and A∘X rank-deficient by design. */
export const negativeSlope = z
  .number({ error: 'a finite slope ρ ≠ 1' })
  .refine((rho) => Number.isFinite(rho) && rho !== 1, { error: 'a finite slope ρ ≠ 1' });

/** ε of Soudry–Hoffer's 𝓛_ε (Def. 4), a misclassification level strictly between 0 and 1. */
export const openUnitInterval = finite
  .gt(0, { error: 'a number in (0, 1)' })
  .lt(1, { error: 'a number in (0, 1)' });

/** An integer ≥ `min`, for bounds the named primitives above do not cover (e.g. `--d`, at least 3). */
export function integerAtLeast(min: number): z.ZodNumber {
  const error = `an integer ≥ ${min}`;
  return z.number({ error }).int({ error }).min(min, { error });
}

/** An integer in [min, max], e.g. a port number. */
export function integerBetween(min: number, max: number): z.ZodNumber {
  const error = `an integer in [${min}, ${max}]`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/**
 * The most repetitions a work-count flag takes (`--restarts`, `--probes`, `--draws`, `--repeats`): a million already
 * runs for hours to days at basin's rates; a larger value is far more often a typo (1e12) than a plan, and would
 * hold the process without output. Several commands with different seeds do more work deliberately.
 */
export const MAX_WORK_COUNT = 1_000_000;

/** A count of repetitions of some work, 0 … MAX_WORK_COUNT. */
export const workCount = integerBetween(0, MAX_WORK_COUNT);
/** A count of repetitions of some work, 1 … MAX_WORK_COUNT. */
export const positiveWorkCount = integerBetween(1, MAX_WORK_COUNT);

/** An activation name as `parseActivation` reads it (relu, leaky-relu:<ρ>, linear, tanh, sigmoid). */
export const activationName = z.string({ error: 'an activation name' }).refine(
  (text) => {
    try {
      parseActivation(text);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'one of relu, leaky-relu:<ρ> (ρ ≠ 1), linear, tanh, sigmoid' },
);
