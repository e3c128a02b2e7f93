import type { FloatArray } from '../core/dtype.js';
import { strongWolfeLineSearch } from './line-search.js';
import type { Evaluation, Objective } from './objective.js';
import { dot } from './vector.js';

export interface LbfgsIteration {
  /** The new point and its evaluation, or undefined when no step along the L-BFGS direction nor −∇L decreased L. */
  readonly next: { readonly theta: FloatArray; readonly evaluation: Evaluation } | undefined;
  readonly evaluations: number;
}

/**
 * Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4 and 7.5): the direction d = −H∇L comes from the two-loop
 * recursion over the last `memory` pairs s = θ₊ − θ, y = ∇L₊ − ∇L, with initial scaling H₀ = (sᵀy / yᵀy)·I; the
 * step length from a strong-Wolfe line search. A pair whose sᵀy is not safely positive is skipped (it would break
 * positive definiteness). If the line search finds no decrease, the memory is dropped and −∇L is tried once; if
 * that fails too, the iteration reports no step. History vectors are kept in double even for float32 θ, and s is
 * measured after θ₊ is rounded to θ's precision.
 */
export class Lbfgs {
  private readonly steps: Float64Array[] = [];
  private readonly changes: Float64Array[] = [];
  private readonly curvatures: number[] = [];

  constructor(
    private readonly objective: Objective,
    private readonly memory: number,
    private readonly c1: number,
    private readonly c2: number,
    private readonly maxLineSearchEvaluations = 25,
  ) {}

  iterate(theta: FloatArray, current: Evaluation, learningRate: number): LbfgsIteration {
    let evaluations = 0;
    for (const useMemory of [true, false]) {
      if (!useMemory) this.reset();
      let direction = this.direction(current.gradient);
      if (dot(direction, current.gradient) >= 0) {
        // Not a descent direction (can only come from rounding in the recursion): fall back to steepest descent.
        this.reset();
        direction = this.direction(current.gradient);
      }
      // Without curvature information the scale of −∇L is arbitrary; PyTorch's first-step rule keeps it ≤ 1 in ℓ1.
      const initialStep =
        this.steps.length === 0 ? learningRate * Math.min(1, 1 / l1Norm(current.gradient)) : learningRate;
      const search = strongWolfeLineSearch(this.objective, theta, current, direction, initialStep, {
        c1: this.c1,
        c2: this.c2,
        maxEvaluations: this.maxLineSearchEvaluations,
      });
      evaluations += search.evaluations;
      if (search.step !== undefined) {
        this.remember(theta, current.gradient, search.step.theta, search.step.evaluation.gradient);
        return { next: { theta: search.step.theta, evaluation: search.step.evaluation }, evaluations };
      }
      if (this.steps.length === 0) break;
    }
    return { next: undefined, evaluations };
  }

  reset(): void {
    this.steps.length = 0;
    this.changes.length = 0;
    this.curvatures.length = 0;
  }

  private remember(
    theta: ArrayLike<number>,
    gradient: ArrayLike<number>,
    nextTheta: ArrayLike<number>,
    nextGradient: ArrayLike<number>,
  ): void {
    const s = new Float64Array(theta.length);
    const y = new Float64Array(theta.length);
    for (let i = 0; i < s.length; i++) {
      s[i] = nextTheta[i] - theta[i];
      y[i] = nextGradient[i] - gradient[i];
    }
    const sy = dot(s, y);
    if (!(sy > 1e-10 * Math.sqrt(dot(s, s) * dot(y, y)))) return;
    if (this.steps.length === this.memory) {
      this.steps.shift();
      this.changes.shift();
      this.curvatures.shift();
    }
    this.steps.push(s);
    this.changes.push(y);
    this.curvatures.push(1 / sy);
  }

  /** Two-loop recursion: returns −H·g. */
  private direction(gradient: ArrayLike<number>): Float64Array {
    const q = Float64Array.from(gradient);
    const k = this.steps.length;
    const alphas = new Float64Array(k);
    for (let i = k - 1; i >= 0; i--) {
      alphas[i] = this.curvatures[i] * dot(this.steps[i], q);
      const y = this.changes[i];
      for (let p = 0; p < q.length; p++) q[p] -= alphas[i] * y[p];
    }
    if (k > 0) {
      const y = this.changes[k - 1];
      const scale = 1 / (this.curvatures[k - 1] * dot(y, y));
      for (let p = 0; p < q.length; p++) q[p] *= scale;
    }
    for (let i = 0; i < k; i++) {
      const beta = this.curvatures[i] * dot(this.changes[i], q);
      const s = this.steps[i];
      for (let p = 0; p < q.length; p++) q[p] += (alphas[i] - beta) * s[p];
    }
    for (let p = 0; p < q.length; p++) q[p] = -q[p];
    return q;
  }
}

function l1Norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.abs(values[i]);
  return sum;
}
