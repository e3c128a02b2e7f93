import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { DType } from '../src/core/dtype.js';
import type { BenchCase } from './cases.js';
import type { RepetitionPlan } from './timing.js';

/** A Python interpreter and what it can import. */
export interface PythonProbe {
  readonly executable: string;
  readonly version: string;
  readonly numpy: string | undefined;
  readonly torch: string | undefined;
}

export type PythonEngine = 'numpy' | 'torch';

export interface PythonMeasurement {
  readonly timesMs: number[];
  /** A step: network 0's loss. An epoch: its mean minibatch loss. */
  readonly loss?: number;
  /** An epoch: the full-batch loss after the last timed epoch (untimed). */
  readonly finalLoss?: number;
  /** torch only: `cpu` or `cuda`, and the CUDA device's name and peak allocated GPU memory. */
  readonly device?: 'cpu' | 'cuda';
  readonly cudaDevice?: string;
  readonly gpuPeakBytes?: number;
  readonly flops?: number;
  readonly peakRssBytes: number;
  readonly numpyVersion: string;
  readonly torchVersion?: string;
  readonly torchThreads?: number;
  readonly blas: readonly Record<string, unknown>[];
  readonly python: string;
}

/**
 * The interpreters tried, in order: the `python3` first on PATH (pip numpy 2.4 on this machine kind) and Debian's
 * `/usr/bin/python3` (where `python3-torch` installs PyTorch).
 */
export const PYTHON_CANDIDATES: readonly string[] = ['python3', '/usr/bin/python3'];

const PROBE = [
  'import json, sys',
  'def version(name):',
  '    try:',
  '        return __import__(name).__version__',
  '    except Exception:',
  '        return None',
  'print(json.dumps({"executable": sys.executable, "version": sys.version.split()[0],',
  '                  "numpy": version("numpy"), "torch": version("torch")}))',
].join('\n');

export function probePython(command: string): PythonProbe | undefined {
  const result = spawnSync(command, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) return undefined;
  const parsed = JSON.parse(result.stdout) as {
    executable: string;
    version: string;
    numpy: string | null;
    torch: string | null;
  };
  return {
    executable: command,
    version: parsed.version,
    numpy: parsed.numpy ?? undefined,
    torch: parsed.torch ?? undefined,
  };
}

/** Whether PyTorch in `python` sees a CUDA device (`torch.cuda.is_available()`), and its name. */
export function probeTorchCuda(python: PythonProbe): {
  available: boolean;
  device?: string;
  reason?: string;
} {
  const script = [
    'import json, torch',
    'available = torch.cuda.is_available()',
    'print(json.dumps({"available": available, "device": torch.cuda.get_device_name() if available else None}))',
  ].join('\n');
  const result = spawnSync(python.executable, ['-c', script], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) return { available: false, reason: result.stderr.trim().split('\n').pop() ?? '' };
  const parsed = JSON.parse(result.stdout) as { available: boolean; device: string | null };
  return parsed.available && parsed.device !== null
    ? { available: true, device: parsed.device }
    : { available: false, reason: 'torch.cuda.is_available() is False' };
}

/**
 * The environment of a reference subprocess: `threads` BLAS/OpenMP threads, and none of the OPENBLAS_CORETYPE /
 * OPENBLAS_L2_SIZE overrides that may be set on this machine (they pin OpenBLAS to a slower kernel; the kernel that
 * really runs is read back and recorded).
 */
export function referenceEnvironment(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  for (const name of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'])
    env[name] = String(threads);
  return env;
}

/** Environment variables recorded with the results (what the subprocess saw that matters for speed). */
export const RECORDED_ENVIRONMENT = [
  'OPENBLAS_NUM_THREADS',
  'OMP_NUM_THREADS',
  'MKL_NUM_THREADS',
  'OMP_WAIT_POLICY',
];

/** A script of bench/python/, found from this module's place in the source tree or in dist/. */
function referenceScript(name = 'reference_step.py'): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, 'bench', 'python', name);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`bench/python/${name} not found above ${import.meta.url}`);
    directory = parent;
  }
}

export interface PythonRequest {
  readonly python: PythonProbe;
  readonly engine: PythonEngine;
  /** Set on top of `referenceEnvironment` (e.g. OMP_WAIT_POLICY). */
  readonly extraEnvironment?: Readonly<Record<string, string>>;
  readonly plan: RepetitionPlan;
  readonly threads: number;
  readonly seed: number;
  /** A benchmark case and precision, or `undefined` for the float32 2048³ matmul peak. */
  readonly problem: { readonly benchCase: BenchCase; readonly dtype: DType } | undefined;
  /** torch only: `cuda` runs it on the GPU (synchronised around each timed run). Default `cpu`. */
  readonly device?: 'cpu' | 'cuda';
  /** Epoch cases: X, y, θ₀ and the minibatch order from this JSON file instead of the engine's generator (tests). */
  readonly dataFile?: string;
}

export function measureInPython(request: PythonRequest): PythonMeasurement {
  const { plan, problem } = request;
  const args = [
    referenceScript(),
    `--engine=${request.engine}`,
    `--threads=${request.threads}`,
    `--seed=${request.seed}`,
    `--warmup=${plan.warmup}`,
    `--repetitions=${plan.repetitions}`,
    `--min-seconds=${plan.minSeconds}`,
    `--max-seconds=${plan.maxSeconds}`,
    `--max-repetitions=${plan.maxRepetitions}`,
  ];
  if (problem === undefined) args.push('--mode=peak');
  else {
    const c = problem.benchCase;
    args.push(
      `--count=${c.count}`,
      `--input-dim=${c.inputDim}`,
      `--width=${c.width}`,
      `--restarts=${c.restarts}`,
      `--dtype=${problem.dtype}`,
    );
    if (c.kind === 'adam-epoch') {
      const adam = c.adam!;
      args.push(
        '--mode=epoch',
        `--batch-size=${c.batchSize!}`,
        `--learning-rate=${adam.learningRate}`,
        `--beta1=${adam.beta1}`,
        `--beta2=${adam.beta2}`,
        `--epsilon=${adam.epsilon}`,
      );
    }
    if (request.dataFile !== undefined) args.push(`--data-file=${request.dataFile}`);
  }
  if (request.device !== undefined && request.device !== 'cpu') args.push(`--device=${request.device}`);
  const result = spawnSync(request.python.executable, args, {
    encoding: 'utf8',
    env: { ...referenceEnvironment(request.threads), ...request.extraEnvironment },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 600_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `${request.python.executable} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr.trim()}`,
    );
  }
  return JSON.parse(result.stdout) as PythonMeasurement;
}

/** What bench/python/table1_row.py reports: seconds per stage of the Table 1 CIFAR row, the authors' recipe. */
export interface PythonRowMeasurement {
  readonly engine: PythonEngine;
  readonly python: string;
  readonly pythonVersion: string;
  readonly numpyVersion: string;
  readonly torchVersion?: string;
  readonly torchThreads?: number;
  readonly blas: readonly Record<string, unknown>[];
  /** Interpreter imports (numpy, torch), before the clock of the row starts. */
  readonly importSeconds: number;
  /** Reading the first file to the last evaluation. */
  readonly wholeSeconds: number;
  /** read, scale, covariance, eigendecomposition, whitening matrix, apply whitening, test set, setup, epochs, error checks, final evaluation. */
  readonly stages: Readonly<Record<string, number>>;
  readonly epochSeconds: readonly number[];
  readonly checkSeconds: readonly number[];
  readonly epochs: number;
  readonly losses: readonly number[];
  readonly trainErrors: readonly number[];
  readonly sampleCount: number;
  readonly testCount: number;
  readonly finalLoss: number;
  readonly trainMce: number;
  readonly testMce: number;
  readonly largestEigenvalue: number;
  readonly smallestEigenvalue: number;
  readonly peakRssBytes: number;
}

export interface PythonRowRequest {
  readonly python: PythonProbe;
  readonly engine: PythonEngine;
  readonly extraEnvironment?: Readonly<Record<string, string>>;
  readonly threads: number;
  readonly directory: string;
  readonly epochs: number;
  readonly hidden: number;
  /** Classes ≥ boundary are +1. */
  readonly boundary: number;
  readonly whiteningEpsilon: number;
  readonly batchSize: number;
  readonly schedule: { readonly learningRate: number; readonly holdEpochs: number; readonly gamma: number };
  readonly adam: { readonly beta1: number; readonly beta2: number; readonly epsilon: number };
  readonly seed: number;
}

/** Runs the authors' recipe for the Table 1 CIFAR row on the files in `directory` (bench/python/table1_row.py). */
export function measureRowInPython(request: PythonRowRequest): PythonRowMeasurement {
  const args = [
    referenceScript('table1_row.py'),
    `--directory=${request.directory}`,
    `--engine=${request.engine}`,
    `--epochs=${request.epochs}`,
    `--hidden=${request.hidden}`,
    `--boundary=${request.boundary}`,
    `--whiten-epsilon=${request.whiteningEpsilon}`,
    `--batch-size=${request.batchSize}`,
    `--learning-rate=${request.schedule.learningRate}`,
    `--hold-epochs=${request.schedule.holdEpochs}`,
    `--gamma=${request.schedule.gamma}`,
    `--beta1=${request.adam.beta1}`,
    `--beta2=${request.adam.beta2}`,
    `--adam-epsilon=${request.adam.epsilon}`,
    `--threads=${request.threads}`,
    `--seed=${request.seed}`,
  ];
  const result = spawnSync(request.python.executable, args, {
    encoding: 'utf8',
    env: { ...referenceEnvironment(request.threads), ...request.extraEnvironment },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 3_600_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `${request.python.executable} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr.trim()}`,
    );
  }
  return JSON.parse(result.stdout) as PythonRowMeasurement;
}
