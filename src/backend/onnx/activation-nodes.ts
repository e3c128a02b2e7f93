import type { Activation } from '../../model/activation.js';
import { ELEMENT_CODE, type OnnxGraph } from './onnx-graph.js';

/** The nodes of one activation inside an ONNX graph. */
export interface ActivationNodes {
  /** f(U). */
  readonly value: string;
  /** f'(U), the same shape as U; `undefined` when f' ≡ 1 (linear), so that callers skip the multiply. */
  readonly derivative: string | undefined;
}

/**
 * An activation's value and derivative. Kink convention as in activation.ts: f'(0) = ρ, the left slope (so
 * ReLU'(0) = 0), realised by the strict `Greater(·, 0)`.
 */
export function activationNodes(
  g: OnnxGraph,
  act: Activation,
  u: string,
  element: 'float32' | 'float64',
): ActivationNodes {
  const scalar = (value: number): string => g.scalar(element, value);
  switch (act.kind) {
    case 'leaky-relu': {
      if (act.slope === 0) {
        // ReLU(U) > 0 exactly when U > 0, so the mask is read from the value: U is then used by the Relu alone
        // and ORT fuses Gemm + Relu. A Mul by the mask cast to floats measured faster than Where or Sign.
        const value = g.node('Relu', [u]);
        const positive = g.node('Greater', [value, scalar(0)]);
        return { value, derivative: g.node('Cast', [positive], { to: ELEMENT_CODE[element] }) };
      }
      const positive = g.node('Greater', [u, scalar(0)]);
      const slope = g.node('Where', [positive, scalar(1), scalar(act.slope)]);
      return { value: g.node('Mul', [u, slope]), derivative: slope };
    }
    case 'linear':
      return { value: u, derivative: undefined };
    case 'tanh': {
      const t = g.node('Tanh', [u]);
      return { value: t, derivative: g.node('Sub', [scalar(1), g.node('Mul', [t, t])]) };
    }
    case 'sigmoid': {
      const s = g.node('Sigmoid', [u]);
      return { value: s, derivative: g.node('Mul', [s, g.node('Sub', [scalar(1), s])]) };
    }
  }
}

/** gradient ⊙ f'(U). */
export function throughDerivative(g: OnnxGraph, nodes: ActivationNodes, gradient: string): string {
  return nodes.derivative === undefined ? gradient : g.node('Mul', [gradient, nodes.derivative]);
}

/**
 * f''(U) from the nodes of `activationNodes`, for Hessian-vector products; `undefined` where f'' ≡ 0 (the piecewise
 * linear activations: at a kink the product is that of the piece the kink convention selects, as in hessian.ts).
 */
export function secondDerivativeNode(
  g: OnnxGraph,
  act: Activation,
  nodes: ActivationNodes,
  element: 'float32' | 'float64',
): string | undefined {
  switch (act.kind) {
    case 'leaky-relu':
    case 'linear':
      return undefined;
    case 'tanh':
      // f = t, f' = 1 − t², f'' = −2t(1 − t²).
      return g.node('Mul', [g.node('Mul', [nodes.value, nodes.derivative!]), g.scalar(element, -2)]);
    case 'sigmoid':
      // f = s, f' = s(1 − s), f'' = s(1 − s)(1 − 2s).
      return g.node('Mul', [
        nodes.derivative!,
        g.node('Sub', [g.scalar(element, 1), g.node('Mul', [g.scalar(element, 2), nodes.value])]),
      ]);
  }
}
