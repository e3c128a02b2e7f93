import { basename } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.js';
import { requireSeparateFiles, requireWritableTarget, writeOutputFile } from '../../io/output-file.js';
import { architectureToJson } from '../../io/weights-file.js';
import { findMinima, type FoundMinima, landscapePath } from '../../landscape/graph-run.js';
import type { PathRecord } from '../../landscape/records.js';
import type { KnownAnswerProblem } from '../../data/swirszcz.js';
import { formatTable } from '../../report/format.js';
import { type PathEnds, pathFigure, pathTable, pathText } from '../../report/landscape-section.js';
import { requireFigureTarget, writeFigureFile } from '../figure-file.js';
import { flagOption } from '../flags.js';
import { stageProgress } from '../progress.js';
import { readWeightsOrResult, weightsPathOf } from './certify.js';
import { type ConnectionFlags, connectionFlagOptions, showProgress } from './landscape-graph.js';
import { type SearchFlags, searchFlagOptions, searchSettings } from './search.js';

/** Where an end point comes from: the K-th distinct certified minimum of the search (0 = lowest loss), or a file. */
export type PointSource =
  { readonly kind: 'search'; readonly index: number } | { readonly kind: 'file'; readonly path: string };

export function parsePointSource(text: string, flag: string): PointSource {
  const match = /^search:(\d+)$/.exec(text);
  if (match !== null) return { kind: 'search', index: Number(match[1]) };
  if (text === '' || text.startsWith('search:')) {
    throw new InvalidArgumentError(
      flag,
      'search:K (K = 0, 1, … a minimum of the search) or a weights file',
      text,
    );
  }
  return { kind: 'file', path: text };
}

export interface PathCommandOptions extends SearchFlags, ConnectionFlags {
  readonly from: PointSource;
  readonly to: PointSource;
  readonly figure?: string;
}

/** `basin landscape path`: aligns two minima and connects them (straight line, elastic band, certified saddle). */
export function registerPath(landscape: Command): void {
  const command = landscape
    .command('path')
    .description(
      'connect two minima of a built-in problem: aligned, straight line and nudged elastic band, the top certified as a saddle or not',
    );
  const from = flagOption(
    '--from <point>',
    'search:K (the K-th distinct certified minimum of the search, 0 = lowest loss) or a basin-weights file',
    parsePointSource,
  ).makeOptionMandatory();
  const to = flagOption('--to <point>', 'the other end, as --from', parsePointSource).makeOptionMandatory();
  for (const option of [from, to, ...searchFlagOptions(), ...connectionFlagOptions()])
    command.addOption(option);
  command
    .option('--json', 'print the path record as JSON')
    .option('--out <file>', 'also write the path record as JSON')
    .option('--figure <file>', 'draw the loss along each path with the saddle marked (.svg or .png)')
    .action(async (options: PathCommandOptions) => {
      await pathCommand(options);
    });
}

export async function pathCommand(options: PathCommandOptions): Promise<PathRecord> {
  const files = (['from', 'to'] as const).flatMap((flag) => {
    const source = options[flag];
    return source.kind === 'file'
      ? [
          { path: source.path, argument: `--${flag}` },
          { path: weightsPathOf(source.path), argument: `the weights --${flag} names` },
        ]
      : [];
  });
  const outputs = [
    ...(options.out === undefined ? [] : [{ path: options.out, argument: '--out' }]),
    ...(options.figure === undefined ? [] : [{ path: options.figure, argument: '--figure' }]),
  ];
  requireSeparateFiles(files, outputs);
  if (options.out !== undefined) requireWritableTarget(options.out, '--out');
  if (options.figure !== undefined) requireFigureTarget(options.figure, '--figure');
  const { problem, search } = searchSettings(options);
  const landscapeProblem = {
    architecture: problem.architecture,
    loss: problem.loss,
    samples: problem.dataset,
    dataset: problem.name,
  };
  const progress = showProgress(options) ? stageProgress('landscape path') : undefined;
  let found: FoundMinima | undefined;
  const pointOf = (flag: 'from' | 'to'): Float64Array => {
    const source = options[flag];
    if (source.kind === 'file') return weightsPoint(source.path, `--${flag}`, problem);
    found ??= findMinima(
      landscapeProblem,
      search,
      progress && ((done, total) => progress('search', done, total)),
    );
    const node = found.nodes[source.index];
    if (node === undefined) {
      throw new InvalidArgumentError(
        `--${flag}`,
        found.nodes.length === 0
          ? 'a weights file: the search found no certified minimum'
          : `search:0 … search:${found.nodes.length - 1} (the search found ${found.nodes.length} distinct certified minima)`,
        `search:${source.index}`,
      );
    }
    return Float64Array.from(node.theta);
  };
  const record = landscapePath({
    problem: landscapeProblem,
    from: pointOf('from'),
    to: pointOf('to'),
    ...(options.images !== undefined ? { images: options.images } : {}),
    ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
    certify: search.certify,
    ...(progress ? { onProgress: progress } : {}),
  });
  const json = JSON.stringify(record);
  if (options.out !== undefined) writeOutputFile(options.out, `${json}\n`, 'the path record');
  const ends = { from: shortSource(options.from), to: shortSource(options.to) };
  if (options.figure !== undefined) {
    await writeFigureFile(options.figure, pathFigure(record, 'landscape-path', ends));
  }
  process.stdout.write(options.json === true ? `${json}\n` : formatPath(record, options, ends));
  return record;
}

/** A weights file's θ, refused unless it belongs to the built-in problem's network and loss. */
function weightsPoint(path: string, flag: string, problem: KnownAnswerProblem): Float64Array {
  const weights = readWeightsOrResult(path);
  const expected = JSON.stringify(architectureToJson(problem.architecture));
  if (
    JSON.stringify(architectureToJson(weights.architecture)) !== expected ||
    weights.loss !== problem.loss
  ) {
    throw new InvalidArgumentError(
      flag,
      `weights of the ${problem.name} net (${expected}, loss ${problem.loss}; set it with --hidden/--activation)`,
      `${JSON.stringify(architectureToJson(weights.architecture))}, loss ${weights.loss} in ${path}`,
    );
  }
  return Float64Array.from(weights.theta);
}

/** How the figure names an end: `search:K` or the file's name. */
function shortSource(source: PointSource): string {
  return source.kind === 'file' ? basename(source.path) : `search:${source.index}`;
}

function describeSource(source: PointSource): string {
  return source.kind === 'file' ? source.path : `minimum ${source.index} of the search`;
}

export function formatPath(
  record: PathRecord,
  options: Pick<PathCommandOptions, 'from' | 'to'>,
  ends: PathEnds,
): string {
  const table = pathTable(record, ends);
  return (
    `basin landscape path: ${describeSource(options.from)} → ${describeSource(options.to)}\n` +
    `${pathText(record).join(' ')}\n\n${table.caption}\n${formatTable(table.headers, table.rows)}\n`
  );
}
