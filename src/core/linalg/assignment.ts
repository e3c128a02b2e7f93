import { InvalidArgumentError, requireAllFinite } from '../errors.js';

/**
 * The linear assignment problem solved exactly: the permutation σ minimising Σᵢ cost[i, σ(i)] for a square n × n
 * cost matrix (row-major). Shortest augmenting paths with row and column potentials (the Hungarian method in
 * Jonker–Volgenant form, as scipy's `linear_sum_assignment` solves it), O(n³) time, O(n) extra memory. Returns σ as
 * `assignment[row] = column`.
 */
export function solveAssignment(cost: Float64Array, n: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('n', 'a non-negative integer', n);
  if (cost.length !== n * n) throw new InvalidArgumentError('cost', `${n * n} entries (n × n)`, cost.length);
  requireAllFinite('cost', cost);
  // 1-based arrays with a virtual column 0 that holds the row being inserted (the e-maxx formulation).
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const rowOfColumn = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  const minimum = new Float64Array(n + 1);
  const used = new Uint8Array(n + 1);
  for (let row = 1; row <= n; row++) {
    rowOfColumn[0] = row;
    let column = 0;
    minimum.fill(Infinity);
    used.fill(0);
    do {
      used[column] = 1;
      const current = rowOfColumn[column];
      let delta = Infinity;
      let next = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const reduced = cost[(current - 1) * n + (j - 1)] - u[current] - v[j];
        if (reduced < minimum[j]) {
          minimum[j] = reduced;
          way[j] = column;
        }
        if (minimum[j] < delta) {
          delta = minimum[j];
          next = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[rowOfColumn[j]] += delta;
          v[j] -= delta;
        } else {
          minimum[j] -= delta;
        }
      }
      column = next;
    } while (rowOfColumn[column] !== 0);
    do {
      const previous = way[column];
      rowOfColumn[column] = rowOfColumn[previous];
      column = previous;
    } while (column !== 0);
  }
  const assignment = new Int32Array(n);
  for (let j = 1; j <= n; j++) assignment[rowOfColumn[j] - 1] = j - 1;
  return assignment;
}
