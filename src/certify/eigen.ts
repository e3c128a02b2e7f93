import { type SymmetricEigen, symmetricEigen } from '../core/linalg/index.js';

/**
 * `symmetricEigen` of A + σI with σ = 2·max row sum of |A| (≥ 2‖A‖₂), shifted back. Hessians at critical points
 * have large clusters of eigenvalues at 0 (symmetries, flat directions, zero-loss manifolds); the QL deflation
 * test in core/linalg/tridiagonal.ts is relative to the neighbouring diagonal entries, which never passes inside
 * such a cluster (ConvergenceError, seen on the Fig. 5.2 Hessian with 90 zero eigenvalues of 110). After the
 * shift the spectrum lies in [σ/2, 3σ/2], away from 0, and the eigenvalues keep the absolute accuracy ε·‖A‖ that
 * backward stability gives anyway. Eigenvectors are unchanged by the shift.
 */
export function hessianEigen(a: Float64Array, n: number, vectors = false): SymmetricEigen {
  let bound = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.abs(a[i * n + j]);
    bound = Math.max(bound, sum);
  }
  const shift = 2 * bound;
  const shifted = Float64Array.from(a);
  for (let i = 0; i < n; i++) shifted[i * n + i] += shift;
  const result = symmetricEigen(shifted, n, { vectors });
  return { values: result.values.map((value) => value - shift), vectors: result.vectors };
}
