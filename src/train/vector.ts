import type { FloatArray } from '../core/dtype.js';

/*
 * The few vector operations the optimisers (and the landscape's paths) need, on θ-like arrays. Reductions accumulate in double whatever the
 * storage precision.
 */

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function norm2(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** ‖a − b‖, Euclidean. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum);
}

export function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** out = a + α·b (out may alias a). */
export function addScaled(out: FloatArray, a: ArrayLike<number>, alpha: number, b: ArrayLike<number>): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + alpha * b[i];
}
