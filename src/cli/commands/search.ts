import { requireWritableTarget, writeOutputFile } from '../../io/output-file.js';
import type { Command, Option } from 'commander';
import type { CertifyOptions } from '../../certify/certificate.js';
import type { KnownAnswerProblem } from '../../data/swirszcz.js';
import { certificateToJson } from '../../certify/certificate-json.js';
import {
  DEFAULT_RESTARTS,
  DEFAULT_RETRIES,
  multistartSearch,
  type SearchResult,
} from '../../certify/search.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { formatPercent } from '../../report/format.js';
import { formatInterval } from '../../report/summary-table.js';
import { describeArchitecture } from '../../model/architecture.js';
import type { Initialisation } from '../../model/init.js';
import { parseActivation } from '../../model/activation.js';
import {
  nonNegative,
  nonNegativeInteger,
  positiveInteger,
  seed32,
  workCount,
} from '../../io/schema-primitives.js';
import { choiceOption, flagOption, listParser, numberListOption, numberOption } from '../flags.js';
import {
  BUILT_IN_DATASETS,
  builtInChoices,
  builtInProblem,
  type CertifyFlags,
  certifyOptionsFrom,
} from './certify.js';

const MERGE_BY = ['parameters', 'outputs'] as const;
const INITIALISATIONS = ['pytorch', 'lecun', 'xavier'] as const;

export interface SearchCommandOptions extends CertifyFlags {
  readonly dataset: string;
  readonly restarts: number;
  readonly retries: number;
  readonly seed: number;
  readonly near?: readonly string[];
  readonly jitter: number;
  readonly init: (typeof INITIALISATIONS)[number];
  readonly initBiasStd?: number;
  readonly merge: (typeof MERGE_BY)[number];
}

/** A built-in point's name: any word (which ones exist depends on --dataset), never empty. */
function pointName(text: string, flag: string): string {
  if (text === '') throw new InvalidArgumentError(flag, 'point names separated by commas, or all', text);
  return text;
}

/**
 * `basin search`: multistart search on a built-in dataset; distinct end points (by default: distinct functions on
 * the data) with loss, verdict, count and hit rate, and the best point's hit rate with its interval.
 */
export function register(program: Command): void {
  const command = program
    .command('search')
    .description(
      'many random restarts, each polished and certified (and handed back to descent while not critical); distinct end points with hit rates',
    );
  for (const option of searchFlagOptions()) command.addOption(option);
  command
    .addOption(
      flagOption(
        '--near <points>',
        "also start near these built-in points (comma-separated names, or 'all')",
        listParser(pointName),
      ),
    )
    .addOption(numberOption('--jitter <σ>', 'std of the noise added to --near starts', nonNegative, 0.01))
    .addOption(
      choiceOption(
        '--merge <by>',
        'merge end points by outputs on the data or by canonical parameters (up to permutation and rescaling)',
        MERGE_BY,
        'outputs',
      ),
    )
    .option('--json', 'print the result as JSON (with each distinct point and its first certificate)')
    .option('--out <file>', 'also write the JSON result')
    .action((options: SearchCommandOptions) => {
      searchCommand(options);
    });
}

/**
 * The flags of a multistart search on a built-in problem, shared by `basin search` and `basin landscape graph|path`:
 * the data and net (--dataset, --hidden, --activation), the restarts (--restarts, --retries, --seed, --init,
 * --init-bias-std) and the certificate's --probes. `searchSettings` turns them into the search's options.
 */
export function searchFlagOptions(): Option[] {
  return [
    choiceOption('--dataset <name>', 'built-in data', BUILT_IN_DATASETS).makeOptionMandatory(),
    numberOption('--restarts <n>', 'random restarts', workCount, DEFAULT_RESTARTS),
    numberOption(
      '--retries <n>',
      'times a not-critical end point goes back to descent (Adam, twice as long each time) and is re-polished',
      nonNegativeInteger,
      DEFAULT_RETRIES,
    ),
    numberOption('--seed <n>', 'seed of the restarts', seed32, 1),
    numberListOption(
      '--hidden <widths>',
      'hidden widths (default: the dataset’s own net; 2 for Jellyfish/XOR)',
      positiveInteger,
    ),
    flagOption('--activation <name>', 'hidden activation (default relu)', parseActivation),
    choiceOption('--init <kind>', 'initialisation of random restarts', INITIALISATIONS, 'pytorch'),
    numberOption('--init-bias-std <σ>', 'std of N(0, σ²) biases for lecun/xavier (default 0)', nonNegative),
    numberOption(
      '--probes <count>',
      'random probe directions per radius per end point (default 200; 0 skips)',
      workCount,
    ),
  ];
}

/** What `searchFlagOptions` hand over. */
export type SearchFlags = Pick<
  SearchCommandOptions,
  keyof CertifyFlags | 'dataset' | 'restarts' | 'retries' | 'seed' | 'init' | 'initBiasStd'
>;

/** The built-in problem and the search's options (restarts, seed, initialisation, certificate) from those flags. */
export function searchSettings(options: SearchFlags): {
  readonly problem: KnownAnswerProblem;
  readonly search: {
    readonly restarts: number;
    readonly retries: number;
    readonly seed: number;
    readonly init: Initialisation;
    readonly certify: Omit<CertifyOptions, 'polish'>;
  };
} {
  const problem = builtInProblem(options.dataset, builtInChoices(options));
  // The search polishes with its own options; the certificate options must not carry a second polish.
  const certifyOptions: Omit<CertifyOptions, 'polish'> & { polish?: unknown } = certifyOptionsFrom(
    options,
    problem.knownOptimum,
  );
  delete certifyOptions.polish;
  return {
    problem,
    search: {
      restarts: options.restarts,
      retries: options.retries,
      seed: options.seed,
      init: initialisation(options.init, options.initBiasStd),
      certify: {
        ...certifyOptions,
        probes: certifyOptions.probes ?? { count: 200 },
        ...(problem.dataset.labelEncoding !== undefined
          ? { labelEncoding: problem.dataset.labelEncoding }
          : {}),
      },
    },
  };
}

export function searchCommand(options: SearchCommandOptions): SearchResult {
  if (options.out !== undefined) requireWritableTarget(options.out, '--out');
  const { problem, search } = searchSettings(options);
  const starts = (options.near ?? []).flatMap((name) => {
    if (name === 'all') return problem.points.map((p) => p.theta);
    const point = problem.points.find((p) => p.name === name);
    if (point === undefined) {
      const names = problem.points.map((p) => p.name);
      throw new InvalidArgumentError(
        '--near',
        names.length > 0
          ? `names among ${names.join(', ')} or all`
          : `no --near: ${problem.name} has no built-in points here`,
        name,
      );
    }
    return [point.theta];
  });
  const merge = options.merge;
  const result = multistartSearch({
    architecture: problem.architecture,
    loss: problem.loss,
    samples: problem.dataset,
    ...search,
    starts,
    jitter: options.jitter,
    mergeBy: merge,
  });
  const json = {
    format: 'basin-search',
    version: 1,
    dataset: problem.name,
    architecture: describeArchitecture(problem.architecture),
    loss: problem.loss,
    mergeBy: merge,
    runs: result.endPoints.length,
    bestLoss: result.bestLoss,
    bestHitRate: result.bestHitRate,
    retried: result.retried,
    notCritical: result.notCritical,
    undecided: result.undecided,
    seconds: result.seconds,
    distinct: result.distinct.map((d) => ({
      ...d,
      theta: Array.from(d.theta),
      certificate: certificateToJson(result.endPoints[d.members[0]].certificate),
    })),
  };
  if (options.out !== undefined)
    writeOutputFile(options.out, `${JSON.stringify(json, null, 2)}\n`, 'the search result');
  if (options.json === true) process.stdout.write(`${JSON.stringify(json)}\n`);
  else {
    process.stdout.write(
      formatSearch(result, problem.name, describeArchitecture(problem.architecture), merge),
    );
  }
  return result;
}

function initialisation(kind: SearchCommandOptions['init'], biasStd: number | undefined): Initialisation {
  switch (kind) {
    case 'pytorch':
      if (biasStd !== undefined) {
        throw new InvalidArgumentError(
          '--init-bias-std',
          '--init lecun or xavier (pytorch draws its own biases)',
          biasStd,
        );
      }
      return { kind: 'pytorch' };
    case 'lecun':
    case 'xavier':
      return { kind, mean: 0, scale: 1, biasMean: 0, biasStd: biasStd ?? 0 };
  }
}

/** A hit rate and its Wilson interval; the count stands beside it (the table's count column, "in k of n runs"). */
function hitRate(p: SearchResult['bestHitRate']): string {
  return `${formatPercent(p.estimate)} ${formatInterval(p)}`;
}

/** The table of distinct end points, then the best point's hit rate and what the retries did. */
export function formatSearch(
  result: SearchResult,
  dataset: string,
  architecture: string,
  mergeBy: 'outputs' | 'parameters' = 'outputs',
): string {
  const runs = result.endPoints.length;
  const lines = [
    `basin search: ${dataset} (${architecture}), ${runs} runs, ${result.distinct.length} distinct end points (merged by ${mergeBy}), ${result.seconds.toFixed(1)} s`,
    `${'loss'.padStart(14)}  ${'verdict'.padEnd(18)} ${'rule'.padEnd(15)} ${'count'.padStart(5)}  ${'hit rate [95% CI]'.padEnd(24)} ${'retried'.padStart(7)}  runs`,
  ];
  for (const d of result.distinct) {
    const members = d.members.slice(0, 8).join(',') + (d.members.length > 8 ? ',…' : '');
    lines.push(
      `${d.loss.toPrecision(8).padStart(14)}  ${d.verdict.padEnd(18)} ${d.rule.padEnd(15)} ${String(d.count).padStart(5)}  ${hitRate(d.hitRate).padEnd(24)} ${String(d.retried).padStart(7)}  ${members}`,
    );
  }
  const best = result.distinct[0];
  const hits = result.bestHitRate;
  lines.push(
    `best        loss ${result.bestLoss.toPrecision(8)} (${best.verdict}) in ${hits.successes} of ${runs} runs: hit rate ${hitRate(hits)}`,
    `retries     ${result.retried} run(s) certified not-critical were handed back to descent; ${result.notCritical} still not-critical, ${result.undecided} undecided`,
  );
  return `${lines.join('\n')}\n`;
}
