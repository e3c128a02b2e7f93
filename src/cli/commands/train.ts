import { Command, Option } from 'commander';
import { flagName, parseDecimal } from '../flags.js';
import { OPTIMISER_KINDS } from '../../train/optimiser.js';
import { formatTrainSummary } from '../summary.js';
import { LOADING_DATA_SOURCES as DATA_SOURCES } from '../../data/sources/node.js';
import {
  type ConfigOrigin,
  namingOrigin,
  parseTrainConfig,
  readConfigFile,
  resolveTrainConfig,
  setAtPath,
} from '../config.js';
import { createProgress, progressMode } from '../progress.js';
import { requireTrainOutputs, trainConfigured, writeTrainRun } from '../train-run.js';

type FlagValue = 'integer' | 'number' | 'string' | 'widths';

/** Each value flag and the config path it sets (see docs/cli.md for the config file). */
const VALUE_FLAGS: readonly {
  flag: string;
  path: string;
  value: FlagValue;
  help: string;
  choices?: string[];
}[] = [
  {
    flag: '--seed <n>',
    path: 'seed',
    value: 'integer',
    help: 'run seed (data, init, shuffling and noise streams derive from it)',
  },
  {
    flag: '--data <source>',
    path: 'data.source',
    value: 'string',
    help: `data source: ${DATA_SOURCES.map((source) => source.name).join(', ')}`,
  },
  {
    flag: '-n, --samples <N>',
    path: 'data.count',
    value: 'integer',
    help: 'number of samples N (file source: a seeded subset of N)',
  },
  { flag: '--input-dim <d0>', path: 'data.inputDim', value: 'integer', help: 'input dimension d0' },
  {
    flag: '--labels <encoding>',
    path: 'data.labels',
    value: 'string',
    help: 'label encoding: pm1 (±1) or 01',
  },
  {
    flag: '--data-seed <n>',
    path: 'data.seed',
    value: 'integer',
    help: 'seed of generated data or of the file subset (default: derived from --seed)',
  },
  {
    flag: '--teacher-hidden <widths>',
    path: 'data.hidden',
    value: 'widths',
    help: 'teacher hidden widths, e.g. 4 or 8,4',
  },
  {
    flag: '--teacher-activation <name>',
    path: 'data.activation',
    value: 'string',
    help: 'teacher activation',
  },
  {
    flag: '--teacher-target <target>',
    path: 'data.target',
    value: 'string',
    help: 'teacher target: regression, pm1 or 01',
  },
  {
    flag: '--data-path <path>',
    path: 'data.path',
    value: 'string',
    help: 'file source: an IDX/CIFAR-10/NPY/CSV file or directory',
  },
  {
    flag: '--data-format <format>',
    path: 'data.format',
    value: 'string',
    help: 'file source: idx, cifar10, npy or csv (default: recognised)',
  },
  {
    flag: '--split <split>',
    path: 'data.split',
    value: 'string',
    help: 'file source, directories: train (default), test or all files',
  },
  {
    flag: '--label-file <file>',
    path: 'data.labelFile',
    value: 'string',
    help: 'file source: NPY labels or an IDX label file',
  },
  {
    flag: '--binary <rule>',
    path: 'data.binary',
    value: 'string',
    help: 'file source: parity (default), low-high, low-high:B or pos:LIST/neg:LIST',
  },
  {
    flag: '--downsample <k>',
    path: 'data.downsample',
    value: 'integer',
    help: 'file source: average-pool images by k per side',
  },
  {
    flag: '--whiten <method>',
    path: 'data.whiten.method',
    value: 'string',
    help: 'file source: pca or zca whitening',
  },
  {
    flag: '--whiten-epsilon <ε>',
    path: 'data.whiten.epsilon',
    value: 'number',
    help: 'file source: ε added to the covariance eigenvalues (default 1e-5)',
  },
  {
    flag: '--components <k>',
    path: 'data.whiten.components',
    value: 'integer',
    help: 'file source, PCA: keep the k leading components',
  },
  {
    flag: '--hidden <widths>',
    path: 'model.hidden',
    value: 'widths',
    help: 'hidden widths, comma-separated, e.g. 20 or 32,16',
  },
  {
    flag: '--activation <name>',
    path: 'model.activation',
    value: 'string',
    help: 'relu, leaky-relu:<ρ>, linear, tanh, sigmoid',
  },
  { flag: '--loss <kind>', path: 'model.loss', value: 'string', help: 'mse = (1/N)‖e‖² or sse = ‖e‖²' },
  { flag: '--dtype <dtype>', path: 'model.dtype', value: 'string', help: 'float64 or float32' },
  {
    flag: '--backend <name>',
    path: 'backend',
    value: 'string',
    help: 'auto (default: onnx for large problems, else reference), reference, onnx or webgpu (full-batch Adam, float32)',
  },
  { flag: '--init <kind>', path: 'init.kind', value: 'string', help: 'pytorch, lecun, xavier or gaussian' },
  {
    flag: '--init-mean <μ>',
    path: 'init.mean',
    value: 'number',
    help: 'mean of the normal inits (Swirszcz blind spots: μ ≠ 0)',
  },
  { flag: '--init-scale <s>', path: 'init.scale', value: 'number', help: 'σ multiplier of lecun/xavier' },
  { flag: '--init-std <σ>', path: 'init.std', value: 'number', help: 'σ of the gaussian init' },
  { flag: '--optimiser <kind>', path: 'optimiser.kind', value: 'string', help: OPTIMISER_KINDS.join(', ') },
  {
    flag: '--batch-size <B>',
    path: 'optimiser.batchSize',
    value: 'integer',
    help: 'minibatch size (sgd, adam)',
  },
  {
    flag: '--momentum <μ>',
    path: 'optimiser.momentum',
    value: 'number',
    help: 'heavy-ball momentum (gd, sgd)',
  },
  { flag: '--beta1 <β1>', path: 'optimiser.beta1', value: 'number', help: 'Adam β1' },
  { flag: '--beta2 <β2>', path: 'optimiser.beta2', value: 'number', help: 'Adam β2' },
  { flag: '--epsilon <ε>', path: 'optimiser.epsilon', value: 'number', help: 'Adam ε' },
  { flag: '--memory <m>', path: 'optimiser.memory', value: 'integer', help: 'L-BFGS memory' },
  {
    flag: '--schedule <kind>',
    path: 'schedule.kind',
    value: 'string',
    help: 'constant, exponential or hold-then-exponential',
  },
  {
    flag: '--lr <rate>',
    path: 'schedule.learningRate',
    value: 'number',
    help: 'learning rate (L-BFGS: first trial step)',
  },
  { flag: '--gamma <γ>', path: 'schedule.gamma', value: 'number', help: 'decay factor per epoch' },
  {
    flag: '--hold-epochs <k>',
    path: 'schedule.holdEpochs',
    value: 'integer',
    help: 'epochs at the initial rate before decay',
  },
  { flag: '--epochs <n>', path: 'stopping.maxEpochs', value: 'integer', help: 'maximum number of epochs' },
  {
    flag: '--loss-target <L>',
    path: 'stopping.lossTarget',
    value: 'number',
    help: 'stop once the full-batch loss ≤ L',
  },
  {
    flag: '--grad-norm-target <g>',
    path: 'stopping.gradientNormTarget',
    value: 'number',
    help: 'stop once ‖∇L‖ ≤ g',
  },
  {
    flag: '--slope-noise <distribution>',
    path: 'slopeNoise.distribution',
    value: 'string',
    help: 'Soudry–Carmon slope noise: gaussian, uniform or lognormal',
  },
  {
    flag: '--out <file>',
    path: 'output.result',
    value: 'string',
    help: 'result file (default train-result.json)',
  },
  {
    flag: '--weights <file>',
    path: 'output.weights',
    value: 'string',
    help: 'also write the weights file (basin-weights v1)',
  },
];

/** `basin train`: one training run from flags and/or a JSON/YAML config file. */
export function register(program: Command): void {
  const command = program
    .command('train')
    .description('train one network and write a result file (and optionally its weights)')
    .option('-c, --config <file>', 'JSON or YAML config file; flags override its values')
    .option('--bias', 'biases in every layer')
    .option('--no-bias', 'no biases (the Soudry–Hoffer theory)')
    .option('--standardise', 'file source: standardise every feature to mean 0, sd 1')
    .option('--no-scale', 'file source: keep raw values instead of mapping them to [0, 1]')
    .option(
      '--json',
      'progress and summary as JSON lines on stdout (the default when stdout is not a terminal)',
    );
  for (const spec of VALUE_FLAGS) command.addOption(new Option(spec.flag, spec.help));
  command.action(async (options: Record<string, unknown>) => {
    await trainCommand(options);
  });
}

export async function trainCommand(options: Record<string, unknown>): Promise<void> {
  const configFile = typeof options.config === 'string' ? options.config : undefined;
  const raw: Record<string, unknown> = configFile ? readConfigFile(configFile) : {};
  const flags = new Map<string, string>();
  for (const spec of VALUE_FLAGS) {
    const option = new Option(spec.flag);
    const text = options[option.attributeName()];
    if (typeof text !== 'string') continue;
    setAtPath(raw, spec.path, convert(text, spec.value));
    flags.set(spec.path, flagName(option));
  }
  if (typeof options.bias === 'boolean') {
    setAtPath(raw, 'model.bias', options.bias);
    flags.set('model.bias', options.bias ? '--bias' : '--no-bias');
  }
  // Commander sets `scale` to true unless --no-scale is given; only the flag itself may reach the config.
  if (options.standardise === true) {
    setAtPath(raw, 'data.standardise', true);
    flags.set('data.standardise', '--standardise');
  }
  if (options.scale === false) {
    setAtPath(raw, 'data.scale', false);
    flags.set('data.scale', '--no-scale');
  }
  const data = raw.data as Record<string, unknown> | undefined;
  if (
    data !== undefined &&
    typeof data === 'object' &&
    data.source === undefined &&
    !flags.has('data.source')
  ) {
    data.source = 'gaussian';
  }
  const origin: ConfigOrigin = { file: configFile, flags };
  const resolved = resolveTrainConfig(parseTrainConfig(raw, origin), configFile);
  requireTrainOutputs(resolved, configFile, flags);

  const json = options.json === true;
  const progress = createProgress(progressMode(json));
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let run;
  try {
    run = await trainConfigured(resolved, { onEpoch: (p) => progress.epoch(p), signal: controller.signal });
  } catch (error) {
    throw namingOrigin(error, origin);
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
  const files = writeTrainRun(run, resolved);
  if (progressMode(json) === 'json-lines') {
    process.stdout.write(
      `${JSON.stringify({ event: 'result', ...run.record.result, backend: run.record.backend, resultFile: files.result, weightsFile: files.weights ?? null })}\n`,
    );
  } else {
    process.stdout.write(formatTrainSummary(run.record, files));
  }
}

/** Flag text → the config value: numbers where a number is expected (leaving garbage for the schema to name). */
function convert(text: string, value: FlagValue): unknown {
  switch (value) {
    case 'string':
      return text;
    case 'integer':
    case 'number':
      return toNumber(text);
    case 'widths':
      return text.trim() === '' ? [] : text.split(',').map((part) => toNumber(part.trim()));
  }
}

/**
 * A number when the text is a plain decimal (`parseDecimal`: no hex, no blanks, no `Infinity`), else the text itself,
 * for the spec's schema to refuse naming the flag and the config field.
 */
function toNumber(text: string): unknown {
  return parseDecimal(text.trim()) ?? text;
}
