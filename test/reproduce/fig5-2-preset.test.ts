import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIG52_DEFAULTS } from '../../src/reproduce/fig5-2.js';
import { fig52Preset } from '../../src/reproduce/presets/fig5.2.js';
import { EMPTY_MEASUREMENTS, type RunResult } from '../../src/sweep/run-result.js';
import { expandCells } from '../../src/sweep/spec.js';
import type { StoredRun, StoredSweep } from '../../src/sweep/store/result-store.js';
import { summariseCell, type SweepSummary } from '../../src/sweep/summary.js';
import { trainRunner } from '../../src/sweep/train-runner.js';

/** A stored run with the given trained MSE and kink margin, and a certificate (or a certification error). */
function stored(repetition: number, mse: number, margin: number | null, certified: boolean): StoredRun {
  const result: RunResult = {
    ...EMPTY_MEASUREMENTS,
    finalLoss: mse,
    mse,
    mce: 0,
    kinkMargin: margin,
    verdict: certified ? 'global' : null,
    extra: certified
      ? { certificate: { verdict: 'global', mse: mse / 2, hessianZero: 90 } }
      : { certificateError: 'ConvergenceError: test' },
  };
  return {
    cellHash: 'c10',
    repetition,
    seed: repetition,
    status: 'ok',
    error: null,
    durationMs: 1,
    host: 'test',
    codeVersion: 't',
    result,
  };
}

describe('the fig5.2 sweep preset', () => {
  it('runs the standalone defaults with certificates, N = ⌊d²/5⌋ per d, success = MSE ≤ 1e-7', () => {
    const spec = fig52Preset.spec('quick');
    assert.equal(spec.repetitions, FIG52_DEFAULTS.quick.repeats);
    assert.deepEqual(spec.success, { metric: 'mse', atMost: 1e-7 });
    const cells = expandCells(spec, trainRunner);
    assert.deepEqual(
      cells.map((cell) => [cell.config.d0, cell.config.N]),
      FIG52_DEFAULTS.quick.dimensions.map((d) => [d, Math.floor((d * d) / 5)]),
    );
    for (const cell of cells) {
      assert.equal(cell.config.bias, false);
      assert.equal(cell.config.learningRate, FIG52_DEFAULTS.learningRate);
      assert.equal(cell.config.epochs, FIG52_DEFAULTS.holdEpochs);
      assert.equal(cell.config.decayEpochs, FIG52_DEFAULTS.decayEpochs);
      assert.deepEqual(cell.config.certify, {
        probes: 0,
        region: false,
        denseLimit: 1000,
        polishIterations: 200,
      });
    }
    assert.equal(fig52Preset.ownCommand, true);
    assert.deepEqual(fig52Preset.spec('full').cells?.length, FIG52_DEFAULTS.full.dimensions.length);
  });

  it("counts runs inside, below and above the paper's ranges and lists the certificates per d", () => {
    const config = { d0: 10, N: 20, bias: false };
    const cell = summariseCell(
      { hash: 'c10', index: 0, config },
      [],
      [stored(0, 0, 2e-3, true), stored(1, 5e-32, 5e-4, true), stored(2, 1e-5, 0.5, false)],
      { metric: 'mse', atMost: 1e-7 },
    );
    const summary: SweepSummary = {
      sweep: { sweep: 'fig5.2-quick' } as StoredSweep,
      success: { metric: 'mse', atMost: 1e-7 },
      axes: [],
      cells: [cell],
    };
    const section = fig52Preset.section(summary)!;
    const [row] = section.tables[0].rows;
    const column = (name: string) => row[section.tables[0].headers.findIndex((h) => h.startsWith(name))];
    assert.equal(column('P'), '110');
    assert.equal(column('final MSE in'), '0 / 2 / 1', 'MSE 0 and 5e-32 are below 1e-31, 1e-5 is above 1e-7');
    assert.equal(column('min|wᵢᵀxₙ| in'), '2 / 1 / 0');
    assert.equal(column('certificates'), 'global 2, failed 1');
    assert.equal(column('polished MSE median'), '1.25e-32');
    assert.equal(column('zero eigenvalues'), '90; 90');
    const mse = section.figures[0];
    assert.match(mse.caption, /exactly 0 is drawn at 1\.00e-40 \(1 run\(s\)\)/);
    assert.equal(fig52Preset.section({ ...summary, sweep: { sweep: 'other' } as StoredSweep }), undefined);
  });
});
