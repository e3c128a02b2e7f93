import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import type { Command, Option } from 'commander';
import { InvalidArgumentError } from '../../core/errors.js';
import { integerBetween, nonNegativeInteger } from '../../io/schema-primitives.js';
import { codeVersion } from '../../sweep/code-version.js';
import { executeTask } from '../../sweep/execute-task.js';
import { LocalPool } from '../../sweep/local-pool.js';
import { planTasks, runSweep, type SweepReport } from '../../sweep/run-sweep.js';
import { RUNNERS } from '../../sweep/runners.js';
import { expandCells, pickRunner, readSweepSpec, type SweepSpec } from '../../sweep/spec.js';
import { ResultStore } from '../../sweep/store/result-store.js';
import { SWEEP_TEMPLATE } from '../../sweep/template.js';
import { formatSummaryTable } from '../../report/summary-table.js';
import { writeReport } from '../../report/write-report.js';
import {
  PRESET_SECTIONS,
  type PresetVariant,
  SWEEP_PRESETS,
  type SweepPreset,
} from '../../reproduce/presets/index.js';
import { summariseSweep } from '../../sweep/summary.js';
import { describeChoices, flagOption, numberOption } from '../flags.js';
import { requireSeparateFiles, requireWritableDirectory } from '../../io/output-file.js';
import { parseQueueUrl, type QueueConnection } from '../../sweep/queue/connection.js';
import { QueueExecutor } from '../../sweep/queue/queue-executor.js';

/** `basin sweep init | run | replay`. */
export function register(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('Restart sweeps: many seeded runs over a grid, in a result store');

  sweep
    .command('init')
    .description('write a commented sweep spec to start from')
    .argument('[file]', 'where to write it', 'sweep.yaml')
    .option('--force', 'overwrite an existing file')
    .action((file: string, options: { force?: boolean }) => {
      if (existsSync(file) && !options.force) {
        throw new InvalidArgumentError('file', 'a path that does not exist yet (or --force)', file);
      }
      writeFileSync(file, SWEEP_TEMPLATE);
      process.stdout.write(`wrote ${file}; run it with: basin sweep run ${file} --store results.duckdb\n`);
    });

  sweep
    .command('run')
    .description('run what is missing of a sweep (rerun the same command to resume after an interruption)')
    .argument('<spec>', 'sweep spec (YAML or JSON)')
    .option('--store <path>', 'result store (DuckDB file, created when missing)', 'results.duckdb')
    .addOption(workersOption())
    .option('--retry-failed', 'run again the runs stored as failed')
    .option(
      '--no-batch-restarts',
      "train every run alone, never several seeds of a cell in lock-step (overrides the spec's batchRestarts)",
    )
    .addOption(
      flagOption(
        '--queue <url>',
        'run on `basin worker`s through Redis instead of local threads: redis://[user:password@]host:port[/db] ' +
          '(rediss:// for TLS; docs/distributed.md)',
        (text, flag) => parseQueueUrl(text, flag),
      ),
    )
    .action(
      async (
        file: string,
        options: {
          store: string;
          workers: number;
          retryFailed?: boolean;
          batchRestarts: boolean;
          queue?: QueueConnection;
        },
        command: Command,
      ) => {
        if (options.queue !== undefined && command.getOptionValueSource('workers') === 'cli') {
          throw new InvalidArgumentError(
            '--workers',
            'no value with --queue (the runs go to `basin worker` processes: start more of them instead)',
            options.workers,
          );
        }
        const spec = readSweepSpec(file);
        const report = await runSweepWithProgress(spec, options.store, {
          workers: options.workers,
          retryFailed: options.retryFailed ?? false,
          file,
          ...(options.queue === undefined ? {} : { queue: options.queue }),
          // Commander sets batchRestarts to true unless --no-batch-restarts is given: only the flag overrides the spec.
          ...(options.batchRestarts ? {} : { batchRestarts: false }),
        });
        if (report.interrupted) process.exitCode = 130;
      },
    );

  sweep
    .command('replay')
    .description('redo one run of a sweep alone, without a store, and print its result as JSON')
    .argument('<spec>', 'sweep spec (YAML or JSON)')
    .addOption(
      numberOption(
        '--cell <index>',
        'cell index (0-based, in the order of `basin results`)',
        nonNegativeInteger,
      ).makeOptionMandatory(),
    )
    .addOption(
      numberOption('--repetition <k>', 'repetition (0-based)', nonNegativeInteger).makeOptionMandatory(),
    )
    .action(async (file: string, options: { cell: number; repetition: number }) => {
      const spec = readSweepSpec(file);
      const runner = pickRunner(spec.runner, RUNNERS, file);
      const cells = expandCells(spec, runner, file);
      if (options.cell >= cells.length) {
        throw new InvalidArgumentError('--cell', `a cell index below ${cells.length}`, options.cell);
      }
      if (options.repetition >= spec.repetitions) {
        throw new InvalidArgumentError(
          '--repetition',
          `a repetition below ${spec.repetitions}`,
          options.repetition,
        );
      }
      const task = planTasks(spec, runner, [cells[options.cell]])[options.repetition];
      const outcome = await executeTask(task, 0);
      // The end point is a long vector: leave it out of the printed result.
      const result = outcome.result === null ? null : { ...outcome.result, weights: undefined };
      process.stdout.write(
        `${JSON.stringify({ cell: options.cell, config: task.config, seed: task.seed, status: outcome.status, error: outcome.error, result }, null, 2)}\n`,
      );
    });
}

export interface SweepRunOptions {
  readonly workers: number;
  /** Run on queue workers through this Redis (queue/queue-executor.ts) instead of the local pool. */
  readonly queue?: QueueConnection;
  readonly retryFailed: boolean;
  readonly file: string;
  /** Overrides the spec's `batchRestarts` (lock-step groups of a cell's runs). */
  readonly batchRestarts?: boolean;
}

/**
 * Runs a sweep into a store with a progress bar (done/total, rate, ETA, failures). Ctrl-C stops it after storing
 * every run already finished; the same command resumes it. Shared by `basin sweep run` and `basin reproduce`.
 */
export async function runSweepWithProgress(
  spec: SweepSpec,
  storePath: string,
  options: SweepRunOptions,
): Promise<SweepReport> {
  const runner = pickRunner(spec.runner, RUNNERS, options.file);
  const store = await ResultStore.open(storePath, 'write');
  const abort = new AbortController();
  const onInterrupt = (): void => abort.abort();
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  const queue = options.queue;
  let workersAlive = 0;
  const bar = new SingleBar({
    format:
      `${spec.name} {bar} {value}/{total} runs | {rate} runs/s | ETA {eta_formatted} | failed {failed}` +
      (queue === undefined ? '' : ' | workers {workers}'),
    noTTYOutput: true,
    notTTYSchedule: 10_000,
    stream: process.stderr,
    etaBuffer: 50,
  });
  let started = false;
  try {
    const report = await runSweep({
      spec,
      runner,
      store,
      executor:
        queue === undefined
          ? new LocalPool(options.workers)
          : new QueueExecutor(queue, {
              sweep: spec.name,
              codeVersion: codeVersion(),
              onWorkers: (count) => {
                workersAlive = count;
                if (started) bar.update({ workers: count });
              },
            }),
      codeVersion: codeVersion(),
      retryFailed: options.retryFailed,
      ...(options.batchRestarts === undefined ? {} : { batchRestarts: options.batchRestarts }),
      signal: abort.signal,
      file: options.file,
      onProgress: (progress) => {
        if (!started) {
          bar.start(progress.total, progress.alreadyStored, { rate: '–', failed: 0, workers: workersAlive });
          started = true;
        }
        const rate = progress.done / Math.max(progress.elapsedMs / 1000, 1e-3);
        bar.update(progress.alreadyStored + progress.done, {
          rate: rate.toFixed(1),
          failed: progress.failed,
          workers: workersAlive,
        });
      },
    });
    if (started) bar.stop();
    const stored = report.alreadyStored + report.done;
    const seconds = (report.elapsedMs / 1000).toFixed(1);
    process.stderr.write(
      report.interrupted
        ? `${spec.name}: interrupted; ${stored}/${report.total} runs stored in ${storePath}. Run the same command to finish.\n`
        : `${spec.name}: ${report.done} runs done in ${seconds} s (${report.failed} failed), ` +
            `${report.alreadyStored} already stored; ${stored}/${report.total} in ${storePath}\n`,
    );
    return report;
  } finally {
    if (started && bar.isActive) bar.stop();
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    store.close();
  }
}

/** `--workers <n>`, the worker threads of a sweep: one per core unless given. */
/**
 * The most worker threads `--workers` may ask for. Each is a Node worker with its own heap (tens of MB before it
 * trains), and a run computes on one core, so more workers than cores only add memory: 256 is above the cores of
 * any machine basin targets, and far below the thread count that exhausts memory (`--workers 1000000`).
 */
export const MAX_WORKERS = 256;

export function workersOption(description = 'worker threads'): Option {
  return numberOption(
    '--workers <n>',
    `${description} (at most ${MAX_WORKERS})`,
    integerBetween(1, MAX_WORKERS),
    Math.min(availableParallelism(), MAX_WORKERS),
  );
}

export interface PresetOptions {
  readonly quick?: boolean;
  readonly store?: string;
  readonly out?: string;
  readonly workers: number;
}

/**
 * Adds the sweep-engine presets to `basin reproduce`: one subcommand per preset (`basin reproduce fig5.1 --quick`),
 * and `basin reproduce --quick` alone, which runs every quick preset into one store and writes one report.
 */
export function registerSweepPresets(reproduce: Command): void {
  for (const preset of SWEEP_PRESETS) {
    // A preset with its own command (fig5.2) is reached by that command's --sweep flag.
    if (preset.ownCommand) continue;
    reproduce
      .command(preset.name)
      .description(`${preset.title} (sweep preset; --quick runs in under two minutes on two cores)`)
      .option('--quick', 'the small variant')
      .option('--store <path>', 'result store (resumes when rerun)')
      .option('--out <directory>', 'report directory')
      .addOption(workersOption())
      .action(async (options: PresetOptions) => {
        const variant: PresetVariant = options.quick ? 'quick' : 'full';
        await reproducePresets([preset], variant, options);
      });
  }
  // Options of `reproduce` itself must not swallow its subcommands' options of the same name.
  reproduce
    .enablePositionalOptions()
    .option(
      '--quick',
      'with no preset name: run every quick sweep preset into one store and write one report',
    )
    .option('--store <path>', 'result store for --quick', 'basin-quick.duckdb')
    .option('--out <directory>', 'report directory for --quick', 'basin-quick-report')
    .addOption(workersOption())
    // A name that is no subcommand reaches this action; commander would call it "too many arguments".
    .allowExcessArguments(true)
    .action(async (options: PresetOptions, command: Command) => {
      const [name] = command.args;
      if (name !== undefined) {
        const known = command.commands.map((preset) => preset.name());
        command.error(`error: unknown preset '${name}' for 'reproduce' (${describeChoices(known)})`, {
          exitCode: 2,
          code: 'basin.unknownPreset',
        });
      }
      if (!options.quick) {
        reproduce.help();
        return;
      }
      await reproducePresets(SWEEP_PRESETS, 'quick', options);
    });
}

/** Runs presets into one store (resuming), prints their tables and writes one report. */
export async function reproducePresets(
  presets: readonly SweepPreset[],
  variant: PresetVariant,
  options: PresetOptions,
): Promise<void> {
  const stem = presets.length === 1 ? `${presets[0].name}-${variant}` : `basin-${variant}`;
  const storePath = options.store ?? `${stem}.duckdb`;
  const out = options.out ?? `${stem}-report`;
  // Before the sweeps run (minutes): a report directory on the store would fail only at the end, after the runs.
  requireSeparateFiles([{ path: storePath, argument: '--store' }], [{ path: out, argument: '--out' }]);
  requireWritableDirectory(out, '--out');
  const names: string[] = [];
  for (const preset of presets) {
    const spec = preset.spec(variant);
    const report = await runSweepWithProgress(spec, storePath, {
      workers: options.workers,
      retryFailed: false,
      file: preset.name,
    });
    if (report.interrupted) {
      process.exitCode = 130;
      return;
    }
    names.push(spec.name);
  }
  const store = await ResultStore.open(storePath, 'read');
  try {
    for (const name of names) {
      process.stdout.write(`\n${name}\n${formatSummaryTable(await summariseSweep(store, name))}\n`);
    }
    const written = await writeReport(store, out, {
      builders: PRESET_SECTIONS,
      sweeps: names,
      title: 'basin reproduction report',
    });
    process.stdout.write(`\nwrote ${written.html} and ${written.figures.length} figure files\n`);
  } finally {
    store.close();
  }
}
