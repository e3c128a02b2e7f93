import * as z from 'zod';
import {
  finite,
  nonNegative,
  nonNegativeInteger,
  positive,
  integerBetween,
  positiveInteger,
} from '../io/schema-primitives.js';
import { activationName } from '../io/schema-primitives.js';
import { BACKEND_REQUESTS, type BackendRequest } from '../backend/select.js';
import { OPTIMISER_KINDS } from '../train/optimiser.js';
import { certifySettingSchema } from '../run/certify-end-point.js';
import { declaredDataShape } from '../run/pipeline.js';
import { requireRunFits } from '../run/size.js';
import { resolveRunSpec } from '../run/spec.js';
import { lockstepLimit } from '../run/together.js';
import { cellKeysOfSpecField, specFromCell } from './cell-spec.js';
import { SizeLimitError } from '../core/limits.js';
import { type Runner, siblingModule } from './runner.js';

/**
 * The built-in runner: generate a dataset, build a network, initialise, train, measure the end point. Every key is
 * an axis a sweep may vary. Unknown settings in the papers (papers.md [X]) are explicit here with a default.
 */
/** The deepest network a sweep cell may ask for; the paper's deepest has a handful of hidden layers. */
export const MAX_SWEEP_DEPTH = 1000;

export const trainRunConfigSchema = z
  .strictObject({
    /**
     * `gaussian`: x ~ N(0, I_d0) with random labels (Soudry–Hoffer Fig. 5.1/5.2); `teacher`: labels by a random net;
     * `jellyfish`, `xor`: Swirszcz et al.'s 4-point sets in ℝ² (N and d0 are then fixed by the data).
     */
    dataset: z.enum(['gaussian', 'teacher', 'jellyfish', 'xor']).default('gaussian'),
    N: positiveInteger.optional(),
    d0: positiveInteger.optional(),
    labels: z.enum(['pm1', '01']).default('pm1'),
    /** Hidden width of the teacher network (dataset `teacher` only). */
    teacherWidth: positiveInteger.default(2),
    /** Fixed data seed for every run of the cell; by default each run draws its own data from its seed. */
    dataSeed: nonNegativeInteger.optional(),
    /**
     * Hidden layers, at most MAX_SWEEP_DEPTH: the memory check counts parameters and layer outputs, not the engines'
     * per-layer bookkeeping, which at depth 1e6 (width 2, 0.3 GB of parameters) exhausts the process on its own.
     */
    depth: integerBetween(1, MAX_SWEEP_DEPTH).default(1),
    /** Width of every hidden layer; "d0" makes it equal to the input dimension (Fig. 5.1's d = d0). */
    width: z.union([positiveInteger, z.literal('d0')], { error: 'an integer ≥ 1 or "d0"' }),
    activation: activationName.default('relu'),
    bias: z.boolean({ error: 'true or false' }).default(false),
    /** Standard deviation of Soudry–Carmon's fixed slope noise ε ~ N(1, σ²); 0 means no noise. */
    slopeNoise: nonNegative.default(0),
    loss: z.enum(['mse', 'sse']).default('mse'),
    init: z.enum(['pytorch', 'lecun', 'xavier', 'gaussian']).default('pytorch'),
    /** Mean of the weight initialisation (lecun, xavier, gaussian): Swirszcz's shifted "blind spot" means. */
    initMean: finite.default(0),
    /** Scale multiplying LeCun's or Xavier's σ. */
    initScale: nonNegative.default(1),
    /** σ of the `gaussian` initialisation. */
    initStd: nonNegative.default(0.01),
    initBiasMean: finite.default(0),
    initBiasStd: nonNegative.default(0),
    optimiser: z.enum(OPTIMISER_KINDS).default('adam'),
    /** Minibatch size (sgd, adam); full batch when absent. */
    batchSize: positiveInteger.optional(),
    momentum: nonNegative.default(0),
    learningRate: positive,
    epochs: nonNegativeInteger,
    /** Epochs of exponential learning-rate decay after `epochs` (Fig. 5.2's second phase); 0 for none. */
    decayEpochs: nonNegativeInteger.default(0),
    /** The learning rate at the end of the decay, as a fraction of `learningRate`. */
    decayFactor: positive.default(1e-3),
    lossTarget: nonNegative.optional(),
    gradientNormTarget: nonNegative.optional(),
    dtype: z.enum(['float64', 'float32']).default('float64'),
    /**
     * The engine computing losses and gradients (src/backend/select.ts): `auto` when absent (ONNX Runtime when it
     * loads and the problem is large enough, else the TypeScript reference), `reference` or `onnx`. Optional without
     * a default, so cells of sweeps that never mention it keep their hashes.
     */
    backend: z
      .enum(BACKEND_REQUESTS as [BackendRequest, ...BackendRequest[]], {
        error: `one of ${BACKEND_REQUESTS.join(', ')}`,
      })
      .optional(),
    /**
     * Polish and certify the end point after training (`true` for the defaults of certify-end-point.ts, or an
     * object of settings). Optional without a default, so cells of sweeps that never mention it keep their hashes.
     */
    certify: certifySettingSchema.optional(),
  })
  .superRefine((config, context) => {
    // Generated datasets need a size; the fixed 4-point sets have their own.
    if (config.dataset !== 'gaussian' && config.dataset !== 'teacher') return;
    for (const key of ['N', 'd0'] as const) {
      if (config[key] === undefined) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `an integer ≥ 1 for the ${config.dataset} dataset`,
        });
      }
    }
  });

export type TrainRunConfig = z.infer<typeof trainRunConfigSchema>;

export const trainRunner: Runner = {
  name: 'train',
  configSchema: trainRunConfigSchema,
  moduleUrl: siblingModule(import.meta.url, 'train-run'),
  // The seed does not matter to the decision (it asks whether runs differ only by their seed).
  lockstepLimit: (config) => lockstepLimit(specFromCell(trainRunConfigSchema.parse(config), 0)),
  requireFits: (config) => {
    const spec = specFromCell(trainRunConfigSchema.parse(config), 0);
    const shape = declaredDataShape(spec);
    try {
      if (shape !== undefined) requireRunFits(resolveRunSpec(spec), shape);
    } catch (error) {
      const keys = error instanceof SizeLimitError ? cellKeysOfSpecField(error.field) : undefined;
      if (keys === undefined) throw error;
      const { what, bytes, limit } = error as SizeLimitError;
      throw new SizeLimitError(keys.join(', '), what, bytes, limit);
    }
  },
};
