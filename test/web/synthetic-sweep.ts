import { Rng } from '../../src/core/rng.js';
import { EMPTY_MEASUREMENTS } from '../../src/sweep/run-result.js';
import { expandCells, validateSweepSpec } from '../../src/sweep/spec.js';
import { ResultStore } from '../../src/sweep/store/result-store.js';
import { trainRunner } from '../../src/sweep/train-runner.js';

/**
 * A synthetic sweep export with the columns of the result store's flat `runs` table, for tests of the results
 * browser. The numbers are made up (seeded): over-parameterised cells (d0·d1 ≥ N) mostly reach tiny losses, the
 * others mostly do not, so a phase diagram has something to show. Not a measurement of anything.
 */
export function syntheticSweepRows(
  widths: readonly number[],
  counts: readonly number[],
  repetitions: number,
): Record<string, unknown>[] {
  const rng = new Rng(2024);
  const rows: Record<string, unknown>[] = [];
  let cellIndex = 0;
  for (const n of counts) {
    for (const d1 of widths) {
      const config = { data: { kind: 'gaussian', N: n, d0: 8 }, model: { d1, activation: 'relu' } };
      const overParameterised = 8 * d1 >= n;
      for (let repetition = 0; repetition < repetitions; repetition++) {
        const solved = rng.uniform() < (overParameterised ? 0.9 : 0.1);
        const finalLoss = solved ? 10 ** (-12 + 4 * rng.uniform()) : 10 ** (-1.5 + rng.uniform());
        const failed = rng.uniform() < 0.01;
        rows.push({
          sweep: 'synthetic',
          cell_hash: `cell${cellIndex}`,
          repetition,
          seed: 1000 * cellIndex + repetition,
          status: failed ? 'failed' : 'ok',
          error: failed ? 'diverged' : null,
          duration_ms: 10,
          host: 'test',
          worker: 0,
          code_version: 'test',
          cell_index: cellIndex,
          config_json: JSON.stringify(config),
          final_loss: failed ? null : finalLoss,
          mse: failed ? null : finalLoss,
          mce: failed ? null : solved ? 0 : 0.1 + 0.2 * rng.uniform(),
          gradient_norm: failed ? null : 1e-9,
          kink_margin: failed ? null : 1e-2,
          min_eigenvalue: failed ? null : solved ? 0 : -1e-3,
          max_eigenvalue: failed ? null : 12.5,
          morse_index: failed ? null : solved ? 0 : 1,
          verdict: failed ? null : solved ? 'global' : 'saddle',
          iterations: 500,
          constant_output: false,
          extra_json: null,
        });
      }
      cellIndex++;
    }
  }
  return rows;
}

/** One sweep of a synthetic store: its name and grid (the `train` runner's flat keys). */
export interface SyntheticSweep {
  readonly name: string;
  readonly base: Readonly<Record<string, unknown>>;
  readonly grid: Readonly<Record<string, readonly unknown[]>>;
  readonly repetitions: number;
}

/**
 * Two sweeps as a preset store holds them, with the traps of issue 16: N listed out of numeric order (the cells'
 * order in the store and in `runs.parquet`), and activation names of different lengths on an axis.
 */
export const TWO_SWEEPS: readonly SyntheticSweep[] = [
  {
    name: 'fig-n',
    base: { dataset: 'gaussian', d0: 4, learningRate: 0.01, epochs: 10 },
    grid: { N: [12, 21, 80, 96, 20, 42], width: [1, 2, 4, 8] },
    repetitions: 3,
  },
  {
    name: 'jelly-activations',
    base: { dataset: 'jellyfish', learningRate: 0.1, epochs: 10, bias: true },
    grid: { activation: ['sigmoid', 'relu', 'leaky-relu:0.1', 'tanh'], width: [2, 3, 7] },
    repetitions: 2,
  },
];

/**
 * A result store holding `sweeps`, written through the store's own API with made-up (seeded) measurements, so the
 * explorer's tests read exactly what `basin results --export` and `basin serve --store` see. Not a measurement.
 */
export async function writeSyntheticStore(path: string, sweeps: readonly SyntheticSweep[]): Promise<void> {
  const rng = new Rng(16);
  const store = await ResultStore.open(path, 'write');
  try {
    for (const sweep of sweeps) {
      const spec = validateSweepSpec({
        name: sweep.name,
        seed: 1,
        repetitions: sweep.repetitions,
        runner: 'train',
        base: sweep.base,
        grid: sweep.grid,
      });
      const cells = expandCells(spec, trainRunner);
      await store.registerSweep(spec, cells, 'synthetic');
      const recorded: Promise<void>[] = [];
      for (const cell of cells) {
        for (let repetition = 0; repetition < sweep.repetitions; repetition++) {
          const solved = rng.uniform() < 0.5;
          const finalLoss = solved ? 10 ** (-12 + 4 * rng.uniform()) : 10 ** (-1.5 + rng.uniform());
          recorded.push(
            store.record(
              sweep.name,
              {
                cellHash: cell.hash,
                repetition,
                seed: 1000 * cell.index + repetition,
                status: 'ok',
                error: null,
                startedAt: Date.UTC(2026, 0, 1),
                durationMs: 5,
                host: 'test',
                worker: 0,
                result: {
                  ...EMPTY_MEASUREMENTS,
                  finalLoss,
                  mse: finalLoss,
                  mce: solved ? 0 : 0.25,
                  verdict: solved ? 'global' : 'saddle',
                  iterations: 10,
                },
              },
              'synthetic',
            ),
          );
        }
      }
      await Promise.all(recorded);
    }
  } finally {
    store.close();
  }
}
