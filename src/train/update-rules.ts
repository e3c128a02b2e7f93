import { allocate, dtypeOf, type FloatArray } from '../core/dtype.js';
import { adamKernel, type AdamKernel } from './adam-kernel.js';
import type { OptimiserConfig } from './optimiser.js';
import { allFinite } from './vector.js';

/**
 * A first-order update: given ∇L at θ (of the whole set or of a minibatch) and the learning rate, moves θ in
 * place. State (momentum buffer, Adam moments) lives in θ's precision, as in PyTorch; arithmetic is double with one
 * rounding per stored value.
 */
export interface UpdateRule {
  apply(theta: FloatArray, gradient: ArrayLike<number>, learningRate: number): void;
  /**
   * `apply` when every component of `gradient` is finite, returning true; otherwise returns false and leaves θ and
   * the rule's state unspecified (the caller restores θ and stops using the rule).
   */
  applyIfFinite(theta: FloatArray, gradient: ArrayLike<number>, learningRate: number): boolean;
}

/** `applyIfFinite` for a rule that has only `apply`: a finiteness pass, then the step. */
function checkedFirst(apply: UpdateRule['apply']): UpdateRule {
  return {
    apply,
    applyIfFinite(theta, gradient, learningRate) {
      if (!allFinite(gradient)) return false;
      apply(theta, gradient, learningRate);
      return true;
    },
  };
}

/** PyTorch's SGD: v ← μ·v + g (v = g on the first step), θ ← θ − lr·v. With μ = 0 it is θ ← θ − lr·g. */
export function momentumRule(momentum: number): UpdateRule {
  let velocity: FloatArray | undefined;
  return checkedFirst((theta, gradient, learningRate) => {
    if (momentum === 0) {
      for (let i = 0; i < theta.length; i++) theta[i] -= learningRate * gradient[i];
      return;
    }
    if (velocity === undefined) {
      velocity = allocate(dtypeOf(theta), theta.length);
      velocity.set(gradient);
    } else {
      for (let i = 0; i < theta.length; i++) velocity[i] = momentum * velocity[i] + gradient[i];
    }
    for (let i = 0; i < theta.length; i++) theta[i] -= learningRate * velocity[i];
  });
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1, in PyTorch's form): with step count t,
 * m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², θ ← θ − lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε).
 */
export function adamRule(beta1: number, beta2: number, epsilon: number): UpdateRule {
  let m: FloatArray | undefined;
  let v: FloatArray | undefined;
  // The SIMD kernel (adam-kernel.ts, same bits) when θ and the gradient share a precision and WebAssembly allows.
  let kernel: AdamKernel | undefined;
  let t = 0;
  const start = (theta: FloatArray, gradient: ArrayLike<number>): void => {
    if (m !== undefined) return;
    const dtype = dtypeOf(theta);
    if (gradient instanceof (dtype === 'float64' ? Float64Array : Float32Array)) {
      kernel = adamKernel(dtype, theta.length, beta1, beta2, epsilon);
    }
    m = kernel?.m ?? allocate(dtype, theta.length);
    v = kernel?.v ?? allocate(dtype, theta.length);
  };
  const usesKernel = (theta: FloatArray, gradient: ArrayLike<number>): boolean =>
    kernel !== undefined &&
    theta.length === m!.length &&
    dtypeOf(theta) === dtypeOf(m!) &&
    gradient instanceof (m instanceof Float64Array ? Float64Array : Float32Array);
  const javascriptStep = (theta: FloatArray, gradient: ArrayLike<number>, learningRate: number): void => {
    const correction1 = 1 - Math.pow(beta1, t);
    const correction2 = 1 - Math.pow(beta2, t);
    for (let i = 0; i < theta.length; i++) {
      const g = gradient[i];
      m![i] = beta1 * m![i] + (1 - beta1) * g;
      v![i] = beta2 * v![i] + (1 - beta2) * g * g;
      theta[i] -= (learningRate * (m![i] / correction1)) / (Math.sqrt(v![i] / correction2) + epsilon);
    }
  };
  const step = (theta: FloatArray, gradient: ArrayLike<number>, learningRate: number): boolean => {
    start(theta, gradient);
    t++;
    if (usesKernel(theta, gradient)) {
      return kernel!.step(
        theta,
        gradient as FloatArray,
        learningRate,
        1 - Math.pow(beta1, t),
        1 - Math.pow(beta2, t),
      );
    }
    javascriptStep(theta, gradient, learningRate);
    return true;
  };
  return {
    apply(theta, gradient, learningRate) {
      step(theta, gradient, learningRate);
    },
    applyIfFinite(theta, gradient, learningRate) {
      if (!usesKernel(theta, gradient) && !allFinite(gradient)) return false;
      // The kernel checks the gradient during the step; on a non-finite one its result is discarded.
      return step(theta, gradient, learningRate);
    },
  };
}

export function updateRuleFor(config: Exclude<OptimiserConfig, { kind: 'lbfgs' }>): UpdateRule {
  switch (config.kind) {
    case 'gd':
    case 'sgd':
      return momentumRule(config.momentum);
    case 'adam':
      return adamRule(config.beta1, config.beta2, config.epsilon);
  }
}
