import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { certificateToJson } from '../../certify/certificate-json.js';
import {
  DEFAULT_RESTARTS,
  DEFAULT_RETRIES,
  multistartSearch,
  type SearchResult,
} from '../../certify/search.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { describeArchitecture } from '../../model/architecture.js';
import type { Initialisation } from '../../model/init.js';
import {
  BUILT_IN_DATASETS,
  builtInProblem,
  certifyOptionsFrom,
  integerFlag,
  numberFlag,
  widthsFlag,
} from './certify.js';

/**
 * `basin search`: multistart search on a built-in dataset; distinct end points (by default: distinct functions on
 * the data) with loss, verdict, count and hit rate, and the best point's hit rate with its interval.
 */
export function register(program: Command): void {
  program
    .command('search')
    .description(
      'many random restarts, each polished and certified (and handed back to descent while not critical); distinct end points with hit rates',
    )
    .requiredOption('--dataset <name>', `built-in data: ${BUILT_IN_DATASETS.join(', ')}`)
    .option('--restarts <n>', `random restarts (default ${DEFAULT_RESTARTS})`)
    .option(
      '--retries <n>',
      `times a not-critical end point goes back to descent (Adam, twice as long each time) and is re-polished (default ${DEFAULT_RETRIES})`,
    )
    .option('--seed <n>', 'seed of the restarts (default 1)')
    .option('--near <points>', "also start near these built-in points (comma-separated names, or 'all')")
    .option('--jitter <σ>', 'std of the noise added to --near starts (default 0.01)')
    .option('--hidden <widths>', 'hidden widths (default: the dataset’s own net; 2 for Jellyfish/XOR)')
    .option('--activation <name>', 'hidden activation (default relu)')
    .option('--init <kind>', 'initialisation of random restarts: pytorch (default), lecun, xavier')
    .option('--init-bias-std <σ>', 'std of N(0, σ²) biases for lecun/xavier (default 0)')
    .option(
      '--merge <by>',
      'merge end points by outputs on the data (default) or by canonical parameters (up to permutation and rescaling)',
    )
    .option('--probes <count>', 'random probe directions per radius per end point (default 200; 0 skips)')
    .option('--json', 'print the result as JSON (with each distinct point and its first certificate)')
    .option('--out <file>', 'also write the JSON result')
    .action((options: Record<string, unknown>) => {
      searchCommand(options);
    });
}

export function searchCommand(options: Record<string, unknown>): SearchResult {
  const problem = builtInProblem(String(options.dataset), {
    ...(options.hidden !== undefined ? { hidden: widthsFlag('--hidden', options.hidden) } : {}),
    ...(typeof options.activation === 'string' ? { activation: options.activation } : {}),
  });
  const near = typeof options.near === 'string' ? options.near.split(',').map((n) => n.trim()) : [];
  const starts = near.flatMap((name) => {
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
  const merge = options.merge ?? 'outputs';
  if (merge !== 'parameters' && merge !== 'outputs') {
    throw new InvalidArgumentError('--merge', 'parameters or outputs', merge);
  }
  const certifyOptions = certifyOptionsFrom(options, problem.knownOptimum);
  const result = multistartSearch({
    architecture: problem.architecture,
    loss: problem.loss,
    samples: problem.dataset,
    restarts: integerFlag('--restarts', options.restarts, 0) ?? DEFAULT_RESTARTS,
    retries: integerFlag('--retries', options.retries, 0) ?? DEFAULT_RETRIES,
    seed: integerFlag('--seed', options.seed, 0) ?? 1,
    init: initialisationFlag(options.init, numberFlag('--init-bias-std', options.initBiasStd, 0)),
    starts,
    jitter: numberFlag('--jitter', options.jitter, 0) ?? 0.01,
    mergeBy: merge,
    certify: {
      ...certifyOptions,
      probes: certifyOptions.probes ?? { count: 200 },
      ...(problem.dataset.labelEncoding !== undefined
        ? { labelEncoding: problem.dataset.labelEncoding }
        : {}),
    },
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
  if (typeof options.out === 'string') writeFileSync(options.out, `${JSON.stringify(json, null, 2)}\n`);
  if (options.json === true) process.stdout.write(`${JSON.stringify(json)}\n`);
  else {
    process.stdout.write(
      formatSearch(result, problem.name, describeArchitecture(problem.architecture), merge),
    );
  }
  return result;
}

function initialisationFlag(text: unknown, biasStd: number | undefined): Initialisation {
  switch (text ?? 'pytorch') {
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
      return { kind: text as 'lecun' | 'xavier', mean: 0, scale: 1, biasMean: 0, biasStd: biasStd ?? 0 };
    default:
      throw new InvalidArgumentError('--init', 'pytorch, lecun or xavier', text);
  }
}

const percent = (value: number): string => `${(100 * value).toFixed(value < 0.1 ? 2 : 1)}%`;

function rate(p: SearchResult['bestHitRate']): string {
  return `${percent(p.estimate ?? 0)} [${percent(p.low)}, ${percent(p.high)}]`;
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
      `${d.loss.toPrecision(8).padStart(14)}  ${d.verdict.padEnd(18)} ${d.rule.padEnd(15)} ${String(d.count).padStart(5)}  ${rate(d.hitRate).padEnd(24)} ${String(d.retried).padStart(7)}  ${members}`,
    );
  }
  const best = result.distinct[0];
  const hits = result.bestHitRate;
  lines.push(
    `best        loss ${result.bestLoss.toPrecision(8)} (${best.verdict}) in ${hits.successes} of ${runs} runs: hit rate ${rate(hits)}`,
    `retries     ${result.retried} run(s) certified not-critical were handed back to descent; ${result.notCritical} still not-critical, ${result.undecided} undecided`,
  );
  return `${lines.join('\n')}\n`;
}
