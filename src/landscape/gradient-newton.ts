import { symmetricEigen } from '../core/linalg/index.js';
import { NEWTON_EIGENVALUE_CUTOFF } from '../core/tolerances.js';

/**
 * One Levenberg–Marquardt step on the gradient map (Gauss–Newton on ½‖g‖² with the symmetric H as g's Jacobian),
 * shared by `findCriticalPoint` (saddle.ts) and the minimisation along a kink (ridge.ts). With H = V·diag(λ)·Vᵀ the
 * step is δ(μ) = −V·diag(λ/(λ² + μ))·Vᵀg: at μ = 0 the pseudo-inverse Newton step −H⁺g, eigenvalues within
 * NEWTON_EIGENVALUE_CUTOFF·max|λ| of 0 (the symmetry modes) left out, which converges quadratically to a critical
 * point of any index; a larger μ is a shorter step along −Hg.
 */
export interface GradientNewton {
  /** δ(μ) for damping μ ≥ 0. */
  step(damping: number): Float64Array;
  /** μ beyond which the step is 1e-8/λmax times −Hg: if even that does not help, rounding rules. */
  readonly maxDamping: number;
  /** μ after a rejected step: 1e-6·λmax² from 0, else tenfold. */
  raise(damping: number): number;
  /** μ after an accepted step: tenfold down, and back to the undamped Newton step (0) below 1e-6·λmax². */
  lower(damping: number): number;
}

/** The step's ingredients at one point: H's eigen-decomposition and g in its eigenbasis; undefined when H = 0. */
export function gradientNewton(
  hessian: Float64Array,
  gradient: ArrayLike<number>,
  size: number,
): GradientNewton | undefined {
  const { values, vectors } = symmetricEigen(hessian, size, { vectors: true });
  const eigenvectors = vectors as Float64Array;
  let largest = 0;
  for (const value of values) largest = Math.max(largest, Math.abs(value));
  if (largest === 0) return undefined;
  const cutoff = NEWTON_EIGENVALUE_CUTOFF * largest;
  const projected = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    let sum = 0;
    for (let i = 0; i < size; i++) sum += eigenvectors[i * size + k] * gradient[i];
    projected[k] = sum;
  }
  const small = 1e-6 * largest * largest;
  return {
    step: (damping) => {
      const step = new Float64Array(size);
      for (let k = 0; k < size; k++) {
        const lambda = values[k];
        if (damping === 0 && Math.abs(lambda) <= cutoff) continue;
        const coefficient = (lambda / (lambda * lambda + damping)) * projected[k];
        for (let i = 0; i < size; i++) step[i] -= coefficient * eigenvectors[i * size + k];
      }
      return step;
    },
    maxDamping: 1e8 * largest * largest,
    raise: (damping) => (damping === 0 ? small : damping * 10),
    lower: (damping) => (damping < small ? 0 : damping / 10),
  };
}
