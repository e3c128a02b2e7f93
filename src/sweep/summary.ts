import { architectureFromJson } from '../io/weights-file.js';
import {
  DECIDED_CLASSES,
  END_POINT_CLASSES,
  type EndPointClass,
  endPointClassOf,
} from '../run/end-point-class.js';
import { distinctMinima } from './minima.js';
import type { RunResult } from './run-result.js';
import { type SuccessCriterion, varyingKeys } from './spec.js';
import { mean, median, type Proportion, proportion, standardDeviation } from '../core/statistics.js';
import { MINIMA_MERGE_TOLERANCE } from '../core/tolerances.js';
import type { ResultStore, StoredCell, StoredRun, StoredSweep } from './store/result-store.js';

export interface Moments {
  readonly mean: number | null;
  readonly std: number | null;
  readonly median: number | null;
  readonly count: number;
}

export interface CellSummary {
  readonly cell: StoredCell;
  /** The cell's values of the sweep's varying settings, e.g. `{ N: 64, depth: 2 }`. */
  readonly axes: Readonly<Record<string, unknown>>;
  readonly runs: number;
  readonly failed: number;
  readonly mce: Moments;
  readonly mse: Moments;
  readonly finalLoss: Moments;
  /** Finished runs that meet the sweep's success criterion (e.g. zero training error). */
  readonly success: Proportion;
  /** Finished runs that do not: sub-optimal end points. */
  readonly suboptimal: Proportion;
  /** Finished runs whose network output is constant over the data; null when no run measured it. */
  readonly constantOutput: Proportion | null;
  /** Distinct end points up to symmetry, with multiplicities (largest first); null when weights were not kept. */
  readonly minima: readonly number[] | null;
  /** Certificate verdicts of the finished runs that were certified, e.g. `{ global: 28, 'local-min': 2 }`. */
  readonly verdicts: Readonly<Record<string, number>>;
  /**
   * Certified end points by class (end-point-class.ts), each a proportion of the certified runs with its Wilson 95%
   * interval; `classes['sub-optimal-min']` is the fraction of proved sub-optimal local minima.
   */
  readonly classes: Readonly<Record<EndPointClass, Proportion>>;
  /** Finished runs with a class (certified, or whose certification failed: `not-converged`). */
  readonly certified: number;
  /** Certified runs the certificate did not decide: kink, inconclusive and not-converged together. */
  readonly undecided: Proportion;
  /** Finished runs whose certification failed (`extra.certificateError`, see run-result.ts). */
  readonly certificateFailures: number;
  /** Finished runs by the backend that computed them, e.g. `{ reference: 30 }`; empty when no run said. */
  readonly backends: Readonly<Record<string, number>>;
  /** Finished runs that were trained in lock-step with others (batched restarts, `lockstepRuns` > 1). */
  readonly lockstepRuns: number;
  /** The finished runs' results in repetition order, for sections that need per-run values (ranges, scatter). */
  readonly results: readonly RunResult[];
}

export interface SweepSummary {
  readonly sweep: StoredSweep;
  readonly success: SuccessCriterion;
  /** The settings that differ between cells. */
  readonly axes: readonly string[];
  readonly cells: readonly CellSummary[];
}

/** Per-cell statistics of one stored sweep. */
export async function summariseSweep(
  store: ResultStore,
  name: string,
  minimaTolerance = MINIMA_MERGE_TOLERANCE,
): Promise<SweepSummary> {
  const sweep = (await store.sweeps()).find((s) => s.sweep === name);
  if (sweep === undefined) throw new Error(`no sweep named "${name}" in ${store.path}`);
  const cells = await store.cells(name);
  const runs = await store.runs(name, { weights: sweep.spec.keepWeights === true });
  const success = (sweep.spec.success ?? { metric: 'mce', atMost: 0 }) as SuccessCriterion;
  const axes = varyingKeys(cells);
  const byCell = new Map<string, StoredRun[]>();
  for (const run of runs) byCell.set(run.cellHash, [...(byCell.get(run.cellHash) ?? []), run]);
  return {
    sweep,
    success,
    axes,
    cells: cells.map((cell) =>
      summariseCell(cell, axes, byCell.get(cell.hash) ?? [], success, minimaTolerance),
    ),
  };
}

export function summariseCell(
  cell: StoredCell,
  axes: readonly string[],
  runs: readonly StoredRun[],
  success: SuccessCriterion,
  minimaTolerance = MINIMA_MERGE_TOLERANCE,
): CellSummary {
  const finished = runs.filter((run) => run.result !== null).map((run) => ({ run, result: run.result! }));
  const results = finished.map((f) => f.result);
  const values = (pick: (r: RunResult) => number | null): number[] =>
    results.map(pick).filter((v): v is number => v !== null);
  const met = results.filter((r) => meets(r, success)).length;
  const constant = results.filter((r) => r.constantOutput !== null);
  const withWeights = finished.filter((f) => f.result.weights !== undefined);
  const verdicts: Record<string, number> = {};
  for (const r of results) if (r.verdict !== null) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
  const classified = results.map(endPointClassOf).filter((c): c is EndPointClass => c !== null);
  const classCount = (wanted: EndPointClass): number => classified.filter((c) => c === wanted).length;
  const decided = classified.filter((c) => DECIDED_CLASSES.includes(c)).length;
  const backends: Record<string, number> = {};
  for (const r of results) {
    if (r.backend !== undefined && r.backend !== null) backends[r.backend] = (backends[r.backend] ?? 0) + 1;
  }
  return {
    cell,
    axes: Object.fromEntries(axes.map((axis) => [axis, cell.config[axis]])),
    runs: runs.length,
    failed: runs.length - finished.length,
    mce: moments(values((r) => r.mce)),
    mse: moments(values((r) => r.mse)),
    finalLoss: moments(values((r) => r.finalLoss)),
    success: proportion(met, results.length),
    suboptimal: proportion(results.length - met, results.length),
    constantOutput:
      constant.length === 0
        ? null
        : proportion(constant.filter((r) => r.constantOutput).length, constant.length),
    minima:
      withWeights.length === 0
        ? null
        : distinctMinima(
            architectureFromJson(withWeights[0].result.weights!.architecture),
            withWeights.map((f) => ({
              id: String(f.run.repetition),
              loss: f.result.finalLoss,
              theta: f.result.weights!.theta,
            })),
            minimaTolerance,
          ).map((m) => m.multiplicity),
    verdicts,
    classes: Object.fromEntries(
      END_POINT_CLASSES.map((c) => [c, proportion(classCount(c), classified.length)]),
    ) as Record<EndPointClass, Proportion>,
    certified: classified.length,
    undecided: proportion(classified.length - decided, classified.length),
    certificateFailures: results.filter((r) => typeof r.extra?.certificateError === 'string').length,
    backends,
    lockstepRuns: results.filter((r) => (r.lockstepRuns ?? 1) > 1).length,
    results,
  };
}

/** Whether a result meets the criterion; a missing metric (e.g. no MCE for regression) never does. */
export function meets(result: RunResult, criterion: SuccessCriterion): boolean {
  const value =
    criterion.metric === 'mce' ? result.mce : criterion.metric === 'mse' ? result.mse : result.finalLoss;
  return value !== null && value <= criterion.atMost;
}

function moments(values: readonly number[]): Moments {
  return { mean: mean(values), std: standardDeviation(values), median: median(values), count: values.length };
}
