/** Summary statistics (sweep cells, search hit rates). Empty inputs give null, never NaN. */

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (divisor n − 1, numpy's `std(ddof=1)`); null for fewer than two values. */
export function standardDeviation(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values)!;
  let sum = 0;
  for (const v of values) sum += (v - m) * (v - m);
  return Math.sqrt(sum / (values.length - 1));
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** z for a two-sided 95% interval: Φ⁻¹(0.975). */
export const Z_95 = 1.959963984540054;

export interface Proportion {
  readonly successes: number;
  readonly trials: number;
  /** successes / trials; null when there are no trials. */
  readonly estimate: number | null;
  /** Wilson score interval; [0, 1] when there are no trials. */
  readonly low: number;
  readonly high: number;
}

/**
 * A proportion with its Wilson score interval (Wilson 1927), which keeps sensible coverage at 0 or n successes and
 * for small n, unlike the normal approximation p ± z√(p(1−p)/n).
 */
export function proportion(successes: number, trials: number, z = Z_95): Proportion {
  if (trials === 0) return { successes, trials, estimate: null, low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return {
    successes,
    trials,
    estimate: p,
    // At 0 (or all) successes the bound is exactly 0 (or 1); centre − half computes it with a rounding residue
    // (3.5e-16 at 0 of 100), which a percentage with significant digits would print as "3.5e-14%".
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}
