import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repositoryRoot } from '../cli/helpers.js';
import type { Expectation, FuzzCase, Fixtures, FuzzFile } from './types.js';

const launcher = join(repositoryRoot, 'bin/basin.js');

/*
 * Memory bound. Each case runs under `ulimit -v` (RLIMIT_AS) plus V8's --max-old-space-size. Measured on this
 * project's machine (Node 20.20, x64, `bash -c 'ulimit -v K; node …'`): `node -e 1` starts under 1 GiB, but
 * @duckdb/node-api's native module fails to dlopen at 1 GiB, and `basin sweep run --workers 2` dies with SIGTRAP at
 * 2 GiB (every worker thread's isolate reserves address space up front); at 3 GiB every command of the valid
 * cases works (train on the reference and ONNX backends, sweep run with two workers, results, report with
 * resvg, certify). So the bound is 3 GiB of address space: the largest a valid tiny case needs, with headroom,
 * and small enough that a blow-up (`--hidden 10000,10000,10000` reaches 5.5 GB) hits it instead of the machine.
 * The JavaScript heap gets 1 GiB of it, so a heap blow-up ends in V8's own "heap limit" abort rather than in the
 * kernel's refusal of some unrelated mapping. Hitting either bound is reported as a memory failure of the case.
 */
export const ADDRESS_SPACE_KIB = 3 * 1024 * 1024;
export const OLD_SPACE_MIB = 1024;

/**
 * Wall-time bounds are hang guards, not speed claims: a refusal takes a few seconds, most of it Node and the CLI's
 * imports (2–3 s per process on the shared 2-core machine at load 5, up to 10 s at load 13), and a valid tiny run a
 * few more, so a case past three times that is stuck.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;
export const VALID_RUN_TIMEOUT_MS = 90_000;

/** Captured output beyond this is dropped (a case reading /dev/zero must not fill the harness' memory). */
const OUTPUT_CAP = 64 * 1024;

export interface CaseOutcome {
  readonly id: string;
  readonly class: FuzzCase['class'];
  readonly command: string;
  readonly args: readonly string[];
  readonly clean: boolean;
  /** What went wrong, one entry per broken check; empty when clean. */
  readonly problems: readonly string[];
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly milliseconds: number;
  readonly timedOut: boolean;
}

export interface RunOptions {
  /** Cases run at once (each in its own process); 2 on the project's 2-core machine. */
  readonly concurrency?: number;
  readonly onOutcome?: (outcome: CaseOutcome) => void;
}

/** Runs the cases, at most `concurrency` at a time, and returns the outcomes in the cases' order. */
export async function runCases(cases: readonly FuzzCase[], options: RunOptions = {}): Promise<CaseOutcome[]> {
  const fixtures = loadFixtures();
  const outcomes: CaseOutcome[] = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const index = next++;
      outcomes[index] = await runCase(cases[index], fixtures);
      options.onOutcome?.(outcomes[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  return outcomes;
}

let fixtureCache: Fixtures | undefined;

/** The shared fixtures, written by basin itself once per process (about 10 s: one train, one tiny sweep). */
export function loadFixtures(): Fixtures {
  fixtureCache ??= buildFixtures();
  return fixtureCache;
}

function buildFixtures(): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), 'basin-fuzz-fixtures-'));
  try {
    const basin = (args: string[]): void => {
      execFileSync(process.execPath, [launcher, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    };
    basin([
      'train',
      ...['--data', 'xor', '--hidden', '2', '--bias', '--epochs', '2'],
      ...['--out', 'result.json', '--weights', 'weights.json'],
    ]);
    writeFileSync(join(dir, 'tiny.yaml'), TINY_SWEEP);
    basin(['sweep', 'run', 'tiny.yaml', '--store', 'store.duckdb', '--workers', '1']);
    const corrupt = (name: string, sql: string): Buffer => {
      copyFileSync(join(dir, 'store.duckdb'), join(dir, name));
      const script = `
        import { DuckDBInstance } from '@duckdb/node-api';
        const instance = await DuckDBInstance.create(process.argv[1]);
        const connection = await instance.connect();
        await connection.run(process.argv[2]);
        connection.closeSync();
        instance.closeSync();`;
      execFileSync(process.execPath, ['--input-type=module', '-e', script, join(dir, name), sql], {
        cwd: repositoryRoot,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      return readFileSync(join(dir, name));
    };
    return {
      trainResult: readFileSync(join(dir, 'result.json'), 'utf8'),
      weights: readFileSync(join(dir, 'weights.json'), 'utf8'),
      store: readFileSync(join(dir, 'store.duckdb')),
      storeBadSpecJson: corrupt('bad-spec.duckdb', `UPDATE sweeps SET spec_json = '{"name": "tiny", "seed'`),
      storeBadExtraJson: corrupt(
        'bad-extra.duckdb',
        `UPDATE results SET extra_json = '{"certificate": [1, 2'`,
      ),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The smallest sweep that stores real runs: XOR, 2 hidden units, 2 epochs, 2 repetitions, no certificates. */
export const TINY_SWEEP = `name: tiny
seed: 1
repetitions: 2
base: { dataset: xor, width: 2, epochs: 2, learningRate: 0.01, certify: false }
`;

function writeCaseFile(dir: string, file: FuzzFile, fixtures: Fixtures): void {
  const path = join(dir, file.path);
  mkdirSync(dirname(path), { recursive: true });
  if ('directory' in file) mkdirSync(path, { recursive: true });
  else if ('fifo' in file) execFileSync('mkfifo', [path]);
  else if ('symlinkTo' in file) symlinkSync(file.symlinkTo, path);
  else writeFileSync(path, typeof file.content === 'function' ? file.content(fixtures) : file.content);
}

/** SHA-256 of every regular file under the case directory (inputs must come out unchanged). */
function hashFiles(dir: string, relative = ''): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const entry of readdirSync(join(dir, relative))) {
    const name = relative === '' ? entry : join(relative, entry);
    const stat = lstatSync(join(dir, name));
    if (stat.isDirectory()) for (const [k, v] of hashFiles(dir, name)) hashes.set(k, v);
    else if (stat.isFile())
      hashes.set(
        name,
        createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex'),
      );
  }
  return hashes;
}

export async function runCase(fuzzCase: FuzzCase, fixtures: Fixtures = loadFixtures()): Promise<CaseOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'basin-fuzz-'));
  try {
    for (const file of fuzzCase.files ?? []) writeCaseFile(dir, file, fixtures);
    const before = hashFiles(dir);
    const timeoutMs =
      fuzzCase.timeoutMs ?? ('ok' in fuzzCase.expect ? VALID_RUN_TIMEOUT_MS : DEFAULT_TIMEOUT_MS);
    const started = performance.now();
    const run = await runBounded(fuzzCase.args, dir, timeoutMs);
    const milliseconds = performance.now() - started;
    const problems = [...judge(fuzzCase.expect, run, dir, timeoutMs)];
    const after = hashFiles(dir);
    for (const [name, hash] of before) {
      if (!after.has(name)) problems.push(`input ${name} was removed`);
      else if (after.get(name) !== hash) problems.push(`input ${name} was modified`);
    }
    return {
      id: fuzzCase.id,
      class: fuzzCase.class,
      command: fuzzCase.command,
      args: fuzzCase.args,
      clean: problems.length === 0,
      problems,
      ...run,
      milliseconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface BoundedRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/**
 * `node bin/basin.js …` under the address-space and heap bounds, in its own process group so that the bound's
 * kill reaches everything it started (worker threads live in the process; the group catches child processes).
 */
function runBounded(args: readonly string[], cwd: string, timeoutMs: number): Promise<BoundedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        'ulimit -v "$0" && exec "$@"',
        String(ADDRESS_SPACE_KIB),
        process.execPath,
        `--max-old-space-size=${OLD_SPACE_MIB}`,
        launcher,
        ...args,
      ],
      { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    const capture = (stream: NodeJS.ReadableStream): (() => string) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        if (size >= OUTPUT_CAP) return;
        chunks.push(chunk.subarray(0, OUTPUT_CAP - size));
        size += chunk.length;
      });
      return () =>
        Buffer.concat(chunks).toString('utf8') + (size > OUTPUT_CAP ? `\n[… ${size} bytes in all]` : '');
    };
    const stdout = capture(child.stdout);
    const stderr = capture(child.stderr);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      // Anything the case left running in its group (a child process of a child) goes with it.
      killGroup(child.pid);
      resolve({ status, signal, stdout: stdout(), stderr: stderr(), timedOut });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group has already gone
  }
}

const NODE_WARNING = /^\(node:\d+\)|Warning:/;
const STACK_TRACE = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>)$/m;
const MEMORY_BOUND =
  /FATAL ERROR|heap limit|Allocation failed|allocation failed|out of memory|Invalid typed array length|Invalid array length|Array buffer allocation/i;

/** Every way the run differs from the expectation, as sentences for the failure report. */
function* judge(expect: Expectation, run: BoundedRun, dir: string, timeoutMs: number): Generator<string> {
  if (run.timedOut) {
    yield `did not finish within ${timeoutMs / 1000} s (its process group was killed)`;
    return;
  }
  if (run.signal !== null || (run.status !== null && run.status > 128)) {
    const how = run.signal ?? `exit status ${run.status}`;
    yield MEMORY_BOUND.test(run.stderr) ||
    run.signal === 'SIGTRAP' ||
    run.signal === 'SIGABRT' ||
    run.status === 133 ||
    run.status === 134
      ? `died (${how}): hit the memory bound (${ADDRESS_SPACE_KIB / 1024 / 1024} GiB address space, ${OLD_SPACE_MIB} MiB heap)`
      : `died (${how})`;
    return;
  }
  if (STACK_TRACE.test(run.stderr)) yield 'printed a stack trace';
  let lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
  if (('error' in expect || 'errorOrWarning' in expect) && expect.progress === true && lines.length > 1) {
    const last = lines.length - 1;
    lines = lines.filter((line, k) => k === last || line.startsWith('basin') || NODE_WARNING.test(line));
  }
  if ('error' in expect || 'errorOrWarning' in expect) {
    const pattern = 'error' in expect ? expect.error : expect.errorOrWarning;
    if ('errorOrWarning' in expect && run.status === 0) {
      if (!lines.some((line) => line.startsWith('basin: warning') && pattern.test(line))) {
        yield `accepted without a word: exit status 0 and no "basin: warning" line matching ${pattern}`;
      }
      return;
    }
    if (run.status !== 1) {
      yield run.status === 0
        ? `accepted: exit status 0, expected a one-line error matching ${pattern}`
        : `exit status ${run.status}, expected 1`;
    }
    if (run.status === 0) return;
    if (lines.length !== 1) yield `${lines.length} lines on stderr, expected one`;
    const first = lines[0] ?? '';
    if (!first.startsWith('basin: ')) yield 'stderr does not start with "basin: "';
    else if (MEMORY_BOUND.test(first))
      yield `the JavaScript engine's message, naming no field or file: ${first}`;
    if (!pattern.test(first)) yield `message does not match ${pattern}`;
    return;
  }
  if ('usage' in expect) {
    if (run.status !== 2) yield `exit status ${run.status}, expected 2 (usage error)`;
    if (!expect.usage.test(run.stderr)) yield `stderr does not match ${expect.usage}`;
    return;
  }
  if (run.status !== 0) yield `exit status ${run.status}, expected a valid run (0)`;
  if (expect.stdout !== undefined && !expect.stdout.test(run.stdout))
    yield `stdout does not match ${expect.stdout}`;
  for (const file of expect.creates ?? []) {
    if (!existsSync(join(dir, file))) yield `did not write ${file}`;
  }
}
