import type { DType } from '../core/dtype.js';
import type { LabelEncoding } from '../data/labels.js';
import type { Architecture } from '../model/architecture.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import type { Objective } from '../train/objective.js';
import type { ClassificationCheck } from './classification.js';
import type { CurvatureOperator } from './curvature.js';
import type { RestartsObjective } from './restarts.js';

/** The engines that can compute a training objective. */
export type BackendName = 'reference' | 'onnx';

export const BACKEND_NAMES: readonly BackendName[] = ['reference', 'onnx'];

/** What a user asks for: a backend by name, or `auto` (choose by availability and problem size). */
export type BackendRequest = 'auto' | BackendName;

/** A training problem as a backend sees it. */
export interface Problem {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
}

/**
 * An `Objective` computed by a backend. The precision follows θ: `evaluate` with a Float32Array computes in float32
 * and returns a float32 gradient, with a Float64Array in float64. `dispose` releases native resources (a no-op for
 * plain TypeScript); evaluating after it throws.
 */
export interface BackendObjective extends Objective {
  readonly backend: BackendName;
  dispose(): void;
}

/**
 * A way of computing losses and gradients. Backends are interchangeable: each one's objective agrees with the
 * reference (`lossAndGradient`) to the rounding of its precision, which test/backend checks.
 */
export interface Backend {
  readonly name: BackendName;
  readonly description: string;
  /** Precisions the backend computes in. */
  readonly dtypes: readonly DType[];
  /** Why this backend cannot compute `problem` on this machine, or `undefined` when it can. */
  unsupportedReason(problem: Problem): string | undefined;
  /** Throws InvalidArgumentError when the problem is malformed or unsupported (see `unsupportedReason`). */
  objective(architecture: Architecture, loss: LossKind, samples: Samples): BackendObjective;
  /**
   * K networks of `architecture` on the same samples, evaluated together (see restarts.ts). Backends that can
   * share X between the networks do; the others loop over their single-network objective.
   */
  restartsObjective(
    architecture: Architecture,
    loss: LossKind,
    samples: Samples,
    restarts: number,
  ): RestartsObjective;
  /**
   * Float64 products for certification (J·v, Jᵀ·u, JᵀJ·v, ∇²L·v; see curvature.ts), agreeing with the reference to
   * rounding (test/backend/curvature.test.ts).
   */
  curvature(architecture: Architecture, loss: LossKind, samples: Samples): CurvatureOperator;
  /**
   * The misclassification count of networks of `architecture` on `samples` (one output, labels in `encoding`),
   * for any θ: the float64 forward pass's count, however the engine computes it (see classification.ts).
   */
  classificationCheck(
    architecture: Architecture,
    samples: Samples,
    encoding: LabelEncoding,
  ): ClassificationCheck;
  /** Releases every objective, curvature operator and classification check this backend created. */
  dispose(): void;
}

/** The backend chosen for a run and why; `record` is what a result file stores. */
export interface BackendChoice {
  readonly backend: Backend;
  readonly record: BackendChoiceRecord;
}

export interface BackendChoiceRecord {
  /** `webgpu`: the device training loop (webgpu/trainer.ts), which the run pipeline weighs beside the host backends. */
  readonly backend: BackendName | 'webgpu';
  readonly requested: BackendRequest | 'webgpu';
  readonly reason: string;
  /** onnxruntime-node's version when the ONNX backend was chosen. */
  readonly runtimeVersion?: string;
  /** The WebGPU adapter (vendor, device, feature level, software or not) when webgpu ran. */
  readonly adapter?: string;
}

export interface ChooseBackendOptions {
  /** Rows per evaluation when training uses minibatches (default: every sample). */
  readonly rowsPerEvaluation?: number;
  /** Threads for backends that use several (default: every logical CPU). */
  readonly threads?: number;
}

/**
 * Below this many multiply-adds per evaluation (rows × Σ_l in_l·out_l), `auto` keeps the plain TypeScript
 * reference: each ONNX Runtime call costs ~35 µs of fixed overhead, which the reference beats on tiny problems.
 * Crossover measured by bench/crossover.ts on the project’s 2-core machine: 8700–11000 (docs/performance.md).
 */
export const AUTO_MIN_MULTIPLY_ADDS = 10_000;
