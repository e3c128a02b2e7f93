import { BasinError } from '../core/errors.js';
import { choleskySolve, dot, symmetricEigen } from '../core/linalg/index.js';
import { Rng } from '../core/rng.js';
import { NEWTON_EIGENVALUE_CUTOFF } from '../core/tolerances.js';
import type { CurvaturePoint } from '../backend/curvature.js';
import type { Architecture } from '../model/architecture.js';
import { denseHessian } from '../model/hessian.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import { outputJacobian } from '../model/jacobian.js';
import type { KinkWorkingSet } from './kink-set.js';
import type { PolishPoint } from './polish-phases.js';

/*
 * The linear algebra of one polishing step: a Levenberg–Marquardt step (dense or by conjugate gradients), a dense
 * Newton step, a Steihaug–Toint trust-region step. Each solves for a step at a given point; whether the step is
 * taken is the phases' business (polish-phases.ts).
 */

export function addScaled(x: Float64Array, y: Float64Array, alpha: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + alpha * y[i];
  return out;
}

/**
 * Dense LM step. With a kink working set, the step is δ₀ + η: δ₀ puts the held pairs back on their kinks exactly,
 * and η solves the LM system for the residual r + Jδ₀ with J's rows projected onto the kinks' tangent space, so η
 * keeps them there. Whichever Gram matrix is smaller (JᵀJ, or JJᵀ for the dual form) is factorised.
 */
export class DenseSolver {
  private jacobian: Float64Array = new Float64Array(0);
  private gram: Float64Array = new Float64Array(0);
  private rows = 0;
  private size = 0;
  private jtr: Float64Array = new Float64Array(0);
  private residual: Float64Array = new Float64Array(0);
  private correction: Float64Array = new Float64Array(0);
  trace = 0;

  prepare(
    architecture: Architecture,
    point: PolishPoint,
    samples: Samples,
    working: KinkWorkingSet,
    correction: Float64Array,
  ): void {
    const { theta } = point;
    const rows = point.residual.length;
    const size = theta.length;
    const jacobian = outputJacobian(architecture, theta, samples, point.cache());
    const residual = Float64Array.from(point.residual);
    for (let k = 0; k < rows; k++) {
      let row: Float64Array = jacobian.subarray(k * size, (k + 1) * size);
      if (working.size > 0) {
        residual[k] += dot(row, correction);
        row = working.tangential(row);
        jacobian.set(row, k * size);
      }
    }
    this.jacobian = jacobian;
    this.rows = rows;
    this.size = size;
    this.residual = residual;
    this.correction = correction;
    const jtr = new Float64Array(size);
    for (let k = 0; k < rows; k++) {
      const r = residual[k];
      for (let p = 0; p < size; p++) jtr[p] += jacobian[k * size + p] * r;
    }
    this.jtr = jtr;
    const dual = rows <= size;
    const n = dual ? rows : size;
    const gram = new Float64Array(n * n);
    if (dual) {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j <= i; j++) {
          let sum = 0;
          for (let p = 0; p < size; p++) sum += jacobian[i * size + p] * jacobian[j * size + p];
          gram[i * n + j] = sum;
          gram[j * n + i] = sum;
        }
      }
    } else {
      for (let k = 0; k < rows; k++) {
        const base = k * size;
        for (let i = 0; i < size; i++) {
          const a = jacobian[base + i];
          if (a === 0) continue;
          for (let j = 0; j <= i; j++) gram[i * n + j] += a * jacobian[base + j];
        }
      }
      for (let i = 0; i < size; i++) for (let j = 0; j < i; j++) gram[j * n + i] = gram[i * n + j];
    }
    this.gram = gram;
    let trace = 0;
    for (let i = 0; i < n; i++) trace += gram[i * n + i];
    this.trace = trace;
  }

  /** δ = δ₀ − (JᵀJ + λI)⁻¹Jᵀr, via the dual form −Jᵀ(JJᵀ + λI)⁻¹r when N·outputs ≤ P. */
  solve(lambda: number): Float64Array {
    const { rows, size, jacobian } = this;
    const dual = rows <= size;
    const n = dual ? rows : size;
    const shifted = Float64Array.from(this.gram);
    for (let i = 0; i < n; i++) shifted[i * n + i] += lambda;
    let solution: Float64Array;
    try {
      solution = choleskySolve(shifted, n, Float64Array.from(dual ? this.residual : this.jtr));
    } catch (error) {
      if (!(error instanceof BasinError)) throw error;
      // Only rounding can make JᵀJ + λI indefinite; a zero step is rejected and the caller raises λ.
      return new Float64Array(size);
    }
    const step = Float64Array.from(this.correction);
    if (!dual) {
      for (let p = 0; p < size; p++) step[p] -= solution[p];
      return step;
    }
    for (let k = 0; k < rows; k++) {
      const z = solution[k];
      if (z === 0) continue;
      for (let p = 0; p < size; p++) step[p] -= z * jacobian[k * size + p];
    }
    return step;
  }
}

/** Hutchinson's estimate of trace(JᵀJ) = ‖J‖²_F from a few Rademacher probes (it only sets the first λ). */
export function estimateTrace(point: CurvaturePoint, size: number): number {
  const probes = 4;
  const rng = new Rng(1);
  let sum = 0;
  for (let k = 0; k < probes; k++) {
    const v = new Float64Array(size);
    for (let p = 0; p < v.length; p++) v[p] = rng.uniform() < 0.5 ? 1 : -1;
    const jv = point.jacobianVector(v);
    sum += dot(jv, jv);
  }
  return sum / probes;
}

/**
 * Matrix-free LM step: conjugate gradients on (ΠJᵀJΠ + λI)η = −ΠJᵀ(r + Jδ₀), step δ₀ + η, stopped once the CG
 * residual is below `forcing` times the right-hand side.
 */
export function conjugateGradientStep(
  at: PolishPoint,
  lambda: number,
  maxIterations: number,
  forcing: number,
  working: KinkWorkingSet,
  correction: Float64Array,
): { step: Float64Array; steps: number } {
  const point = at.curvature;
  const project = (v: Float64Array): Float64Array => (working.size === 0 ? v : working.tangential(v));
  const apply = (v: Float64Array): Float64Array => {
    const out = project(point.gaussNewtonVector(project(v)));
    for (let p = 0; p < out.length; p++) out[p] += lambda * v[p];
    return out;
  };
  let residual = at.residual;
  if (working.size > 0) {
    const jd = point.jacobianVector(correction);
    residual = residual.map((value, k) => value + jd[k]);
  }
  const b = project(point.jacobianTransposeVector(residual)).map((v) => -v);
  const { x, steps } = conjugateGradientSolve(b, apply, forcing, maxIterations);
  for (let p = 0; p < x.length; p++) x[p] += correction[p];
  return { step: x, steps };
}

/** Conjugate gradients on A·x = b from x = 0, until ‖b − A·x‖ ≤ relative·‖b‖ or `maxIterations` products. */
export function conjugateGradientSolve(
  b: Float64Array,
  apply: (v: Float64Array) => Float64Array,
  relative: number,
  maxIterations: number,
): { x: Float64Array; steps: number } {
  const x = new Float64Array(b.length);
  const r = Float64Array.from(b);
  const d = Float64Array.from(b);
  let rr = dot(r, r);
  const stop = relative * relative * rr;
  let steps = 0;
  while (steps < maxIterations && rr > stop) {
    const ad = apply(d);
    steps++;
    const curvature = dot(d, ad);
    if (!(curvature > 0)) break;
    const alpha = rr / curvature;
    for (let p = 0; p < x.length; p++) {
      x[p] += alpha * d[p];
      r[p] -= alpha * ad[p];
    }
    const next = dot(r, r);
    const beta = next / rr;
    rr = next;
    for (let p = 0; p < d.length; p++) d[p] = r[p] + beta * d[p];
  }
  return { x, steps };
}

/**
 * Steihaug–Toint truncated CG for min gᵀp + ½pᵀHp subject to ‖p‖ ≤ radius: CG from p = 0 until the residual
 * falls below forcing·‖g‖, a direction of non-positive curvature appears, or the iterate leaves the ball (both end
 * on the boundary). `predicted` is the model decrease −(gᵀp + ½pᵀHp), tracked without extra products.
 */
export function steihaugStep(
  gradient: Float64Array,
  hessianVector: (v: Float64Array) => Float64Array,
  radius: number,
  forcing: number,
  maxIterations: number,
): { step: Float64Array; predicted: number; steps: number; boundary: boolean } {
  const n = gradient.length;
  const z = new Float64Array(n);
  const r = Float64Array.from(gradient);
  const d = Float64Array.from(gradient, (g) => -g);
  let rr = dot(r, r);
  const stop = forcing * forcing * rr;
  let model = 0;
  let steps = 0;
  /** τ ≥ 0 with ‖z + τd‖ = radius. */
  const toBoundary = (): number => {
    const dd = dot(d, d);
    const zd = dot(z, d);
    const zz = dot(z, z);
    return (-zd + Math.sqrt(Math.max(zd * zd + dd * (radius * radius - zz), 0))) / dd;
  };
  const finish = (tau: number, curvature: number) => {
    // m(z + τd) = m(z) + τ·rᵀd + ½τ²·dᵀHd, with r = Hz + g the CG residual.
    const rd = dot(r, d);
    model += tau * rd + 0.5 * tau * tau * curvature;
    for (let i = 0; i < n; i++) z[i] += tau * d[i];
    return { step: z, predicted: -model, steps, boundary: true };
  };
  while (steps < maxIterations && rr > stop) {
    const hd = hessianVector(d);
    steps++;
    const curvature = dot(d, hd);
    if (!(curvature > 0)) return finish(toBoundary(), curvature);
    const alpha = rr / curvature;
    let outside = 0;
    for (let i = 0; i < n; i++) outside += (z[i] + alpha * d[i]) ** 2;
    if (Math.sqrt(outside) >= radius) return finish(toBoundary(), curvature);
    model += alpha * dot(r, d) + 0.5 * alpha * alpha * curvature;
    for (let i = 0; i < n; i++) {
      z[i] += alpha * d[i];
      r[i] += alpha * hd[i];
    }
    const next = dot(r, r);
    const beta = next / rr;
    rr = next;
    for (let i = 0; i < n; i++) d[i] = -r[i] + beta * d[i];
  }
  return { step: z, predicted: -model, steps, boundary: false };
}

/**
 * δ = δ₀ − (ΠHΠ)⁺Π∇L with the exact dense Hessian H and Π the projector onto the kinks' tangent space (the identity
 * when no kink is held); eigenvalues within NEWTON_EIGENVALUE_CUTOFF·max|λ| of 0 are left out.
 */
export function newtonStep(
  architecture: Architecture,
  loss: LossKind,
  point: PolishPoint,
  samples: Samples,
  working: KinkWorkingSet,
): Float64Array {
  const size = point.theta.length;
  const hessian = denseHessian(architecture, loss, point.theta, samples);
  let gradient = point.gradient;
  if (working.size > 0) {
    for (let i = 0; i < size; i++)
      hessian.set(working.tangential(hessian.subarray(i * size, (i + 1) * size)), i * size);
    const column = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) column[i] = hessian[i * size + j];
      const projected = working.tangential(column);
      for (let i = 0; i < size; i++) hessian[i * size + j] = projected[i];
    }
    gradient = working.tangential(gradient);
  }
  const { values, vectors } = symmetricEigen(hessian, size, { vectors: true });
  const largest = Math.max(Math.abs(values[0]), Math.abs(values[size - 1]));
  const cutoff = NEWTON_EIGENVALUE_CUTOFF * largest;
  let newton: Float64Array = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    if (Math.abs(values[k]) <= cutoff) continue;
    let projection = 0;
    for (let i = 0; i < size; i++) projection += vectors![i * size + k] * gradient[i];
    const coefficient = -projection / values[k];
    for (let i = 0; i < size; i++) newton[i] += coefficient * vectors![i * size + k];
  }
  // Eigenvectors of small eigenvalues can carry rounding-level components along the kink normals (eigenvalue 0 of
  // ΠHΠ), amplified by 1/λ; projecting again keeps the held kinks at exactly 0.
  if (working.size > 0) newton = working.tangential(newton);
  const step = working.correction(point.theta);
  for (let i = 0; i < size; i++) step[i] += newton[i];
  return step;
}
