import { deriveSeed } from '../core/rng.js';
import type { Dataset } from '../data/dataset.js';
import { gaussianRandomLabels } from '../data/gaussian.js';
import { misclassificationError } from '../data/labels.js';
import { teacherDataset } from '../data/teacher.js';
import { toyDataset } from '../data/toy.js';
import { InvalidArgumentError } from '../core/errors.js';
import { architectureToJson } from '../io/weights-file.js';
import { parseActivation } from '../model/activation.js';
import { type Architecture, mlp, parameterCount } from '../model/architecture.js';
import { forward } from '../model/forward.js';
import { type Initialisation, initialise } from '../model/init.js';
import { kinkMargin } from '../model/kinks.js';
import { type Samples, samplesAs } from '../model/samples.js';
import { withSlopeNoise } from '../model/slope-noise.js';
import { batchSizeOf } from '../train/optimiser.js';
import { gammaForDecay, type Schedule } from '../train/schedule.js';
import type { StoppingRule, StopReason } from '../train/stopping.js';
import { train, type TrainResult } from '../train/train.js';
import { norm2 } from '../train/vector.js';
import { type RestartsEvaluation, summedObjective } from '../backend/restarts.js';
import { type BackendChoiceRecord, chooseBackend } from '../backend/select.js';
import { allocate, type FloatArray } from '../core/dtype.js';
import { lockstepLimit } from './lockstep.js';
import { certifyEndPoint, SWEEP_CERTIFY_DEFAULTS } from './certify-end-point.js';
import { buildArchitecture, optimiserOf } from './train-run-config.js';
import type { RunOptions, RunResult } from './run-result.js';
import { type TrainRunConfig, trainRunConfigSchema } from './train-runner.js';

/**
 * One training run of the `train` runner (see train-runner.ts for the settings). Seeds for the data, the slope
 * noise, the initialisation and the minibatch order all derive from the run's seed, so the run replays alone.
 * The backend follows `backend` (auto by default, src/backend/select.ts; minibatch runs weigh a batch's rows) and is
 * recorded in the result. With `certify`, the end point is then polished and certified (certify-end-point.ts, in
 * float64 by the reference whatever trained it): the verdict and Hessian columns describe the polished point, the
 * loss, MSE, MCE, gradient and kink-margin columns still the trained one.
 */
export function run(config: unknown, seed: number, options: RunOptions): RunResult {
  const c = trainRunConfigSchema.parse(config);
  const data = makeDataset(c, c.dataSeed ?? deriveSeed(seed, 'data'));
  const architecture = buildArchitecture(c, data.inputDim);
  const samples: Samples =
    c.slopeNoise > 0
      ? withSlopeNoise(
          data,
          architecture,
          { distribution: 'gaussian', mean: 1, std: c.slopeNoise },
          deriveSeed(seed, 'noise'),
        )
      : data;
  const optimiser = optimiserOf(c);
  const batchSize = batchSizeOf(optimiser);
  const choice = chooseBackend(
    c.backend ?? 'auto',
    { architecture, loss: c.loss, samples },
    {
      ...(batchSize !== undefined && batchSize < samples.count ? { rowsPerEvaluation: batchSize } : {}),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    },
  );
  const objective = choice.backend.objective(architecture, c.loss, samples);
  let trained: TrainResult;
  try {
    trained = train({
      objective,
      initialTheta: initialise(architecture, initialisationOf(c), deriveSeed(seed, 'init'), c.dtype),
      optimiser,
      schedule: scheduleOf(c),
      stopping: stoppingOf(c),
      shuffleSeed: deriveSeed(seed, 'shuffle'),
      traceLimit: 2,
    });
  } finally {
    objective.dispose();
  }
  if (trained.stopReason === 'diverged')
    throw new Error('training diverged (a loss or gradient became non-finite)');
  return endPoint(c, data, samples, architecture, options, {
    theta: trained.theta,
    finalLoss: trained.finalLoss,
    gradientNorm: trained.gradientNorm,
    epochs: trained.epochs,
    stopReason: trained.stopReason,
    backend: choice.record,
    lockstepRuns: 1,
  });
}

/**
 * Several seeds of one configuration trained together (batched restarts, see lockstep.ts): their networks in
 * lock-step on the same samples through `restartsObjective` + `summedObjective`, each seed with its own
 * initialisation, then measured (and certified) one by one. Each result is what `run(config, seed, options)` gives
 * (bit for bit on the reference backend, to rounding on ONNX Runtime's batched graph) with `lockstepRuns` = the
 * number of seeds. Configurations that must run alone (`lockstepLimit` 1), a single seed, or a group where a network
 * diverges (which stops the summed run) are done with `run`, one seed at a time.
 */
export function runLockstep(config: unknown, seeds: readonly number[], options: RunOptions): RunResult[] {
  const c = trainRunConfigSchema.parse(config);
  const alone = (): RunResult[] => seeds.map((seed) => run(config, seed, options));
  if (seeds.length <= 1 || seeds.length > lockstepLimit(c)) return alone();
  // lockstepLimit > 1 means the data do not depend on the seed (a fixed dataSeed, or a fixed 4-point set).
  const data = makeDataset(c, c.dataSeed ?? deriveSeed(seeds[0], 'data'));
  const architecture = buildArchitecture(c, data.inputDim);
  const samples: Samples = data;
  const size = parameterCount(architecture);
  const count = seeds.length;
  const thetas = allocate(c.dtype, count * size);
  seeds.forEach((seed, k) =>
    thetas.set(initialise(architecture, initialisationOf(c), deriveSeed(seed, 'init'), c.dtype), k * size),
  );
  // The group's evaluation does the work of `count` networks: that is what the automatic choice weighs.
  const choice = chooseBackend(
    c.backend ?? 'auto',
    { architecture, loss: c.loss, samples },
    {
      rowsPerEvaluation: count * samples.count,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    },
  );
  const restarts = choice.backend.restartsObjective(architecture, c.loss, samples, count);
  let trained: TrainResult;
  let final: RestartsEvaluation;
  try {
    trained = train({
      objective: summedObjective(restarts),
      initialTheta: thetas,
      optimiser: optimiserOf(c),
      schedule: scheduleOf(c),
      stopping: stoppingOf(c),
      shuffleSeed: deriveSeed(seeds[0], 'shuffle'),
      traceLimit: 2,
    });
    if (trained.stopReason === 'diverged') return alone();
    // Each network's loss and gradient at its end point: what a run alone ends with.
    final = restarts.evaluateEach(trained.theta);
  } finally {
    restarts.dispose();
  }
  return seeds.map((_, k) => {
    const gradient = final.gradients.subarray(k * size, (k + 1) * size);
    return endPoint(c, data, samples, architecture, options, {
      theta: trained.theta.slice(k * size, (k + 1) * size),
      finalLoss: final.losses[k],
      gradientNorm: norm2(gradient),
      epochs: trained.epochs,
      stopReason: trained.stopReason,
      backend: choice.record,
      lockstepRuns: count,
    });
  });
}

interface TrainedPoint {
  readonly theta: FloatArray;
  readonly finalLoss: number;
  readonly gradientNorm: number;
  readonly epochs: number;
  readonly stopReason: StopReason;
  readonly backend: BackendChoiceRecord;
  readonly lockstepRuns: number;
}

/** The measurements of a trained end point (and its certificate when asked for). */
function endPoint(
  c: TrainRunConfig,
  data: Dataset,
  samples: Samples,
  architecture: Architecture,
  options: RunOptions,
  trained: TrainedPoint,
): RunResult {
  const cache = forward(architecture, trained.theta, samples);
  const output = cache.output;
  let squared = 0;
  let low = Infinity;
  let high = -Infinity;
  for (let n = 0; n < samples.count; n++) {
    const e = samples.y[n] - output[n];
    squared += e * e;
    low = Math.min(low, output[n]);
    high = Math.max(high, output[n]);
  }
  const margin = kinkMargin(cache);
  // No `certify` setting: certified with the sweep defaults (the cell's hash, and so its seeds, stay as before).
  const settings = c.certify ?? SWEEP_CERTIFY_DEFAULTS;
  const certified =
    settings === false
      ? undefined
      : certifyEndPoint(
          { architecture, loss: c.loss, theta: trained.theta, samples, labelEncoding: data.labelEncoding },
          settings,
        );
  return {
    finalLoss: trained.finalLoss,
    mse: squared / samples.count,
    mce:
      data.labelEncoding === undefined ? null : misclassificationError(output, samples.y, data.labelEncoding),
    gradientNorm: trained.gradientNorm,
    kinkMargin: Number.isFinite(margin.minAbsPreActivation) ? margin.minAbsPreActivation : null,
    minEigenvalue: null,
    maxEigenvalue: null,
    morseIndex: null,
    verdict: null,
    ...certified?.columns,
    iterations: trained.epochs,
    constantOutput: high - low <= 1e-12 * Math.max(1, Math.abs(high)),
    backend: trained.backend.backend,
    lockstepRuns: trained.lockstepRuns,
    extra: {
      stopReason: trained.stopReason,
      parameterCount: parameterCount(architecture),
      // `threads` null: the backend's own choice (ONNX Runtime: by the work of each session run, threads.ts).
      backendChoice: { ...trained.backend, threads: options.threads ?? null },
      ...certified?.extra,
      ...(certified === undefined ? {} : { certifySettings: settings }),
    },
    ...(options.keepWeights
      ? {
          weights: {
            architecture: architectureToJson(architecture),
            theta: Float64Array.from(trained.theta),
          },
        }
      : {}),
  };
}

function makeDataset(c: TrainRunConfig, seed: number): Dataset {
  if (c.dataset === 'jellyfish' || c.dataset === 'xor') {
    return samplesAs(toyDataset(c.dataset, c.labels), c.dtype) as Dataset;
  }
  // The schema requires both for generated datasets; this guards direct calls that bypass it.
  if (c.N === undefined || c.d0 === undefined) {
    throw new InvalidArgumentError(
      c.N === undefined ? 'N' : 'd0',
      `an integer ≥ 1 for the ${c.dataset} dataset`,
    );
  }
  if (c.dataset === 'gaussian') {
    return gaussianRandomLabels({
      count: c.N,
      inputDim: c.d0,
      seed,
      labelEncoding: c.labels,
      dtype: c.dtype,
    });
  }
  return teacherDataset({
    count: c.N,
    teacher: mlp(c.d0, [c.teacherWidth], 1, parseActivation(c.activation), c.bias),
    seed,
    target: c.labels,
    dtype: c.dtype,
  });
}

function initialisationOf(c: TrainRunConfig): Initialisation {
  const bias = { biasMean: c.initBiasMean, biasStd: c.initBiasStd };
  switch (c.init) {
    case 'pytorch':
      return { kind: 'pytorch' };
    case 'lecun':
    case 'xavier':
      return { kind: c.init, mean: c.initMean, scale: c.initScale, ...bias };
    case 'gaussian':
      return { kind: 'gaussian', mean: c.initMean, std: c.initStd, ...bias };
  }
}

function stoppingOf(c: TrainRunConfig): StoppingRule {
  return {
    maxEpochs: c.epochs + c.decayEpochs,
    ...(c.lossTarget === undefined ? {} : { lossTarget: c.lossTarget }),
    ...(c.gradientNormTarget === undefined ? {} : { gradientNormTarget: c.gradientNormTarget }),
  };
}

function scheduleOf(c: TrainRunConfig): Schedule {
  if (c.decayEpochs === 0) return { kind: 'constant', learningRate: c.learningRate };
  return {
    kind: 'hold-then-exponential',
    learningRate: c.learningRate,
    holdEpochs: c.epochs,
    gamma: gammaForDecay(c.decayFactor, c.decayEpochs),
  };
}
