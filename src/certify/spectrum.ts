import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { lanczosExtremes, norm, symmetricEigen } from '../core/linalg/index.js';
import { Rng } from '../core/rng.js';
import { EIGENVALUE_ZERO_TOLERANCE } from '../core/tolerances.js';
import type { Architecture } from '../model/architecture.js';
import type { CurvatureOperator } from '../backend/curvature.js';
import { referenceCurvature } from '../backend/reference-curvature.js';
import { denseHessian } from '../model/hessian.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import { Subspace } from './subspace.js';

/**
 * The Hessian spectrum at a point, split into what the symmetries explain and the rest.
 *
 * Up to `denseLimit` parameters the Hessian is formed exactly (P Hessian-vector products) and every eigenvalue is
 * computed in float64. The symmetry tangents T (see symmetry.ts) are then removed exactly: Householder reflections
 * that map span(T) onto the first k coordinates are applied to both sides of H, and the trailing (P−k)×(P−k)
 * block is H restricted to the orthogonal complement of T, whose eigenvalues are listed separately. Beyond
 * `denseLimit`, Lanczos on Hessian-vector products gives the extreme eigenvalues of H; counts are then unknown and
 * left out rather than guessed. A Ritz value below −threshold proves a negative eigenvalue (it bounds the smallest
 * one from above), whose direction is off the symmetry span since the tangents are null directions; Ritz values
 * above it prove nothing about the rest of the spectrum.
 *
 * Eigenvalues are counted as zero when |λ| ≤ zeroTolerance·max|λ|.
 */
export interface SpectrumOptions {
  /** Largest P for the dense Hessian and full spectrum (default 2500). */
  readonly denseLimit?: number;
  /** Relative zero threshold for eigenvalues (default EIGENVALUE_ZERO_TOLERANCE = 1e-9). */
  readonly zeroTolerance?: number;
  /** Eigenvalues wanted at each end by Lanczos (default 3). */
  readonly lanczosCount?: number;
  /** Lanczos Krylov dimension, i.e. Hessian-vector products (default 60: each costs about three passes over the data). */
  readonly lanczosIterations?: number;
  /** Lanczos seed (default 1). */
  readonly seed?: number;
  /** Also return eigenvectors of the restricted Hessian for its negative eigenvalues (dense, P ≤ 600; default true). */
  readonly negativeDirections?: boolean;
}

export interface EigenvalueCounts {
  readonly negative: number;
  readonly zero: number;
  readonly positive: number;
}

interface SymmetrySummary {
  /** Number of symmetry tangents supplied, and the dimension of their span. */
  readonly directions: number;
  readonly rank: number;
  /** max over tangents of ‖H·t‖ / (‖t‖·max|λ|): 0 at an exact critical point. */
  readonly relativeResidual: number;
}

export interface DenseSpectrum {
  readonly method: 'dense';
  readonly size: number;
  /** All P eigenvalues of H, ascending. */
  readonly eigenvalues: Float64Array;
  /** The absolute threshold used: zeroTolerance·max|λ|. */
  readonly zeroThreshold: number;
  readonly counts: EigenvalueCounts;
  readonly symmetry: SymmetrySummary;
  /** The P − rank eigenvalues of H restricted to the complement of the symmetry tangents, ascending. */
  readonly complementEigenvalues: Float64Array;
  readonly complementCounts: EigenvalueCounts;
  /** Unit eigenvectors (in θ coordinates) of the negative complement eigenvalues, most negative first. */
  readonly negativeDirections: readonly Float64Array[];
}

export interface LanczosSpectrum {
  readonly method: 'lanczos';
  readonly size: number;
  /**
   * Smallest Ritz values (ascending) and largest (descending) of H restricted to the complement of the symmetry
   * tangents (the iteration runs on Q·H·Q with Q the projector onto that complement, from a start vector in it), so
   * the rescaling zero modes do not crowd out the eigenvalues that decide a minimum. Each Ritz value is a Rayleigh
   * quotient of H, so a negative one proves a negative eigenvalue of H.
   */
  readonly smallest: Float64Array;
  readonly largest: Float64Array;
  /** ‖Q·H·Q·y − θ·y‖ for each unit Ritz vector y, recomputed with the operator: an eigenvalue lies within it. */
  readonly smallestResiduals: Float64Array;
  readonly largestResiduals: Float64Array;
  readonly zeroThreshold: number;
  /** Among `smallest`, how many are within the zero threshold (flat directions beyond the symmetries). */
  readonly nearZero: number;
  readonly converged: boolean;
  readonly hessianVectorProducts: number;
  /** The engine of the products. */
  readonly engine: CurvatureOperator['engine'];
  readonly symmetry: SymmetrySummary;
  /** Ritz vector of the most negative Ritz value, when there is one below −zeroThreshold. */
  readonly negativeDirections: readonly Float64Array[];
}

export type HessianSpectrum = DenseSpectrum | LanczosSpectrum;

export function hessianSpectrum(
  architecture: Architecture,
  loss: LossKind,
  theta: Float64Array,
  samples: Samples,
  symmetryTangents: readonly Float64Array[],
  options: SpectrumOptions = {},
  curvature?: CurvatureOperator,
): HessianSpectrum {
  const denseLimit = requireInteger('spectrum.denseLimit', options.denseLimit ?? 2500, 0);
  const zeroTolerance = requireFinite(
    'spectrum.zeroTolerance',
    options.zeroTolerance ?? EIGENVALUE_ZERO_TOLERANCE,
    0,
  );
  const size = theta.length;
  if (size === 0) throw new InvalidArgumentError('theta', 'at least one parameter', 0);
  const tangents = new Subspace(symmetryTangents, size);
  if (size <= denseLimit) {
    return denseSpectrum(
      architecture,
      loss,
      theta,
      samples,
      symmetryTangents,
      tangents,
      zeroTolerance,
      options,
    );
  }
  return lanczosSpectrum(
    curvature ?? referenceCurvature(architecture, loss, samples),
    theta,
    symmetryTangents,
    tangents,
    zeroTolerance,
    options,
  );
}

function countEigenvalues(values: ArrayLike<number>, threshold: number): EigenvalueCounts {
  let negative = 0;
  let zero = 0;
  let positive = 0;
  for (let k = 0; k < values.length; k++) {
    if (values[k] < -threshold) negative++;
    else if (values[k] > threshold) positive++;
    else zero++;
  }
  return { negative, zero, positive };
}

function symmetryResidual(
  apply: (v: Float64Array) => Float64Array,
  tangents: readonly Float64Array[],
  scale: number,
): number {
  let worst = 0;
  for (const t of tangents) {
    const size = norm(t);
    if (size === 0) continue;
    worst = Math.max(worst, norm(apply(t)) / (size * Math.max(scale, Number.MIN_VALUE)));
  }
  return worst;
}

function denseSpectrum(
  architecture: Architecture,
  loss: LossKind,
  theta: Float64Array,
  samples: Samples,
  symmetryTangents: readonly Float64Array[],
  tangents: Subspace,
  zeroTolerance: number,
  options: SpectrumOptions,
): DenseSpectrum {
  const size = theta.length;
  const hessian = denseHessian(architecture, loss, theta, samples);
  const eigenvalues = symmetricEigen(hessian, size).values;
  const scale = Math.max(Math.abs(eigenvalues[0]), Math.abs(eigenvalues[size - 1]));
  const zeroThreshold = zeroTolerance * scale;
  const multiply = (v: Float64Array): Float64Array => {
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      let sum = 0;
      for (let j = 0; j < size; j++) sum += hessian[i * size + j] * v[j];
      out[i] = sum;
    }
    return out;
  };
  const rank = tangents.rank;
  const reflectors = householderBasis(tangents.basis, size);
  const restricted = restrictToComplement(hessian, size, reflectors);
  const complementSize = size - rank;
  const wantVectors = (options.negativeDirections ?? true) && complementSize <= 600;
  const complement =
    complementSize === 0
      ? { values: new Float64Array(0), vectors: undefined }
      : symmetricEigen(restricted, complementSize, { vectors: wantVectors });
  const negativeDirections: Float64Array[] = [];
  if (complement.vectors !== undefined) {
    for (let k = 0; k < complementSize && complement.values[k] < -zeroThreshold; k++) {
      const direction = new Float64Array(size);
      for (let i = 0; i < complementSize; i++)
        direction[rank + i] = complement.vectors[i * complementSize + k];
      applyReflectors(reflectors, direction);
      negativeDirections.push(direction);
    }
  }
  return {
    method: 'dense',
    size,
    eigenvalues,
    zeroThreshold,
    counts: countEigenvalues(eigenvalues, zeroThreshold),
    symmetry: {
      directions: symmetryTangents.length,
      rank,
      relativeResidual: symmetryResidual(multiply, symmetryTangents, scale),
    },
    complementEigenvalues: complement.values,
    complementCounts: countEigenvalues(complement.values, zeroThreshold),
    negativeDirections,
  };
}

interface Reflector {
  /** Householder vector v (zero before index `start`) and β: R = I − β·v·vᵀ. */
  readonly v: Float64Array;
  readonly beta: number;
}

/**
 * Householder QR of the P × k matrix whose columns are the orthonormal tangents: reflectors R₁…R_k with
 * R_k⋯R₁·T = [upper triangle; 0]. With U = R₁⋯R_k, the first k columns of U span T and the others its complement.
 */
function householderBasis(basis: readonly Float64Array[], size: number): Reflector[] {
  const columns = basis.map((b) => Float64Array.from(b));
  const reflectors: Reflector[] = [];
  for (let j = 0; j < columns.length; j++) {
    const x = columns[j];
    let sum = 0;
    for (let i = j; i < size; i++) sum += x[i] * x[i];
    const alpha = Math.sqrt(sum);
    const v = new Float64Array(size);
    for (let i = j; i < size; i++) v[i] = x[i];
    v[j] += x[j] >= 0 ? alpha : -alpha;
    let vv = 0;
    for (let i = j; i < size; i++) vv += v[i] * v[i];
    const beta = vv === 0 ? 0 : 2 / vv;
    const reflector = { v, beta };
    reflectors.push(reflector);
    for (let c = j; c < columns.length; c++) reflect(reflector, columns[c]);
  }
  return reflectors;
}

function reflect({ v, beta }: Reflector, x: Float64Array): void {
  if (beta === 0) return;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += v[i] * x[i];
  s *= beta;
  for (let i = 0; i < x.length; i++) x[i] -= s * v[i];
}

/** x ← U·x = R₁⋯R_k·x: maps coordinates in the reflected basis back to θ coordinates. */
function applyReflectors(reflectors: readonly Reflector[], x: Float64Array): void {
  for (let j = reflectors.length - 1; j >= 0; j--) reflect(reflectors[j], x);
}

/** The trailing (P−k) × (P−k) block of Uᵀ·H·U, each reflector applied to both sides in O(P²). */
function restrictToComplement(
  hessian: Float64Array,
  size: number,
  reflectors: readonly Reflector[],
): Float64Array {
  const h = Float64Array.from(hessian);
  const w = new Float64Array(size);
  for (const { v, beta } of reflectors) {
    if (beta === 0) continue;
    // R·H·R = H − β·v·wᵀ − β·w·vᵀ + β²(vᵀw)·v·vᵀ with w = H·v.
    for (let i = 0; i < size; i++) {
      let sum = 0;
      for (let j = 0; j < size; j++) sum += h[i * size + j] * v[j];
      w[i] = sum;
    }
    let vw = 0;
    for (let i = 0; i < size; i++) vw += v[i] * w[i];
    for (let i = 0; i < size; i++) {
      const vi = v[i];
      const wi = w[i];
      for (let j = 0; j < size; j++) {
        h[i * size + j] += -beta * (vi * w[j] + wi * v[j]) + beta * beta * vw * vi * v[j];
      }
    }
  }
  const k = reflectors.length;
  const n = size - k;
  const block = new Float64Array(n * n);
  for (let i = 0; i < n; i++) block.set(h.subarray((k + i) * size + k, (k + i + 1) * size), i * n);
  return block;
}

function lanczosSpectrum(
  curvature: CurvatureOperator,
  theta: Float64Array,
  symmetryTangents: readonly Float64Array[],
  tangents: Subspace,
  zeroTolerance: number,
  options: SpectrumOptions,
): LanczosSpectrum {
  const size = theta.length;
  const room = size - tangents.rank;
  if (room < 1) throw new InvalidArgumentError('theta', 'a direction off the symmetry tangents', 0);
  // The default asks for 3 at each end, but never more than the net has: a net with 1 or 2 parameters is legal.
  const count = requireInteger('spectrum.lanczosCount', options.lanczosCount ?? Math.min(3, room), 1, room);
  const iterations = requireInteger('spectrum.lanczosIterations', options.lanczosIterations ?? 60, 1);
  const seed = options.seed ?? 1;
  const point = curvature.at(theta);
  let products = 0;
  const hessian = (v: Float64Array): Float64Array => {
    products++;
    return point.hessianVector(v);
  };
  const project = (v: Float64Array): Float64Array => (tangents.rank === 0 ? v : tangents.complementOf(v));
  const result = lanczosExtremes((v) => project(hessian(project(v))), size, {
    count,
    maxIterations: Math.min(iterations, room),
    seed,
    vectors: true,
    project,
  });
  const scale = Math.max(Math.abs(result.smallest[0]), Math.abs(result.largest[0]));
  const zeroThreshold = zeroTolerance * scale;
  const negativeDirections: Float64Array[] = [];
  if (result.smallest[0] < -zeroThreshold && result.smallestVectors !== undefined) {
    const direction = new Float64Array(size);
    for (let i = 0; i < size; i++) direction[i] = result.smallestVectors[i * count];
    negativeDirections.push(direction);
  }
  // One product instead of one per tangent (each costs a pass over the data): H applied to a random combination
  // of the unit tangents is small exactly when it is small on their span, up to cancellations of probability 0.
  const rng = new Rng(seed + 1);
  const combination = new Float64Array(size);
  for (const t of symmetryTangents) {
    const weight = rng.gaussian() / Math.max(norm(t), Number.MIN_VALUE);
    for (let i = 0; i < size; i++) combination[i] += weight * t[i];
  }
  return {
    method: 'lanczos',
    size,
    smallest: result.smallest,
    largest: result.largest,
    smallestResiduals: result.smallestResiduals,
    largestResiduals: result.largestResiduals,
    zeroThreshold,
    nearZero: Array.from(result.smallest).filter((v) => Math.abs(v) <= zeroThreshold).length,
    converged: result.converged,
    hessianVectorProducts: products,
    engine: curvature.engine,
    symmetry: {
      directions: symmetryTangents.length,
      rank: tangents.rank,
      relativeResidual: symmetryTangents.length === 0 ? 0 : symmetryResidual(hessian, [combination], scale),
    },
    negativeDirections,
  };
}
