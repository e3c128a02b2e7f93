/**
 * `npm run bench`: ms per full-batch loss + gradient step for the reference cases (a)–(c) of the design notes and
 * ms per Adam epoch for case (d), for every basin engine next to numpy (and PyTorch when installed) measured in the
 * same run, written as JSON to bench/results/<date>-<machine>.json.
 *
 * Case `row` (issue 13) runs the whole Table 1 CIFAR row from raw files for a fixed number of epochs, basin's
 * `reproduce table1` path against the authors' recipe (numpy ZCA + PyTorch Adam), in seconds per stage.
 *
 * Flags: --quick (few repetitions; the row case on 700 records per file and 2 epochs), --cases=a,b,c,d,row,
 * --dtypes=float32,float64, --engines=<node engines>, --no-python, --gpu (adds PyTorch CUDA when torch sees a GPU,
 * and basin-webgpu), --row-epochs=<n> (default 20, 2 with --quick), --out=<dir>, --machine=<label>, --seed=<n>.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runJsonChild } from './child.js';
import { parseArgs } from 'node:util';

import type { DType } from '../src/core/dtype.js';
import { InvalidArgumentError } from '../src/core/errors.js';
import { benchCase, BENCH_CASES, type BenchCase, type CaseId, stepFlops } from './cases.js';
import { machineInfo, machineSlug } from './machine.js';
import type { NodeMeasurement, NodeMeasurementRequest } from './measure-node.js';
import { NODE_ENGINES, nodeEngine } from './node-engines.js';
import {
  measureInPython,
  PYTHON_CANDIDATES,
  type PythonEngine,
  type PythonMeasurement,
  type PythonProbe,
  probePython,
  probeTorchCuda,
  RECORDED_ENVIRONMENT,
  referenceEnvironment,
} from './python-reference.js';
import {
  checkGoals,
  checkRowGoals,
  deriveFigures,
  formatGoals,
  formatRowTable,
  formatTable,
  type ResultRow,
} from './report.js';
import {
  ROW_CASE_ID,
  type RowCase,
  type RowReferenceVariant,
  type RowRun,
  rowCase,
  runRowCase,
} from './row.js';
import { autoChoices } from './auto-choice.js';
import { median, type RepetitionPlan } from './timing.js';

const THREADS = 2;
/** The engine whose figures the goals of issue 5 are about. */
const GOAL_ENGINE = 'basin-onnx';

const PLANS: Readonly<Record<'full' | 'quick', RepetitionPlan>> = {
  full: { warmup: 2, repetitions: 7, minSeconds: 1, maxSeconds: 10, maxRepetitions: 1000 },
  quick: { warmup: 1, repetitions: 3, minSeconds: 0, maxSeconds: 3, maxRepetitions: 50 },
};

/**
 * Epoch cases take about a second per run on ONNX Runtime and numpy and several on plain TypeScript: one warm-up
 * epoch (it also builds the ONNX sessions and gather buffers), then 5 timed epochs (2 with --quick), fewer when the
 * time cap is reached (plain TypeScript stops after 2).
 */
const EPOCH_PLANS: Readonly<Record<'full' | 'quick', RepetitionPlan>> = {
  full: { warmup: 1, repetitions: 5, minSeconds: 0, maxSeconds: 10, maxRepetitions: 5 },
  quick: { warmup: 1, repetitions: 2, minSeconds: 0, maxSeconds: 3, maxRepetitions: 2 },
};

interface Options {
  readonly plan: RepetitionPlan;
  readonly epochPlan: RepetitionPlan;
  readonly quick: boolean;
  readonly gpu: boolean;
  readonly cases: readonly BenchCase[];
  /** The row case, when `--cases` names it. */
  readonly row: RowCase | undefined;
  readonly dtypes: readonly DType[];
  readonly engines: readonly string[];
  readonly python: boolean;
  readonly outDir: string;
  readonly machine: string | undefined;
  readonly seed: number;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      cases: { type: 'string', default: [...BENCH_CASES.map((c) => c.id), ROW_CASE_ID].join(',') },
      'row-epochs': { type: 'string' },
      dtypes: { type: 'string', default: 'float32,float64' },
      engines: { type: 'string' },
      'no-python': { type: 'boolean', default: false },
      gpu: { type: 'boolean', default: false },
      out: { type: 'string', default: join('bench', 'results') },
      machine: { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
    strict: true,
  });
  const dtypes = values.dtypes.split(',').map((d) => {
    if (d !== 'float32' && d !== 'float64')
      throw new InvalidArgumentError('--dtypes', 'float32 and/or float64', d);
    return d;
  });
  // By default every engine but the opt-in ones; --gpu adds the GPU engines to the default list.
  const engines =
    values.engines === undefined
      ? NODE_ENGINES.filter((e) => !e.optIn || (values.gpu && e.device === 'gpu')).map((e) => e.name)
      : values.engines.split(',').filter((e) => e.length > 0);
  engines.forEach((e) => nodeEngine(e));
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new InvalidArgumentError('--seed', 'an integer ≥ 0', values.seed);
  const caseIds = values.cases.split(',').filter((id) => id.length > 0);
  const known = [...BENCH_CASES.map((c) => c.id), ROW_CASE_ID];
  for (const id of caseIds)
    if (!(known as string[]).includes(id)) throw new InvalidArgumentError('--cases', known.join(', '), id);
  let rowEpochs: number | undefined;
  if (values['row-epochs'] !== undefined) {
    rowEpochs = Number(values['row-epochs']);
    if (!Number.isInteger(rowEpochs) || rowEpochs < 1)
      throw new InvalidArgumentError('--row-epochs', 'an integer ≥ 1', values['row-epochs']);
  }
  return {
    plan: values.quick ? PLANS.quick : PLANS.full,
    epochPlan: values.quick ? EPOCH_PLANS.quick : EPOCH_PLANS.full,
    quick: values.quick,
    gpu: values.gpu,
    cases: caseIds.filter((id) => id !== ROW_CASE_ID).map((id) => benchCase(id)),
    row: caseIds.includes(ROW_CASE_ID) ? rowCase(values.quick, rowEpochs) : undefined,
    dtypes,
    engines,
    python: !values['no-python'],
    outDir: values.out,
    machine: values.machine,
    seed,
  };
}

/**
 * The references measured. PyTorch runs twice in a full run: with its defaults, and with OMP_WAIT_POLICY=PASSIVE,
 * which stops its OpenMP threads from spinning against OpenBLAS's own threads on 2 cores (that made case (b) ~1.5×
 * faster in trials). The faster of the two counts, so no comparison is against a handicapped reference. With
 * `cuda`, PyTorch also runs on the GPU (`torch-cuda`, for the GPU goal; never a CPU comparison).
 */
function referenceVariants(
  quick: boolean,
  cuda: boolean,
): readonly {
  label: string;
  engine: PythonEngine;
  environment: Readonly<Record<string, string>>;
  device: 'cpu' | 'cuda';
}[] {
  return [
    { label: 'numpy', engine: 'numpy', environment: {}, device: 'cpu' },
    { label: 'torch', engine: 'torch', environment: {}, device: 'cpu' },
    ...(quick
      ? []
      : [
          {
            label: 'torch-passive',
            engine: 'torch' as const,
            environment: { OMP_WAIT_POLICY: 'PASSIVE' },
            device: 'cpu' as const,
          },
        ]),
    ...(cuda
      ? [{ label: 'torch-cuda', engine: 'torch' as const, environment: {}, device: 'cuda' as const }]
      : []),
  ];
}

function measureInChild(request: NodeMeasurementRequest): NodeMeasurement {
  return runJsonChild<NodeMeasurement>(
    'measure-node.js',
    request,
    { maxBufferBytes: 16 * 1024 * 1024, timeoutMs: 900_000 },
    `${request.engine} on case (${request.caseId}) ${request.dtype}`,
  );
}

function findPythons(): { numpy: PythonProbe | undefined; torch: PythonProbe | undefined; notes: string[] } {
  const probes = PYTHON_CANDIDATES.map((command) => probePython(command)).filter((p) => p !== undefined);
  const numpy = probes.find((p) => p.numpy !== undefined);
  const torch = probes.find((p) => p.torch !== undefined && p.numpy !== undefined);
  const notes: string[] = [];
  if (!numpy) notes.push(`numpy reference absent: none of ${PYTHON_CANDIDATES.join(', ')} imports numpy`);
  if (!torch) {
    notes.push(
      `PyTorch reference absent: none of ${PYTHON_CANDIDATES.join(', ')} imports torch ` +
        '(Debian: apt-get install python3-torch python3-numpy libopenblas0-pthread)',
    );
  }
  return { numpy, torch, notes };
}

/** The commit the benchmark ran from, and whether src/ or bench/ had uncommitted changes. */
function sourceVersion(): { commit: string | null; uncommittedChanges: boolean | null } {
  const git = (...args: string[]): string | null => {
    const result = spawnSync('git', args, { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : null;
  };
  const status = git('status', '--porcelain', '--', 'src', 'bench/*.ts', 'bench/python');
  return { commit: git('rev-parse', 'HEAD'), uncommittedChanges: status === null ? null : status.length > 0 };
}

function summarise(timesMs: readonly number[]): { medianMs: number; minMs: number; repetitions: number } {
  return { medianMs: median(timesMs), minMs: Math.min(...timesMs), repetitions: timesMs.length };
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  // Read before the cases run: other work may commit in the same tree during a run of several minutes.
  const source = sourceVersion();
  const machine = machineInfo();
  const started = new Date();
  const log = (line: string): void => void process.stderr.write(line + '\n');
  log(`basin bench on ${machine.cpuModel} (${machine.threads} threads), node ${machine.node}`);
  log(`load average at start: ${machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}`);

  const pythons = options.python
    ? findPythons()
    : { numpy: undefined, torch: undefined, notes: ['--no-python'] };
  pythons.notes.forEach((note) => log(note));
  let cuda: { device: string } | undefined;
  if (options.gpu) {
    if (!pythons.torch) pythons.notes.push('PyTorch CUDA absent: no PyTorch');
    else {
      const probe = probeTorchCuda(pythons.torch);
      if (probe.available) cuda = { device: probe.device! };
      else
        pythons.notes.push(`PyTorch CUDA absent (${pythons.torch.executable}: ${probe.reason ?? 'unknown'})`);
    }
    log(cuda ? `PyTorch CUDA on ${cuda.device}` : pythons.notes[pythons.notes.length - 1]);
  }
  const skipped = new Set<string>();

  // The peak is measured before and after the cases and the higher figure kept: on a shared machine either one
  // may have run while other work held a core, which would make every fraction of the peak look too good.
  const measurePeak = (): (PythonMeasurement & { gflops: number }) | undefined => {
    if (!pythons.numpy) return undefined;
    log(`matmul peak: numpy sgemm 2048³ with ${THREADS} threads (${pythons.numpy.executable})`);
    const measured = measureInPython({
      python: pythons.numpy,
      engine: 'numpy',
      plan: { ...options.plan, minSeconds: Math.max(options.plan.minSeconds, 1) },
      threads: THREADS,
      seed: options.seed,
      problem: undefined,
    });
    return { ...measured, gflops: measured.flops! / median(measured.timesMs) / 1e6 };
  };
  const peakBefore = measurePeak();

  const rows: ResultRow[] = [];
  for (const c of options.cases) {
    const plan = c.kind === 'adam-epoch' ? options.epochPlan : options.plan;
    for (const dtype of options.dtypes) {
      const flops = stepFlops(c);
      for (const variant of referenceVariants(options.quick, cuda !== undefined)) {
        const python = variant.engine === 'numpy' ? pythons.numpy : pythons.torch;
        if (!python) continue;
        const engine = variant.label;
        log(`case (${c.id}) ${dtype}: ${engine} (${python.executable})`);
        let m: PythonMeasurement;
        try {
          m = measureInPython({
            python,
            engine: variant.engine,
            extraEnvironment: variant.environment,
            plan,
            threads: THREADS,
            seed: options.seed,
            problem: { benchCase: c, dtype },
            device: variant.device,
          });
        } catch (error) {
          // A broken reference must not hide the other figures, but it is reported, not skipped silently.
          const note = `${engine} on case (${c.id}) ${dtype} failed: ${(error as Error).message}`;
          log(note);
          pythons.notes.push(note);
          continue;
        }
        rows.push({
          caseId: c.id,
          dtype,
          engine,
          kind: 'reference',
          threads: THREADS,
          ...summarise(m.timesMs),
          timesMs: m.timesMs,
          restarts: c.restarts,
          flops,
          loss: m.loss,
          ...(m.finalLoss === undefined ? {} : { finalLoss: m.finalLoss }),
          peakRssBytes: m.peakRssBytes,
          device: variant.device,
          details: {
            python: m.python,
            numpy: m.numpyVersion,
            ...(m.torchVersion ? { torch: m.torchVersion, torchThreads: m.torchThreads } : {}),
            blas: m.blas,
            environment: variant.environment,
            ...(m.cudaDevice ? { cudaDevice: m.cudaDevice, gpuPeakBytes: m.gpuPeakBytes } : {}),
          },
        });
      }
      for (const name of options.engines) {
        const engine = nodeEngine(name);
        const skip = (note: string): void => {
          if (!skipped.has(note)) log(note);
          skipped.add(note);
        };
        if (c.kind === 'adam-epoch' && engine.prepareEpoch === undefined) {
          skip(`${name} has no epoch engine: case (${c.id}) left out for it`);
          continue;
        }
        if (engine.dtypes !== undefined && !engine.dtypes.includes(dtype)) {
          skip(`${name} computes in ${engine.dtypes.join(', ')} only: ${dtype} left out for it`);
          continue;
        }
        log(`case (${c.id}) ${dtype}: ${name}`);
        let m: NodeMeasurement;
        try {
          m = measureInChild({
            engine: name,
            caseId: c.id,
            dtype,
            plan,
            seed: options.seed,
          });
        } catch (error) {
          // A GPU engine may find no usable device; that is reported and the run goes on. A CPU engine's failure
          // is a bug and ends the run.
          if (engine.device !== 'gpu') throw error;
          skip((error as Error).message);
          continue;
        }
        rows.push({
          caseId: c.id,
          dtype,
          engine: name,
          kind: 'basin',
          threads: engine.threads,
          ...summarise(m.timesMs),
          timesMs: m.timesMs,
          restarts: c.restarts,
          flops,
          loss: m.loss,
          ...(m.finalLoss === undefined ? {} : { finalLoss: m.finalLoss }),
          peakRssBytes: m.peakRssBytes,
          device: engine.device === 'gpu' ? 'gpu' : 'cpu',
          details: {
            description: engine.description,
            setupMs: m.setupMs,
            ...(m.adapter === undefined ? {} : { adapter: m.adapter }),
            ...(m.peakRssEpochsBytes === undefined ? {} : { peakRssEpochsBytes: m.peakRssEpochsBytes }),
          },
        });
      }
    }
  }

  let rowRun: RowRun | undefined;
  if (options.row) {
    const references: RowReferenceVariant[] = [];
    if (pythons.torch) {
      // The default and OMP_WAIT_POLICY=PASSIVE, the faster counting, as in a full run of the other cases; with
      // --quick too, since the recipe takes seconds next to basin's minutes and, when other work holds a core,
      // spinning OpenMP threads made the default's epochs 18 × slower than PASSIVE's (6.1 s against 0.34 s).
      for (const variant of referenceVariants(false, false).filter((v) => v.engine === 'torch'))
        references.push({ ...variant, python: pythons.torch });
    } else if (pythons.numpy) {
      pythons.notes.push(
        'case (row): PyTorch absent, so the recipe trains with numpy (closed-form gradient, Adam)',
      );
      references.push({ label: 'numpy', engine: 'numpy', environment: {}, python: pythons.numpy });
    }
    rowRun = runRowCase(options.row, references, { seed: options.seed, threads: THREADS, log });
    pythons.notes.push(...rowRun.notes);
  }

  const peakAfter = measurePeak();
  const peak = [peakBefore, peakAfter].reduce<typeof peakBefore>(
    (best, p) => (p !== undefined && (best === undefined || p.gflops > best.gflops) ? p : best),
    undefined,
  );
  const finished = machineInfo();
  if (rows.length > 0) process.stdout.write(formatTable(rows, peak?.gflops) + '\n');
  if (options.cases.some((c) => c.kind === 'adam-epoch'))
    process.stdout.write("case (d): times are ms per epoch; GFLOP/s counts the epoch's products\n");
  if (peak)
    process.stdout.write(
      `matmul peak (numpy sgemm 2048³, ${THREADS} threads): ${peak.gflops.toFixed(1)} GFLOP/s ` +
        `(before the cases ${peakBefore?.gflops.toFixed(1)}, after ${peakAfter?.gflops.toFixed(1)})\n`,
    );
  const goals = options.engines.includes(GOAL_ENGINE) ? checkGoals(rows, peak?.gflops, GOAL_ENGINE) : [];
  if (goals.length > 0) process.stdout.write(`goals (issue 5):\n${formatGoals(goals)}\n`);
  const rowGoals = rowRun ? checkRowGoals(rowRun.measurements) : [];
  if (rowRun) process.stdout.write(`${formatRowTable(rowRun)}\n`);
  if (rowGoals.length > 0) process.stdout.write(`goals (issue 13):\n${formatGoals(rowGoals)}\n`);
  process.stdout.write(`load average at end: ${finished.loadAverage.map((l) => l.toFixed(2)).join(' ')}\n`);

  const env = referenceEnvironment(THREADS);
  const results = {
    schema: 'basin-bench/1',
    started: started.toISOString(),
    finished: new Date().toISOString(),
    source,
    command: `node dist/bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    quick: options.quick,
    plan: options.plan,
    epochPlan: options.epochPlan,
    seed: options.seed,
    machine: { ...machine, loadAverageAtEnd: finished.loadAverage },
    python: {
      numpy: pythons.numpy ?? null,
      torch: pythons.torch ?? null,
      notes: [...pythons.notes, ...skipped],
      cuda: cuda ?? null,
      environment: Object.fromEntries(RECORDED_ENVIRONMENT.map((name) => [name, env[name] ?? null])),
    },
    matmulPeak: peak
      ? {
          what: 'numpy float32 matmul 2048x2048x2048, the higher of a measurement before and after the cases',
          gflops: peak.gflops,
          gflopsBefore: peakBefore?.gflops ?? null,
          gflopsAfter: peakAfter?.gflops ?? null,
          ...summarise(peak.timesMs),
          blas: peak.blas,
        }
      : null,
    cases: options.cases.map((c) => ({ ...c, flopsPerStep: stepFlops(c) })),
    units: Object.fromEntries(
      options.cases.map((c) => [c.id, c.kind === 'adam-epoch' ? 'ms per epoch' : 'ms per step']),
    ) as Record<CaseId, string>,
    autoBackend: autoChoices(options.cases),
    goals: [...goals, ...rowGoals],
    row: rowRun
      ? {
          unit: 'seconds',
          case: rowRun.case,
          files: rowRun.files,
          measurements: rowRun.measurements,
        }
      : null,
    results: rows.map((row) => ({ ...row, ...deriveFigures(row, rows, peak?.gflops) })),
  };
  mkdirSync(options.outDir, { recursive: true });
  const file = join(
    options.outDir,
    `${started.toISOString().slice(0, 10)}-${options.machine ?? machineSlug(machine)}${options.quick ? '-quick' : ''}.json`,
  );
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`results written to ${file}\n`);
}

main();
