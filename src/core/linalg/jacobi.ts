import { ConvergenceError, MACHINE_EPSILON, norm } from './basic.js';

/** Sweeps before one-sided Jacobi gives up; after QR preconditioning it typically needs 4–8. */
const MAX_SWEEPS = 60;

/**
 * One-sided (Hestenes) Jacobi: rotates pairs of rows of M (k × length, row-major, in place) until every pair is
 * numerically orthogonal, |⟨m_p, m_q⟩| ≤ √length·ε·‖m_p‖·‖m_q‖ (LAPACK dgesvj's test). The row norms are then the
 * singular values of M, computed to high relative accuracy for well-scaled inputs (Demmel & Veselić 1992).
 *
 * When `rotations` (k × k) is given, the same rotations are applied to its rows, so on return
 * M_final = rotations·M_initial when `rotations` started as the identity.
 */
export function orthogonaliseRows(
  m: Float64Array,
  k: number,
  length: number,
  rotations: Float64Array | undefined,
): void {
  const threshold = Math.sqrt(Math.max(length, 1)) * MACHINE_EPSILON;
  const norms = new Float64Array(k);
  for (let i = 0; i < k; i++) norms[i] = norm(m.subarray(i * length, (i + 1) * length));
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        const np = norms[p];
        const nq = norms[q];
        if (np === 0 || nq === 0) continue;
        const rowP = p * length;
        const rowQ = q * length;
        let gamma = 0;
        for (let j = 0; j < length; j++) gamma += m[rowP + j] * m[rowQ + j];
        if (Math.abs(gamma) <= threshold * np * nq) continue;
        rotated = true;
        // The rotation that diagonalises the Gram block [[‖m_p‖², γ], [γ, ‖m_q‖²]] (Rutishauser's formulas).
        const zeta = (nq - np) * ((nq + np) / (2 * gamma));
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotatePair(m, rowP, rowQ, length, c, s);
        if (rotations !== undefined) rotatePair(rotations, p * k, q * k, k, c, s);
        norms[p] = norm(m.subarray(rowP, rowP + length));
        norms[q] = norm(m.subarray(rowQ, rowQ + length));
      }
    }
    if (!rotated) return;
  }
  throw new ConvergenceError(`one-sided Jacobi SVD did not converge in ${MAX_SWEEPS} sweeps (k = ${k})`);
}

/** m_p ← c·m_p − s·m_q, m_q ← s·m_p + c·m_q. */
function rotatePair(m: Float64Array, rowP: number, rowQ: number, length: number, c: number, s: number): void {
  for (let j = 0; j < length; j++) {
    const a = m[rowP + j];
    const b = m[rowQ + j];
    m[rowP + j] = c * a - s * b;
    m[rowQ + j] = s * a + c * b;
  }
}
