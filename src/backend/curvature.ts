import type { ForwardCache } from '../model/forward.js';
import type { BackendName } from './backend.js';

/**
 * Curvature of a quadratic training loss L(θ) = c‖e(θ)‖², e = output − y, known only through products: the one
 * operator interface that polishing and the Hessian spectrum are written against (after hessian-eigenthings'
 * operator/algorithm split), so that the same algorithms run on basin's reference kernels or on a fast backend.
 *
 * Everything is float64. J = ∂output/∂θ is the (N·outputs) × P output Jacobian, rows sample-major (row n·outputs + o),
 * and every product uses the kink convention of src/model/activation.ts (f'(0) = ρ, f''(0) = 0).
 */
export interface CurvatureOperator {
  readonly engine: BackendName;
  readonly parameterCount: number;
  /** N·outputs: the length of residuals, J·v and the u of Jᵀ·u. */
  readonly rows: number;
  /** L(θ) alone (no gradient): what directional probes need. */
  loss(theta: Float64Array): number;
  /** The loss, residual and gradient at θ, and products there. θ is not copied: do not change it afterwards. */
  at(theta: Float64Array): CurvaturePoint;
  /** Releases native resources; using the operator or its points afterwards throws. */
  dispose(): void;
}

export interface CurvaturePoint {
  readonly theta: Float64Array;
  readonly loss: number;
  /** e = output − y, sample-major. */
  readonly residual: Float64Array;
  /** ∇L = 2c·Jᵀe. */
  readonly gradient: Float64Array;
  /**
   * The reference forward pass at θ when the engine made one (the reference engine does), so that callers that
   * need basin's own layer values (dense Jacobians, the kink tests) do not run it again.
   */
  readonly cache?: ForwardCache;
  /** J·v. */
  jacobianVector(v: Float64Array): Float64Array;
  /** Jᵀ·u. */
  jacobianTransposeVector(u: Float64Array): Float64Array;
  /** JᵀJ·v (the Gauss–Newton matrix of ½‖e‖², without the loss factor). */
  gaussNewtonVector(v: Float64Array): Float64Array;
  /** ∇²L·v, exact (Pearlmutter's R-operator). */
  hessianVector(v: Float64Array): Float64Array;
}
