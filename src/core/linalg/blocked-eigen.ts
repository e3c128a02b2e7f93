import { applyReflections, blockedTridiagonalise } from './householder.js';
import type { DenseProducts } from './products.js';
import { sortedEigenpairs, tridiagonalQl } from './tridiagonal.js';
import { tridiagonalEigenDC } from './tridiagonal-dc.js';

/*
 * The blocked path of `symmetricEigen` (symmetric-eigen.ts) and its seam for the tridiagonal eigensolver. Not
 * re-exported from the linear-algebra index: callers go through `symmetricEigen`, tests come here to swap the block
 * size or the solver.
 */

/**
 * Eigenvalues (ascending) and eigenvectors of the symmetric tridiagonal matrix with diagonal d and off-diagonal e
 * (e[i] couples i and i+1, as for `tridiagonalQl`; both may be destroyed): `vectors` is n × n row-major with column
 * k the eigenvector of values[k]. The blocked path's seam for its tridiagonal eigensolver.
 */
export type TridiagonalEigensolver = (
  d: Float64Array,
  e: Float64Array,
  options: { readonly products: DenseProducts },
) => { values: Float64Array; vectors: Float64Array };

/**
 * Implicit QL with the rotations applied to the identity: O(n³) in TypeScript (about 3n³ flops, ~1 min at n = 3072).
 * Kept as the blocked path's second solver so tests can check the divide-and-conquer default against it.
 */
export const tridiagonalEigenQl: TridiagonalEigensolver = (d, e) => {
  const n = d.length;
  const z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) z[i * n + i] = 1;
  // Rows of z are rotated, so row k ends as eigenvector k of T; the transposed copy makes them columns.
  tridiagonalQl(d, e, z, n);
  return sortedEigenpairs(d, z, n);
};

/**
 * The blocked path on the symmetrised copy in the first n² entries of `work` (upper triangle valid; destroyed;
 * best with room for the panel vectors, `blockedWorkspaceLength`): mirror, blocked reduction, `solveTridiagonal`,
 * then U = Q·Z in place of Z. `blockSize`, when given, is used for both the reduction and the back-transformation.
 */
export function blockedSymmetricEigen(
  work: Float64Array,
  n: number,
  wantVectors: boolean,
  products: DenseProducts,
  // Divide and conquer spends its flops in `products` (1.4 s at n = 3072 where QL takes about a minute).
  solveTridiagonal: TridiagonalEigensolver = tridiagonalEigenDC,
  blockSize?: number,
): { values: Float64Array; vectors: Float64Array | undefined } {
  mirrorUpperTriangle(work, n);
  const reduction = blockedTridiagonalise(work, n, products, blockSize);
  if (!wantVectors) {
    tridiagonalQl(reduction.d, reduction.e, undefined, 0);
    return { values: reduction.d.sort(), vectors: undefined };
  }
  const { values, vectors } = solveTridiagonal(reduction.d.slice(), reduction.e.slice(), { products });
  applyReflections(reduction, vectors, n, products, blockSize);
  return { values, vectors };
}

/** a_ji ← a_ij for j > i, in 64 × 64 tiles so that the column-wise writes stay in cache. */
function mirrorUpperTriangle(a: Float64Array, n: number): void {
  const tile = 64;
  for (let i0 = 0; i0 < n; i0 += tile) {
    const i1 = Math.min(n, i0 + tile);
    for (let j0 = i0; j0 < n; j0 += tile) {
      const j1 = Math.min(n, j0 + tile);
      for (let i = i0; i < i1; i++) {
        for (let j = Math.max(j0, i + 1); j < j1; j++) a[j * n + i] = a[i * n + j];
      }
    }
  }
}
