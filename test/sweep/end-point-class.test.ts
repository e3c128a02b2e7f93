import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mlp } from '../../src/model/architecture.js';
import { writeReport } from '../../src/report/write-report.js';
import { certificationNote, formatSummaryTable } from '../../src/report/summary-table.js';
import {
  polishBudgetFor,
  polishIterationWork,
  SWEEP_CERTIFY_DEFAULTS,
} from '../../src/run/certify-end-point.js';
import { type CertificateSummary, classifyEndPoint, endPointClassOf } from '../../src/run/end-point-class.js';
import { LocalPool } from '../../src/sweep/local-pool.js';
import { EMPTY_MEASUREMENTS, type RunResult } from '../../src/sweep/run-result.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { validateSweepSpec } from '../../src/sweep/spec.js';
import { proportion } from '../../src/core/statistics.js';
import { ResultStore } from '../../src/sweep/store/result-store.js';
import { summariseSweep } from '../../src/sweep/summary.js';
import { trainRunner } from '../../src/sweep/train-runner.js';

const base: CertificateSummary = {
  verdict: 'global',
  rule: 'zero-loss',
  strength: 'proved',
  polish: 'converged',
  loss: 1e-30,
  relativeGradient: 1e-16,
  nearKinkCount: 0,
};
const classOf = (fields: Partial<CertificateSummary>) =>
  classifyEndPoint({ certificate: { ...base, ...fields } });

describe('the end-point classification', () => {
  it('puts each verdict, rule and strength in its class', () => {
    assert.equal(classOf({}).class, 'global');
    assert.equal(classOf({ rule: 'known-optimum', loss: 0.5 }).class, 'global');
    const dead = classOf({ verdict: 'local-min', rule: 'constant-output', loss: 0.75 });
    assert.equal(dead.class, 'sub-optimal-min');
    assert.match(dead.why, /constant-output rule with loss above the zero-loss threshold \(L = 7\.50e-1/);
    const kinkMin = classOf({ verdict: 'local-min', rule: 'convex-pieces', loss: 0.9, nearKinkCount: 3 });
    assert.equal(kinkMin.class, 'sub-optimal-min');
    assert.match(kinkMin.why, /on a kink \(3 kinked pre-activations\)/);
    const lanczos = classOf({ verdict: 'local-min', rule: 'lanczos', strength: 'estimated', loss: 0.2 });
    assert.equal(lanczos.class, 'inconclusive', 'a Lanczos estimate is not a proof');
    assert.equal(classOf({ verdict: 'saddle', rule: 'second-order', loss: 0.3 }).class, 'saddle');
    assert.equal(classOf({ verdict: 'saddle', rule: 'lanczos', loss: 0.3 }).class, 'saddle');
    const kink = classOf({
      verdict: 'non-differentiable',
      rule: 'kink-undecided',
      strength: 'undecided',
      nearKinkCount: 7,
      explanation: 'the exact kink test does not apply: depth 2',
    });
    assert.equal(kink.class, 'kink');
    assert.match(
      kink.why,
      /7 kinked pre-activations\), rule kink-undecided: the exact kink test does not apply/,
    );
    assert.equal(
      classOf({ verdict: 'degenerate', rule: 'second-order', strength: 'undecided' }).class,
      'inconclusive',
    );
    const slow = classOf({ verdict: 'not-critical', rule: 'gradient', polish: 'max-iterations', loss: 0.1 });
    assert.equal(slow.class, 'not-converged');
    assert.match(slow.why, /stop: max-iterations/);
    const failed = classifyEndPoint({ certificateError: 'ConvergenceError: QL did not converge' });
    assert.deepEqual(failed, {
      class: 'not-converged',
      why: 'certification failed: ConvergenceError: QL did not converge',
    });
  });

  it('reads a run: the stored class first, else extra.certificate, else null (never certified)', () => {
    const result = (fields: Partial<RunResult>): RunResult => ({
      ...EMPTY_MEASUREMENTS,
      finalLoss: 1,
      mse: 1,
      ...fields,
    });
    assert.equal(endPointClassOf(result({})), null);
    assert.equal(endPointClassOf(result({ extra: { stopReason: 'max-epochs' } })), null);
    assert.equal(
      endPointClassOf(
        result({ extra: { certificate: { ...base, verdict: 'saddle', rule: 'second-order' } } }),
      ),
      'saddle',
    );
    assert.equal(endPointClassOf(result({ extra: { certificateError: 'Error: x' } })), 'not-converged');
    assert.equal(endPointClassOf(result({ endPointClass: 'kink', extra: { certificate: base } })), 'kink');
  });

  it('cuts the polishing iterations to the work budget, Newton set aside first, never below the floor', () => {
    const point = (N: number, d0: number, width: number) => ({
      architecture: mlp(d0, [width], 1, { kind: 'leaky-relu', slope: 0 }, true),
      samples: { count: N } as never,
    });
    const settings = {
      ...SWEEP_CERTIFY_DEFAULTS,
      polishWork: 1e6,
      polishIterations: 100,
      newtonIterations: 20,
    };
    // P = (4 + 1)·4 + 4 + 1 = 25, m = 8: 8·25·8 = 1600 per iteration, 625 fit: the caps apply.
    assert.equal(polishIterationWork(point(8, 4, 4)), 1600);
    assert.deepEqual(polishBudgetFor(settings, point(8, 4, 4)), { iterations: 100, newtonIterations: 20 });
    // m = 100: 100·25·25 = 62 500 per iteration, 16 fit: no room for 20 Newton iterations, 16 LM ones.
    assert.deepEqual(polishBudgetFor(settings, point(100, 4, 4)), { iterations: 16, newtonIterations: 0 });
    // m = 12: 12·25·12 = 3600, 277 fit: 20 Newton iterations (counted as 10 each) and the 77 LM iterations left.
    assert.deepEqual(polishBudgetFor(settings, point(12, 4, 4)), { iterations: 77, newtonIterations: 20 });
    // m = 16: 16·25·16 = 6400, 156 fit: too few for 200 + 10, so no Newton and 100 LM iterations.
    assert.deepEqual(polishBudgetFor(settings, point(16, 4, 4)), { iterations: 100, newtonIterations: 0 });
    // P = 4·100 + 100 + 100 + 1 = 601 > 400: polishing has no Newton fallback there, so none is set aside.
    assert.deepEqual(polishBudgetFor(settings, point(1, 4, 100)), { iterations: 100, newtonIterations: 0 });
    // P = 121, m = 484: 484·121·121 = 7 086 244 per iteration: none fit, so the floor (10 by default).
    assert.deepEqual(polishBudgetFor(settings, point(484, 10, 10)), { iterations: 10, newtonIterations: 0 });
    assert.equal(polishBudgetFor({ ...settings, minPolishIterations: 3 }, point(484, 10, 10)).iterations, 3);
    // No work budget: the settings as they are (certify: true).
    assert.deepEqual(polishBudgetFor({ ...settings, polishWork: undefined }, point(484, 10, 10)), {
      iterations: 100,
      newtonIterations: 20,
    });
  });
});

describe('a sweep certifies its end points by default', () => {
  const small = { N: 8, d0: 4, width: 4, bias: true, learningRate: 0.02, optimiser: 'adam' };

  it('classifies runs whose class is known by construction, stores the class and reports it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'basin-classes-'));
    const store = await ResultStore.open(join(directory, 'c.duckdb'), 'write');
    const spec = validateSweepSpec({
      name: 'classes',
      seed: 9,
      repetitions: 3,
      success: { metric: 'mse', atMost: 1e-6 },
      base: { ...small, epochs: 300 },
      cells: [
        // Every ReLU dead on the data (biases −100): the output is constant near θ, so once polishing has fitted
        // the output bias to the mean label the point is a proved local minimum with loss > 0 (constant-output).
        { init: 'gaussian', initMean: 0, initStd: 0.01, initBiasMean: -100 },
        // A linear net on 3 samples in ℝ⁴ fits any labels: a global minimum with zero loss.
        { N: 3, activation: 'linear' },
        // No training and one polishing iteration on 120 samples: not critical when the budget is spent.
        { N: 120, epochs: 0, certify: { polishIterations: 1 } },
        // Opted out: trained, not certified.
        { certify: false },
      ],
    });
    const report = await runSweep({
      spec,
      runner: trainRunner,
      store,
      executor: new LocalPool(2),
      codeVersion: 't',
    });
    assert.equal(report.failed, 0);
    const runs = await store.runs('classes');
    const summary = await summariseSweep(store, 'classes');
    const written = await writeReport(store, join(directory, 'out'));
    store.close();

    const [dead, linear, stuck, optedOut] = summary.cells;
    const count = (cell: (typeof summary.cells)[number]) =>
      Object.fromEntries(Object.entries(cell.classes).map(([c, p]) => [c, p.successes]));
    const none = { global: 0, 'sub-optimal-min': 0, saddle: 0, kink: 0, inconclusive: 0, 'not-converged': 0 };
    assert.deepEqual(count(dead), { ...none, 'sub-optimal-min': 3 });
    assert.deepEqual(dead.classes['sub-optimal-min'], proportion(3, 3));
    assert.deepEqual(count(linear), { ...none, global: 3 });
    assert.deepEqual(count(stuck), { ...none, 'not-converged': 3 });
    assert.deepEqual([stuck.undecided.successes, stuck.undecided.trials], [3, 3]);
    assert.deepEqual([optedOut.certified, optedOut.classes.global.trials], [0, 0]);
    // The class is a stored column (schema version 3), the same as the classification of the stored certificate.
    for (const run of runs) {
      const result = run.result!;
      const optOut = run.cellHash === optedOut.cell.hash;
      assert.equal(
        result.endPointClass,
        optOut ? undefined : endPointClassOf({ ...result, endPointClass: null }),
      );
    }
    // The dead runs are stuck far above zero (loss ≫ the threshold), yet certified as minima, not as slow runs.
    assert.ok(dead.mse.median! > 1, `dead-net MSE ${dead.mse.median}`);
    const stuckCertificate = runs.find((r) => r.cellHash === stuck.cell.hash)!.result!.extra!.certificate as {
      polish: string;
      polishIterations: number;
    };
    assert.deepEqual([stuckCertificate.polish, stuckCertificate.polishIterations], ['max-iterations', 1]);

    const table = formatSummaryTable(summary);
    assert.match(table, /sub-optimal minima \(certified\) \[95% CI\]/);
    assert.match(table, /not mse ≤ 0\.000001 \[95% CI\]/);
    assert.match(table, /sub-optimal-min 3/);
    assert.match(table, /certified end points\n/);
    assert.match(table, /100% \(3\) \[43\.9%, 100%\]/, 'count and Wilson interval of 3 of 3');
    const note = certificationNote(summary);
    assert.equal(
      note?.split('. "')[0],
      'End points certified: 9 of 12 finished runs. Decided: global 3, sub-optimal-min 3, saddle 0. ' +
        'Undecided: 33.3% (3 of 9): kink 0, inconclusive 0, not-converged 3',
    );
    const html = readFileSync(written.html, 'utf8');
    assert.match(html, /<th>sub-optimal minima \(certified\) \[95% CI\]<\/th>/);
    assert.match(html, /<th>not-converged \[95% CI\]<\/th>/);
    assert.match(html, /End points certified: 9 of 12 finished runs/);
  });
});
