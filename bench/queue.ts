/**
 * The queue's overhead: the same sweep run as a user runs it, through `bin/basin.js`, on the local worker-thread pool
 * (`basin sweep run spec --workers n`) and on the BullMQ/Redis queue (`basin worker` processes + the collector
 * `basin sweep run spec --queue …`), with 1 and 2 workers each, a fresh store and a fresh Redis every time.
 *
 *   npm run bench:queue [-- --quick] [-- --repeats=<n>]
 *
 * The local pool is timed from the command's start to its exit (worker threads' start-up included). The queue's
 * workers are started first and timed out: once every worker has said it takes jobs, the collector alone is timed
 * from its start to its exit. Each configuration runs `--repeats` times (3; `--quick` 1), interleaved so that a drift
 * of the machine touches them all alike, and the median wall time is kept. The queue's overhead per job is
 * (queue wall − local-pool wall) / jobs with 1 worker each, and is set against the mean run time of the local pool
 * (the store's durationMs). The issue's goal: below 5 ms per job and below 5 % of a quick preset's run time.
 * That figure carries the sweep's fixed costs too (the collector connecting, the worker threads starting); the
 * "tiny" runs once more 400 times tell the cost of one more job alone: how much faster the queue's wall time grows
 * than the local pool's, per extra job. A sweep command that fails is measured again from scratch, and the failure is
 * recorded (collectorFailures).
 *
 * Redis runs as docs/distributed.md sets it up (`--appendonly yes`, so fsync once a second); one more configuration
 * keeps the tests' `appendfsync always` (test/support/redis-server.ts), the most careful setting, to show what it costs.
 * Results go to bench/results/<date>-queue.json.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fig51Preset } from '../src/reproduce/presets/fig5.1.js';
import { codeVersion } from '../src/sweep/code-version.js';
import { planGroups, planTasks } from '../src/sweep/run-sweep.js';
import { expandCells, specToJson, type SweepSpec, validateSweepSpec } from '../src/sweep/spec.js';
import { ResultStore } from '../src/sweep/store/result-store.js';
import { trainRunner } from '../src/sweep/train-runner.js';
import { freePort, TestRedis } from '../test/support/redis-server.js';
import { machineInfo } from './machine.js';
import { median } from './timing.js';

const GOAL_MS_PER_JOB = 5;
const GOAL_FRACTION_OF_RUN = 0.05;

const repositoryRoot = resolve(import.meta.dirname, '../..');
const launcher = join(repositoryRoot, 'bin', 'basin.js');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface BenchSpec {
  readonly id: string;
  readonly what: string;
  readonly json: Record<string, unknown>;
}

interface Configuration {
  readonly id: string;
  readonly executor: 'local' | 'queue';
  readonly workers: number;
  /** Redis as docs/distributed.md runs it (fsync every second) or as the tests do (fsync on every write). */
  readonly appendfsync?: 'everysec' | 'always';
}

interface Measurement {
  readonly wallMs: number;
  readonly runs: number;
  readonly failed: number;
  /** Mean of the stored runs' durationMs. */
  readonly meanRunMs: number;
  readonly sumRunMs: number;
}

const TRAIN_BASE = {
  dataset: 'gaussian',
  N: 20,
  d0: 4,
  width: 4,
  optimiser: 'adam',
  learningRate: 0.01,
  backend: 'reference',
  certify: false,
};

const SPECS: readonly BenchSpec[] = [
  {
    id: 'small',
    what: 'train runner: gaussian N=20 d0=4, width 4, adam 300 epochs, certify false, reference backend; 100 runs',
    json: {
      name: 'bench-queue-small',
      seed: 1,
      repetitions: 100,
      runner: 'train',
      base: { ...TRAIN_BASE, epochs: 300 },
    },
  },
  {
    id: 'tiny',
    what: 'the same with 60 epochs: tiny runs, where a fixed cost per job shows most; 100 runs',
    json: {
      name: 'bench-queue-tiny',
      seed: 1,
      repetitions: 100,
      runner: 'train',
      base: { ...TRAIN_BASE, epochs: 60 },
    },
  },
  {
    id: 'tiny-400',
    what:
      'the tiny runs 400 times: against "tiny", the cost of 300 more jobs without the fixed cost of a sweep ' +
      '(start-up, connecting)',
    json: {
      name: 'bench-queue-tiny-400',
      seed: 1,
      repetitions: 400,
      runner: 'train',
      base: { ...TRAIN_BASE, epochs: 60 },
    },
  },
  {
    id: 'fig5.1-quick',
    what:
      'the fig5.1 --quick preset as it is (1000 epochs, loss target, certification on by default) with 5 ' +
      'repetitions instead of 10; 100 runs',
    json: { ...specToJson(fig51Preset.spec('quick')), repetitions: 5 },
  },
];

const CONFIGURATIONS: readonly Configuration[] = [
  { id: 'local ×1', executor: 'local', workers: 1 },
  { id: 'local ×2', executor: 'local', workers: 2 },
  { id: 'queue ×1', executor: 'queue', workers: 1, appendfsync: 'everysec' },
  { id: 'queue ×2', executor: 'queue', workers: 2, appendfsync: 'everysec' },
  { id: 'queue ×1 fsync always', executor: 'queue', workers: 1, appendfsync: 'always' },
];

/** Every process this bench started, so that a failure leaves none behind. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

interface Started {
  readonly child: ChildProcess;
  /** Resolves once the process has exited and its output is read: the exit code and when it exited. */
  readonly finished: Promise<{ code: number | null; exitedAt: number; output: string }>;
}

/** `node bin/basin.js …` in `cwd`, keeping the last few kB of its output for errors; `onStderr` sees each chunk. */
function basin(args: readonly string[], cwd: string, onStderr?: (text: string) => void): Started {
  const child = spawn(process.execPath, [launcher, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', (chunk: Buffer) => {
    keep(chunk);
    onStderr?.(chunk.toString());
  });
  let exitedAt = 0;
  child.once('exit', () => (exitedAt = performance.now()));
  const finished = new Promise<{ code: number | null; exitedAt: number; output: string }>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => {
      children.delete(child);
      done({ code, exitedAt, output });
    });
  });
  return { child, finished };
}

/** A `basin worker` that has connected: it printed its "takes jobs" line. */
async function startWorker(url: string, cwd: string): Promise<Started> {
  let seen = '';
  let isReady = false;
  let ready: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (ready = resolve));
  const worker = basin(['worker', '--queue', url], cwd, (text) => {
    if (seen.length < 10_000) seen += text;
    if (!isReady && seen.includes('takes jobs')) {
      isReady = true;
      ready();
    }
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    connected,
    worker.finished.then(({ code, output }) => {
      if (!isReady) throw new Error(`basin worker exited (${code}) before it took jobs:\n${output}`);
    }),
    new Promise((_, fail) => {
      timer = setTimeout(() => fail(new Error(`basin worker did not connect in 30 s:\n${seen}`)), 30_000);
    }),
  ]).finally(() => clearTimeout(timer));
  return worker;
}

async function readStore(path: string, sweep: string): Promise<Omit<Measurement, 'wallMs'>> {
  const store = await ResultStore.open(path, 'read');
  try {
    const runs = await store.runs(sweep);
    const sumRunMs = runs.reduce((sum, run) => sum + run.durationMs, 0);
    return {
      runs: runs.length,
      failed: runs.filter((run) => run.status === 'failed').length,
      meanRunMs: sumRunMs / runs.length,
      sumRunMs,
    };
  } finally {
    store.close();
  }
}

/** One sweep of `specFile` into a fresh store (and, for the queue, a fresh Redis and fresh workers). */
async function measure(
  specFile: string,
  spec: SweepSpec,
  configuration: Configuration,
): Promise<Measurement> {
  const directory = mkdtempSync(join(os.tmpdir(), 'basin-bench-queue-'));
  const storePath = join(directory, 'store.duckdb');
  let redis: TestRedis | undefined;
  const workers: Started[] = [];
  try {
    let executorArgs: string[];
    if (configuration.executor === 'local') {
      executorArgs = ['--workers', String(configuration.workers)];
    } else {
      redis = new TestRedis(await freePort(), directory);
      await redis.start();
      if (configuration.appendfsync !== 'always') {
        execFileSync('redis-cli', ['-p', String(redis.port), 'config', 'set', 'appendfsync', 'everysec'], {
          stdio: 'ignore',
        });
      }
      for (let k = 0; k < configuration.workers; k++) workers.push(await startWorker(redis.url, directory));
      executorArgs = ['--queue', redis.url];
    }
    const started = performance.now();
    const collector = basin(['sweep', 'run', specFile, '--store', storePath, ...executorArgs], directory);
    const { code, exitedAt, output } = await collector.finished;
    if (code !== 0) throw new Error(`basin sweep run (${configuration.id}) exited with ${code}:\n${output}`);
    const wallMs = exitedAt - started;
    const stored = await readStore(storePath, spec.name);
    const expected = planTasks(spec, trainRunner, expandCells(spec, trainRunner)).length;
    if (stored.runs !== expected) {
      throw new Error(`${configuration.id}: ${stored.runs} runs stored, ${expected} expected`);
    }
    return { wallMs, ...stored };
  } finally {
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.finished));
    await redis?.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * `measure`, done again from scratch (fresh store, Redis and workers) when the sweep command fails, at most
 * `attempts` times; each failure is reported to `onFailure` (the results record them: a failure is a finding).
 */
async function measureAgainOnFailure(
  specFile: string,
  spec: SweepSpec,
  configuration: Configuration,
  onFailure: (error: string) => void,
  attempts = 8,
): Promise<Measurement> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await measure(specFile, spec, configuration);
    } catch (error) {
      if (attempt >= attempts) throw error;
      const text = error instanceof Error ? error.message : String(error);
      const line = /^basin: .*$/m.exec(text)?.[0] ?? text.split('\n')[0];
      onFailure(line);
      log(`  ${configuration.id.padEnd(22)} failed (${line}); measured again from scratch`);
    }
  }
}

interface Summary {
  readonly configuration: Configuration;
  readonly wallMs: { readonly median: number; readonly min: number; readonly max: number };
  readonly runsPerSecond: number;
  readonly meanRunMs: number;
  /** Wall time per job not spent in runs: (wall − Σ run time / workers) / jobs, median over repetitions. */
  readonly nonRunMsPerJob: number;
  readonly failedRuns: number;
  readonly measurements: readonly Measurement[];
}

function summarise(
  configuration: Configuration,
  measurements: readonly Measurement[],
  jobs: number,
): Summary {
  const walls = measurements.map((m) => m.wallMs);
  const wall = median(walls);
  return {
    configuration,
    wallMs: { median: wall, min: Math.min(...walls), max: Math.max(...walls) },
    runsPerSecond: measurements[0].runs / (wall / 1000),
    meanRunMs: median(measurements.map((m) => m.meanRunMs)),
    nonRunMsPerJob: median(measurements.map((m) => (m.wallMs - m.sumRunMs / configuration.workers) / jobs)),
    failedRuns: Math.max(...measurements.map((m) => m.failed)),
    measurements,
  };
}

interface Overhead {
  readonly queue: string;
  readonly local: string;
  /** (queue wall − local wall) / jobs, medians. */
  readonly msPerJob: number;
  /** The median over repeats of (queue wall − local wall) / jobs, each pair measured one after the other. */
  readonly pairedMsPerJob: number;
  /** msPerJob / the local pool's mean run time (1 worker). */
  readonly fractionOfRun: number;
  readonly goalMet: boolean;
}

function overhead(summaries: readonly Summary[], queueId: string, localId: string, jobs: number): Overhead {
  const find = (id: string) => summaries.find((s) => s.configuration.id === id)!;
  const local = find(localId);
  const queue = find(queueId);
  const msPerJob = (queue.wallMs.median - local.wallMs.median) / jobs;
  const fractionOfRun = msPerJob / find('local ×1').meanRunMs;
  return {
    queue: queueId,
    local: localId,
    msPerJob,
    pairedMsPerJob: median(
      queue.measurements.map((m, k) => (m.wallMs - local.measurements[k].wallMs) / jobs),
    ),
    fractionOfRun,
    goalMet: msPerJob < GOAL_MS_PER_JOB && fractionOfRun < GOAL_FRACTION_OF_RUN,
  };
}

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, repeats: { type: 'string' } },
});
const repeats = values.repeats !== undefined ? Number(values.repeats) : values.quick ? 1 : 3;
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats: expected a positive integer`);

const startedAt = new Date();
const machine = machineInfo();
const redisVersion = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
log(
  `queue bench: ${os.cpus().length} × ${machine.cpuModel}, Node ${process.version}, ${redisVersion}; ` +
    `${repeats} repetition(s) of each configuration`,
);

const collectorFailures: { spec: string; configuration: string; error: string }[] = [];
const specDirectory = mkdtempSync(join(os.tmpdir(), 'basin-bench-queue-specs-'));
const results = [];
try {
  for (const bench of SPECS) {
    const spec = validateSweepSpec(bench.json, bench.id);
    const specFile = join(specDirectory, `${bench.id}.json`);
    writeFileSync(specFile, JSON.stringify(bench.json, null, 2));
    const tasks = planTasks(spec, trainRunner, expandCells(spec, trainRunner));
    const jobs = planGroups(tasks, trainRunner, spec.batchRestarts ?? true).length;
    log(`\n${bench.id}: ${bench.what} (${tasks.length} runs in ${jobs} jobs)`);
    const measured = new Map<string, Measurement[]>(CONFIGURATIONS.map((c) => [c.id, []]));
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const configuration of CONFIGURATIONS) {
        const m = await measureAgainOnFailure(specFile, spec, configuration, (error) =>
          collectorFailures.push({ spec: bench.id, configuration: configuration.id, error }),
        );
        measured.get(configuration.id)!.push(m);
        log(
          `  ${configuration.id.padEnd(22)} ${(m.wallMs / 1000).toFixed(2)} s, mean run ${m.meanRunMs.toFixed(1)} ms` +
            (m.failed > 0 ? `, ${m.failed} failed` : ''),
        );
      }
    }
    const summaries = CONFIGURATIONS.map((c) => summarise(c, measured.get(c.id)!, jobs));
    results.push({
      id: bench.id,
      what: bench.what,
      spec: bench.json,
      runs: tasks.length,
      jobs,
      configurations: summaries,
      overhead: [
        overhead(summaries, 'queue ×1', 'local ×1', jobs),
        overhead(summaries, 'queue ×2', 'local ×2', jobs),
        overhead(summaries, 'queue ×1 fsync always', 'local ×1', jobs),
      ],
    });
  }
} finally {
  rmSync(specDirectory, { recursive: true, force: true });
}

/**
 * The queue's cost of one more job: how much more the wall time grows from "tiny" (100 jobs) to "tiny-400" (400) on
 * the queue than on the local pool, per extra job. Fixed costs (start-up, connecting, the first poll) cancel out.
 */
const marginal = (() => {
  const small = results.find((r) => r.id === 'tiny');
  const large = results.find((r) => r.id === 'tiny-400');
  if (small === undefined || large === undefined) return [];
  const wall = (result: typeof small, id: string): number =>
    result.configurations.find((s) => s.configuration.id === id)!.wallMs.median;
  const extraJobs = large.jobs - small.jobs;
  const meanRunMs = large.configurations.find((s) => s.configuration.id === 'local ×1')!.meanRunMs;
  return [
    ['queue ×1', 'local ×1'],
    ['queue ×2', 'local ×2'],
    ['queue ×1 fsync always', 'local ×1'],
  ].map(([queue, local]) => {
    const msPerJob =
      (wall(large, queue) - wall(small, queue) - (wall(large, local) - wall(small, local))) / extraJobs;
    return { queue, local, extraJobs, msPerJob, fractionOfTinyRun: msPerJob / meanRunMs };
  });
})();

const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const lines = [
  '',
  `${'spec'.padEnd(13)} ${'configuration'.padEnd(22)} ${'wall s: median (min–max)'.padEnd(26)} ` +
    `${'runs/s'.padStart(7)} ${'mean run ms'.padStart(11)} ${'non-run ms/job'.padStart(14)}`,
];
for (const result of results) {
  for (const s of result.configurations) {
    lines.push(
      `${result.id.padEnd(13)} ${s.configuration.id.padEnd(22)} ` +
        `${`${seconds(s.wallMs.median)} (${seconds(s.wallMs.min)}–${seconds(s.wallMs.max)})`.padEnd(26)} ` +
        `${s.runsPerSecond.toFixed(1).padStart(7)} ${s.meanRunMs.toFixed(2).padStart(11)} ` +
        `${s.nonRunMsPerJob.toFixed(2).padStart(14)}`,
    );
  }
}
lines.push(
  '',
  `queue overhead per job = (queue wall − local-pool wall) / jobs; goal < ${GOAL_MS_PER_JOB} ms and < 5 %`,
);
lines.push(
  "of the spec's mean run time on the local pool with 1 worker (paired: median of the per-repeat differences)",
);
for (const result of results) {
  for (const o of result.overhead) {
    lines.push(
      `${result.id.padEnd(13)} ${`${o.queue} vs ${o.local}`.padEnd(34)} ${o.msPerJob.toFixed(2).padStart(7)} ms/job ` +
        `= ${(o.fractionOfRun * 100).toFixed(1).padStart(5)} % of a run (paired ${o.pairedMsPerJob.toFixed(2)} ms/job): ` +
        (o.goalMet ? 'goal met' : 'goal NOT met'),
    );
  }
}
if (marginal.length > 0) {
  lines.push('', 'cost of one more job, tiny-400 against tiny (fixed costs cancel):');
  for (const m of marginal) {
    lines.push(
      `  ${`${m.queue} vs ${m.local}`.padEnd(34)} ${m.msPerJob.toFixed(2).padStart(7)} ms/job ` +
        `= ${(m.fractionOfTinyRun * 100).toFixed(1)} % of a tiny run`,
    );
  }
}
const preset = results.find((r) => r.id === 'fig5.1-quick')?.overhead[0];
if (preset !== undefined) {
  lines.push(
    '',
    `goal on the quick preset (fig5.1-quick, 1 worker each): ${preset.msPerJob.toFixed(2)} ms/job, ` +
      `${(preset.fractionOfRun * 100).toFixed(1)} % of a run: ${preset.goalMet ? 'met' : 'NOT met'}`,
  );
}
if (collectorFailures.length > 0) {
  lines.push('', `${collectorFailures.length} sweep command(s) failed and were measured again from scratch:`);
  for (const f of collectorFailures) lines.push(`  ${f.spec}, ${f.configuration}: ${f.error}`);
}
process.stdout.write(`${lines.join('\n')}\n`);

const finished = new Date();
const file = join(
  repositoryRoot,
  'bench',
  'results',
  `${startedAt.toISOString().slice(0, 10)}-queue${values.quick ? '-quick' : ''}.json`,
);
mkdirSync(join(repositoryRoot, 'bench', 'results'), { recursive: true });
writeFileSync(
  file,
  JSON.stringify(
    {
      schema: 'basin-bench-queue/1',
      started: startedAt.toISOString(),
      finished: finished.toISOString(),
      command: `node dist/bench/queue.js ${process.argv.slice(2).join(' ')}`.trim(),
      codeVersion: codeVersion(),
      repeats,
      machine: {
        ...machine,
        cpus: os.cpus().length,
        nodeVersion: process.version,
        redisServer: redisVersion,
        loadAverageAtEnd: os.loadavg(),
      },
      method:
        'CLI as a user runs it, fresh store (and fresh redis-server, fresh workers) per measurement; local pool ' +
        'timed from start to exit of `basin sweep run --workers n`; queue: workers started and connected first, ' +
        'then the collector `basin sweep run --queue` timed from start to exit. Medians over repeats. Redis: ' +
        '--appendonly yes with appendfsync everysec (docs/distributed.md) unless the configuration says always ' +
        '(the tests). nonRunMsPerJob = (wall − Σ durationMs / workers) / jobs.',
      goal: { msPerJob: GOAL_MS_PER_JOB, fractionOfRun: GOAL_FRACTION_OF_RUN },
      specs: results,
      marginal,
      collectorFailures,
    },
    null,
    2,
  ) + '\n',
);
process.stdout.write(`results written to ${file}\n`);
