import type { Command } from 'commander';
import { BasinError, FileFormatError, InvalidArgumentError } from '../../core/errors.js';
import { readUserFile } from '../../io/user-file.js';
import { parseReportableRecord } from '../../landscape/record-file.js';
import { requireSeparateFiles, requireWritableDirectory } from '../../io/output-file.js';
import { landscapeSection, type StandaloneSection } from '../../report/landscape-section.js';
import { writeReport } from '../../report/write-report.js';
import { PRESET_SECTIONS } from '../../reproduce/presets/index.js';
import { ResultStore } from '../../sweep/store/result-store.js';
import { flagOption, listParser } from '../flags.js';
import { requireStoredSweeps } from '../sweep-names.js';

interface ReportCommandOptions {
  readonly out: string;
  readonly sweep?: string[];
  readonly landscape?: string[];
}

/** A file name of a --landscape list: any non-empty text. */
function fileName(text: string, flag: string): string {
  if (text === '') throw new InvalidArgumentError(flag, 'file names separated by commas', text);
  return text;
}

/** The report section of one --landscape record; any problem with it is one line naming the file. */
function landscapeFileSection(file: string): StandaloneSection {
  const record = parseReportableRecord(readUserFile(file, 'the landscape record of --landscape'), file);
  try {
    return landscapeSection(record);
  } catch (error) {
    // The parser checks fields and references; the tree also needs merges that mergeTree could have made.
    if (error instanceof BasinError) throw new FileFormatError(file, error.message);
    throw error;
  }
}

/**
 * `basin report [store]`: an HTML report with SVG and PNG figures of every sweep in a store, and a section for each
 * `basin landscape` record given with --landscape (a report of those alone needs no store).
 */
export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write a self-contained HTML report with SVG and PNG figures of the sweeps in a result store and of landscape records',
    )
    .argument('[store]', 'result store (DuckDB file); optional with --landscape')
    .option('--out <directory>', 'output directory', 'report')
    .option('--sweep <name...>', 'only these sweeps')
    .addOption(
      flagOption(
        '--landscape <files>',
        'also show these records of basin landscape graph|path|volume --out (comma-separated JSON files)',
        listParser(fileName),
      ),
    )
    .action(async (path: string | undefined, options: ReportCommandOptions) => {
      const landscape = options.landscape ?? [];
      if (path === undefined && landscape.length === 0) {
        throw new InvalidArgumentError('<store>', 'a result store, or --landscape with records', 'neither');
      }
      if (path === undefined && options.sweep !== undefined) {
        throw new InvalidArgumentError(
          '--sweep',
          'a result store to pick the sweeps from',
          options.sweep.join(' '),
        );
      }
      requireSeparateFiles(
        [
          ...(path === undefined ? [] : [{ path, argument: '<store>' }]),
          ...landscape.map((file) => ({ path: file, argument: '--landscape' })),
        ],
        [{ path: options.out, argument: '--out' }],
      );
      const sections = landscape.map(landscapeFileSection);
      const store = path === undefined ? undefined : await ResultStore.open(path, 'read');
      try {
        if (store !== undefined && options.sweep !== undefined) {
          requireStoredSweeps(options.sweep, await store.sweeps());
        }
        requireWritableDirectory(options.out, '--out');
        const written = await writeReport(store, options.out, {
          builders: PRESET_SECTIONS,
          ...(options.sweep ? { sweeps: options.sweep } : {}),
          sections,
        });
        process.stdout.write(`wrote ${written.html} and ${written.figures.length} figure files\n`);
      } finally {
        store?.close();
      }
    });
}
