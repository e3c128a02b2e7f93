import { expandCells } from '../../src/sweep/spec.js';
import { trainRunner } from '../../src/sweep/train-runner.js';
import { SWEEP_PRESETS } from '../../src/reproduce/presets/index.js';
import type { PresetVariant } from '../../src/reproduce/presets/preset.js';
import type { ReportSection } from '../../src/report/section.js';
import { EMPTY_MEASUREMENTS } from '../../src/sweep/run-result.js';
import type { StoredRun, StoredSweep } from '../../src/sweep/store/result-store.js';
import { summariseCell, type SweepSummary } from '../../src/sweep/summary.js';

/**
 * A preset's report section over synthetic runs: every cell of the preset's spec gets `runs` runs whose MCE and
 * MSE are `error(config, repetition)`, so figures can be checked without training.
 */
export function presetSection(
  name: string,
  variant: PresetVariant,
  error: (config: Readonly<Record<string, unknown>>, repetition: number) => number,
  runs = 4,
): ReportSection {
  const preset = SWEEP_PRESETS.find((p) => p.name === name)!;
  const spec = preset.spec(variant);
  const cells = expandCells(spec, trainRunner);
  const axes = Object.keys(spec.grid ?? {});
  const success = { metric: 'mce' as const, atMost: 0 };
  const summary: SweepSummary = {
    sweep: { sweep: spec.name } as StoredSweep,
    success,
    axes,
    cells: cells.map((cell) => {
      const stored: StoredRun[] = Array.from({ length: runs }, (_, repetition) => {
        const e = error(cell.config, repetition);
        return {
          cellHash: cell.hash,
          repetition,
          seed: repetition,
          status: 'ok',
          error: null,
          durationMs: 1,
          host: 'h',
          codeVersion: 'v',
          result: { ...EMPTY_MEASUREMENTS, finalLoss: e, mse: e, mce: e },
        };
      });
      return summariseCell(cell, axes, stored, success);
    }),
  };
  return preset.section(summary)!;
}
