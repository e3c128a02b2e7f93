import { parseDecimal } from '../core/numbers.js';
import { InvalidArgumentError } from '../core/errors.js';

/**
 * Hidden-layer activations. Each entry has its value, first and second derivative side by side.
 *
 * Kink convention: leaky ReLU f(u) = u·a(u) with a(u) = 1 for u > 0 and ρ for u < 0 is not differentiable at u = 0.
 * basin evaluates a(0) = ρ (the left slope; for ReLU this is PyTorch's relu'(0) = 0), and never trusts that choice
 * for a claim: `countNearKinks` and the certificate report every pre-activation within a tolerance of 0.
 */
export type Activation =
  | { readonly kind: 'leaky-relu'; readonly slope: number }
  | { readonly kind: 'linear' }
  | { readonly kind: 'tanh' }
  | { readonly kind: 'sigmoid' };

export type ActivationKind = Activation['kind'];

interface ActivationRule {
  value(u: number, slope: number): number;
  derivative(u: number, slope: number): number;
  secondDerivative(u: number, slope: number): number;
  /** True when the function is piecewise linear with a kink at 0 (so kink margins mean something). */
  readonly hasKink: boolean;
}

const rules: { readonly [K in ActivationKind]: ActivationRule } = {
  'leaky-relu': {
    value: (u, slope) => (u > 0 ? u : slope * u),
    derivative: (u, slope) => (u > 0 ? 1 : slope),
    secondDerivative: () => 0,
    hasKink: true,
  },
  linear: {
    value: (u) => u,
    derivative: () => 1,
    secondDerivative: () => 0,
    hasKink: false,
  },
  tanh: {
    value: (u) => Math.tanh(u),
    derivative: (u) => {
      const t = Math.tanh(u);
      return 1 - t * t;
    },
    secondDerivative: (u) => {
      const t = Math.tanh(u);
      return -2 * t * (1 - t * t);
    },
    hasKink: false,
  },
  sigmoid: {
    value: (u) => sigmoid(u),
    derivative: (u) => {
      const s = sigmoid(u);
      return s * (1 - s);
    },
    secondDerivative: (u) => {
      const s = sigmoid(u);
      return s * (1 - s) * (1 - 2 * s);
    },
    hasKink: false,
  },
};

function sigmoid(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

/** The value/derivative table of an activation. */
export function activationRule(activation: Activation): ActivationRule {
  return rules[activation.kind];
}

export function slopeOf(activation: Activation): number {
  return activation.kind === 'leaky-relu' ? activation.slope : 0;
}

export const ACTIVATION_KINDS: readonly ActivationKind[] = Object.keys(rules) as ActivationKind[];

/** Parses `relu`, `leaky-relu:0.1`, `linear`, `tanh`, `sigmoid` (the names the CLI and config files use). */
export function parseActivation(text: string, argument = 'activation'): Activation {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const parameter = colon < 0 ? undefined : text.slice(colon + 1);
  switch (name) {
    case 'relu':
      if (parameter !== undefined) break;
      return { kind: 'leaky-relu', slope: 0 };
    case 'leaky-relu': {
      // `leaky-relu:` with nothing after the colon is a slip, not the default ρ; parseDecimal refuses '' and hex.
      const slope = parameter === undefined ? 0.01 : parseDecimal(parameter);
      if (slope === undefined || slope === 1) {
        throw new InvalidArgumentError(argument, 'leaky-relu:<slope ρ> with ρ finite and ρ ≠ 1', text);
      }
      return { kind: 'leaky-relu', slope };
    }
    case 'linear':
    case 'tanh':
    case 'sigmoid':
      if (parameter !== undefined) break;
      return { kind: name };
  }
  throw new InvalidArgumentError(argument, 'one of relu, leaky-relu:<ρ>, linear, tanh, sigmoid', text);
}

export function formatActivation(activation: Activation): string {
  if (activation.kind === 'leaky-relu') {
    return activation.slope === 0 ? 'relu' : `leaky-relu:${activation.slope}`;
  }
  return activation.kind;
}
