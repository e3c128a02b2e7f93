import { Rng } from '../../src/core/rng.js';

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
