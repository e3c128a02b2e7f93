/**
 * A sweep in its own process, for the kill-and-resume test: `node --import tsx sweep-child.ts <store> <workers>`.
 * Prints one line per stored run so the test knows when to kill it, and a JSON summary at the end.
 */
import { LocalPool } from '../../src/sweep/local-pool.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { validateSweepSpec } from '../../src/sweep/spec.js';
import { ResultStore } from '../../src/sweep/store/result-store.js';
import { toyRunner } from './toy-runner.js';

export const childSpec = validateSweepSpec({
  name: 'resume',
  seed: 42,
  repetitions: 25,
  runner: 'toy',
  base: { busyMs: 15, failWhenSeedDivisibleBy: 5 },
  grid: { a: [0.5, 1, 2, 4] },
});

if (process.argv[1]?.endsWith('sweep-child.ts')) {
  const [storePath, workers] = process.argv.slice(2);
  const store = await ResultStore.open(storePath, 'write');
  const report = await runSweep({
    spec: childSpec,
    runner: toyRunner,
    store,
    executor: new LocalPool(Number(workers)),
    codeVersion: 'test',
    onProgress: (progress) => process.stdout.write(`stored ${progress.done}\n`),
  });
  store.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
