import { requireSeparateFiles, requireWritableTarget, writeOutputFile } from '../../io/output-file.js';
import { GRADIENT_TOLERANCE, KINK_TOLERANCE } from '../../core/tolerances.js';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { type Certificate, certify, type CertifyOptions } from '../../certify/certificate.js';
import type { PolishOptions, PolishProgress } from '../../certify/polish.js';
import { type BackendRequest, parseBackendRequest, withCurvature } from '../../backend/select.js';
import { describePolishProgress } from '../progress.js';
import { certificateToJson } from '../../certify/certificate-json.js';
import { FileFormatError, InvalidArgumentError } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import {
  type KnownAnswerProblem,
  type KnownPoint,
  saturatedNetwork,
  SWIRSZCZ_PROBLEMS,
  swirszczArchitecture,
} from '../../data/swirszcz.js';
import { TOY_DATASETS, type ToyDatasetName, toyDataset } from '../../data/toy.js';
import { readTrainResultFile } from '../../io/result-file.js';
import {
  nonNegative,
  nonNegativeInteger,
  positiveInteger,
  seed32,
  workCount,
} from '../../io/schema-primitives.js';
import { readUserFile } from '../../io/user-file.js';
import { requireNetworkFits } from '../../model/memory.js';
import { SizeLimitError } from '../../core/limits.js';
import { parseWeights, readWeightsFile, type WeightsFile, writeWeightsFile } from '../../io/weights-file.js';
import { type Activation, parseActivation } from '../../model/activation.js';
import { type Architecture, describeArchitecture, mlp } from '../../model/architecture.js';
import type { LossKind } from '../../model/loss.js';
import { withSlopeNoise } from '../../model/slope-noise.js';
import type { Samples } from '../../model/samples.js';
import { parseTrainConfig, resolveTrainConfig } from '../config.js';
import { loadConfiguredData } from '../train-run.js';
import { choiceOption, flagOption, numberListOption, numberOption } from '../flags.js';

/** Datasets `basin certify --dataset` and `basin search --dataset` know by name. */
export const BUILT_IN_DATASETS: readonly string[] = [...Object.keys(SWIRSZCZ_PROBLEMS), ...TOY_DATASETS];

export interface BuiltInChoices {
  /** Hidden widths (default: the problem's own net; 2 for Jellyfish/XOR). */
  readonly hidden?: readonly number[];
  /** Hidden activation (default relu). */
  readonly activation?: Activation;
}

/**
 * A built-in problem: Swirszcz D1–D3 come with their 1-m-1 net, `sse` loss and the paper's points; Jellyfish and
 * XOR with a 2-h-1 net (h from `hidden`, default 2), `mse` loss (the paper's loss is unknown) and no points.
 */
export function builtInProblem(name: string, choices: BuiltInChoices = {}): KnownAnswerProblem {
  const problem = unsizedBuiltInProblem(name, choices);
  // Certifying and searching keep a few copies of θ (polish, probes, restarts); their dense Hessian has its own
  // limit (--dense-limit). The check comes before any point is drawn for the network.
  if (choices.hidden !== undefined) requireNetworkFits(problem.architecture, '--hidden', 8, 'float64');
  return problem;
}

function unsizedBuiltInProblem(name: string, choices: BuiltInChoices): KnownAnswerProblem {
  const activation = choices.activation ?? parseActivation('relu');
  const swirszcz = SWIRSZCZ_PROBLEMS[name];
  if (swirszcz !== undefined) {
    const problem = swirszcz();
    if (choices.hidden === undefined && choices.activation === undefined) return problem;
    const architecture: Architecture = {
      ...swirszczArchitecture(1),
      hidden: (choices.hidden ?? problem.architecture.hidden.map((h) => h.width)).map((width) => ({
        width,
        activation,
        bias: true,
      })),
    };
    return { ...problem, architecture, points: [] };
  }
  if ((TOY_DATASETS as readonly string[]).includes(name)) {
    const dataset = toyDataset(name as ToyDatasetName);
    return {
      name,
      dataset,
      architecture: mlp(2, choices.hidden ?? [2], 1, activation, true),
      loss: 'mse',
      knownOptimum: undefined,
      points: [],
    };
  }
  throw new InvalidArgumentError('--dataset', `one of ${BUILT_IN_DATASETS.join(', ')}`, name);
}

/** The flags of `basin certify` that `basin search` shares, as commander hands them over: parsed and checked. */
export interface CertifyFlags {
  readonly hidden?: readonly number[];
  readonly activation?: Activation;
  readonly seed?: number;
  readonly polish?: boolean;
  readonly gradientTolerance?: number;
  readonly kinkTolerance?: number;
  readonly knownOptimum?: number;
  readonly probes?: number;
  readonly denseLimit?: number;
  readonly polishSeconds?: number;
  readonly json?: boolean;
  readonly out?: string;
}

export interface CertifyCommandOptions extends CertifyFlags {
  readonly dataset?: string;
  readonly point?: string;
  readonly backend?: BackendRequest;
  readonly saveWeights?: string;
}

/** `--hidden` and `--activation` of the built-in nets, for `basin certify` and `basin search`. */
export function builtInChoices(options: CertifyFlags): BuiltInChoices {
  return {
    ...(options.hidden !== undefined ? { hidden: options.hidden } : {}),
    ...(options.activation !== undefined ? { activation: options.activation } : {}),
  };
}

/** What `basin certify` works on: the network, its loss, the point and the data. */
interface CertifyInput {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly theta: Float64Array;
  readonly samples: Samples;
  readonly labelEncoding: Dataset['labelEncoding'];
  readonly knownOptimum: number | undefined;
  readonly description: string;
}

async function resolveInput(file: string | undefined, options: CertifyCommandOptions): Promise<CertifyInput> {
  const datasetName = options.dataset;
  const problem =
    datasetName === undefined ? undefined : builtInProblem(datasetName, builtInChoices(options));
  if (file === undefined) {
    if (problem === undefined) {
      throw new InvalidArgumentError(
        'file',
        'a weights or result file, or --dataset with --point',
        'neither',
      );
    }
    const theta = pointOf(problem, options);
    return {
      architecture: problem.architecture,
      loss: problem.loss,
      theta,
      samples: problem.dataset,
      labelEncoding: problem.dataset.labelEncoding,
      knownOptimum: problem.knownOptimum,
      description: `${problem.name} ${options.point ?? ''}`,
    };
  }
  if (options.point !== undefined) {
    throw new InvalidArgumentError(
      '--point',
      'no file argument (the point comes either from the file or --point)',
      file,
    );
  }
  const weights = readWeightsOrResult(file);
  const { architecture } = weights;
  const theta = Float64Array.from(weights.theta);
  let dataset: Dataset;
  if (problem !== undefined) {
    dataset = problem.dataset;
  } else {
    dataset = await dataFromProvenance(file, weights);
  }
  if (dataset.inputDim !== architecture.inputDim || dataset.outputDim !== architecture.outputDim) {
    throw new InvalidArgumentError(
      datasetName === undefined ? 'data' : '--dataset',
      `data with ${architecture.inputDim} inputs and ${architecture.outputDim} outputs, as the network ` +
        `${describeArchitecture(architecture)} in ${file} has`,
      `${dataset.inputDim} inputs and ${dataset.outputDim} outputs`,
    );
  }
  const samples = weights.slopeNoise
    ? withSlopeNoise(dataset, architecture, weights.slopeNoise, weights.slopeNoise.seed)
    : dataset;
  return {
    architecture,
    loss: weights.loss,
    theta,
    samples,
    labelEncoding: dataset.labelEncoding,
    knownOptimum: problem?.knownOptimum,
    description: file,
  };
}

function pointOf(problem: KnownAnswerProblem, options: CertifyCommandOptions): Float64Array {
  const name = options.point;
  if (name === 'saturated') {
    const seed = options.seed ?? 1;
    return saturatedNetwork({ architecture: problem.architecture, samples: problem.dataset, seed });
  }
  const names = [...problem.points.map((p) => p.name), 'saturated'];
  const point: KnownPoint | undefined = problem.points.find((p) => p.name === name);
  if (point === undefined) {
    throw new InvalidArgumentError('--point', `one of ${names.join(', ')} for ${problem.name}`, name);
  }
  return Float64Array.from(point.theta);
}

/** Reads a basin-weights file, or a basin-train-result file and the weights file it names. */
export function readWeightsOrResult(file: string): WeightsFile {
  const path = weightsPathOf(file);
  return path === file ? parseWeights(readUserFile(file, 'the weights file'), file) : readWeightsFile(path);
}

/** The weights file `file` stands for: itself, or the one a basin-train-result file names (found beside it or as written). */
export function weightsPathOf(file: string): string {
  const text = readUserFile(file, 'the weights file');
  let format: unknown;
  try {
    format = (JSON.parse(text) as { format?: unknown }).format;
  } catch {
    // Not JSON: the weights parser names the problem precisely.
    return file;
  }
  if (format !== 'basin-train-result') return file;
  const record = readTrainResultFile(file);
  if (record.weightsFile === null || record.weightsFile === undefined) {
    throw new FileFormatError(file, 'the result file names no weights file (train with --weights <file>)');
  }
  const candidates = [resolve(dirname(file), record.weightsFile), resolve(record.weightsFile)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found !== undefined) return found;
  throw new FileFormatError(file, `its weights file ${record.weightsFile} cannot be found`);
}

/** Rebuilds the training data from the training config that `basin train` records in the weights' provenance. */
async function dataFromProvenance(file: string, weights: WeightsFile): Promise<Dataset> {
  const config = weights.provenance?.trainConfig;
  if (config === undefined || config === null || typeof config !== 'object') {
    throw new InvalidArgumentError(
      '--dataset',
      `a built-in dataset (${BUILT_IN_DATASETS.join(', ')}) since ${file} records no training config`,
      undefined,
    );
  }
  const parsed = parseTrainConfig(config, { file, flags: new Map() });
  const resolved = resolveTrainConfig(parsed, file);
  // Slope noise is added from the weights file's record (distribution and seed), not from the config.
  const dataset = await loadConfiguredData(resolved).catch((error: unknown) => {
    throw error instanceof SizeLimitError
      ? new FileFormatError(file, `its recorded training config: ${error.message}`)
      : error;
  });
  requireSameData(file, weights.provenance?.data, dataset);
  return dataset;
}

/**
 * Data read from files can change after training. Sources that record a fingerprint of the samples (the `file`
 * source) are checked against it, so a certificate is never computed on other data than the network saw.
 */
function requireSameData(file: string, recorded: unknown, dataset: Dataset): void {
  const trained = (recorded as { fingerprint?: unknown } | null | undefined)?.fingerprint;
  if (typeof trained !== 'string') return;
  const rebuilt = dataset.provenance.fingerprint;
  if (rebuilt !== trained) {
    const files = (dataset.provenance.source as { files?: unknown } | undefined)?.files;
    throw new FileFormatError(
      file,
      `the training data rebuilt from ${Array.isArray(files) ? files.join(', ') : 'its training config'} differ ` +
        `from the data this network was trained on (fingerprint ${String(rebuilt).slice(0, 19)}…, recorded ` +
        `${trained.slice(0, 19)}…): was a data file changed since training?`,
    );
  }
}

export function certifyOptionsFrom(options: CertifyFlags, knownOptimum: number | undefined): CertifyOptions {
  const { probes, denseLimit, gradientTolerance, kinkTolerance, polishSeconds } = options;
  const optimum = options.knownOptimum ?? knownOptimum;

  const showProgress = options.json !== true && process.stderr.isTTY;
  const polish: PolishOptions = {
    ...(polishSeconds !== undefined ? { timeLimitSeconds: polishSeconds } : {}),
    ...(showProgress
      ? {
          onProgress: (p: PolishProgress) => process.stderr.write(`${describePolishProgress(p)}\n`),
        }
      : {}),
  };
  return {
    polish: options.polish === false ? false : polish,
    ...(gradientTolerance !== undefined ? { gradientTolerance } : {}),
    ...(kinkTolerance !== undefined ? { kinkTolerance } : {}),
    ...(optimum !== undefined ? { knownOptimum: optimum } : {}),
    ...(probes === 0
      ? { probes: false as const }
      : probes !== undefined
        ? { probes: { count: probes } }
        : {}),
    ...(denseLimit !== undefined ? { spectrum: { denseLimit } } : {}),
  };
}

/** `basin certify`: polish and certify one point; prints a summary, or the certificate as JSON. */
export function register(program: Command): void {
  program
    .command('certify')
    .description('polish a trained point in float64 and certify it (gradient, kinks, Hessian, verdict)')
    .argument('[file]', 'basin-weights file, or basin-train-result file (its weights file is read)')
    .addOption(
      choiceOption('--dataset <name>', 'built-in data instead of the training config', BUILT_IN_DATASETS),
    )
    .option(
      '--point <name>',
      'a built-in point of --dataset (e.g. local-min, global, printed-local-min, saturated)',
    )
    .addOption(
      numberListOption(
        '--hidden <widths>',
        'hidden widths for --dataset (Jellyfish/XOR, or --point saturated), e.g. 3,3',
        positiveInteger,
      ),
    )
    .addOption(
      flagOption(
        '--activation <name>',
        'hidden activation for --dataset nets (default relu)',
        parseActivation,
      ),
    )
    .addOption(
      numberOption('--seed <n>', 'seed of the random weights of --point saturated (default 1)', seed32),
    )
    .option('--no-polish', 'certify the point exactly as given')
    .addOption(
      numberOption(
        '--gradient-tolerance <x>',
        `relative gradient tolerance (default ${GRADIENT_TOLERANCE})`,
        nonNegative,
      ),
    )
    .addOption(
      numberOption(
        '--kink-tolerance <x>',
        `|pre-activation| counted as a kink (default ${KINK_TOLERANCE})`,
        nonNegative,
      ),
    )
    .addOption(numberOption('--known-optimum <x>', 'the global minimum value, when known', nonNegative))
    .addOption(
      numberOption(
        '--probes <count>',
        'random directions per radius (default 2000; 0 skips the probes)',
        workCount,
      ),
    )
    .addOption(
      numberOption(
        '--dense-limit <P>',
        'largest P for the dense Hessian (default 2500; Lanczos beyond)',
        nonNegativeInteger,
      ),
    )
    .addOption(
      flagOption(
        '--backend <name>',
        'engine of the float64 products: auto, reference or onnx',
        parseBackendRequest,
        'auto',
      ),
    )
    .addOption(
      numberOption(
        '--polish-seconds <s>',
        'stop polishing after this many seconds (default: no limit)',
        nonNegative,
      ),
    )
    .option('--json', 'print the certificate as JSON')
    .option('--out <file>', 'also write the certificate as JSON')
    .option('--save-weights <file>', 'write the certified (polished) point as a basin-weights file')
    .action(async (file: string | undefined, options: CertifyCommandOptions) => {
      await certifyCommand(file, options);
    });
}

export async function certifyCommand(
  file: string | undefined,
  options: CertifyCommandOptions,
): Promise<Certificate> {
  const outputs = [
    ...(options.out === undefined ? [] : [{ path: options.out, argument: '--out' }]),
    ...(options.saveWeights === undefined ? [] : [{ path: options.saveWeights, argument: '--save-weights' }]),
  ];
  if (file !== undefined) {
    for (const flag of ['hidden', 'activation'] as const) {
      if (options[flag] !== undefined) {
        throw new InvalidArgumentError(
          `--${flag}`,
          `no file argument (--${flag} shapes the --dataset nets; ${file} holds its own architecture)`,
          file,
        );
      }
    }
  }
  const inputs =
    file === undefined
      ? []
      : [
          { path: file, argument: '<file>' },
          { path: weightsPathOf(file), argument: `the weights ${file} names` },
        ];
  requireSeparateFiles(inputs, outputs);
  for (const output of outputs) requireWritableTarget(output.path, output.argument);
  const input = await resolveInput(file, options);
  const request = options.backend ?? 'auto';
  const problem = { architecture: input.architecture, loss: input.loss, samples: input.samples };
  const certificate = withCurvature(request, problem, (curvature) =>
    certify(input.architecture, input.loss, input.theta, input.samples, {
      ...certifyOptionsFrom(options, input.knownOptimum),
      ...(input.labelEncoding !== undefined ? { labelEncoding: input.labelEncoding } : {}),
      curvature,
    }),
  );
  const json = certificateToJson(certificate);
  if (options.out !== undefined) {
    writeOutputFile(options.out, `${JSON.stringify(json, null, 2)}\n`, 'the certificate');
  }
  if (options.saveWeights !== undefined) {
    writeWeightsFile(options.saveWeights, {
      architecture: input.architecture,
      loss: input.loss,
      dtype: 'float64',
      theta: certificate.theta,
      provenance: { certifiedFrom: input.description, verdict: certificate.verdict },
    });
  }
  process.stdout.write(
    options.json === true ? `${JSON.stringify(json)}\n` : formatCertificate(certificate, input.description),
  );
  return certificate;
}

const e = (value: number, digits = 2): string =>
  Number.isFinite(value) ? value.toExponential(digits) : String(value);

function describeOutcome(p: Extract<Certificate['pieces'], { applicable: true }>): string {
  switch (p.outcome) {
    case 'local-min':
      return 'every piece passes';
    case 'descent':
      return `descent on a piece (slope ${e(p.witness!.slope)})`;
    case 'output-gradient':
      return `output-layer gradient ${e(p.outputGradient)} above tolerance`;
    case 'too-many-pieces':
      return 'too many pieces to enumerate';
  }
}

/** The human-readable summary, one aspect per line. */
export function formatCertificate(c: Certificate, description: string): string {
  const lines: string[] = [];
  const row = (label: string, text: string): void => {
    lines.push(`${label.padEnd(11)} ${text}`);
  };
  lines.push(
    `basin certify: ${description} (${c.architecture}, P = ${c.parameterCount}, N = ${c.sampleCount}, loss ${c.loss})`,
  );
  if (c.polish) {
    row(
      'polish',
      `${c.polish.stopReason}: ${c.polish.detail} (${c.polish.patternSteps > 0 ? `${c.polish.patternSteps} pattern solves, ` : ''}${c.polish.iterations} LM iterations, ${c.polish.newtonSteps} Newton steps${c.polish.innerSteps > 0 ? `, ${c.polish.innerSteps} CG steps` : ''}, ${c.polish.seconds.toFixed(2)} s)`,
    );
  } else row('polish', 'skipped (--no-polish)');
  row(
    'loss',
    `${c.lossValue} (loss scale c·‖y‖² = ${c.lossScale})${c.misclassificationError === undefined ? '' : `, MCE ${c.misclassificationError}`}`,
  );
  row(
    'gradient',
    `‖∇L‖ = ${e(c.gradientNorm)} (relative ${e(c.gradientNorm / c.lossScale)}, tolerance ${e(c.gradientTolerance)}); along the kinks ${e(c.tangentialGradientNorm)}`,
  );
  const k = c.kinks;
  row(
    'kinks',
    Number.isFinite(k.minAbsPreActivation)
      ? `min |u| = ${e(k.minAbsPreActivation)}${k.argmin ? ` (layer ${k.argmin.layer}, sample ${k.argmin.sample}, unit ${k.argmin.unit})` : ''}; ${k.nearKinkCount} within ${e(k.tolerance, 0)}`
      : 'no piecewise-linear layer',
  );
  row('symmetry', `${c.symmetryDirections} rescaling direction(s)`);
  const s = c.spectrum;
  if (s === undefined) row('hessian', `skipped (${c.spectrumSkipped ?? ''})`);
  else if (s.method === 'dense') {
    const n = s.counts;
    const m = s.complementCounts;
    row(
      'hessian',
      `dense: ${n.negative} negative, ${n.zero} zero, ${n.positive} positive (|λ| ≤ ${e(s.zeroThreshold)} is zero); ` +
        `off the ${s.symmetry.rank} symmetry directions: ${m.negative}/${m.zero}/${m.positive}, ` +
        `smallest ${s.complementEigenvalues.length > 0 ? e(s.complementEigenvalues[0]) : '—'}, largest ${e(s.eigenvalues[s.size - 1])}`,
    );
  } else {
    row(
      'hessian',
      `Lanczos off the ${s.symmetry.rank} symmetry directions (${s.hessianVectorProducts} H·v products on ${s.engine}${s.converged ? '' : ', not converged'}): ` +
        `smallest ${Array.from(s.smallest, (v, k) => `${e(v)} ± ${e(s.smallestResiduals[k], 0)}`).join(', ')} (${s.nearZero} within ${e(s.zeroThreshold)} of 0); ` +
        `largest ${e(s.largest[0])} ± ${e(s.largestResiduals[0], 0)}`,
    );
  }
  const p = c.pieces;
  if (!p.applicable) row('kink test', `not applicable: ${p.reason}`);
  else {
    row('kink test', `${p.kinkedPairs} kinked pair(s), ${p.pieces} piece(s): ${describeOutcome(p)}`);
  }
  const dk = c.deepKinks;
  if (dk !== undefined) {
    row(
      'deep kinks',
      `${dk.kinkedPairs} kinked pair(s), ${dk.patterns} piece(s) tested: ${dk.outcome === 'first-order' ? 'every piece passes first order' : dk.outcome}` +
        (dk.witness ? ` (slope ${e(dk.witness.slope)}, step ${e(dk.witness.step)})` : '') +
        (dk.failingPatterns > 0 && !dk.witness ? `, ${dk.failingPatterns} failing` : ''),
    );
  }
  if (c.region) {
    const r = c.region;
    row(
      'region',
      `rank(A∘X) ${r.rank} of ${r.sampleCount}; ‖(A∘X)e‖ relative ${e(r.lemma2Relative)}; region best loss ${r.regionBestLoss}${r.attainsRegionMinimum ? ' (attained)' : ''}`,
    );
  } else row('region', `skipped (${c.regionSkipped ?? ''})`);
  if (c.probes) {
    const q = c.probes;
    row(
      'probes',
      `${q.perRadius} random directions at r = ${q.random.map((r) => e(r.radius, 0)).join(', ')}: min ΔL ${q.random.map((r) => e(r.minChange)).join(', ')}; ` +
        `${q.named.length} named probes; ${q.anyDescent ? 'DESCENT FOUND' : 'no descent'} (threshold ${e(q.threshold)}) [sampled]`,
    );
  }
  row(
    'verdict',
    `${c.verdict} [${c.decision.rule}, ${c.decision.strength}]${c.decision.morseIndex === undefined ? '' : ` Morse index ${c.decision.morseIndex}`}`,
  );
  lines.push(`            ${c.decision.explanation}`);
  return `${lines.join('\n')}\n`;
}
