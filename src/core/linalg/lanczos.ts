import { InvalidArgumentError, requireInteger } from '../errors.js';
import { Rng } from '../rng.js';
import { MACHINE_EPSILON, norm, requireDimension } from './basic.js';
import { ascendingOrder, tridiagonalQl } from './tridiagonal.js';

export interface LanczosOptions {
  /** How many eigenvalues to find at each end of the spectrum (default 1). */
  readonly count?: number;
  /** Largest Krylov dimension, i.e. products with the operator (default min(n, 300)). */
  readonly maxIterations?: number;
  /**
   * Converged when every wanted Ritz pair has residual ‖A·y − θ·y‖ ≤ tolerance·‖A‖ (‖A‖ estimated by the largest
   * |Ritz value|). Default 1e-10. For a symmetric A an eigenvalue lies within that residual of θ.
   */
  readonly tolerance?: number;
  /** Seed of the random start vector (default 1). */
  readonly seed?: number;
  /** Also return the Ritz vectors (default false). */
  readonly vectors?: boolean;
  /**
   * Restricts the iteration to a subspace: applied to every start vector, it must be the orthogonal projector onto
   * a subspace that the operator maps into itself (for a Hessian, Q·H·Q with Q the projector onto the complement of
   * its symmetry null directions). The Ritz values are then those of the operator on that subspace.
   */
  readonly project?: (v: Float64Array) => Float64Array;
}

export interface LanczosExtremes {
  /** The `count` smallest Ritz values, ascending. */
  readonly smallest: Float64Array;
  /** The `count` largest Ritz values, descending. */
  readonly largest: Float64Array;
  /** ‖A·y − θ·y‖ for each unit Ritz vector y of `smallest`, recomputed with the operator (not estimated). */
  readonly smallestResiduals: Float64Array;
  /** Same for `largest`. */
  readonly largestResiduals: Float64Array;
  /** n × count row-major, Ritz vectors as columns (same order as `smallest`), when `vectors` was asked for. */
  readonly smallestVectors: Float64Array | undefined;
  readonly largestVectors: Float64Array | undefined;
  /** The ‖A‖ estimate the tolerance is relative to: max |Ritz value|. */
  readonly scale: number;
  /** Operator products spent on the Krylov basis (2·count more go to the final residual check). */
  readonly iterations: number;
  /** True when every residual above is ≤ tolerance·scale. */
  readonly converged: boolean;
}

/** How often (in Lanczos steps) the Ritz values are recomputed to test convergence. */
const CHECK_INTERVAL = 5;

/**
 * Extreme eigenvalues of a symmetric linear operator known only through products v ↦ A·v (a Hessian-vector product,
 * say), by the Lanczos iteration with full reorthogonalisation: every new Krylov vector is orthogonalised twice
 * against all previous ones (classical Gram–Schmidt, twice is enough), so no spurious copies of converged
 * eigenvalues appear. Memory: maxIterations vectors of length n.
 *
 * If the Krylov space becomes invariant before convergence, the iteration continues from a fresh random vector
 * orthogonal to it, so eigenvalues the start vector missed are still found.
 *
 * @example
 * ```ts
 * const diagonal = Float64Array.from({ length: 100 }, (_, i) => i - 10);
 * const result = lanczosExtremes((v) => v.map((x, i) => diagonal[i] * x), 100);
 * // result.smallest ≈ [-10], result.largest ≈ [89]
 * ```
 */
export function lanczosExtremes(
  apply: (v: Float64Array) => Float64Array,
  n: number,
  options: LanczosOptions = {},
): LanczosExtremes {
  requireDimension('n', n);
  if (n === 0) throw new InvalidArgumentError('n', 'an operator dimension ≥ 1', n);
  const count = requireInteger('count', options.count ?? 1, 1, n);
  const maxIterations = requireInteger('maxIterations', options.maxIterations ?? Math.min(n, 300), 1);
  const tolerance = options.tolerance ?? 1e-10;
  if (!(tolerance > 0 && Number.isFinite(tolerance))) {
    throw new InvalidArgumentError('tolerance', 'a finite number > 0', tolerance);
  }
  const limit = Math.min(maxIterations, n);
  const rng = new Rng(options.seed ?? 1);
  const applyChecked = (v: Float64Array): Float64Array => checkProduct(apply(v), n);

  const basis = new Float64Array(limit * n);
  const alpha = new Float64Array(limit);
  const beta = new Float64Array(limit);
  let normEstimate = 0;
  const project = options.project;
  startVector(basis, 0, n, rng, project);
  let steps = 0;
  for (let j = 0; j < limit; j++) {
    const q = basis.subarray(j * n, (j + 1) * n);
    const w = Float64Array.from(applyChecked(q));
    steps = j + 1;
    let a = 0;
    for (let i = 0; i < n; i++) a += q[i] * w[i];
    alpha[j] = a;
    orthogonaliseAgainst(w, basis, j + 1, n);
    orthogonaliseAgainst(w, basis, j + 1, n);
    const b = norm(w);
    normEstimate = Math.max(normEstimate, Math.abs(a) + b + (j > 0 ? beta[j - 1] : 0));
    beta[j] = b;
    if (j + 1 === limit) break;
    const next = basis.subarray((j + 1) * n, (j + 2) * n);
    if (b <= n * MACHINE_EPSILON * normEstimate) {
      // Invariant subspace: restart in its orthogonal complement; the coupling β is exactly 0.
      beta[j] = 0;
      startVector(basis, j + 1, n, rng, project);
    } else {
      for (let i = 0; i < n; i++) next[i] = w[i] / b;
    }
    if ((j + 1) % CHECK_INTERVAL === 0 && estimatesConverged(alpha, beta, j + 1, count, tolerance)) break;
  }
  return ritzPairs(applyChecked, basis, alpha, beta, steps, n, count, tolerance, options.vectors ?? false);
}

function checkProduct(product: Float64Array, n: number): Float64Array {
  if (!(product instanceof Float64Array) || product.length !== n) {
    throw new InvalidArgumentError('apply', `a function returning a Float64Array of length ${n}`, product);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(product[i])) {
      throw new InvalidArgumentError(`apply(v)[${i}]`, 'a finite number', product[i]);
    }
  }
  return product;
}

/** A random unit vector orthogonal to the first `index` basis vectors, written as basis vector `index`. */
function startVector(
  basis: Float64Array,
  index: number,
  n: number,
  rng: Rng,
  project: ((v: Float64Array) => Float64Array) | undefined,
): void {
  const v = basis.subarray(index * n, (index + 1) * n);
  for (let attempt = 0; attempt < 10; attempt++) {
    rng.fillGaussian(v);
    if (project !== undefined) v.set(project(v));
    orthogonaliseAgainst(v, basis, index, n);
    orthogonaliseAgainst(v, basis, index, n);
    const size = norm(v);
    if (size > 1e-8 * Math.sqrt(n)) {
      for (let i = 0; i < n; i++) v[i] /= size;
      return;
    }
  }
  throw new InvalidArgumentError(
    'n',
    `more than ${index} dimensions (the Krylov basis already spans the space)`,
    n,
  );
}

/** w ← w − Σᵢ (qᵢ·w)·qᵢ over the first `count` basis vectors (one classical Gram–Schmidt pass). */
function orthogonaliseAgainst(w: Float64Array, basis: Float64Array, count: number, n: number): void {
  const coefficients = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const base = k * n;
    let s = 0;
    for (let i = 0; i < n; i++) s += basis[base + i] * w[i];
    coefficients[k] = s;
  }
  for (let k = 0; k < count; k++) {
    const base = k * n;
    const s = coefficients[k];
    for (let i = 0; i < n; i++) w[i] -= s * basis[base + i];
  }
}

/**
 * Residual estimates |β_m·s_{m,k}| of the wanted Ritz pairs of the m-step tridiagonal T_m, from the last
 * components s_{m,k} of its eigenvectors alone (one rotated row instead of the full eigenvector matrix).
 */
function estimatesConverged(
  alpha: Float64Array,
  beta: Float64Array,
  m: number,
  count: number,
  tolerance: number,
): boolean {
  if (m < 2 * count) return false;
  const d = alpha.slice(0, m);
  const e = beta.slice(0, m);
  const last = new Float64Array(m);
  last[m - 1] = 1;
  tridiagonalQl(d, e, last, 1);
  const order = ascendingOrder(d);
  const scale = Math.max(Math.abs(d[order[0]]), Math.abs(d[order[m - 1]]));
  const wanted = [...order.subarray(0, count), ...order.subarray(m - count)];
  return wanted.every((k) => Math.abs(beta[m - 1] * last[k]) <= 0.1 * tolerance * scale);
}

function ritzPairs(
  apply: (v: Float64Array) => Float64Array,
  basis: Float64Array,
  alpha: Float64Array,
  beta: Float64Array,
  m: number,
  n: number,
  count: number,
  tolerance: number,
  wantVectors: boolean,
): LanczosExtremes {
  const d = alpha.slice(0, m);
  const e = beta.slice(0, m);
  const z = new Float64Array(m * m);
  for (let i = 0; i < m; i++) z[i * m + i] = 1;
  tridiagonalQl(d, e, z, m);
  const order = ascendingOrder(d);
  const take = Math.min(count, m);
  const scale = Math.max(Math.abs(d[order[0]]), Math.abs(d[order[m - 1]]));
  const pick = (indices: number[]) => {
    const values = new Float64Array(indices.length);
    const residuals = new Float64Array(indices.length);
    const vectors = wantVectors ? new Float64Array(n * indices.length) : undefined;
    indices.forEach((k, column) => {
      const y = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        const weight = z[k * m + i];
        const base = i * n;
        for (let t = 0; t < n; t++) y[t] += weight * basis[base + t];
      }
      const size = norm(y);
      for (let t = 0; t < n; t++) y[t] /= size;
      const ay = apply(y);
      const r = new Float64Array(n);
      for (let t = 0; t < n; t++) r[t] = ay[t] - d[k] * y[t];
      values[column] = d[k];
      residuals[column] = norm(r);
      if (vectors) for (let t = 0; t < n; t++) vectors[t * indices.length + column] = y[t];
    });
    return { values, residuals, vectors };
  };
  const low = pick(Array.from(order.subarray(0, take)));
  const high = pick(Array.from(order.subarray(m - take)).reverse());
  const converged = [...low.residuals, ...high.residuals].every((r) => r <= tolerance * scale);
  return {
    smallest: low.values,
    largest: high.values,
    smallestResiduals: low.residuals,
    largestResiduals: high.residuals,
    smallestVectors: low.vectors,
    largestVectors: high.vectors,
    scale,
    iterations: m,
    converged,
  };
}
