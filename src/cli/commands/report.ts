import type { Command } from 'commander';
import { requireSeparateFiles, requireWritableDirectory } from '../../io/output-file.js';
import { writeReport } from '../../report/write-report.js';
import { PRESET_SECTIONS } from '../../reproduce/presets/index.js';
import { ResultStore } from '../../sweep/store/result-store.js';
import { requireStoredSweeps } from '../sweep-names.js';

/** `basin report <store>`: an HTML report with SVG and PNG figures of every sweep in a store. */
export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write a self-contained HTML report with SVG and PNG figures of the sweeps in a result store',
    )
    .argument('<store>', 'result store (DuckDB file)')
    .option('--out <directory>', 'output directory', 'report')
    .option('--sweep <name...>', 'only these sweeps')
    .action(async (path: string, options: { out: string; sweep?: string[] }) => {
      requireSeparateFiles([{ path, argument: '<store>' }], [{ path: options.out, argument: '--out' }]);
      const store = await ResultStore.open(path, 'read');
      try {
        if (options.sweep !== undefined) requireStoredSweeps(options.sweep, await store.sweeps());
        requireWritableDirectory(options.out, '--out');
        const written = await writeReport(store, options.out, {
          builders: PRESET_SECTIONS,
          ...(options.sweep ? { sweeps: options.sweep } : {}),
        });
        process.stdout.write(`wrote ${written.html} and ${written.figures.length} figure files\n`);
      } finally {
        store.close();
      }
    });
}
