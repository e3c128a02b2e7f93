import type { Command } from 'commander';
import { requireSeparateFiles, requireWritableTarget, writeOutputFile } from '../../io/output-file.js';
import { nonNegativeInteger, positiveInteger, workCount } from '../../io/schema-primitives.js';
import { DEFAULT_MAX_PAIRS, DEFAULT_NEAREST, landscapeGraph } from '../../landscape/graph-run.js';
import type { GraphRecord } from '../../landscape/records.js';
import { formatTable } from '../../report/format.js';
import { graphFigure, graphTables, graphText } from '../../report/landscape-section.js';
import { requireFigureTarget, writeFigureFile } from '../figure-file.js';
import { numberOption } from '../flags.js';
import { stageProgress } from '../progress.js';
import { type SearchFlags, searchFlagOptions, searchSettings } from './search.js';

/** The flags of one connection (`basin landscape graph` and `path`): images and iterations of the elastic band. */
export function connectionFlagOptions() {
  return [
    numberOption(
      '--images <n>',
      'images of the nudged elastic band (default: the path code’s)',
      positiveInteger,
    ),
    numberOption(
      '--max-iterations <n>',
      'iterations of the nudged elastic band (default: the path code’s)',
      nonNegativeInteger,
    ),
  ];
}

export interface ConnectionFlags {
  readonly images?: number;
  readonly maxIterations?: number;
}

export interface GraphCommandOptions extends SearchFlags, ConnectionFlags {
  readonly maxPairs: number;
  readonly nearest: number;
  readonly figure?: string;
}

/**
 * `basin landscape graph`: the disconnectivity graph of the distinct certified minima that a multistart search
 * finds on a built-in problem.
 */
export function registerGraph(landscape: Command): void {
  const command = landscape
    .command('graph')
    .description(
      'disconnectivity graph: the distinct certified minima of a multistart search, pairs connected by elastic bands with certified saddles, the tree by loss',
    );
  for (const option of [...searchFlagOptions(), ...connectionFlagOptions()]) command.addOption(option);
  command
    .addOption(
      numberOption(
        '--max-pairs <n>',
        'connect every pair of minima when there are at most this many pairs',
        workCount,
        DEFAULT_MAX_PAIRS,
      ),
    )
    .addOption(
      numberOption(
        '--nearest <k>',
        'above --max-pairs: connect each minimum to its k nearest (aligned distance)',
        positiveInteger,
        DEFAULT_NEAREST,
      ),
    )
    .option('--json', 'print the graph record as JSON')
    .option('--out <file>', 'also write the graph record as JSON')
    .option('--figure <file>', 'draw the disconnectivity graph (.svg or .png)')
    .action(async (options: GraphCommandOptions) => {
      await graphCommand(options);
    });
}

export async function graphCommand(options: GraphCommandOptions): Promise<GraphRecord> {
  const outputs = [
    ...(options.out === undefined ? [] : [{ path: options.out, argument: '--out' }]),
    ...(options.figure === undefined ? [] : [{ path: options.figure, argument: '--figure' }]),
  ];
  requireSeparateFiles([], outputs);
  if (options.out !== undefined) requireWritableTarget(options.out, '--out');
  if (options.figure !== undefined) requireFigureTarget(options.figure, '--figure');
  const { problem, search } = searchSettings(options);
  const record = landscapeGraph({
    problem: {
      architecture: problem.architecture,
      loss: problem.loss,
      samples: problem.dataset,
      dataset: problem.name,
    },
    search,
    maxPairs: options.maxPairs,
    nearest: options.nearest,
    ...(options.images !== undefined ? { images: options.images } : {}),
    ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
    certify: search.certify,
    ...(showProgress(options) ? { onProgress: stageProgress('landscape graph') } : {}),
  });
  const json = JSON.stringify(record);
  if (options.out !== undefined) writeOutputFile(options.out, `${json}\n`, 'the graph record');
  if (options.figure !== undefined) await writeFigureFile(options.figure, graphFigure(record));
  process.stdout.write(options.json === true ? `${json}\n` : formatGraph(record));
  return record;
}

/** Stage progress goes to stderr on a terminal, unless --json asks for nothing but the record (as `basin certify`). */
export function showProgress(options: { readonly json?: boolean }): boolean {
  return options.json !== true && process.stderr.isTTY;
}

/** The human-readable summary: what the record says, then its tables. */
export function formatGraph(record: GraphRecord): string {
  const blocks = [
    `basin landscape graph: ${graphText(record).join(' ')}`,
    ...graphTables(record).map((t) => `${t.caption}\n${formatTable(t.headers, t.rows)}`),
  ];
  return `${blocks.join('\n\n')}\n`;
}
