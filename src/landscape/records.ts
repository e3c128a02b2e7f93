import type { Verdict, VerdictRule, VerdictStrength } from '../certify/verdict.js';

/*
 * The plain-JSON records of the landscape between minima: what `basin landscape path|graph` write, what a report
 * section and the explorer read. One schema per idea: the path pipeline (path.ts) produces `ConnectionRecord`, the
 * graph pipeline collects them with the minima into a `GraphRecord`, and the drawing code only reads these.
 */

/** How a path between two minima was made. */
export type PathMethod = 'linear' | 'bezier' | 'polychain' | 'neb';

/** The loss along one path, on its own parameter t ∈ [0, 1] (the NEB's t is the images' normalised arc length). */
export interface PathProfileRecord {
  readonly method: PathMethod;
  readonly t: readonly number[];
  readonly loss: readonly number[];
  /** Highest loss on the path (refined between grid points where the method allows it). */
  readonly maxLoss: number;
  /** Where that highest loss is, on t. */
  readonly peakT: number;
  /** maxLoss − max(L(from), L(to)): positive when the path climbs over a barrier. */
  readonly barrier: number;
}

/**
 * The highest point of the refined path, polished into a critical point and certified. `certified` is true only for
 * a proved Morse index 1 saddle (verdict `saddle`, strength `proved`, index 1): a smooth one (rule `second-order`)
 * or one on a first-layer kink (rule `kink-saddle`, ridge.ts: a strict minimum of L along the kink from which L
 * descends on both sides); otherwise `reason` says why not (on a kink, index ≠ 1, polishing did not converge, no
 * barrier at all, …).
 */
export interface SaddleRecord {
  readonly certified: boolean;
  readonly reason: string;
  readonly verdict: Verdict;
  /** The certificate's rule, or `kink-saddle` for the path-top rule of ridge.ts (not a certificate rule). */
  readonly rule: VerdictRule | 'kink-saddle';
  readonly strength: VerdictStrength;
  readonly morseIndex: number | null;
  /** L at the refined critical point, float64. */
  readonly loss: number;
  /** ‖∇L‖ / lossScale there (for `kink-saddle`: the gradient's part along the kink, which both pieces share). */
  readonly relativeGradient: number;
  /**
   * |cos| between the Hessian's negative eigenvector (for `kink-saddle`: the kink's normal) and the path's tangent at
   * the climbing image (null if none).
   */
  readonly tangentOverlap: number | null;
  /** Distance from the climbing image to the refined point, relative to ‖θ_from − θ_to‖. */
  readonly displacement: number;
  readonly theta: readonly number[];
}

/** Two minima, aligned, and the paths and saddle between them. */
export interface ConnectionRecord {
  /** Node ids in a graph (0 and 1 for a lone `landscape path`). */
  readonly from: number;
  readonly to: number;
  readonly fromLoss: number;
  readonly toLoss: number;
  /** ‖θ_to − θ_from‖ before and after hidden-unit alignment (permutation and positive rescaling). */
  readonly distanceBefore: number;
  readonly distanceAfter: number;
  /** True when the two are one minimum up to symmetry (aligned distance within the merge tolerance). */
  readonly sameMinimum: boolean;
  readonly paths: readonly PathProfileRecord[];
  /** The certified (or not) top of the best path; null when no path climbs (barrier ≤ 0 within rounding). */
  readonly saddle: SaddleRecord | null;
  /**
   * The lowest barrier found: L(top) − L(from) and L(top) − L(to), where top is the certified saddle when there is
   * one and otherwise the best path's highest point.
   */
  readonly barrierFromStart: number;
  readonly barrierFromEnd: number;
  /** The height of the top (the edge's level in a disconnectivity graph). */
  readonly topLoss: number;
}

/** A distinct certified minimum that the restarts found (a node of the disconnectivity graph). */
export interface MinimumRecord {
  readonly id: number;
  readonly loss: number;
  readonly verdict: Verdict;
  readonly rule: string;
  /** Restarts that ended here, out of `GraphRecord.restarts`. */
  readonly count: number;
  readonly theta: readonly number[];
}

/** A merge of the disconnectivity tree: the groups `left` and `right` join at `level` (an edge's topLoss). */
export interface MergeRecord {
  readonly level: number;
  readonly left: readonly number[];
  readonly right: readonly number[];
  /** Index into GraphRecord.edges of the connection that joins them. */
  readonly edge: number;
  /** Whether that edge's saddle is certified. */
  readonly certified: boolean;
}

/** The problem a landscape record belongs to, enough to rebuild it (the explorer's playground loads minima from it). */
export interface LandscapeProblemRecord {
  /** A built-in dataset name (`basin search --dataset`). */
  readonly dataset: string;
  readonly hidden: readonly number[];
  readonly activation: string;
  readonly loss: string;
  /** Parameter count, for checking θ's length. */
  readonly parameters: number;
}

export interface PathRecord {
  readonly kind: 'basin-landscape-path';
  readonly version: 1;
  readonly problem: LandscapeProblemRecord;
  readonly connection: ConnectionRecord;
}

/** A distinct end point of the search that is not a certified minimum, so not a node (counted, not dropped). */
export interface ExcludedEndPointRecord {
  readonly loss: number;
  readonly verdict: Verdict;
  readonly rule: string;
  readonly count: number;
}

/** Which pairs of minima were connected: every pair, or (above the cap on pairs) each minimum to its k nearest. */
export type PairingRecord =
  { readonly kind: 'all' } | { readonly kind: 'nearest'; readonly k: number; readonly maxPairs: number };

export interface GraphRecord {
  readonly kind: 'basin-landscape-graph';
  readonly version: 1;
  readonly problem: LandscapeProblemRecord;
  readonly restarts: number;
  readonly seed: number;
  readonly nodes: readonly MinimumRecord[];
  /** End points whose verdict is not `global` or `local-min` (saddle, degenerate, non-differentiable, …). */
  readonly excluded: readonly ExcludedEndPointRecord[];
  readonly pairing: PairingRecord;
  /** Wall-clock seconds of the search and of the connections. */
  readonly seconds: { readonly search: number; readonly connect: number };
  readonly edges: readonly ConnectionRecord[];
  /** Merges in order of level (Kruskal on the edges' topLoss): the disconnectivity tree. */
  readonly merges: readonly MergeRecord[];
}
