import * as z from 'zod';
import { allocate, dtypeOf, type FloatArray } from '../core/dtype.js';
import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { nonNegative, positive, positiveInteger, unitInterval } from '../io/schema-primitives.js';
import { adamKernel, type AdamKernel } from './adam-kernel.js';
import { Lbfgs } from './lbfgs.js';
import type { Evaluation, Objective } from './objective.js';
import { allFinite } from './vector.js';

/*
 * Every optimiser basin knows, defined in this one file: each is one entry of `OPTIMISERS` holding its config
 * schema (with defaults), default learning rate, range checks, whether it takes minibatches, whether seeds may
 * train in lock-step, and its update rule. The config type, the kinds, the defaults, the CLI/sweep schema and
 * `train`'s dispatch are all derived from the registry, so a new optimiser is one new entry (see `rmsprop`).
 * The algorithms too long to sit here live beside it: the Adam SIMD kernel (adam-kernel.ts) and L-BFGS with its
 * line search (lbfgs.ts, line-search.ts). The learning rate itself comes from the schedule.
 */

// ─── First-order update rules ────────────────────────────────────────────────────────────────────────────────────

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

/**
 * RMSprop (Tieleman & Hinton 2012) in PyTorch's form (`torch.optim.RMSprop`): v ← α·v + (1−α)·g², and the
 * gradient divided by √v + ε (centered: by √(v − ḡ²) + ε with ḡ ← α·ḡ + (1−α)·g) goes through PyTorch's SGD
 * momentum rule: buf ← μ·buf + g/(√v + ε), θ ← θ − lr·buf (θ ← θ − lr·g/(√v + ε) when μ = 0).
 */
export function rmspropRule(alpha: number, epsilon: number, momentum: number, centered: boolean): UpdateRule {
  const heavyBall = momentumRule(momentum);
  let v: FloatArray | undefined;
  let mean: FloatArray | undefined;
  let scaled: Float64Array | undefined;
  return checkedFirst((theta, gradient, learningRate) => {
    if (v === undefined || scaled === undefined) {
      v = allocate(dtypeOf(theta), theta.length);
      if (centered) mean = allocate(dtypeOf(theta), theta.length);
      scaled = new Float64Array(theta.length);
    }
    for (let i = 0; i < theta.length; i++) {
      const g = gradient[i];
      v[i] = alpha * v[i] + (1 - alpha) * g * g;
      let variance = v[i];
      if (mean !== undefined) {
        mean[i] = alpha * mean[i] + (1 - alpha) * g;
        variance -= mean[i] * mean[i];
      }
      scaled[i] = g / (Math.sqrt(variance) + epsilon);
    }
    heavyBall.apply(theta, scaled, learningRate);
  });
}

// ─── The registry ────────────────────────────────────────────────────────────────────────────────────────────────

/** One full-batch iteration from θ (not modified): the next point, or undefined when the method found no step. */
export type FullBatchStep = (
  theta: FloatArray,
  current: Evaluation,
  learningRate: number,
) => { readonly theta: FloatArray; readonly evaluation: Evaluation } | undefined;

/** How `train` drives an optimiser on one objective. */
export interface OptimiserMethod {
  /** The update rule, for first-order methods (the only ones that take minibatches); undefined for L-BFGS. */
  readonly rule: UpdateRule | undefined;
  readonly step: FullBatchStep;
}

type KindSchema = z.ZodObject<{ kind: z.ZodLiteral<string> } & z.ZodRawShape, z.core.$strict>;

interface OptimiserDefinition<S extends KindSchema> {
  /** A strict object, discriminated by its `kind` literal, with a default for every field but optional ones. */
  readonly schema: S;
  /** One line for help text. */
  readonly description: string;
  /** Used when the config names no learning rate. */
  readonly learningRate: number;
  /**
   * Whether the seeds of one configuration may train in lock-step, K networks as one objective over the stacked θ
   * (src/sweep/lockstep.ts): true when each coordinate is updated from its own gradient history only.
   */
  readonly lockstep: boolean;
  /** Range checks the types cannot express, for configs built without the schema; names `${argument}.<field>`. */
  validate(config: z.output<S>, argument: string): void;
  /** A first-order method: its update rule (full batch, or on minibatches when the schema has `batchSize`). */
  readonly rule?: (config: z.output<S>) => UpdateRule;
  /** A method with its own iteration (L-BFGS), full batch only. */
  readonly iteration?: (config: z.output<S>, objective: Objective) => FullBatchStep;
}

interface OptimiserEntry<S extends KindSchema> extends OptimiserDefinition<S> {
  /** Whether it takes minibatches: its schema has `batchSize` (and then it has a `rule`). */
  readonly minibatch: boolean;
}

function define<S extends KindSchema>(definition: OptimiserDefinition<S>): OptimiserEntry<S> {
  const minibatch = 'batchSize' in definition.schema.shape;
  if (
    (definition.rule === undefined) === (definition.iteration === undefined) ||
    (minibatch && !definition.rule)
  ) {
    throw new Error('an optimiser has either a rule or an iteration, and a rule when it takes minibatches');
  }
  return { ...definition, minibatch };
}

function requireBatchSize(batchSize: number | undefined, argument: string, optional: boolean): void {
  if (!optional || batchSize !== undefined) requireInteger(`${argument}.batchSize`, batchSize!, 1);
}

const gdFields = { momentum: unitInterval.default(0) };

/**
 * The optimisers. Minibatch ones take `batchSize` rows of a seeded permutation per step, one epoch = ⌈N/B⌉ steps,
 * the last batch holding the remainder (PyTorch's DataLoader with `shuffle=True, drop_last=False`); full-batch
 * ones take one step per epoch.
 */
export const OPTIMISERS = Object.freeze({
  gd: define({
    schema: z.strictObject({ kind: z.literal('gd'), ...gdFields }),
    description:
      'full-batch gradient descent with heavy-ball momentum (PyTorch SGD rule; momentum 0 = plain GD)',
    learningRate: 0.1,
    lockstep: true,
    // momentum = 1 is accepted (a frictionless heavy ball), as it always was by this check.
    validate: (c, argument) => requireFinite(`${argument}.momentum`, c.momentum, 0, 1),
    rule: (c) => momentumRule(c.momentum),
  }),
  sgd: define({
    schema: z.strictObject({ kind: z.literal('sgd'), batchSize: positiveInteger.default(32), ...gdFields }),
    description: "gd's momentum rule on minibatches of batchSize rows (default 32)",
    learningRate: 0.01,
    lockstep: true,
    validate(c, argument) {
      requireBatchSize(c.batchSize, argument, false);
      requireFinite(`${argument}.momentum`, c.momentum, 0, 1);
    },
    rule: (c) => momentumRule(c.momentum),
  }),
  adam: define({
    schema: z.strictObject({
      kind: z.literal('adam'),
      batchSize: positiveInteger.optional(),
      beta1: unitInterval.default(0.9),
      beta2: unitInterval.default(0.999),
      epsilon: nonNegative.default(1e-8),
    }),
    description:
      'Adam, PyTorch defaults (β1 0.9, β2 0.999, ε 1e-8, bias-corrected); full batch unless batchSize',
    learningRate: 1e-3,
    lockstep: true,
    validate(c, argument) {
      requireBatchSize(c.batchSize, argument, true);
      requireFinite(`${argument}.beta1`, c.beta1, 0, 1);
      requireFinite(`${argument}.beta2`, c.beta2, 0, 1);
      if (c.beta1 === 1 || c.beta2 === 1) {
        throw new InvalidArgumentError(`${argument}.beta1/beta2`, 'values in [0, 1)', 1);
      }
      requireFinite(`${argument}.epsilon`, c.epsilon, 0);
    },
    rule: (c) => adamRule(c.beta1, c.beta2, c.epsilon),
  }),
  rmsprop: define({
    schema: z.strictObject({
      kind: z.literal('rmsprop'),
      batchSize: positiveInteger.optional(),
      alpha: unitInterval.default(0.99),
      epsilon: nonNegative.default(1e-8),
      momentum: unitInterval.default(0),
      centered: z.boolean().default(false),
    }),
    description:
      'RMSprop, PyTorch defaults (α 0.99, ε 1e-8, momentum 0, not centered); full batch unless batchSize',
    // PyTorch's default (torch.optim.RMSprop's lr = 1e-2), so that a config naming only `kind: rmsprop` trains like
    // a PyTorch script doing the same. Once v tracks g², each coordinate moves ≈ lr per step (g/√v ≈ ±1), as with
    // Adam; without bias correction the first steps are larger (1/√(1−α) = 10·lr at step 1). Unlike the gd, sgd
    // and adam rates it was not tuned on the Soudry–Hoffer problems; rmsprop.test.ts checks that it makes progress.
    learningRate: 1e-2,
    lockstep: true,
    validate(c, argument) {
      requireBatchSize(c.batchSize, argument, true);
      for (const field of ['alpha', 'momentum'] as const) {
        requireFinite(`${argument}.${field}`, c[field], 0, 1);
        if (c[field] === 1) throw new InvalidArgumentError(`${argument}.${field}`, 'a number in [0, 1)', 1);
      }
      requireFinite(`${argument}.epsilon`, c.epsilon, 0);
    },
    rule: (c) => rmspropRule(c.alpha, c.epsilon, c.momentum, c.centered),
  }),
  lbfgs: define({
    schema: z.strictObject({
      kind: z.literal('lbfgs'),
      memory: positiveInteger.default(10),
      c1: positive.default(1e-4),
      c2: positive.default(0.9),
    }),
    description:
      'L-BFGS (memory pairs) with a strong-Wolfe line search (c1, c2); full batch; lr = first trial step',
    // The first trial step of each line search.
    learningRate: 1,
    // Its line search and curvature pairs would couple the networks through the summed loss.
    lockstep: false,
    validate(c, argument) {
      requireInteger(`${argument}.memory`, c.memory, 1);
      requireFinite(`${argument}.c1`, c.c1, Number.MIN_VALUE, 1);
      requireFinite(`${argument}.c2`, c.c2, c.c1, 1);
      if (c.c2 <= c.c1 || c.c2 >= 1) {
        throw new InvalidArgumentError(`${argument}.c2`, `a number in (c1 = ${c.c1}, 1)`, c.c2);
      }
    },
    iteration(c, objective) {
      const lbfgs = new Lbfgs(objective, c.memory, c.c1, c.c2);
      return (theta, current, learningRate) => lbfgs.iterate(theta, current, learningRate).next;
    },
  }),
});

type Registry = typeof OPTIMISERS;
export type OptimiserKind = keyof Registry;
type ConfigOf<K extends OptimiserKind> = Readonly<z.output<Registry[K]['schema']>>;
export type OptimiserConfig = { [K in OptimiserKind]: ConfigOf<K> }[OptimiserKind];
type AnyEntry = OptimiserEntry<KindSchema>;

/** The kinds, in the registry's order. */
export const OPTIMISER_KINDS = Object.freeze(Object.keys(OPTIMISERS)) as readonly [
  OptimiserKind,
  ...OptimiserKind[],
];

function entryOf(kind: string): AnyEntry | undefined {
  return Object.hasOwn(OPTIMISERS, kind) ? (OPTIMISERS[kind as OptimiserKind] as AnyEntry) : undefined;
}

function entry(kind: OptimiserKind): AnyEntry {
  return OPTIMISERS[kind] as AnyEntry;
}

/** The `optimiser` section of a config: one strict object per kind, discriminated by `kind`, defaults filled in. */
export const optimiserSchema = z.discriminatedUnion(
  'kind',
  OPTIMISER_KINDS.map((kind) => OPTIMISERS[kind].schema) as [
    Registry[OptimiserKind]['schema'],
    ...Registry[OptimiserKind]['schema'][],
  ],
);

/** Each optimiser with its usual defaults (PyTorch's for Adam and RMSprop; Nocedal & Wright's c1, c2 for L-BFGS). */
export const DEFAULT_OPTIMISERS = Object.fromEntries(
  OPTIMISER_KINDS.map((kind) => [kind, OPTIMISERS[kind].schema.parse({ kind })]),
) as { readonly [K in OptimiserKind]: ConfigOf<K> };

/**
 * The learning rate used when the config names none, per optimiser. gd, sgd, adam: measured to make progress on the
 * Gaussian random-label problems of Soudry–Hoffer (docs/training.md); L-BFGS takes it as its first trial step.
 */
export const DEFAULT_LEARNING_RATES = Object.fromEntries(
  OPTIMISER_KINDS.map((kind) => [kind, OPTIMISERS[kind].learningRate]),
) as { readonly [K in OptimiserKind]: number };

export function validateOptimiser(config: OptimiserConfig, argument = 'optimiser'): OptimiserConfig {
  const found = entryOf((config as { kind?: unknown } | undefined)?.kind as string);
  if (found === undefined)
    throw new InvalidArgumentError(`${argument}.kind`, OPTIMISER_KINDS.join(', '), config);
  found.validate(config as z.output<KindSchema>, argument);
  return config;
}

/** Rows per step, or undefined for full-batch optimisers (and minibatch ones given no `batchSize`). */
export function batchSizeOf(config: OptimiserConfig): number | undefined {
  return entry(config.kind).minibatch ? (config as { batchSize?: number }).batchSize : undefined;
}

/**
 * Whether seeds with this optimiser may train in lock-step (one objective over the stacked θ). Minibatch runs also
 * need `batchSize` ≥ the sample count (every seed shuffles its own batches); that depends on the data, not here.
 */
export function lockstepCompatible(config: OptimiserConfig): boolean {
  return entry(config.kind).lockstep;
}

/** One line describing the optimiser, for help text. */
export function describeOptimiser(kind: OptimiserKind): string {
  return entry(kind).description;
}

/**
 * A full config from flat sweep settings: each setting is used only if the kind's schema has that field, defaults
 * fill the rest (sgd: batchSize ?? 32 and momentum; adam, rmsprop: batchSize when given; gd: momentum; lbfgs:
 * defaults). Not validated here: `train` validates what it is given.
 */
export function optimiserFromSettings(
  kind: OptimiserKind,
  settings: { readonly batchSize?: number; readonly momentum?: number },
): OptimiserConfig {
  const shape = OPTIMISERS[kind].schema.shape;
  const chosen = Object.entries(settings).filter(([key, value]) => value !== undefined && key in shape);
  return { ...DEFAULT_OPTIMISERS[kind], ...Object.fromEntries(chosen) } as OptimiserConfig;
}

/** The update rule of a first-order optimiser. */
export function updateRuleFor(config: Exclude<OptimiserConfig, { kind: 'lbfgs' }>): UpdateRule {
  const { rule } = entry(config.kind);
  if (rule === undefined)
    throw new InvalidArgumentError('optimiser.kind', 'a first-order optimiser', config.kind);
  return rule(config as z.output<KindSchema>);
}

/**
 * The optimiser `config` on `objective`, as `train` drives it: a first-order method's rule (used on minibatches,
 * or full batch as θ ← rule(θ, ∇L(θ)) then one evaluation), or a method's own iteration.
 */
export function optimiserMethod(config: OptimiserConfig, objective: Objective): OptimiserMethod {
  const found = entry(config.kind);
  const settings = config as z.output<KindSchema>;
  if (found.iteration !== undefined) return { rule: undefined, step: found.iteration(settings, objective) };
  const rule = found.rule!(settings);
  return {
    rule,
    step(theta, current, learningRate) {
      const next = theta.slice();
      rule.apply(next, current.gradient, learningRate);
      return { theta: next, evaluation: objective.evaluate(next) };
    },
  };
}
