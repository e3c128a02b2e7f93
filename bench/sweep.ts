/**
 * Sweep throughput: runs per second of the `fig5.1 --quick` grid (200 training runs) with 1 and 2 worker threads,
 * each into a fresh result store, so the figure includes worker start-up, the DuckDB writes and the scheduling.
 *
 *   npm run build && node dist/bench/sweep.js [--workers=1,2] [--repetitions=<n>]
 *
 * `--repetitions` shrinks the grid for a smoke run (the recorded figures use the preset's 10).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fig51Preset } from '../src/reproduce/presets/fig5.1.js';
import { LocalPool } from '../src/sweep/local-pool.js';
import { runSweep } from '../src/sweep/run-sweep.js';
import { validateSweepSpec } from '../src/sweep/spec.js';
import { ResultStore } from '../src/sweep/store/result-store.js';
import { trainRunner } from '../src/sweep/train-runner.js';

const { values } = parseArgs({
  options: { workers: { type: 'string', default: '1,2' }, repetitions: { type: 'string' } },
});
const preset = fig51Preset.spec('quick');
const spec =
  values.repetitions === undefined
    ? preset
    : validateSweepSpec({ ...preset, repetitions: Number(values.repetitions) });

console.log(
  `fig5.1 --quick grid, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
);
for (const workers of values.workers.split(',').map(Number)) {
  const directory = mkdtempSync(join(tmpdir(), 'basin-bench-sweep-'));
  const store = await ResultStore.open(join(directory, 'bench.duckdb'), 'write');
  const started = performance.now();
  const report = await runSweep({
    spec,
    runner: trainRunner,
    store,
    executor: new LocalPool(workers),
    codeVersion: 'bench',
  });
  const seconds = (performance.now() - started) / 1000;
  store.close();
  rmSync(directory, { recursive: true, force: true });
  console.log(
    `workers=${workers}: ${report.done} runs (${report.failed} failed) in ${seconds.toFixed(1)} s = ${(report.done / seconds).toFixed(2)} runs/s`,
  );
}
