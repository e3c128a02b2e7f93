import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import type { Activation } from './activation.js';

/**
 * A fully connected network: `inputDim` inputs, hidden layers with their own width, activation and bias switch,
 * and a linear output layer of `outputDim` units.
 */
export interface Architecture {
  readonly inputDim: number;
  readonly hidden: readonly HiddenLayer[];
  readonly outputDim: number;
  readonly outputBias: boolean;
}

export interface HiddenLayer {
  readonly width: number;
  readonly activation: Activation;
  readonly bias: boolean;
}

/**
 * Where each layer's weights sit inside the flat parameter vector θ. Layer l (0-based, the output layer last)
 * stores W_l row-major as (out × in) at `weightOffset`, then its bias (out entries) at `biasOffset` when present.
 */
export interface LayerLayout {
  readonly inputs: number;
  readonly outputs: number;
  readonly weightOffset: number;
  readonly biasOffset: number | undefined;
  /** Hidden layers have an activation; the output layer is linear. */
  readonly activation: Activation | undefined;
}

export interface ParameterLayout {
  readonly layers: readonly LayerLayout[];
  readonly size: number;
}

export function validateArchitecture(architecture: Architecture): Architecture {
  requireInteger('inputDim', architecture.inputDim, 1);
  requireInteger('outputDim', architecture.outputDim, 1);
  if (!Array.isArray(architecture.hidden)) {
    throw new InvalidArgumentError('hidden', 'an array of hidden layers', architecture.hidden);
  }
  architecture.hidden.forEach((layer, i) => {
    requireInteger(`hidden[${i}].width`, layer.width, 1);
    if (layer.activation.kind === 'leaky-relu') {
      requireFinite(`hidden[${i}].activation.slope`, layer.activation.slope);
      if (layer.activation.slope === 1) {
        throw new InvalidArgumentError(
          `hidden[${i}].activation.slope`,
          'ρ ≠ 1 (ρ = 1 makes the unit linear)',
          1,
        );
      }
    }
  });
  return architecture;
}

export function parameterLayout(architecture: Architecture): ParameterLayout {
  const layers: LayerLayout[] = [];
  let offset = 0;
  let inputs = architecture.inputDim;
  const add = (outputs: number, bias: boolean, activation: Activation | undefined): void => {
    const weightOffset = offset;
    offset += outputs * inputs;
    const biasOffset = bias ? offset : undefined;
    if (bias) offset += outputs;
    layers.push({ inputs, outputs, weightOffset, biasOffset, activation });
    inputs = outputs;
  };
  for (const layer of architecture.hidden) add(layer.width, layer.bias, layer.activation);
  add(architecture.outputDim, architecture.outputBias, undefined);
  return { layers, size: offset };
}

export function parameterCount(architecture: Architecture): number {
  return parameterLayout(architecture).size;
}

/** Multiply-adds of one sample's forward pass, Σ_l in_l·out_l: the unit of work the backends are chosen by. */
export function multiplyAddsPerRow(architecture: Architecture): number {
  return parameterLayout(architecture).layers.reduce((sum, layer) => sum + layer.inputs * layer.outputs, 0);
}

/** Shorthand for the common case: equal activation and bias switch on every hidden layer. */
export function mlp(
  inputDim: number,
  widths: readonly number[],
  outputDim: number,
  activation: Activation,
  bias: boolean,
): Architecture {
  return validateArchitecture({
    inputDim,
    hidden: widths.map((width) => ({ width, activation, bias })),
    outputDim,
    outputBias: bias,
  });
}

/** "3072-16-1" style description. */
export function describeArchitecture(architecture: Architecture): string {
  return [architecture.inputDim, ...architecture.hidden.map((h) => h.width), architecture.outputDim].join(
    '-',
  );
}
