import { chooseBackend, type BackendChoiceRecord } from '../src/backend/select.js';
import { gaussianRandomLabels } from '../src/data/gaussian.js';
import { mlp } from '../src/model/architecture.js';
import { type BenchCase, type CaseId, rowsPerEvaluation } from './cases.js';

/** What `--backend auto` picks for each case here, recorded with the timings so a reader sees which engine ran. */
export function autoChoices(cases: readonly BenchCase[]): Partial<Record<CaseId, BackendChoiceRecord>> {
  const choices: Partial<Record<CaseId, BackendChoiceRecord>> = {};
  for (const c of cases) {
    // The choice depends on the shapes only, so a one-sample stand-in with the case's row count is enough.
    const samples = gaussianRandomLabels({ count: 1, inputDim: c.inputDim, seed: 0 });
    const architecture = mlp(c.inputDim, [c.width], 1, { kind: 'leaky-relu', slope: 0 }, true);
    choices[c.id] = chooseBackend(
      'auto',
      { architecture, loss: 'mse', samples },
      { rowsPerEvaluation: rowsPerEvaluation(c) },
    ).record;
  }
  return choices;
}
