import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.js';
import { requireSeparateFiles, requireWritableDirectory } from '../../io/output-file.js';
import { formatTable } from '../../report/format.js';
import { formatSummaryTable } from '../../report/summary-table.js';
import { migrateStore, ResultStore } from '../../sweep/store/result-store.js';
import { summariseSweep } from '../../sweep/summary.js';
import { choiceOption } from '../flags.js';
import { requireStoredSweeps } from '../sweep-names.js';

const EXPORT_FORMATS = ['parquet', 'csv'] as const;

/** `basin results <store>`: the sweeps in a store and per-cell statistics; export and migration. */
export function register(program: Command): void {
  program
    .command('results')
    .description('list the sweeps in a result store and summarise each cell')
    .argument('<store>', 'result store (DuckDB file)')
    .option('--sweep <name>', 'only this sweep')
    .option('--export <directory>', 'write the tables to this directory instead')
    .addOption(choiceOption('--format <format>', 'export format', EXPORT_FORMATS, 'parquet'))
    .option('--migrate', 'upgrade a store written by an older basin to the current schema')
    .action(
      async (
        path: string,
        options: {
          sweep?: string;
          export?: string;
          format: (typeof EXPORT_FORMATS)[number];
          migrate?: boolean;
        },
        command: Command,
      ) => {
        // --format alone changes nothing: the summary is printed as a table either way.
        if (options.export === undefined && command.getOptionValueSource('format') === 'cli') {
          throw new InvalidArgumentError(
            '--format',
            'to come with --export (it is the format of the exported files)',
          );
        }
        if (options.export !== undefined) {
          requireSeparateFiles(
            [{ path, argument: '<store>' }],
            [{ path: options.export, argument: '--export' }],
          );
          requireWritableDirectory(options.export, '--export');
        }
        if (options.migrate) {
          const { from, to } = await migrateStore(path);
          process.stdout.write(
            from === to
              ? `${path} is already at schema version ${to}\n`
              : `${path}: schema ${from} → ${to}\n`,
          );
          return;
        }
        const store = await ResultStore.open(path, 'read');
        try {
          if (options.export !== undefined) {
            for (const file of await store.exportTables(options.export, options.format)) {
              process.stdout.write(`wrote ${file}\n`);
            }
            return;
          }
          const sweeps = await store.sweeps();
          if (options.sweep !== undefined) requireStoredSweeps([options.sweep], sweeps);
          const chosen =
            options.sweep === undefined ? sweeps : sweeps.filter((s) => s.sweep === options.sweep);
          const summaries = [];
          for (const sweep of chosen) summaries.push(await summariseSweep(store, sweep.sweep));
          const overview = summaries.map((s) => {
            const runs = s.cells.reduce((n, cell) => n + cell.runs, 0);
            const failed = s.cells.reduce((n, cell) => n + cell.failed, 0);
            const total = s.cells.length * s.sweep.repetitions;
            return [
              s.sweep.sweep,
              s.sweep.runner,
              String(s.cells.length),
              `${runs}/${total}`,
              String(failed),
              s.sweep.codeVersion,
              s.sweep.createdAt.toISOString(),
            ];
          });
          process.stdout.write(
            `${formatTable(['sweep', 'runner', 'cells', 'runs', 'failed', 'code', 'created'], overview)}\n`,
          );
          for (const summary of summaries) {
            process.stdout.write(`\n${summary.sweep.sweep}\n${formatSummaryTable(summary)}\n`);
          }
        } finally {
          store.close();
        }
      },
    );
}
