/**
 * The `sweep` namespace of `basin/node`: many seeded training runs over a grid of settings, run in parallel worker
 * threads and stored in a resumable DuckDB result store, then summarised per cell (success rates with confidence
 * intervals, distinct minima, certified end-point classes). `basin sweep` is this namespace on the command line.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { sweep } from 'basin/node';
 *
 * const spec = sweep.validateSweepSpec({
 *   name: 'xor-widths',
 *   seed: 1,
 *   repetitions: 3,
 *   runner: 'train',
 *   base: { dataset: 'xor', activation: 'tanh', bias: true, learningRate: 0.05, epochs: 200 },
 *   grid: { width: [2, 4] },
 * });
 * const store = await sweep.ResultStore.open(join(mkdtempSync(join(tmpdir(), 'basin-')), 'runs.duckdb'), 'write');
 * const report = await sweep.runSweep({
 *   spec,
 *   runner: sweep.trainRunner,
 *   store,
 *   executor: new sweep.LocalPool(2),
 *   codeVersion: sweep.codeVersion(),
 * });
 * const summary = await sweep.summariseSweep(store, 'xor-widths');
 * store.close();
 * console.log(report.done, summary.cells.map((cell) => cell.axes.width)); // 6 [2, 4]
 * ```
 */
export {
  expandCells,
  MAX_SEED,
  parseSweepSpec,
  readSweepSpec,
  type SuccessCriterion,
  type SweepCell,
  type SweepSpec,
  validateSweepSpec,
  varyingKeys,
} from './spec.js';
export type { LockstepRunFunction, RunFunction, RunOptions, RunResult, RunWeights } from './run-result.js';
export type { Runner } from './runner.js';
export { RUNNERS } from './runners.js';
export { type TrainRunConfig, trainRunConfigSchema, trainRunner } from './train-runner.js';
export type { Executor, RunGroup, RunTask } from './executor.js';
export { LocalPool } from './local-pool.js';
export {
  runSeed,
  runSweep,
  type RunSweepOptions,
  type SweepProgress,
  type SweepReport,
} from './run-sweep.js';
export {
  migrateStore,
  ResultStore,
  type RunOutcome,
  type StoredCell,
  type StoredRun,
  type StoredSweep,
  type StoreMode,
} from './store/result-store.js';
export { codeVersion } from './code-version.js';
export { type CellSummary, type Moments, summariseSweep, type SweepSummary } from './summary.js';
export { type DistinctMinimum, distinctMinima, type EndPoint } from './minima.js';
export { type EndPointClassification, endPointClassOf } from '../run/end-point-class.js';
export { specFromCell } from './cell-spec.js';
export { mean, median, proportion, type Proportion, standardDeviation, Z_95 } from '../core/statistics.js';
