import { optimiserFromSettings } from '../train/optimiser.js';
import { gammaForDecay } from '../train/schedule.js';
import { parseRunSpec, type RunSpec, type RunSpecInput } from '../run/spec.js';
import { SWEEP_CERTIFY_DEFAULTS } from '../run/certify-end-point.js';
import type { TrainRunConfig } from './train-runner.js';

/**
 * What a `train` sweep cell means: its flat keys (every one an axis a sweep may vary, train-runner.ts) written as the
 * run spec (src/run/spec.ts) that `runTraining` runs, for the repetition's `seed`. This is the only reading of the
 * keys, so a cell and `basin train` with the spec printed by `basin sweep show` train the same network.
 *
 * | cell key                                       | spec field                                                       |
 * | ---------------------------------------------- | ---------------------------------------------------------------- |
 * | dataset gaussian, N, d0, labels                | data { source: gaussian, count: N, inputDim: d0, labels }          |
 * | dataset teacher, teacherWidth                  | data { source: teacher, hidden: [teacherWidth], activation, bias, target: labels } |
 * | dataset jellyfish / xor                        | data { source: jellyfish / xor, labels }                          |
 * | dataSeed                                       | seeds.data                                                       |
 * | depth, width ("d0": the input dimension)       | model.hidden = depth × [width]                                   |
 * | activation, bias, loss, dtype                  | model.activation, model.bias, model.loss, model.dtype            |
 * | slopeNoise σ (> 0)                             | slopeNoise { distribution: gaussian, mean: 1, std: σ }           |
 * | init, initMean, initScale, initStd, initBias…  | init { kind, mean, scale or std, biasMean, biasStd }             |
 * | optimiser, batchSize, momentum                 | optimiser (each setting where that optimiser has it)             |
 * | learningRate, epochs, decayEpochs, decayFactor | schedule (constant, or hold-then-exponential), stopping.maxEpochs = epochs + decayEpochs |
 * | lossTarget, gradientNormTarget                 | stopping                                                         |
 * | backend (absent: auto)                         | backend                                                          |
 * | certify (absent: the sweep defaults)           | certify                                                          |
 */
export function specFromCell(c: TrainRunConfig, seed: number): RunSpec {
  const toy = c.dataset === 'jellyfish' || c.dataset === 'xor';
  const inputDim = toy ? 2 : c.d0!;
  const width = c.width === 'd0' ? inputDim : c.width;
  const initFields = { mean: c.initMean, biasMean: c.initBiasMean, biasStd: c.initBiasStd };
  const spec: RunSpecInput = {
    seed,
    ...(c.dataSeed === undefined ? {} : { seeds: { data: c.dataSeed } }),
    data: dataOf(c),
    model: {
      hidden: Array<number>(c.depth).fill(width),
      activation: c.activation,
      bias: c.bias,
      loss: c.loss,
      dtype: c.dtype,
    },
    init:
      c.init === 'pytorch'
        ? { kind: 'pytorch' }
        : c.init === 'gaussian'
          ? { kind: 'gaussian', std: c.initStd, ...initFields }
          : { kind: c.init, scale: c.initScale, ...initFields },
    optimiser: optimiserFromSettings(c.optimiser, {
      ...(c.batchSize === undefined ? {} : { batchSize: c.batchSize }),
      momentum: c.momentum,
    }),
    schedule:
      c.decayEpochs === 0
        ? { kind: 'constant', learningRate: c.learningRate }
        : {
            kind: 'hold-then-exponential',
            learningRate: c.learningRate,
            holdEpochs: c.epochs,
            gamma: gammaForDecay(c.decayFactor, c.decayEpochs),
          },
    stopping: {
      maxEpochs: c.epochs + c.decayEpochs,
      ...(c.lossTarget === undefined ? {} : { lossTarget: c.lossTarget }),
      ...(c.gradientNormTarget === undefined ? {} : { gradientNormTarget: c.gradientNormTarget }),
    },
    ...(c.slopeNoise > 0 ? { slopeNoise: { distribution: 'gaussian', mean: 1, std: c.slopeNoise } } : {}),
    backend: c.backend ?? 'auto',
    // The schema has already expanded `certify: true`; no setting means the sweep's defaults.
    certify: c.certify ?? SWEEP_CERTIFY_DEFAULTS,
  };
  return parseRunSpec(spec);
}

/**
 * The cell keys that set a run-spec field, by the table above: what an error about the field (a size check's
 * `data.count`) names instead, since the sweep's author wrote the keys, not the spec. Undefined for a field no key
 * sets.
 */
export function cellKeysOfSpecField(field: string): readonly string[] | undefined {
  return SPEC_FIELD_CELL_KEYS[field];
}

const SPEC_FIELD_CELL_KEYS: Readonly<Record<string, readonly string[]>> = {
  'data.count': ['N'],
  'data.inputDim': ['d0'],
  'data.hidden': ['teacherWidth'],
  'model.hidden': ['depth', 'width'],
};

function dataOf(c: TrainRunConfig): RunSpecInput['data'] {
  switch (c.dataset) {
    case 'jellyfish':
    case 'xor':
      return { source: c.dataset, labels: c.labels };
    case 'gaussian':
      return { source: 'gaussian', count: c.N!, inputDim: c.d0!, labels: c.labels };
    case 'teacher':
      return {
        source: 'teacher',
        count: c.N!,
        inputDim: c.d0!,
        hidden: [c.teacherWidth],
        activation: c.activation,
        bias: c.bias,
        target: c.labels,
      };
  }
}
