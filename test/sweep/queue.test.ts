import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { LocalPool } from '../../src/sweep/local-pool.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { readSweepSpec } from '../../src/sweep/spec.js';
import { ResultStore, type StoredRun } from '../../src/sweep/store/result-store.js';
import { trainRunner } from '../../src/sweep/train-runner.js';
import { codeVersion } from '../../src/sweep/code-version.js';
import { describeQueue, parseQueueUrl, redisOptions } from '../../src/sweep/queue/connection.js';
import { decodeOutcomes, encodeOutcomes, QUEUE_NAME } from '../../src/sweep/queue/jobs.js';
import { refusal } from '../../src/sweep/queue/queue-worker.js';
import { assertOneLineError, cliSkip, repositoryRoot, temporaryDirectory } from '../cli/helpers.js';
import { freePort, redisSkip, TestRedis } from '../support/redis-server.js';

const launcher = join(repositoryRoot, 'bin/basin.js');

describe('queue: URLs, jobs and outcomes', () => {
  it('parses redis:// and rediss:// URLs and refuses others naming the flag, never printing the password', () => {
    assert.deepEqual(parseQueueUrl('redis://127.0.0.1:6390/2'), {
      host: '127.0.0.1',
      port: 6390,
      db: 2,
      tls: false,
    });
    const secure = parseQueueUrl('rediss://me:s%40cret@queue.example:6380');
    assert.equal(secure.password, 's@cret');
    assert.equal(secure.tls, true);
    assert.equal(describeQueue(secure), 'rediss://me:***@queue.example:6380/0');
    for (const bad of [
      'localhost:6379',
      'http://h:1',
      'redis://h:1/16',
      'redis://h:1/x',
      'redis://h:1?a=1',
      '',
    ]) {
      assert.throws(() => parseQueueUrl(bad), /--queue: expected a Redis URL/, bad);
    }
  });

  it('outcomes travel bit for bit: typed arrays, −0, NaN and infinities', () => {
    const theta = new Float64Array([0.1, -0, Number.MIN_VALUE, 1 / 3, -1e308]);
    const outcome = {
      cellHash: 'abc',
      repetition: 1,
      seed: 2,
      startedAt: 3,
      durationMs: 4,
      host: 'h',
      worker: 1,
      status: 'ok' as const,
      error: null,
      result: {
        finalLoss: -0,
        mse: Infinity,
        mce: NaN,
        gradientNorm: -Infinity,
        kinkMargin: null,
        minEigenvalue: null,
        maxEigenvalue: null,
        morseIndex: null,
        verdict: null,
        iterations: 3,
        constantOutput: false,
        weights: { architecture: { inputDim: 1, hidden: [], outputDim: 1, outputBias: false }, theta },
      },
    };
    const [back] = decodeOutcomes(encodeOutcomes([outcome as never]));
    assert.ok(Object.is(back.result!.finalLoss, -0));
    assert.equal(back.result!.mse, Infinity);
    assert.ok(Number.isNaN(back.result!.mce));
    assert.equal(back.result!.gradientNorm, -Infinity);
    const restored = back.result!.weights!.theta;
    assert.ok(restored instanceof Float64Array);
    assert.deepEqual(new Uint8Array(restored.buffer), new Uint8Array(theta.buffer));
  });

  it('a worker refuses a malformed job, an unknown runner and other code, saying why', () => {
    const version = codeVersion();
    const job = {
      sweep: 's',
      codeVersion: version,
      runner: 'train',
      group: [{ cellHash: '0123abcd', repetition: 0, seed: 1, config: {}, keepWeights: false }],
    };
    assert.equal(refusal(job, version), undefined);
    assert.match(
      refusal({ ...job, codeVersion: '0.0.9' }, version)!,
      /runs basin .* planned by 0\.0\.9; results of different code are not mixed/,
    );
    assert.match(refusal({ ...job, runner: 'evil' }, version)!, /unknown runner "evil"/);
    assert.match(refusal({ ...job, group: [] }, version)!, /malformed job: group/);
    assert.match(refusal({ ...job, code: 'process.exit()' }, version)!, /malformed job/);
    assert.match(
      refusal({ ...job, group: [{ ...job.group[0], cellHash: '../../etc' }] }, version)!,
      /cellHash/,
    );
  });
});

describe('queue: the collector command', { skip: cliSkip }, () => {
  it('refuses --workers with --queue, naming the flag (the runs go to basin worker processes)', () => {
    assertOneLineError(
      ['sweep', 'run', 'spec.yaml', '--queue', 'redis://127.0.0.1:1', '--workers', '2'],
      temporaryDirectory('queue-flags'),
      /^basin: --workers: expected no value with --queue \(the runs go to `basin worker` processes: start more of them instead\), got 2$/,
    );
  });

  // Regression: an unreachable queue hung `sweep run` past 30 s and made `basin worker` print a line per retry.
  it('refuses an unreachable queue at once, in one line naming --queue, in both commands', async () => {
    const port = await freePort();
    const dir = temporaryDirectory('queue-unreachable');
    writeFileSync(
      join(dir, 'tiny.yaml'),
      'name: tiny\nseed: 1\nrepetitions: 1\nbase: { dataset: xor, width: 2, epochs: 1, learningRate: 0.01 }\n',
    );
    const refused = new RegExp(
      `^basin: --queue: cannot connect to Redis at redis://127\\.0\\.0\\.1:${port}/0 \\(ECONNREFUSED: connection refused\\)`,
    );
    const queue = `redis://127.0.0.1:${port}`;
    assertOneLineError(['sweep', 'run', 'tiny.yaml', '--store', 's.duckdb', '--queue', queue], dir, refused);
    assertOneLineError(['worker', '--queue', queue], dir, refused);
  });
});

const skip = redisSkip || cliSkip;

describe(
  'queue: a sweep on 3 workers survives a killed worker, a Redis restart and a killed collector',
  { skip },
  () => {
    const directory = temporaryDirectory('queue');
    const children = new Set<ChildProcess>();
    let redis: TestRedis | undefined;
    after(async () => {
      for (const child of children) child.kill('SIGKILL');
      await redis?.stop();
    });

    const basin = (args: string[]): ChildProcess => {
      const child = spawn(process.execPath, [launcher, ...args], {
        cwd: directory,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    };
    const exited = (child: ChildProcess): Promise<number | null> =>
      child.exitCode !== null
        ? Promise.resolve(child.exitCode)
        : new Promise((resolve) => child.once('exit', resolve));
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it('stores exactly what the local pool stores: same runs, bit-identical results, none twice, none missing', async () => {
      redis = new TestRedis(await freePort(), directory);
      await redis.start();
      // 2 cells × 100 repetitions + a poison cell (always diverges) × 4 = 204 runs of about 0.1 s each.
      const specFile = join(directory, 'spec.json');
      writeFileSync(
        specFile,
        JSON.stringify({
          name: 'faults',
          seed: 7,
          repetitions: 68,
          runner: 'train',
          keepWeights: true,
          base: {
            dataset: 'gaussian',
            N: 20,
            d0: 4,
            optimiser: 'adam',
            epochs: 600,
            backend: 'reference',
            certify: false,
          },
          cells: [
            { width: 3, learningRate: 0.02 },
            { width: 5, learningRate: 0.02 },
            { width: 4, learningRate: 1e6, optimiser: 'gd' },
          ],
        }),
      );
      const queueArgs = ['--queue', redis.url];
      const workerArgs = [
        'worker',
        ...queueArgs,
        '--lock-seconds',
        '2',
        '--stalled-check-seconds',
        '1',
        '--quiet',
      ];
      const workers = [basin(workerArgs), basin(workerArgs), basin(workerArgs)];
      let collector = basin(['sweep', 'run', specFile, '--store', 'queue.duckdb', ...queueArgs]);
      let stderr = '';
      collector.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

      // The faults are timed by progress, not by the clock, so that each lands mid-sweep on a fast or a slow machine:
      // a run is stored when its job leaves Redis (the collector removes a job once its outcomes are committed).
      const watch = new Queue(QUEUE_NAME, { connection: redisOptions(parseQueueUrl(redis.url)) });
      const storedAtLeast = async (runs: number): Promise<void> => {
        let submitted = false;
        for (;;) {
          const left = Object.values(await watch.getJobCounts()).reduce((sum, count) => sum + count, 0);
          submitted ||= left > 0;
          if (submitted && 204 - left >= runs) return;
          await sleep(50);
        }
      };
      // The collector's progress bar counts the workers connected to the queue the same way.
      for (let tries = 0; (await watch.getWorkers()).length < 3; tries++) {
        assert.ok(tries < 200, 'three workers connect within 10 s');
        await sleep(50);
      }
      await storedAtLeast(20);
      workers[0].kill('SIGKILL'); // mid-job: its job is taken again once its lock expires
      await storedAtLeast(50);
      await redis.stop(); // workers and the collector reconnect
      await sleep(500);
      await redis.start();
      await storedAtLeast(80);
      collector.kill('SIGKILL'); // outcomes that arrive meanwhile wait in the queue
      await exited(collector);
      await watch.close();
      await sleep(1000);
      collector = basin(['sweep', 'run', specFile, '--store', 'queue.duckdb', ...queueArgs]);
      let resumed = '';
      collector.stderr!.on('data', (chunk: Buffer) => (resumed += chunk.toString()));
      assert.equal(await exited(collector), 0, stderr + resumed);
      // The first collector was killed mid-sweep: the second found part of it stored and did the rest.
      const already = Number(/(\d+) already stored/.exec(resumed)?.[1]);
      assert.ok(already > 0 && already < 204, `already stored when resumed: ${already}\n${resumed}`);
      console.log(`resumed with ${already} of 204 stored`);
      for (const worker of workers.slice(1)) worker.kill('SIGTERM');
      await Promise.all(workers.slice(1).map(exited));

      // Nothing left behind in Redis: every job was stored, then removed.
      const queue = new Queue(QUEUE_NAME, { connection: redisOptions(parseQueueUrl(redis.url)) });
      const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
      await queue.close();
      assert.ok(
        Object.values(counts).every((count) => count === 0),
        `jobs left in Redis: ${JSON.stringify(counts)}`,
      );

      // The same spec on the local pool.
      const local = await ResultStore.open(join(directory, 'local.duckdb'), 'write');
      await runSweep({
        spec: readSweepSpec(specFile),
        runner: trainRunner,
        store: local,
        executor: new LocalPool(2),
        codeVersion: codeVersion(),
      });
      const expected = await local.runs('faults', { weights: true });
      local.close();
      const stored = await ResultStore.open(join(directory, 'queue.duckdb'), 'read');
      const actual = await stored.runs('faults', { weights: true });
      stored.close();

      const key = (run: StoredRun) => `${run.cellHash}:${run.repetition}`;
      assert.equal(expected.length, 204);
      assert.equal(actual.length, 204, 'none missing');
      assert.equal(new Set(actual.map(key)).size, 204, 'none twice');
      const byKey = new Map(expected.map((run) => [key(run), run]));
      let failed = 0;
      for (const run of actual) {
        const reference = byKey.get(key(run))!;
        assert.equal(run.status, reference.status, key(run));
        assert.equal(run.error, reference.error, key(run));
        assert.equal(run.seed, reference.seed);
        assert.deepEqual(run.result, reference.result, `${key(run)}: bit-identical result`);
        if (run.status === 'failed') failed++;
      }
      assert.equal(failed, 68, 'the poison cell failed every time, with its error, and the rest went on');
    });
  },
);
