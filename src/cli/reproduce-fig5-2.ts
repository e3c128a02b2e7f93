import { SizeLimitError } from '../core/limits.js';
import { writeOutputFile } from '../io/output-file.js';
import { nodeEnvironment } from '../run/node-environment.js';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../core/errors.js';
import { formatRate } from '../report/format.js';
import type { Initialisation } from '../model/init.js';
import { serialiseJsonRecord } from '../io/result-file.js';
import {
  FIG52_DEFAULTS,
  FIG52_PAPER_RANGES,
  fig52SampleCount,
  type Fig52Options,
  type Fig52Run,
  runFig52,
  summariseFig52,
} from '../reproduce/fig5-2.js';
import {
  DEFAULT_OPTIMISERS,
  OPTIMISER_KINDS,
  OPTIMISERS,
  type OptimiserConfig,
  type OptimiserKind,
} from '../train/optimiser.js';

export { FIG52_DEFAULTS } from '../reproduce/fig5-2.js';
import { fig52Preset } from '../reproduce/presets/fig5.2.js';
import { reproducePresets, workersOption } from './commands/sweep.js';
import {
  integerAtLeast,
  nonNegativeInteger,
  positive,
  positiveInteger,
  positiveWorkCount,
  seed32,
} from '../io/schema-primitives.js';
import { choiceOption, numberListOption, numberOption } from './flags.js';

const INITIALISATIONS = ['pytorch', 'lecun', 'xavier'] as const;

/** The options of `basin reproduce fig5.2`, parsed and checked by commander. */
export interface Fig52CommandOptions {
  readonly quick?: boolean;
  /** The preset's dimensions when absent. */
  readonly d?: readonly number[];
  /** The preset's repeats when absent. */
  readonly repeats?: number;
  readonly seed: number;
  readonly optimiser: OptimiserKind;
  readonly batchSize?: number;
  readonly lr: number;
  readonly holdEpochs: number;
  readonly decayEpochs: number;
  readonly decayFactor: number;
  readonly init: (typeof INITIALISATIONS)[number];
  readonly bias?: boolean;
  readonly out?: string;
  readonly json?: boolean;
  readonly sweep?: boolean;
  readonly store?: string;
  readonly workers: number;
}
import { fmt } from './summary.js';
import { packageVersion } from './package-version.js';

const MINIBATCH_KINDS = OPTIMISER_KINDS.filter((kind) => OPTIMISERS[kind].minibatch);

export function registerFig52(reproduce: Command): void {
  reproduce
    .command('fig5.2')
    .description(
      'Soudry & Hoffer Fig. 5.2: Gaussian data, d0 = d1 = d, N = ⌊d²/5⌋ — final MSE and min|wᵢᵀxₙ| per run',
    )
    .option(
      '--quick',
      `small run: d ∈ {${FIG52_DEFAULTS.quick.dimensions.join(', ')}}, ${FIG52_DEFAULTS.quick.repeats} repeats`,
    )
    .addOption(
      numberListOption(
        '--d <list>',
        `comma-separated d values (default ${FIG52_DEFAULTS.full.dimensions.join(',')})`,
        integerAtLeast(3),
      ),
    )
    .addOption(
      numberOption(
        '--repeats <n>',
        `runs per d (default ${FIG52_DEFAULTS.full.repeats}, as in the paper)`,
        positiveWorkCount,
      ),
    )
    .addOption(numberOption('--seed <n>', 'seed every run derives from', seed32, FIG52_DEFAULTS.seed))
    .addOption(choiceOption('--optimiser <kind>', 'optimiser', OPTIMISER_KINDS, FIG52_DEFAULTS.optimiser))
    .addOption(
      numberOption(
        '--batch-size <B>',
        `minibatch size (${MINIBATCH_KINDS.join(', ')}); full batch by default`,
        positiveInteger,
      ),
    )
    .addOption(
      numberOption('--lr <rate>', 'learning rate of the first phase', positive, FIG52_DEFAULTS.learningRate),
    )
    .addOption(
      numberOption(
        '--hold-epochs <n>',
        'epochs at the initial rate (paper: 1000)',
        nonNegativeInteger,
        FIG52_DEFAULTS.holdEpochs,
      ),
    )
    .addOption(
      numberOption(
        '--decay-epochs <n>',
        'epochs of exponential decay (paper: 1000)',
        positiveInteger,
        FIG52_DEFAULTS.decayEpochs,
      ),
    )
    .addOption(
      numberOption(
        '--decay-factor <f>',
        'learning rate at the end of the decay, as a fraction of --lr',
        positive,
        FIG52_DEFAULTS.decayFactor,
      ),
    )
    .addOption(choiceOption('--init <kind>', 'initialisation', INITIALISATIONS, FIG52_DEFAULTS.init))
    .option('--bias', "biases in both layers (the authors' code); default: none (the theory)")
    .option(
      '--out <path>',
      'also write every run and the summary as JSON; with --sweep: the report directory',
    )
    .option('--json', 'one JSON line per run instead of the table')
    .option(
      '--sweep',
      'run the sweep preset instead: the default settings through the sweep engine, every end point polished and ' +
        'certified, into a result store with an HTML report (with --quick: the quick variant)',
    )
    .option('--store <path>', 'with --sweep: result store (resumes when rerun)')
    .addOption(workersOption('with --sweep: worker threads'))
    .action(async (options: Fig52CommandOptions, command: Command) => {
      if (options.sweep === true) await fig52Sweep(options, command);
      else await fig52Command(options, command);
    });
}

/** Settings of the standalone run that the sweep preset fixes (a sweep spec is the place to vary them). */
const STANDALONE_ONLY = [
  'd',
  'repeats',
  'seed',
  'optimiser',
  'batchSize',
  'lr',
  'holdEpochs',
  'decayEpochs',
  'decayFactor',
  'init',
  'bias',
  'json',
] as const;

async function fig52Sweep(options: Fig52CommandOptions, command: Command): Promise<void> {
  for (const name of STANDALONE_ONLY) {
    if (command.getOptionValueSource(name) === 'cli') {
      const flag = command.options.find((o) => o.attributeName() === name)!.long!;
      throw new InvalidArgumentError(
        flag,
        'no such flag with --sweep (the sweep preset has fixed settings; vary them in a sweep spec)',
        options[name],
      );
    }
  }
  await reproducePresets([fig52Preset], options.quick === true ? 'quick' : 'full', {
    quick: options.quick === true,
    ...(options.store !== undefined ? { store: options.store } : {}),
    ...(options.out !== undefined ? { out: options.out } : {}),
    workers: options.workers,
  });
}

export async function fig52Command(options: Fig52CommandOptions, command?: Command): Promise<void> {
  if (command !== undefined) {
    for (const name of ['store', 'workers'] as const) {
      if (command.getOptionValueSource(name) === 'cli') {
        throw new InvalidArgumentError(`--${name}`, 'only with --sweep', options[name]);
      }
    }
  }
  const quick = options.quick === true;
  const preset = quick ? FIG52_DEFAULTS.quick : FIG52_DEFAULTS.full;
  const optimiser = withBatchSize(DEFAULT_OPTIMISERS[options.optimiser], options.batchSize);
  const initKind = options.init;
  const init: Initialisation =
    initKind === 'pytorch'
      ? { kind: 'pytorch' }
      : { kind: initKind, mean: 0, scale: 1, biasMean: 0, biasStd: 0 };
  const settings: Omit<Fig52Options, 'onRun'> = {
    dimensions: options.d === undefined ? preset.dimensions : [...options.d],
    repeats: options.repeats ?? preset.repeats,
    seed: options.seed,
    optimiser,
    learningRate: options.lr,
    holdEpochs: options.holdEpochs,
    decayEpochs: options.decayEpochs,
    decayFactor: options.decayFactor,
    init,
    bias: options.bias === true,
  };
  const json = options.json === true;
  const write = (text: string): void => {
    process.stdout.write(text);
  };
  if (!json) write(header(settings));
  const started = performance.now();
  const runs = await runFig52({
    ...settings,
    environment: nodeEnvironment,
    onRun: (run) => write(json ? `${JSON.stringify({ event: 'run', ...run })}\n` : runLine(run)),
  }).catch((error: unknown) => {
    // Every size of a fig5.2 run (N, d, the width) follows from d.
    throw error instanceof SizeLimitError
      ? new SizeLimitError('--d', error.what, error.bytes, error.limit)
      : error;
  });
  const summary = summariseFig52(runs);
  const wallSeconds = (performance.now() - started) / 1000;
  if (json) {
    write(`${JSON.stringify({ event: 'summary', summary, wallSeconds })}\n`);
  } else {
    write(summaryLines(summary, wallSeconds));
  }
  if (options.out !== undefined) {
    const record = {
      format: 'basin-reproduction',
      version: 1,
      name: 'fig5.2',
      paper: {
        source: 'Soudry & Hoffer 2017, Figure 5.2 (arXiv 1702.05777)',
        ranges: FIG52_PAPER_RANGES,
        follows:
          'd0 = d1 = d, N = ⌊d²/5⌋, Gaussian inputs, random ±1 labels, ReLU, MSE, 1000 + 1000 epochs, 30 repeats',
      },
      choices: { ...settings, quick },
      basinVersion: packageVersion(),
      wallSeconds,
      summary,
      runs,
    };
    writeOutputFile(options.out, serialiseJsonRecord(record, options.out), 'the fig5.2 record');
    if (!json) write(`results: ${options.out}\n`);
  }
}

function header(settings: Omit<Fig52Options, 'onRun'>): string {
  const o = settings.optimiser;
  const optimiser =
    o.kind === 'adam'
      ? `Adam (β1 ${o.beta1}, β2 ${o.beta2}, ε ${o.epsilon})${o.batchSize ? `, batch ${o.batchSize}` : ', full batch'}`
      : o.kind === 'sgd'
        ? `SGD, batch ${o.batchSize}`
        : o.kind === 'gd'
          ? 'full-batch gradient descent'
          : o.kind === 'lbfgs'
            ? `L-BFGS (memory ${o.memory})`
            : `${o.kind} (${Object.entries(o)
                .filter(([key]) => key !== 'kind')
                .map(([key, value]) => `${key} ${String(value)}`)
                .join(', ')})`;
  const lastRate = settings.learningRate * settings.decayFactor;
  return [
    'Soudry & Hoffer (2017), Fig. 5.2: do trained nets reach differentiable local minima with zero training error?',
    `follows the paper: d0 = d1 = d, N = ⌊d²/5⌋, x ~ N(0, I), random ±1 labels, ReLU, MSE = (1/N)‖e‖², float64, ` +
      `${settings.holdEpochs} epochs then ${settings.decayEpochs} epochs of exponentially decreasing learning rate`,
    `our choices (not in the paper): ${optimiser}, lr ${settings.learningRate} → ${fmt(lastRate)}, ` +
      `${settings.init.kind} init, ${settings.bias ? "biases (authors' code)" : 'no biases (theory)'}, ` +
      `d ∈ {${settings.dimensions.join(', ')}}, ${settings.repeats} repeats, seed ${settings.seed}`,
    `paper, every run: final MSE in [${fmt(FIG52_PAPER_RANGES.mse[0])}, ${fmt(FIG52_PAPER_RANGES.mse[1])}], ` +
      `min|wᵢᵀxₙ| in [${fmt(FIG52_PAPER_RANGES.minAbsPreActivation[0])}, ${FIG52_PAPER_RANGES.minAbsPreActivation[1]}]`,
    '',
    `${'d'.padStart(4)} ${'N'.padStart(5)} ${'run'.padStart(4)}  ${'final MSE'.padEnd(10)} ${'vs paper'.padEnd(8)}  ${'min|wᵢᵀxₙ|'.padEnd(11)} ${'vs paper'.padEnd(8)}  ${'MCE'.padStart(11)}  ${'time'.padStart(7)}`,
    '',
  ].join('\n');
}

function runLine(run: Fig52Run): string {
  const n = fig52SampleCount(run.d);
  return `${String(run.d).padStart(4)} ${String(n).padStart(5)} ${String(run.repeat).padStart(4)}  ${fmt(run.finalMse).padEnd(10)} ${run.msePosition.padEnd(8)}  ${fmt(run.minAbsPreActivation).padEnd(11)} ${run.preActivationPosition.padEnd(8)}  ${formatRate(Math.round(run.finalMce * n), n).padStart(11)}  ${`${run.wallSeconds.toFixed(1)}s`.padStart(7)}\n`;
}

function summaryLines(summary: ReturnType<typeof summariseFig52>, wallSeconds: number): string {
  const lines = ['', 'summary (paper: every run inside both ranges)'];
  for (const s of summary) {
    lines.push(
      `d = ${s.d}: MSE ≤ 1e-7 in ${s.mseReached}/${s.runs} runs (${s.mseWithin} within the range, ${s.mseBelow} below it: the float64 floor), ` +
        `median ${fmt(s.medianMse)}; min|wᵢᵀxₙ| within [1e-3, 1] in ${s.preActivationWithin}/${s.runs} runs, ` +
        `median ${fmt(s.medianMinAbsPreActivation)}, smallest ${fmt(s.smallestMinAbsPreActivation)}`,
    );
  }
  lines.push(`total ${wallSeconds.toFixed(1)} s`, '');
  return lines.join('\n');
}

function withBatchSize(base: OptimiserConfig, batchSize: number | undefined): OptimiserConfig {
  if (batchSize === undefined) return base;
  if (OPTIMISERS[base.kind].minibatch) return { ...base, batchSize } as OptimiserConfig;
  const kinds = `${MINIBATCH_KINDS.slice(0, -1).join(', ')} or ${MINIBATCH_KINDS[MINIBATCH_KINDS.length - 1]}`;
  throw new InvalidArgumentError('--batch-size', `only with --optimiser ${kinds}`, batchSize);
}
