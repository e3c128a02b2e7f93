import type { ArchitectureJson } from '../io/weights-file.js';

/**
 * What one run reports: the quantities the papers' claims are about, each `null` when this run did not compute it
 * (never a sentinel number). A run function returns this; the store keeps one row of it per run.
 */
export interface RunResult {
  /** Training loss at the end point, in the run's own loss (MSE or SSE). */
  readonly finalLoss: number;
  /** MSE = (1/N)‖e‖² at the end point, whatever loss was optimised, so runs compare on one scale. */
  readonly mse: number;
  /** Misclassification error at the end point; null when the task is not binary classification. */
  readonly mce: number | null;
  readonly gradientNorm: number | null;
  /** min over units and samples of |pre-activation|: how far the end point is from a kink. */
  readonly kinkMargin: number | null;
  /**
   * Extreme Hessian eigenvalues of the certified point (Lanczos: the extreme Ritz values). The train runner
   * certifies the polished end point, so these, `morseIndex` and `verdict` describe it, while the fields above
   * describe the trained one; its `extra.certificate` has the polished point's loss, gradient and kink margin.
   */
  readonly minEigenvalue: number | null;
  readonly maxEigenvalue: number | null;
  /** Number of negative Hessian eigenvalues beyond the certificate's tolerance. */
  readonly morseIndex: number | null;
  /** The certificate's verdict (global, local-min, saddle, degenerate, non-differentiable), when certified. */
  readonly verdict: string | null;
  /**
   * The certified class of the end point (end-point-class.ts: global, sub-optimal-min, saddle, kink, undecided,
   * not-converged); absent or null when the run was not certified. Runs stored before the column existed are
   * classified from `extra.certificate` when read (`endPointClassOf`).
   */
  readonly endPointClass?: string | null;
  /** Optimiser iterations (steps) taken. */
  readonly iterations: number | null;
  /** True when the trained network's output is the same for every training sample (a dead, "blind-spot" net). */
  readonly constantOutput: boolean | null;
  /**
   * Anything else the run function wants kept, as JSON. By convention a run that was asked for a certificate and
   * could not get one keeps its other measurements and says why in `certificateError` (a string), which the
   * summary counts per cell.
   */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** The end point itself, kept when the sweep asks for weights (needed to count distinct minima). */
  readonly weights?: RunWeights;
  /**
   * The backend that computed the run's losses and gradients (`reference`, `onnx`); absent or null when the runner
   * does not say. The train runner keeps the whole choice (what was asked for, why, threads) in `extra.backendChoice`.
   */
  readonly backend?: string | null;
  /**
   * How many runs were trained together in lock-step with this one (batched restarts, see src/run/together.ts), itself
   * included; 1 for a run trained alone, absent or null when the runner does not say.
   */
  readonly lockstepRuns?: number | null;
}

export interface RunWeights {
  readonly architecture: ArchitectureJson;
  readonly theta: Float64Array;
}

/** A function from one run's configuration and seed to its result. Workers call it; it must be deterministic. */
export type RunFunction = (
  config: unknown,
  seed: number,
  options: RunOptions,
) => RunResult | Promise<RunResult>;

export interface RunOptions {
  readonly keepWeights: boolean;
  /**
   * Threads each backend may use (ONNX Runtime's intra-op threads); absent: the backend's own choice. A pool of
   * several workers passes 1, so that the workers do not each spread over every core.
   */
  readonly threads?: number;
}

/**
 * Optional second export of a runner module, `runLockstep`: several seeds of one configuration at once, returning
 * their results in the order of `seeds`, each as `run(config, seed, options)` would (to rounding). The executor uses
 * it for the groups the runner's `lockstepLimit` allows.
 */
export type LockstepRunFunction = (
  config: unknown,
  seeds: readonly number[],
  options: RunOptions,
) => RunResult[] | Promise<RunResult[]>;

/** A result with every optional measurement absent; run functions spread their own fields over it. */
export const EMPTY_MEASUREMENTS = {
  mce: null,
  gradientNorm: null,
  kinkMargin: null,
  minEigenvalue: null,
  maxEigenvalue: null,
  morseIndex: null,
  verdict: null,
  iterations: null,
  constantOutput: null,
} as const satisfies Partial<RunResult>;
