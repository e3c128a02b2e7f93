import * as z from 'zod';
import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { nonNegative, positive, positiveInteger, unitInterval } from '../io/schema-primitives.js';

/**
 * Optimisers and their hyper-parameters. The learning rate comes from the schedule.
 * - `gd`: full-batch gradient descent θ ← θ − lr·v with heavy-ball momentum v ← μ·v + ∇L (PyTorch's SGD rule;
 *   μ = 0 is plain GD). One epoch = one step.
 * - `sgd`: the same rule on minibatches of `batchSize` rows of a seeded permutation; one epoch = ⌈N/B⌉ steps, the
 *   last batch holding the remainder (PyTorch's DataLoader with `shuffle=True, drop_last=False`).
 * - `adam`: Kingma & Ba with PyTorch's conventions (bias-corrected moments, ε added to √v̂). Full batch unless
 *   `batchSize` is given.
 * - `lbfgs`: limited-memory BFGS (two-loop recursion, `memory` pairs) with a strong-Wolfe line search (c1, c2);
 *   full batch, one epoch = one iteration. The schedule's learning rate is the first trial step of each line search.
 */
export type OptimiserConfig =
  | { readonly kind: 'gd'; readonly momentum: number }
  | { readonly kind: 'sgd'; readonly batchSize: number; readonly momentum: number }
  | {
      readonly kind: 'adam';
      readonly batchSize?: number;
      readonly beta1: number;
      readonly beta2: number;
      readonly epsilon: number;
    }
  | { readonly kind: 'lbfgs'; readonly memory: number; readonly c1: number; readonly c2: number };

export type OptimiserKind = OptimiserConfig['kind'];
export const OPTIMISER_KINDS: readonly OptimiserKind[] = ['gd', 'sgd', 'adam', 'lbfgs'];

/** Each optimiser with its usual defaults (PyTorch's for Adam; Nocedal & Wright's c1, c2 for L-BFGS). */
export const DEFAULT_OPTIMISERS: { readonly [K in OptimiserKind]: Extract<OptimiserConfig, { kind: K }> } = {
  gd: { kind: 'gd', momentum: 0 },
  sgd: { kind: 'sgd', batchSize: 32, momentum: 0 },
  adam: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  lbfgs: { kind: 'lbfgs', memory: 10, c1: 1e-4, c2: 0.9 },
};

export function validateOptimiser(config: OptimiserConfig, argument = 'optimiser'): OptimiserConfig {
  switch (config.kind) {
    case 'gd':
      requireFinite(`${argument}.momentum`, config.momentum, 0, 1);
      break;
    case 'sgd':
      requireInteger(`${argument}.batchSize`, config.batchSize, 1);
      requireFinite(`${argument}.momentum`, config.momentum, 0, 1);
      break;
    case 'adam':
      if (config.batchSize !== undefined) requireInteger(`${argument}.batchSize`, config.batchSize, 1);
      requireFinite(`${argument}.beta1`, config.beta1, 0, 1);
      requireFinite(`${argument}.beta2`, config.beta2, 0, 1);
      if (config.beta1 === 1 || config.beta2 === 1) {
        throw new InvalidArgumentError(`${argument}.beta1/beta2`, 'values in [0, 1)', 1);
      }
      requireFinite(`${argument}.epsilon`, config.epsilon, 0);
      break;
    case 'lbfgs':
      requireInteger(`${argument}.memory`, config.memory, 1);
      requireFinite(`${argument}.c1`, config.c1, Number.MIN_VALUE, 1);
      requireFinite(`${argument}.c2`, config.c2, config.c1, 1);
      if (config.c2 <= config.c1 || config.c2 >= 1) {
        throw new InvalidArgumentError(`${argument}.c2`, `a number in (c1 = ${config.c1}, 1)`, config.c2);
      }
      break;
    default:
      throw new InvalidArgumentError(`${argument}.kind`, OPTIMISER_KINDS.join(', '), config);
  }
  return config;
}

/** Rows per step, or undefined for full-batch optimisers. */
export function batchSizeOf(config: OptimiserConfig): number | undefined {
  return config.kind === 'sgd' || config.kind === 'adam' ? config.batchSize : undefined;
}

// PLACEHOLDER until the optimiser registry lands (branch optimisers): the schema and learning rates moved from cli.
export const optimiserSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('gd'), momentum: unitInterval.default(0) }),
  z.strictObject({
    kind: z.literal('sgd'),
    batchSize: positiveInteger.default(32),
    momentum: unitInterval.default(0),
  }),
  z.strictObject({
    kind: z.literal('adam'),
    batchSize: positiveInteger.optional(),
    beta1: unitInterval.default(0.9),
    beta2: unitInterval.default(0.999),
    epsilon: nonNegative.default(1e-8),
  }),
  z.strictObject({
    kind: z.literal('lbfgs'),
    memory: positiveInteger.default(10),
    c1: positive.default(1e-4),
    c2: positive.default(0.9),
  }),
]);
export const DEFAULT_LEARNING_RATES: { readonly [K in OptimiserKind]: number } = {
  gd: 0.1,
  sgd: 0.01,
  adam: 1e-3,
  lbfgs: 1,
};
export function optimiserFromSettings(
  kind: OptimiserKind,
  settings: { batchSize?: number; momentum?: number },
): OptimiserConfig {
  switch (kind) {
    case 'gd':
      return { kind: 'gd', momentum: settings.momentum ?? 0 };
    case 'sgd':
      return {
        kind: 'sgd',
        batchSize: settings.batchSize ?? DEFAULT_OPTIMISERS.sgd.batchSize,
        momentum: settings.momentum ?? 0,
      };
    case 'adam':
      return {
        ...DEFAULT_OPTIMISERS.adam,
        ...(settings.batchSize === undefined ? {} : { batchSize: settings.batchSize }),
      };
    case 'lbfgs':
      return DEFAULT_OPTIMISERS.lbfgs;
  }
}
export function lockstepCompatible(config: OptimiserConfig): boolean {
  return config.kind !== 'lbfgs';
}
