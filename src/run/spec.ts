import * as z from 'zod';
import { deriveSeed } from '../core/rng.js';
import { DATA_SOURCES, dataSectionSchema } from '../data/sources/index.js';
import type { DataSource } from '../data/sources/source.js';
import { parseActivation } from '../model/activation.js';
import { type Architecture, validateArchitecture } from '../model/architecture.js';
import type { Initialisation } from '../model/init.js';
import { LOSS_KINDS, type LossKind } from '../model/loss.js';
import { type SlopeNoise, validateSlopeNoise } from '../model/slope-noise.js';
import {
  DEFAULT_LEARNING_RATES,
  type OptimiserConfig,
  optimiserSchema,
  validateOptimiser,
} from '../train/optimiser.js';
import { type Schedule, validateSchedule } from '../train/schedule.js';
import { type StoppingRule, validateStoppingRule } from '../train/stopping.js';
import {
  activationName,
  finite,
  nonNegative,
  nonNegativeInteger,
  positive,
  positiveInteger,
  seed32,
} from '../io/schema-primitives.js';
import { type CertifySettings, certifySettingSchema } from './certify-end-point.js';

/*
 * The run spec: everything that defines one training run — data, network, loss, initialisation, optimiser,
 * schedule, stopping, the engine asked for, seeds and whether to certify the end point. One zod schema, in the
 * library, that every front end maps onto: `basin train`'s flags and config files (src/cli/config.ts adds only
 * where to write files), a sweep cell's flat keys (src/sweep/cell-spec.ts), the presets and the explorer's URL state
 * (web/src/run-spec.ts). `runTraining` (pipeline.ts) runs a spec the same way for all of them.
 */

/** The engines a run may ask for: `auto` chooses (pipeline.ts), the others are honoured or refused with a reason. */
export const RUN_BACKEND_REQUESTS = ['auto', 'reference', 'onnx', 'webgpu'] as const;
export type RunBackendRequest = (typeof RUN_BACKEND_REQUESTS)[number];

const modelSchema = z.strictObject({
  hidden: z.array(positiveInteger).default([16]),
  activation: activationName.default('relu'),
  bias: z.boolean().default(false),
  /** Defaults to `bias`. */
  outputBias: z.boolean().optional(),
  loss: z.enum(LOSS_KINDS as [LossKind, ...LossKind[]]).default('mse'),
  dtype: z.enum(['float64', 'float32']).default('float64'),
});

const normalInit = {
  mean: finite.default(0),
  biasMean: finite.default(0),
  biasStd: nonNegative.default(0),
};
const initSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('pytorch') }),
  z.strictObject({ kind: z.literal('lecun'), scale: nonNegative.default(1), ...normalInit }),
  z.strictObject({ kind: z.literal('xavier'), scale: nonNegative.default(1), ...normalInit }),
  z.strictObject({ kind: z.literal('gaussian'), std: nonNegative.default(1), ...normalInit }),
  /**
   * Swirszcz et al.'s saturated starting point for their `saturation` construction: drawn from the samples
   * (src/data/swirszcz.ts `saturatedNetwork`), so it is built after the data, by the pipeline.
   */
  z.strictObject({ kind: z.literal('saturated') }),
]);

const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant'), learningRate: positive.optional() }),
  z.strictObject({ kind: z.literal('exponential'), learningRate: positive.optional(), gamma: positive }),
  z.strictObject({
    kind: z.literal('hold-then-exponential'),
    learningRate: positive.optional(),
    holdEpochs: nonNegativeInteger,
    gamma: positive,
  }),
]);

const stoppingSchema = z.strictObject({
  maxEpochs: nonNegativeInteger.default(1000),
  lossTarget: nonNegative.optional(),
  gradientNormTarget: nonNegative.optional(),
});

const slopeNoiseSchema = z.discriminatedUnion('distribution', [
  z.strictObject({
    distribution: z.literal('gaussian'),
    mean: finite.default(1),
    std: nonNegative.default(0.1),
  }),
  z.strictObject({
    distribution: z.literal('uniform'),
    mean: finite.default(1),
    halfWidth: nonNegative.default(0.1),
  }),
  z.strictObject({
    distribution: z.literal('lognormal'),
    mean: finite.default(1),
    sigma: nonNegative.default(0.1),
  }),
]);

/** The random streams of a run. Each is `deriveSeed(seed, name)` unless the spec's `seeds` fixes it. */
export const SEED_STREAMS = ['data', 'init', 'shuffle', 'slopeNoise'] as const;
export type SeedStream = (typeof SEED_STREAMS)[number];

const seedsSchema = z.strictObject({
  /** Fixed data for every seed (a sweep's `dataSeed`, the explorer's data seed). */
  data: seed32.optional(),
  init: seed32.optional(),
  shuffle: seed32.optional(),
  slopeNoise: seed32.optional(),
});

/** The spec's sections, so that front ends can extend it (the CLI adds `output`) without restating it. */
export function runSpecShape(sources: readonly DataSource[] = DATA_SOURCES) {
  return {
    seed: seed32.default(0),
    seeds: seedsSchema.optional(),
    data: dataSectionSchema(sources),
    model: modelSchema.prefault({}),
    init: initSchema.prefault({ kind: 'pytorch' }),
    optimiser: optimiserSchema.prefault({ kind: 'adam' }),
    schedule: scheduleSchema.prefault({ kind: 'constant' }),
    stopping: stoppingSchema.prefault({}),
    slopeNoise: slopeNoiseSchema.optional(),
    /**
     * The engine: `auto` (pipeline.ts weighs the environment's engines), `reference` (TypeScript, anywhere), `onnx`
     * (ONNX Runtime, Node) or `webgpu` (full-batch Adam on a GPU, where a device is present).
     */
    backend: z.enum(RUN_BACKEND_REQUESTS).default('auto'),
    /** Polish and certify the end point after training (`true` for the defaults, or settings); absent: no. */
    certify: certifySettingSchema.optional(),
  };
}

/**
 * The run spec's schema over the data sources of an environment (the browser's by default; Node adds files:
 * `NODE_DATA_SOURCES`).
 *
 * @example
 * ```ts
 * const spec = runSpecSchema().parse({
 *   seed: 3,
 *   data: { source: 'gaussian', count: 40, inputDim: 8 },
 *   model: { hidden: [8] },
 *   optimiser: { kind: 'adam' },
 *   stopping: { maxEpochs: 200 },
 * });
 * const run = await runTraining(spec);
 * ```
 */
export function runSpecSchema(sources: readonly DataSource[] = DATA_SOURCES) {
  return z.strictObject(runSpecShape(sources));
}

export type RunSpec = z.infer<ReturnType<typeof runSpecSchema>>;
/** What a spec may be written as before parsing (defaults left out). */
export type RunSpecInput = z.input<ReturnType<typeof runSpecSchema>>;

/** The choice each section makes when it gives other fields but not its discriminator (e.g. only `learningRate`). */
export const DEFAULT_CHOICES: Readonly<Record<string, readonly [string, string]>> = {
  data: ['source', 'gaussian'],
  init: ['kind', 'pytorch'],
  optimiser: ['kind', 'adam'],
  schedule: ['kind', 'constant'],
  slopeNoise: ['distribution', 'gaussian'],
};

/** Fills in the discriminators of `DEFAULT_CHOICES` that a raw spec leaves out. */
export function withDefaultChoices(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const config = { ...(raw as Record<string, unknown>) };
  for (const [section, [key, choice]] of Object.entries(DEFAULT_CHOICES)) {
    const value = config[section];
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(key in value)) {
      config[section] = { [key]: choice, ...value };
    }
  }
  return config;
}

/** The label each stream's seed is derived under (`slope-noise`: the name `basin train` has always used). */
const SEED_LABELS: Readonly<Record<SeedStream, string>> = {
  data: 'data',
  init: 'init',
  shuffle: 'shuffle',
  slopeNoise: 'slope-noise',
};

/** The one seed rule: a stream's seed is the spec's fixed one, else `deriveSeed(spec.seed, label)`. */
export function runSeeds(spec: Pick<RunSpec, 'seed' | 'seeds'>): Readonly<Record<SeedStream, number>> {
  const seed = (stream: SeedStream): number =>
    spec.seeds?.[stream] ?? deriveSeed(spec.seed, SEED_LABELS[stream]);
  return { data: seed('data'), init: seed('init'), shuffle: seed('shuffle'), slopeNoise: seed('slopeNoise') };
}

/** The library objects a spec describes, with every default filled in and cross-field rules checked. */
export interface ResolvedRun {
  /** The spec with the defaults it leaves to the optimiser filled in (the learning rate). */
  readonly spec: RunSpec;
  readonly architecture: (inputDim: number, outputDim: number) => Architecture;
  readonly loss: LossKind;
  readonly init: Initialisation | { readonly kind: 'saturated' };
  readonly optimiser: OptimiserConfig;
  readonly schedule: Schedule;
  readonly stopping: StoppingRule;
  readonly slopeNoise: SlopeNoise | undefined;
  readonly seeds: Readonly<Record<SeedStream, number>>;
  readonly certify: CertifySettings | undefined;
}

export function resolveRunSpec(spec: RunSpec): ResolvedRun {
  const optimiser = validateOptimiser(spec.optimiser);
  const learningRate = spec.schedule.learningRate ?? DEFAULT_LEARNING_RATES[optimiser.kind];
  const schedule = validateSchedule({ ...spec.schedule, learningRate } as Schedule);
  const activation = parseActivation(spec.model.activation, 'model.activation');
  const { hidden, bias } = spec.model;
  const outputBias = spec.model.outputBias ?? bias;
  return {
    spec: { ...spec, schedule: { ...spec.schedule, learningRate } as RunSpec['schedule'] },
    architecture: (inputDim, outputDim) =>
      validateArchitecture({
        inputDim,
        hidden: hidden.map((width) => ({ width, activation, bias })),
        outputDim,
        outputBias,
      }),
    loss: spec.model.loss,
    init: spec.init,
    optimiser,
    schedule,
    stopping: validateStoppingRule(spec.stopping),
    slopeNoise: spec.slopeNoise ? validateSlopeNoise(spec.slopeNoise) : undefined,
    seeds: runSeeds(spec),
    certify: spec.certify === undefined || spec.certify === false ? undefined : spec.certify,
  };
}

/** A spec from a raw object, defaults filled in; throws zod's error (front ends phrase it: cli/config.ts). */
export function parseRunSpec(raw: unknown, sources: readonly DataSource[] = DATA_SOURCES): RunSpec {
  return runSpecSchema(sources).parse(withDefaultChoices(raw));
}
