import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { certificateToJson } from '../../certify/certificate-json.js';
import { multistartSearch, type SearchResult } from '../../certify/search.js';
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

/** `basin search`: multistart search on a built-in dataset; distinct end points with loss, verdict and count. */
export function register(program: Command): void {
  program
    .command('search')
    .description('many random restarts, each polished and certified; distinct end points up to symmetry')
    .requiredOption('--dataset <name>', `built-in data: ${BUILT_IN_DATASETS.join(', ')}`)
    .option('--restarts <n>', 'random restarts (default 20)')
    .option('--seed <n>', 'seed of the restarts (default 1)')
    .option('--near <points>', "also start near these built-in points (comma-separated names, or 'all')")
    .option('--jitter <σ>', 'std of the noise added to --near starts (default 0.01)')
    .option('--hidden <widths>', 'hidden widths (default: the dataset’s own net; 2 for Jellyfish/XOR)')
    .option('--activation <name>', 'hidden activation (default relu)')
    .option('--init <kind>', 'initialisation of random restarts: pytorch (default), lecun, xavier')
    .option('--init-bias-std <σ>', 'std of N(0, σ²) biases for lecun/xavier (default 0)')
    .option('--merge <by>', 'merge end points by canonical parameters (default) or by outputs')
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
  const merge = options.merge ?? 'parameters';
  if (merge !== 'parameters' && merge !== 'outputs') {
    throw new InvalidArgumentError('--merge', 'parameters or outputs', merge);
  }
  const certifyOptions = certifyOptionsFrom(options, problem.knownOptimum);
  const result = multistartSearch({
    architecture: problem.architecture,
    loss: problem.loss,
    samples: problem.dataset,
    restarts: integerFlag('--restarts', options.restarts, 0) ?? 20,
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
    bestLoss: result.bestLoss,
    seconds: result.seconds,
    distinct: result.distinct.map((d) => ({
      ...d,
      theta: Array.from(d.theta),
      certificate: certificateToJson(result.endPoints[d.members[0]].certificate),
    })),
  };
  if (typeof options.out === 'string') writeFileSync(options.out, `${JSON.stringify(json, null, 2)}\n`);
  if (options.json === true) process.stdout.write(`${JSON.stringify(json)}\n`);
  else process.stdout.write(formatSearch(result, problem.name, describeArchitecture(problem.architecture)));
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

export function formatSearch(result: SearchResult, dataset: string, architecture: string): string {
  const lines = [
    `basin search: ${dataset} (${architecture}), ${result.endPoints.length} runs, ${result.distinct.length} distinct end points, ${result.seconds.toFixed(1)} s`,
    `${'loss'.padStart(14)}  ${'verdict'.padEnd(18)} ${'rule'.padEnd(15)} ${'count'.padStart(5)}  runs`,
  ];
  for (const d of result.distinct) {
    const runs = d.members.slice(0, 8).join(',') + (d.members.length > 8 ? ',…' : '');
    lines.push(
      `${d.loss.toPrecision(8).padStart(14)}  ${d.verdict.padEnd(18)} ${d.rule.padEnd(15)} ${String(d.count).padStart(5)}  ${runs}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
