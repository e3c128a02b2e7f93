import type { DType } from '../core/dtype.js';
import { InvalidArgumentError, requireInteger } from '../core/errors.js';
import { Rng, deriveSeed } from '../core/rng.js';
import { formatActivation } from '../model/activation.js';
import { type Architecture, describeArchitecture, validateArchitecture } from '../model/architecture.js';
import { predict } from '../model/forward.js';
import { initialise, type Initialisation } from '../model/init.js';
import { makeSamples } from '../model/samples.js';
import type { Dataset } from './dataset.js';
import { encodeLabel, type LabelEncoding } from './labels.js';

export interface TeacherOptions {
  readonly count: number;
  readonly teacher: Architecture;
  readonly seed: number;
  /** Teacher weights; standard Gaussian entries (Soudry–Hoffer assumption 5: W* independent of X) by default. */
  readonly init?: Initialisation;
  /**
   * `regression`: y = teacher(x) exactly (a zero-loss solution exists for students at least as large).
   * A label encoding: the sign of teacher(x) − median, so the two classes are balanced.
   */
  readonly target: 'regression' | LabelEncoding;
  readonly dtype?: DType;
}

/** Inputs x ~ N(0, I) labelled by a random teacher network. */
export function teacherDataset(options: TeacherOptions): Dataset {
  const teacher = validateArchitecture(options.teacher);
  const count = requireInteger('N', options.count, 1);
  if (options.target !== 'regression' && teacher.outputDim !== 1) {
    throw new InvalidArgumentError(
      'teacher.outputDim',
      '1 when the target is a binary label encoding',
      teacher.outputDim,
    );
  }
  const rng = new Rng(deriveSeed(options.seed, 'inputs'));
  const x = rng.fillGaussian(new Float64Array(count * teacher.inputDim));
  const init: Initialisation = options.init ?? { kind: 'gaussian', mean: 0, std: 1, biasMean: 0, biasStd: 1 };
  const weights = initialise(teacher, init, deriveSeed(options.seed, 'teacher')) as Float64Array;
  const inputs = makeSamples(
    x,
    new Float64Array(count * teacher.outputDim),
    teacher.inputDim,
    teacher.outputDim,
  );
  const output = predict(teacher, weights, inputs);
  let y: Float64Array;
  let labelEncoding: LabelEncoding | undefined;
  if (options.target === 'regression') {
    y = Float64Array.from(output);
  } else {
    labelEncoding = options.target;
    const sorted = Float64Array.from(output).sort();
    const median = sorted[Math.floor(sorted.length / 2)];
    y = Float64Array.from(output, (value) => encodeLabel(value >= median, options.target as LabelEncoding));
  }
  return {
    ...makeSamples(x, y, teacher.inputDim, teacher.outputDim, options.dtype ?? 'float64'),
    labelEncoding,
    provenance: {
      generator: 'teacher',
      count,
      teacher: describeArchitecture(teacher),
      activations: teacher.hidden.map((h) => formatActivation(h.activation)),
      seed: options.seed,
      target: options.target,
    },
  };
}
