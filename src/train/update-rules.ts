import { allocate, dtypeOf, type FloatArray } from '../core/dtype.js';
import type { OptimiserConfig } from './optimiser.js';

/**
 * A first-order update: given ∇L at θ (of the whole set or of a minibatch) and the learning rate, moves θ in
 * place. State (momentum buffer, Adam moments) lives in θ's precision, as in PyTorch; arithmetic is double with one
 * rounding per stored value.
 */
export interface UpdateRule {
  apply(theta: FloatArray, gradient: ArrayLike<number>, learningRate: number): void;
}

/** PyTorch's SGD: v ← μ·v + g (v = g on the first step), θ ← θ − lr·v. With μ = 0 it is θ ← θ − lr·g. */
export function momentumRule(momentum: number): UpdateRule {
  let velocity: FloatArray | undefined;
  return {
    apply(theta, gradient, learningRate) {
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
    },
  };
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1, in PyTorch's form): with step count t,
 * m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², θ ← θ − lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε).
 */
export function adamRule(beta1: number, beta2: number, epsilon: number): UpdateRule {
  let m: FloatArray | undefined;
  let v: FloatArray | undefined;
  let t = 0;
  return {
    apply(theta, gradient, learningRate) {
      m ??= allocate(dtypeOf(theta), theta.length);
      v ??= allocate(dtypeOf(theta), theta.length);
      t++;
      const correction1 = 1 - Math.pow(beta1, t);
      const correction2 = 1 - Math.pow(beta2, t);
      for (let i = 0; i < theta.length; i++) {
        const g = gradient[i];
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        theta[i] -= (learningRate * (m[i] / correction1)) / (Math.sqrt(v[i] / correction2) + epsilon);
      }
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
