import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type NamedFile,
  requireSeparateFiles,
  requireWritableTarget,
  writeOutputFile,
} from '../../io/output-file.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Command } from 'commander';
import { type BackendRequest, parseBackendRequest } from '../../backend/select.js';
import type { WhiteningMethod } from '../../data/preprocess/whiten.js';
import { serialiseJsonRecord } from '../../io/result-file.js';
import { nonNegative, positiveInteger, seed32 } from '../../io/schema-primitives.js';
import { choiceListOption, choiceOption, flagOption, numberOption } from '../flags.js';
import { formatPercent, formatRate, formatTable } from '../../report/format.js';
import { describePolishProgress } from '../progress.js';
import {
  findTable1Data,
  runTable1,
  TABLE1_DEFAULTS,
  TABLE1_PRESETS,
  TABLE1_ROW_IDS,
  type Table1Result,
  type Table1RowId,
  type Table1Skipped,
} from '../../reproduce/table1.js';

const WHITENING_CHOICES = ['zca', 'pca', 'none'] as const satisfies readonly (WhiteningMethod | 'none')[];

interface Table1CommandOptions {
  data?: string;
  mnist?: string;
  cifar?: string;
  rows: Table1RowId[];
  maxEpochs: number;
  seed: number;
  dtype: 'float32' | 'float64';
  backend: BackendRequest;
  whiten: (typeof WHITENING_CHOICES)[number];
  epsilon: number;
  subset?: number;
  cache?: string;
  checkEvery: number;
  certify: boolean;
  polishSeconds: number;
  out?: string;
  json?: boolean;
}

/** `basin reproduce table1`: Soudry & Hoffer Table 1 (MNIST 784-89-1, CIFAR-10 3072-16-1 and 3072-32-1). */
export function registerTable1(reproduce: Command): void {
  reproduce
    .command('table1')
    .description('Soudry & Hoffer Table 1: 0% training error with #params ≈ N on MNIST and CIFAR-10')
    .option(
      '--data <dir>',
      'directory holding MNIST IDX files (or mnist/) and CIFAR-10 batches (or cifar-10-batches-bin/)',
    )
    .option('--mnist <dir>', 'MNIST IDX directory (overrides --data)')
    .option('--cifar <dir>', 'CIFAR-10 binary directory (overrides --data)')
    .addOption(choiceListOption('--rows <list>', 'rows to run', TABLE1_ROW_IDS, TABLE1_ROW_IDS))
    .addOption(
      numberOption(
        '--max-epochs <n>',
        'stop here if the training error has not reached 0',
        positiveInteger,
        TABLE1_DEFAULTS.maxEpochs,
      ),
    )
    .addOption(
      numberOption(
        '--seed <n>',
        'seed of initialisation, minibatch order and --subset',
        seed32,
        TABLE1_DEFAULTS.seed,
      ),
    )
    .addOption(
      choiceOption(
        '--dtype <dtype>',
        'float32 (as the authors’ PyTorch code) or float64',
        ['float32', 'float64'],
        TABLE1_DEFAULTS.dtype,
      ),
    )
    .addOption(
      flagOption('--backend <name>', 'auto, onnx or reference', parseBackendRequest, TABLE1_DEFAULTS.backend),
    )
    .addOption(
      choiceOption(
        '--whiten <method>',
        'CIFAR whitening (the authors’ method is unknown)',
        WHITENING_CHOICES,
        TABLE1_DEFAULTS.whitening.method,
      ),
    )
    .addOption(
      numberOption('--epsilon <value>', 'whitening ε', nonNegative, TABLE1_DEFAULTS.whitening.epsilon),
    )
    .addOption(
      numberOption(
        '--subset <n>',
        'train on a seeded subset of n samples (a quick check; N differs from the paper)',
        positiveInteger,
      ),
    )
    .option('--cache <dir>', 'keep the preprocessed data here and reuse it next time')
    .addOption(
      numberOption(
        '--check-every <n>',
        'measure the training error every n epochs',
        positiveInteger,
        TABLE1_DEFAULTS.checkEvery,
      ),
    )
    .option('--no-certify', 'skip polishing and certifying the trained end point in float64')
    .addOption(
      numberOption(
        '--polish-seconds <n>',
        'longest polishing of the end point before it is certified as it is',
        positiveInteger,
        TABLE1_DEFAULTS.polishSeconds,
      ),
    )
    .option('--out <file>', 'also write the rows as JSON')
    .option('--json', 'progress as JSON lines on stderr')
    .action(async (options: Table1CommandOptions) => {
      const found = options.data === undefined ? {} : await findTable1Data(options.data);
      const mnist = options.mnist ?? found.mnist;
      const cifar = options.cifar ?? found.cifar;
      // A --data directory with none of the requested rows' data is a wrong path, not rows to skip.
      const datasetsNeeded = new Set(options.rows.map((row) => TABLE1_PRESETS[row].dataset));
      if (
        options.data !== undefined &&
        !(datasetsNeeded.has('MNIST') && mnist !== undefined) &&
        !(datasetsNeeded.has('CIFAR-10') && cifar !== undefined)
      ) {
        throw new InvalidArgumentError(
          '--data',
          `a directory holding the data of --rows ${options.rows.join(',')} ` +
            '(MNIST IDX files in it or in mnist/, CIFAR-10 batches in it or in cifar-10-batches-bin/)',
          options.data,
        );
      }
      const inputs = [
        ...filesIn(mnist, options.mnist === undefined ? '--data' : '--mnist'),
        ...filesIn(cifar, options.cifar === undefined ? '--data' : '--cifar'),
      ];
      if (options.out !== undefined) {
        requireSeparateFiles(inputs, [{ path: options.out, argument: '--out' }]);
        requireWritableTarget(options.out, '--out');
      }
      const whiten = options.whiten === 'none' ? undefined : options.whiten;
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      const results = await runTable1(options.rows, {
        ...(mnist === undefined ? {} : { mnistDirectory: mnist }),
        ...(cifar === undefined ? {} : { cifarDirectory: cifar }),
        maxEpochs: options.maxEpochs,
        seed: options.seed,
        dtype: options.dtype,
        backend: options.backend,
        ...(whiten === undefined ? {} : { whitening: { method: whiten, epsilon: options.epsilon } }),
        ...(options.subset === undefined ? {} : { subset: options.subset }),
        ...(options.cache === undefined ? {} : { cacheDirectory: options.cache }),
        checkEvery: options.checkEvery,
        certify: options.certify ? { polishSeconds: options.polishSeconds } : false,
        onPolish: (row, progress) =>
          process.stderr.write(
            options.json
              ? `${JSON.stringify({ event: 'polish', row, ...progress })}\n`
              : `${row}: ${describePolishProgress(progress)}\n`,
          ),
        signal: controller.signal,
        onStage: (row, stage) =>
          process.stderr.write(
            options.json ? `${JSON.stringify({ event: 'stage', row, stage })}\n` : `${row}: ${stage}\n`,
          ),
        onEpoch: (progress) => {
          if (options.json) {
            process.stderr.write(`${JSON.stringify({ event: 'epoch', ...progress })}\n`);
          } else if (progress.epoch % 10 === 0 || progress.trainMce === 0) {
            const mce =
              progress.trainMisclassified === undefined
                ? ''
                : `, train MCE ${formatRate(progress.trainMisclassified, progress.sampleCount)}`;
            process.stderr.write(
              `${progress.row}: epoch ${progress.epoch}, loss ${progress.loss.toPrecision(3)}, lr ${progress.learningRate.toPrecision(2)}${mce}, ${formatDuration(progress.elapsedSeconds)}\n`,
            );
          }
        },
      });
      process.stdout.write(`${formatTable1(results)}\n`);
      const certificates = formatTable1Certificates(results);
      if (certificates !== '') process.stdout.write(`${certificates}\n`);
      if (options.out !== undefined) {
        writeOutputFile(
          options.out,
          serialiseJsonRecord({ format: 'basin-table1', rows: results }, options.out),
          'the Table 1 record',
        );
        process.stdout.write(`wrote ${options.out}\n`);
      }
    });
}

/** The files directly in a data directory, as inputs the --out record must not replace. */
function filesIn(directory: string | undefined, argument: string): NamedFile[] {
  if (directory === undefined) return [];
  try {
    return readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => ({ path: join(directory, entry.name), argument: `${argument} (${entry.name})` }));
  } catch {
    return []; // an unreadable directory is reported by the loader, naming it
  }
}

/** An error rate (misclassified / samples, so exact) with the count behind it: 22 wrong of 50 000 is "0.044% (22)". */
function errorCell(rate: number, samples: number): string {
  return formatRate(Math.round(rate * samples), samples);
}

/** Our rows beside the paper's: one line per source. */
export function formatTable1(results: readonly (Table1Result | Table1Skipped)[]): string {
  const lines: string[][] = [];
  for (const result of results) {
    const preset = TABLE1_PRESETS[result.row];
    const paper = preset.paper;
    lines.push([
      result.row,
      paper.source,
      `${preset.inputDim}-${preset.hidden}-1`,
      String(paper.sampleCount),
      paper.paramsOverN === null ? '–' : paper.paramsOverN.toFixed(3),
      formatPercent(paper.trainMce),
      paper.epochsToZero === null ? '–' : String(paper.epochsToZero),
      '–',
      formatPercent(paper.testMce),
    ]);
    if ('skipped' in result) {
      lines.push([result.row, 'basin', `skipped: ${result.skipped}`, '', '', '', '', '', '']);
      continue;
    }
    lines.push([
      result.row,
      `basin (${result.dtype}, ${result.backend.backend})`,
      result.architecture,
      String(result.sampleCount),
      result.paramsOverN.toFixed(3),
      errorCell(result.trainMce, result.sampleCount),
      result.epochsToZero === null ? `– (${result.epochs} run)` : String(result.epochsToZero),
      formatDuration(result.trainSeconds),
      result.testMce === null || result.testCount === null
        ? '–'
        : errorCell(result.testMce, result.testCount),
    ]);
  }
  return formatTable(
    ['row', 'source', 'network', 'N', '#params/N', 'train MCE', 'epochs to 0%', 'train time', 'test MCE'],
    lines,
  );
}

/** One block per certified row: the verdict and what decided it, beside the training result. */
export function formatTable1Certificates(results: readonly (Table1Result | Table1Skipped)[]): string {
  const blocks: string[] = [];
  for (const result of results) {
    if ('skipped' in result || result.certificate === null) continue;
    const c = result.certificate;
    const e = (value: number): string => value.toExponential(3);
    const mce =
      c.misclassified === null
        ? ''
        : `, train MCE ${formatRate(c.misclassified, result.sampleCount, { ofTotal: true })}`;
    blocks.push(
      [
        `${result.row}: certificate of the trained end point (float64, ${c.engine} products, ${formatDuration(c.seconds)})`,
        `  polish     ${c.polish === null ? 'off' : `${c.polish.stopReason}: ${c.polish.detail}; loss ${e(c.polish.initialLoss)} → ${e(c.loss)}`}`,
        `  point      MSE ${e(c.loss)}${mce}; ‖∇L‖/lossScale ${e(c.relativeGradient)}; min |pre-activation| ${e(c.kinkMargin)} (${c.nearKinks} within 1e-9)`,
        `  hessian    off the symmetries: smallest ${c.smallestEigenvalues.map(e).join(', ')}; largest ${c.largestEigenvalues.map(e).join(', ')}${c.lanczosConverged === false ? ' (Lanczos not converged)' : ''}`,
        `  verdict    ${c.verdict} [${c.rule}, ${c.strength}]: ${c.explanation}`,
      ].join('\n'),
    );
  }
  return blocks.join('\n');
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes}m ${Math.round(seconds - 60 * minutes)}s`
    : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
