import { khatriRao } from '../certify/khatri-rao.js';
import { BasinError, InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { choleskySolve, leastSquares, MACHINE_EPSILON, matvec, norm } from '../core/linalg/index.js';
import { applyQ, pivotedQr } from '../core/linalg/qr.js';
import { bytesOf, requireMemory } from '../core/limits.js';
import { deriveSeed, Rng } from '../core/rng.js';
import { type Proportion, proportion } from '../core/statistics.js';
import {
  CONE_FEASIBLE_COSINE_TOLERANCE,
  REGION_ATTAIN_TOLERANCE,
  REGION_ZERO_RESIDUAL_TOLERANCE,
} from '../core/tolerances.js';
import { encodeLabel, type LabelEncoding, misclassificationError } from '../data/labels.js';

/*
 * Soudry & Hoffer 2017 (papers.md §1.2–1.4): one hidden layer without biases, output f(WX)ᵀz, leaky ReLU of slope ρ.
 * With the slope pattern A = a(WX) frozen, the output is linear in the folded weights v = (z_i·w_i)_i:
 * ŷ = (A∘X)ᵀv = Gᵀv. Lemma 2 says every differentiable local minimum (DLM) in the region D_A has (A∘X)e = 0, i.e.
 * its residual e is orthogonal to the range of Gᵀ while y − e lies in it: e is the least-squares residual e*_A of
 * y ≈ Gᵀv, one vector per region. So a region can hold a sub-optimal DLM with MCE > ε only if e*_A ≠ 0 and
 * MCE(y − e*_A) > ε, and a zero-error minimum only if e*_A = 0: the "possible" classes below are necessary
 * conditions, upper bounds on the angular volumes of 𝓛_ε and 𝒢 (Def. 4).
 *
 * Lower bounds need a DLM that exists. Let v* be the minimum-norm least-squares solution, with blocks v*_i ∈ ℝ^{d0},
 * and C_i = {w : sign(w·x⁽ⁿ⁾) = s_in for every n} the open cone of unit i's side pattern (s_in = +1 where A_in = 1,
 * −1 where A_in = ρ). If each live block satisfies v*_i ∈ C_i or −v*_i ∈ C_i, put w_i = σ_i·v*_i and z_i = σ_i
 * (σ_i = ±1); a unit that is off on every sample (ρ = 0) has a zero block of A∘X, so v*_i = 0 there, and it keeps
 * its drawn row w_i (in C_i by construction) with z_i = 0. Then W ∈ D_A, and since f(u) = a(u)·u with a constant on
 * each cone, the network's output is Σ_i z_i·A_in·w_i·x⁽ⁿ⁾ = (Gᵀv*)_n: it attains the region's least-squares
 * minimum. Every (W′, z′) near (W, z) keeps W′ in the open set D_A, where the loss is (1/N)‖y − Gᵀv(W′, z′)‖² ≥ the
 * least-squares minimum = L(W, z); and no pre-activation is 0. So (W, z) is a DLM in D_A: the "certain" classes are
 * sufficient conditions, lower bounds. Other solutions of the least-squares problem (v* + null(Gᵀ)) may be
 * cone-feasible when v* is not: with `signSearch`, each choice of signs σ is tried as a convex feasibility problem
 * over that affine set (see `searchConeFeasible`), which tightens the lower bounds; any point it finds passes the
 * same cone check as v*, so the bound stays a proved one.
 *
 * "Sub-optimal" is taken as e*_A ≠ 0, a loss above the zero that a zero-error minimum attains; Theorem 8 promises
 * such a minimum when d1 ≥ 4⌈N/(2d0 − 2)⌉, which each size records (`theorem8Width`).
 */

/** One (N, d0, d1) of the survey. */
export interface VolumeSize {
  readonly count: number;
  readonly inputDim: number;
  readonly width: number;
}

/** How far a run has got; the CLI throttles what it prints. */
export interface VolumeProgress {
  /** 0-based index of the size being drawn, and how many sizes there are. */
  readonly sizeIndex: number;
  readonly sizes: number;
  readonly size: VolumeSize;
  /** Draws finished for this size, and the draws per size. */
  readonly done: number;
  readonly draws: number;
}

export interface RegionVolumeOptions {
  readonly sizes: readonly VolumeSize[];
  /** Independent draws (X, y, W) per size. */
  readonly draws: number;
  /** ε of 𝓛_ε: a region counts as bad only when the MCE of its minimum exceeds ε; 0 < ε < 1. */
  readonly epsilon: number;
  /** ρ, the slope for negative pre-activations (default 0, ReLU as in the paper's experiments); ρ ≠ 1. */
  readonly negativeSlope?: number;
  /** Random labels as ±1 with threshold 0 (default, the authors' code) or {0,1} with threshold 0.5 (the theory). */
  readonly labelEncoding?: LabelEncoding;
  readonly seed: number;
  /**
   * Also search all least-squares solutions for a cone-feasible one when v* is not (every sign choice for up to
   * SIGN_SEARCH_MAX_UNITS live units); slower, tighter lower bounds. Default false: v* only.
   */
  readonly signSearch?: boolean;
  /** Largest A∘X (N·d0·d1 entries) allowed; each draw solves a least-squares problem by SVD (default 10⁶). */
  readonly maxEntries?: number;
  readonly onProgress?: (progress: VolumeProgress) => void;
}

/**
 * The sign search tries all 2^k sign choices of k live units only up to this k (256 convex problems); beyond it,
 * only the choice read off v*.
 */
export const SIGN_SEARCH_MAX_UNITS = 8;

/**
 * Bytes one draw holds at once: A∘X (N × d0d1 doubles) and the SVD's factors and workspace, counted as two more
 * copies of it (a lower bound, like every size check: src/core/limits.ts). Checked against BASIN_MAX_MEMORY before
 * the first draw, so a size given with a raised `maxEntries` is refused rather than allocated.
 */
export function regionDrawBytes(size: VolumeSize): number {
  return bytesOf(3 * size.count * size.inputDim * size.width, 8);
}

/** The largest A∘X, in entries, unless `maxEntries` says otherwise: about a second per draw on one core. */
export const VOLUME_MAX_ENTRIES = 1_000_000;

export interface VolumeSizeEstimate extends VolumeSize {
  /** d0·d1, the number of non-redundant parameters. */
  readonly parameters: number;
  /** Theorem 8's d1* = 4⌈N/(2d0 − 2)⌉ (null for d0 = 1): at least this wide guarantees a zero-error DLM. */
  readonly theorem8Width: number | null;
  readonly draws: number;
  /** rank(A∘X) = N (numpy's default rank tolerance): every DLM in the region is global (Lemma 2). */
  readonly fullRank: Proportion;
  /** e*_A ≠ 0 and MCE(y − e*_A) > ε: an upper bound on E 𝒱(𝓛_ε). */
  readonly badPossible: Proportion;
  /** badPossible and a cone-feasible least-squares solution (a sub-optimal DLM built): a lower bound on E 𝒱(𝓛_ε). */
  readonly badCertain: Proportion;
  /** e*_A = 0: an upper bound on E 𝒱(𝒢). */
  readonly globalPossible: Proportion;
  /** e*_A = 0 and a cone-feasible least-squares solution (a zero-error DLM built): a lower bound on E 𝒱(𝒢). */
  readonly globalCertain: Proportion;
  /** Some sample has every unit inactive; for ρ = 0 that is a zero column of A∘X. */
  readonly allInactive: Proportion;
  /** Draws counted in badCertain or globalCertain only thanks to the sign search (0 without it). */
  readonly foundBySearch: number;
  /** Draws counted in badPossible that also had a sample with every unit inactive. */
  readonly badPossibleWithAllInactive: number;
  /** γ_ε of Def. 5 at this size (for ρ ≠ 0 with d0/N of this size in place of its limit). */
  readonly gamma: number;
  /** N^{3/4}·(d0d1)^{1/4}. */
  readonly rateExponent: number;
  /** exp(−γ_ε·N^{3/4}·(d0d1)^{1/4}), Theorem 6's rate (a statement about log-ratios as N → ∞, not a value). */
  readonly theoremRate: number;
  /** The largest ‖e*‖/‖y‖ taken as zero and the smallest taken as non-zero (null when none): the gap at the tolerance. */
  readonly largestZeroResidual: number | null;
  readonly smallestNonzeroResidual: number | null;
}

export interface RegionVolumeRecord {
  readonly kind: 'basin-landscape-volume';
  readonly version: 1;
  readonly model: string;
  readonly settings: {
    readonly draws: number;
    readonly epsilon: number;
    readonly negativeSlope: number;
    readonly labelEncoding: LabelEncoding;
    readonly seed: number;
    readonly residualTolerance: number;
    readonly coneCosineTolerance: number;
    readonly signSearch: boolean;
    readonly rankTolerance: string;
  };
  readonly sizes: readonly VolumeSizeEstimate[];
}

/** One draw: X (N × d0, samples as rows), labels y (N), W (d1 × d0, rows w_i). */
export interface RegionDraw {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly weights: Float64Array;
}

/** The bias-free network (W, z) that attains a region's least-squares minimum, when v* is cone-feasible. */
export interface RegionMinimum {
  /** d1 × d0, row-major. */
  readonly weights: Float64Array;
  /** z, length d1. */
  readonly outputWeights: Float64Array;
}

export interface RegionClassification {
  /** rank(A∘X) with numpy's lstsq cut-off max(N, d0d1)·ε·σ_max. */
  readonly rank: number;
  /** Samples on which every unit is inactive. */
  readonly allInactiveSamples: number;
  /** ‖e*_A‖/‖y‖. */
  readonly relativeResidual: number;
  readonly residualIsZero: boolean;
  /** MCE of the region's least-squares output y − e*_A. */
  readonly mce: number;
  /** The minimum-norm least-squares folded weights v* (d1 blocks of d0). */
  readonly foldedWeights: Float64Array;
  /** The DLM built from v* (or, with the sign search, another least-squares solution), or undefined. */
  readonly minimum: RegionMinimum | undefined;
  /** The minimum came from the sign search, v* itself not being cone-feasible. */
  readonly fromSearch: boolean;
  readonly badPossible: boolean;
  readonly badCertain: boolean;
  readonly globalPossible: boolean;
  readonly globalCertain: boolean;
}

/** Draw k of a size: X, then y, then W, from one stream deriveSeed(seed, N, d0, d1, k). */
export function drawRegionProblem(
  size: VolumeSize,
  seed: number,
  k: number,
  encoding: LabelEncoding = 'pm1',
): RegionDraw {
  const { count, inputDim, width } = size;
  const rng = new Rng(deriveSeed(seed, count, inputDim, width, k));
  const x = rng.fillGaussian(new Float64Array(count * inputDim)) as Float64Array;
  const y = Float64Array.from({ length: count }, () => encodeLabel(rng.uniform() < 0.5, encoding));
  const weights = rng.fillGaussian(new Float64Array(width * inputDim)) as Float64Array;
  return { x, y, weights };
}

/**
 * Classifies the region D_A of one draw, A = a(WX): its least-squares residual e*_A, the MCE of its output, and
 * whether the minimum-norm solution (or, with `signSearch`, another least-squares solution) gives a DLM (see the
 * comment at the top of this file).
 */
export function classifyRegion(
  draw: RegionDraw,
  size: VolumeSize,
  options: {
    readonly epsilon: number;
    readonly negativeSlope: number;
    readonly labelEncoding: LabelEncoding;
    /** Search all least-squares solutions for a cone-feasible one when v* is not (`searchConeFeasible`). */
    readonly signSearch?: boolean;
  },
): RegionClassification {
  const { count, inputDim, width } = size;
  const { x, y, weights } = draw;
  const rho = options.negativeSlope;
  const slopes = new Float64Array(count * width);
  let allInactiveSamples = 0;
  for (let n = 0; n < count; n++) {
    let active = 0;
    for (let i = 0; i < width; i++) {
      let u = 0;
      for (let j = 0; j < inputDim; j++) u += weights[i * inputDim + j] * x[n * inputDim + j];
      // u = 0 exactly has probability 0; basin's convention a(0) = ρ keeps the pattern defined.
      const on = u > 0;
      if (on) active++;
      slopes[n * width + i] = on ? 1 : rho;
    }
    if (active === 0) allInactiveSamples++;
  }
  const columns = width * inputDim;
  const gT = khatriRao(slopes, x, count, width, inputDim);
  const solution = leastSquares(gT, count, columns, y);
  const fitted = matvec(gT, count, columns, solution.x);
  const residual = y.map((value, n) => value - fitted[n]);
  const relativeResidual = norm(residual) / norm(y);
  const residualIsZero = relativeResidual <= REGION_ZERO_RESIDUAL_TOLERANCE;
  const mce = misclassificationError(fitted, y, options.labelEncoding);
  const badPossible = !residualIsZero && mce > options.epsilon;
  let minimum = regionMinimum(solution.x, slopes, draw, size, rho);
  let fromSearch = false;
  if (minimum === undefined && options.signSearch === true && (badPossible || residualIsZero)) {
    minimum = searchConeFeasible(gT, solution.x, fitted, slopes, draw, size, rho);
    fromSearch = minimum !== undefined;
  }
  return {
    rank: solution.rank,
    allInactiveSamples,
    relativeResidual,
    residualIsZero,
    mce,
    foldedWeights: solution.x,
    minimum,
    fromSearch,
    badPossible,
    badCertain: badPossible && minimum !== undefined,
    globalPossible: residualIsZero,
    globalCertain: residualIsZero && minimum !== undefined,
  };
}

/**
 * (W, z) with z_i·w_i = v_i and W inside the region of `slopes`, or undefined when some live block v_i is not
 * strictly inside ± its cone (cosine margin CONE_FEASIBLE_COSINE_TOLERANCE). A unit whose slopes are all 0 (ρ = 0,
 * off on every sample) contributes nothing to the output; it keeps its drawn row with z_i = 0.
 */
export function regionMinimum(
  folded: Float64Array,
  slopes: Float64Array,
  draw: RegionDraw,
  size: VolumeSize,
  negativeSlope: number,
): RegionMinimum | undefined {
  const { count, inputDim, width } = size;
  const { x } = draw;
  const weights = new Float64Array(width * inputDim);
  const outputWeights = new Float64Array(width);
  const sampleNorms = Float64Array.from({ length: count }, (_, n) =>
    norm(x.subarray(n * inputDim, (n + 1) * inputDim)),
  );
  for (let i = 0; i < width; i++) {
    let dead = negativeSlope === 0;
    for (let n = 0; n < count && dead; n++) if (slopes[n * width + i] !== 0) dead = false;
    if (dead) {
      weights.set(draw.weights.subarray(i * inputDim, (i + 1) * inputDim), i * inputDim);
      continue;
    }
    const block = folded.subarray(i * inputDim, (i + 1) * inputDim);
    const blockNorm = norm(block);
    if (!(blockNorm > 0)) return undefined;
    let sign = 0;
    for (let n = 0; n < count; n++) {
      let dot = 0;
      for (let j = 0; j < inputDim; j++) dot += block[j] * x[n * inputDim + j];
      const side = slopes[n * width + i] === 1 ? 1 : -1;
      const cosine = (side * dot) / (blockNorm * sampleNorms[n]);
      const here =
        cosine > CONE_FEASIBLE_COSINE_TOLERANCE ? 1 : cosine < -CONE_FEASIBLE_COSINE_TOLERANCE ? -1 : 0;
      if (here === 0 || (sign !== 0 && here !== sign)) return undefined;
      sign = here;
    }
    for (let j = 0; j < inputDim; j++) weights[i * inputDim + j] = sign * block[j];
    outputWeights[i] = sign;
  }
  return { weights, outputWeights };
}

/**
 * Looks for a cone-feasible point among all least-squares solutions v = v* + Z·t (Z an orthonormal basis of
 * null(Gᵀ), from a Householder QR of G): for a sign choice σ, the constraints σ_i·s_in·x⁽ⁿ⁾·v_i ≥ δ_n over the live
 * units are linear in t, so feasibility is a convex problem, solved as min ½Σ max(0, δ_n − row·t − offset)² by
 * Newton steps on the active rows (semismooth Newton, with backtracking); zero means feasible. The margin δ_n =
 * SEARCH_MARGIN·‖x⁽ⁿ⁾‖·‖v*‖/√d1 aims well inside the cones, so that the point found passes `regionMinimum`'s
 * cosine check, which decides; its outputs must also equal the least-squares ones (REGION_ATTAIN_TOLERANCE).
 * Sign choices: the one read off v* first, then every other one while the live units are at most
 * SIGN_SEARCH_MAX_UNITS (no search beyond 31 live units). Returns the network, or undefined when no choice gave a
 * feasible point.
 */
export function searchConeFeasible(
  gT: Float64Array,
  folded: Float64Array,
  fitted: Float64Array,
  slopes: Float64Array,
  draw: RegionDraw,
  size: VolumeSize,
  negativeSlope: number,
): RegionMinimum | undefined {
  const { count, inputDim, width } = size;
  const columns = width * inputDim;
  const { x } = draw;
  const live: number[] = [];
  for (let i = 0; i < width; i++) {
    let dead = negativeSlope === 0;
    for (let n = 0; n < count && dead; n++) if (slopes[n * width + i] !== 0) dead = false;
    if (!dead) live.push(i);
  }
  // Sign choices are 31-bit masks; wider layers are beyond what one draw could afford anyway.
  if (live.length === 0 || live.length > 31) return undefined;
  // Null space of Gᵀ: the last D − r columns of Q in G·P = Q·R, r = rank(G).
  const qr = pivotedQr(gT, count, columns);
  const scale = Math.abs(qr.work[0]);
  let rank = 0;
  // numpy's rank cut-off, applied to R's diagonal, which pivoting keeps non-increasing.
  const cutoff = Math.max(count, columns) * MACHINE_EPSILON * scale;
  while (rank < qr.steps && Math.abs(qr.work[rank * columns + rank]) > cutoff) rank++;
  const nullity = columns - rank;
  if (nullity === 0) return undefined;
  const basis = new Float64Array(nullity * columns); // row k: basis vector k
  for (let k = 0; k < nullity; k++) {
    const e = new Float64Array(columns);
    e[rank + k] = 1;
    applyQ(qr, e);
    basis.set(e, k * columns);
  }
  const foldedNorm = norm(folded);
  if (!(foldedNorm > 0)) return undefined;
  // Rows of the constraints for σ = +1: unit i, sample n: s_in·x⁽ⁿ⁾ in block i.
  const rows = live.length * count;
  const a = new Float64Array(rows * nullity);
  const offset = new Float64Array(rows);
  const margin = new Float64Array(rows);
  live.forEach((i, li) => {
    for (let n = 0; n < count; n++) {
      const row = li * count + n;
      const side = slopes[n * width + i] === 1 ? 1 : -1;
      const xn = x.subarray(n * inputDim, (n + 1) * inputDim);
      let dot = 0;
      for (let j = 0; j < inputDim; j++) dot += xn[j] * folded[i * inputDim + j];
      offset[row] = side * dot;
      for (let k = 0; k < nullity; k++) {
        let d = 0;
        for (let j = 0; j < inputDim; j++) d += xn[j] * basis[k * columns + i * inputDim + j];
        a[row * nullity + k] = side * d;
      }
      margin[row] = (SEARCH_MARGIN * norm(xn) * foldedNorm) / Math.sqrt(width);
    }
  });
  // The sign choice read off v*: the sign of each unit's summed sided products.
  let guess = 0;
  live.forEach((_, li) => {
    let sum = 0;
    for (let n = 0; n < count; n++) sum += offset[li * count + n];
    if (sum < 0) guess |= 1 << li;
  });
  const choices =
    live.length <= SIGN_SEARCH_MAX_UNITS
      ? [guess, ...Array.from({ length: 2 ** live.length }, (_, c) => c).filter((c) => c !== guess)]
      : [guess];
  for (const choice of choices) {
    const t = feasibleCoefficients(a, offset, margin, rows, nullity, count, choice);
    if (t === undefined) continue;
    const v = Float64Array.from(folded);
    for (let k = 0; k < nullity; k++) {
      if (t[k] === 0) continue;
      for (let c = 0; c < columns; c++) v[c] += t[k] * basis[k * columns + c];
    }
    const outputs = matvec(gT, count, columns, v);
    let gap = 0;
    for (let n = 0; n < count; n++) gap += (outputs[n] - fitted[n]) ** 2;
    if (Math.sqrt(gap) > REGION_ATTAIN_TOLERANCE * norm(draw.y)) continue;
    const minimum = regionMinimum(v, slopes, draw, size, negativeSlope);
    if (minimum !== undefined) return minimum;
  }
  return undefined;
}

/** The search's target margin, relative to ‖x⁽ⁿ⁾‖·‖v*‖/√d1: far inside the cones, far above the cosine check. */
const SEARCH_MARGIN = 1e-5;

/** Newton iterations of one sign choice's feasibility problem: it typically ends in a handful. */
const SEARCH_ITERATIONS = 50;

/**
 * t with σ_row·(a_row·t + offset_row) ≥ margin_row for every row, or undefined; bit li of `choice` flips unit li's
 * rows (σ = −1), rows are grouped by unit, `perUnit` rows each.
 */
export function feasibleCoefficients(
  a: Float64Array,
  offset: Float64Array,
  margin: Float64Array,
  rows: number,
  m: number,
  perUnit: number,
  choice: number,
): Float64Array | undefined {
  const sign = (row: number): number => ((choice >> Math.floor(row / perUnit)) & 1 ? -1 : 1);
  const t = new Float64Array(m);
  const shortfall = (at: Float64Array, out?: Float64Array): number => {
    let f = 0;
    for (let r = 0; r < rows; r++) {
      let value = offset[r];
      for (let k = 0; k < m; k++) value += a[r * m + k] * at[k];
      const gap = margin[r] - sign(r) * value;
      if (out) out[r] = gap;
      if (gap > 0) f += 0.5 * gap * gap;
    }
    return f;
  };
  const gaps = new Float64Array(rows);
  // The objective aims at the full margin; half of it is success, so that rounding at the aimed margin (a full
  // Newton step lands exactly on it) cannot leave a positive shortfall that looks like infeasibility.
  const reached = (): boolean => gaps.every((gap, r) => gap <= 0.5 * margin[r]);
  let f = shortfall(t, gaps);
  for (let iteration = 0; iteration < SEARCH_ITERATIONS; iteration++) {
    if (reached()) return t;
    // Gauss–Newton on the active rows: (AₛᵀAₛ + λI)·Δ = Aₛᵀ·gapₛ, with σ folded into the rows.
    const h = new Float64Array(m * m);
    const g = new Float64Array(m);
    for (let r = 0; r < rows; r++) {
      if (gaps[r] <= 0) continue;
      const s = sign(r);
      for (let k = 0; k < m; k++) {
        const ak = s * a[r * m + k];
        g[k] += ak * gaps[r];
        for (let l = 0; l <= k; l++) h[k * m + l] += ak * s * a[r * m + l];
      }
    }
    let trace = 0;
    for (let k = 0; k < m; k++) trace += h[k * m + k];
    if (!(trace > 0)) return undefined;
    for (let k = 0; k < m; k++) h[k * m + k] += 1e-12 * trace;
    const step = choleskySolve(h, m, g);
    let slope = 0;
    for (let k = 0; k < m; k++) slope += g[k] * step[k];
    let length = 1;
    let accepted = false;
    const trial = new Float64Array(m);
    for (let halvings = 0; halvings < 30; halvings++, length /= 2) {
      for (let k = 0; k < m; k++) trial[k] = t[k] + length * step[k];
      if (shortfall(trial) <= f - 1e-4 * length * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted) return undefined;
    t.set(trial);
    const previous = f;
    f = shortfall(t, gaps);
    // A stalled shortfall short of the goal: its minimum is above 0, this sign choice is infeasible.
    if (!reached() && previous - f <= 1e-12 * previous) return undefined;
  }
  return reached() ? t : undefined;
}

/** γ_ε of Soudry–Hoffer Def. 5: 0.23·ε^{3/4} for ρ = 0, else 0.23·max(d0/N, ε)^{3/4} (d0/N of the size). */
export function rateConstant(epsilon: number, negativeSlope: number, size: VolumeSize): number {
  const base = negativeSlope === 0 ? epsilon : Math.max(size.inputDim / size.count, epsilon);
  return 0.23 * base ** 0.75;
}

/**
 * Monte Carlo estimate of E_X 𝒱(𝓛_ε) and E_X 𝒱(𝒢) (Soudry–Hoffer Def. 3–4), as upper and lower bounds with Wilson
 * 95% intervals, per size, next to Theorem 6's rate. Each draw takes fresh X (i.i.d. N(0, 1)), random labels and W
 * (rows i.i.d. N(0, I)), so the fraction of draws whose region is bad estimates the expected angular volume.
 * Reproducible: draw k of a size depends only on the seed, the size and k.
 *
 * @example
 * ```ts
 * import { landscape } from 'basin';
 *
 * const record = landscape.regionVolumes({ sizes: [{ count: 4, inputDim: 4, width: 2 }], draws: 200, epsilon: 0.1, seed: 1 });
 * const size = record.sizes[0];
 * // N ≤ d0: A∘X loses rank only through samples on which every unit is off
 * console.log(size.fullRank.successes + size.allInactive.successes === size.draws); // true
 * ```
 */
export function regionVolumes(options: RegionVolumeOptions): RegionVolumeRecord {
  const draws = requireInteger('draws', options.draws, 1);
  const epsilon = requireFinite('epsilon', options.epsilon);
  if (!(epsilon > 0 && epsilon < 1)) throw new InvalidArgumentError('epsilon', 'a number in (0, 1)', epsilon);
  const negativeSlope = requireFinite('negativeSlope', options.negativeSlope ?? 0);
  if (negativeSlope === 1) {
    throw new InvalidArgumentError('negativeSlope', 'a slope ρ ≠ 1 (ρ = 1 makes every unit linear)', 1);
  }
  const labelEncoding = options.labelEncoding ?? 'pm1';
  if (labelEncoding !== 'pm1' && labelEncoding !== '01') {
    throw new InvalidArgumentError('labelEncoding', 'pm1 or 01', labelEncoding);
  }
  const seed = requireInteger('seed', options.seed, 0, 2 ** 32 - 1);
  const maxEntries = requireFinite('maxEntries', options.maxEntries ?? VOLUME_MAX_ENTRIES, 1);
  if (!Array.isArray(options.sizes) || options.sizes.length === 0) {
    throw new InvalidArgumentError('sizes', 'at least one size {count, inputDim, width}', options.sizes);
  }
  const sizes = options.sizes.map((size, i) => {
    const count = requireInteger(`sizes[${i}].count`, size.count, 1);
    const inputDim = requireInteger(`sizes[${i}].inputDim`, size.inputDim, 1);
    const width = requireInteger(`sizes[${i}].width`, size.width, 1);
    const entries = count * inputDim * width;
    if (entries > maxEntries) {
      throw new BasinError(
        `sizes[${i}]: N·d0·d1 = ${count}·${inputDim}·${width} = ${entries} entries of A∘X, more than maxEntries ` +
          `${maxEntries} (each draw solves a least-squares problem of that size by SVD); choose a smaller size or ` +
          'raise maxEntries deliberately',
      );
    }
    requireMemory(`sizes[${i}]`, 'A∘X and its SVD for one draw', regionDrawBytes({ count, inputDim, width }));
    return { count, inputDim, width };
  });
  const signSearch = options.signSearch ?? false;
  if (typeof signSearch !== 'boolean')
    throw new InvalidArgumentError('signSearch', 'true or false', signSearch);
  const classify = { epsilon, negativeSlope, labelEncoding, signSearch };
  const estimates = sizes.map((size, sizeIndex): VolumeSizeEstimate => {
    const tally = {
      full: 0,
      badPossible: 0,
      badCertain: 0,
      globalPossible: 0,
      globalCertain: 0,
      allInactive: 0,
      badWithInactive: 0,
      fromSearch: 0,
    };
    let largestZero: number | null = null;
    let smallestNonzero: number | null = null;
    for (let k = 0; k < draws; k++) {
      const region = classifyRegion(drawRegionProblem(size, seed, k, labelEncoding), size, classify);
      if (region.rank === size.count) tally.full++;
      if (region.badPossible) tally.badPossible++;
      if (region.badCertain) tally.badCertain++;
      if (region.globalPossible) tally.globalPossible++;
      if (region.globalCertain) tally.globalCertain++;
      if (region.fromSearch && (region.badCertain || region.globalCertain)) tally.fromSearch++;
      if (region.allInactiveSamples > 0) {
        tally.allInactive++;
        if (region.badPossible) tally.badWithInactive++;
      }
      if (region.residualIsZero) largestZero = Math.max(largestZero ?? 0, region.relativeResidual);
      else smallestNonzero = Math.min(smallestNonzero ?? Infinity, region.relativeResidual);
      options.onProgress?.({ sizeIndex, sizes: sizes.length, size, done: k + 1, draws });
    }
    const gamma = rateConstant(epsilon, negativeSlope, size);
    const rateExponent = size.count ** 0.75 * (size.inputDim * size.width) ** 0.25;
    return {
      ...size,
      parameters: size.inputDim * size.width,
      theorem8Width: size.inputDim >= 2 ? 4 * Math.ceil(size.count / (2 * size.inputDim - 2)) : null,
      draws,
      fullRank: proportion(tally.full, draws),
      badPossible: proportion(tally.badPossible, draws),
      badCertain: proportion(tally.badCertain, draws),
      globalPossible: proportion(tally.globalPossible, draws),
      globalCertain: proportion(tally.globalCertain, draws),
      allInactive: proportion(tally.allInactive, draws),
      badPossibleWithAllInactive: tally.badWithInactive,
      foundBySearch: tally.fromSearch,
      gamma,
      rateExponent,
      theoremRate: Math.exp(-gamma * rateExponent),
      largestZeroResidual: largestZero,
      smallestNonzeroResidual: smallestNonzero,
    };
  });
  return {
    kind: 'basin-landscape-volume',
    version: 1,
    model:
      'Soudry–Hoffer 2017: one hidden layer without biases, leaky ReLU of slope ρ, X and W with i.i.d. N(0, 1) ' +
      'entries, random binary labels; MSE, scored by MCE',
    settings: {
      draws,
      epsilon,
      negativeSlope,
      labelEncoding,
      seed,
      residualTolerance: REGION_ZERO_RESIDUAL_TOLERANCE,
      coneCosineTolerance: CONE_FEASIBLE_COSINE_TOLERANCE,
      signSearch,
      rankTolerance: 'max(N, d0·d1)·σ_max·ε (numpy.linalg.lstsq and matrix_rank default)',
    },
    sizes: estimates,
  };
}
