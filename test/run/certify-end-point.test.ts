import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certify } from '../../src/certify/certificate.js';
import { polish } from '../../src/certify/polish.js';
import { ConvergenceError } from '../../src/core/linalg/index.js';
import { deriveSeed } from '../../src/core/rng.js';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { teacherDataset } from '../../src/data/teacher.js';
import { mlp, parameterCount } from '../../src/model/architecture.js';
import { denseHessian } from '../../src/model/hessian.js';
import { initialise } from '../../src/model/init.js';
import { formatSummaryTable } from '../../src/report/summary-table.js';
import {
  certificateFields,
  certifyEndPoint,
  certifySettingsSchema,
  SWEEP_CERTIFY_DEFAULTS,
} from '../../src/run/certify-end-point.js';
import { configHash } from '../../src/sweep/config-hash.js';
import type { RunResult } from '../../src/sweep/run-result.js';
import { expandCells, validateSweepSpec } from '../../src/sweep/spec.js';
import { summariseCell } from '../../src/sweep/summary.js';
import { run } from '../../src/sweep/train-run.js';
import { trainRunConfigSchema, trainRunner } from '../../src/sweep/train-runner.js';
import { pythonSkipReason, withPython } from '../certify/python-oracle.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;

/** A Fig. 5.2 cell at d = 8 (N = ⌊d²/5⌋ = 12, no biases, Adam 1000 + 1000 epochs): about 0.2 s per run. */
const fig52 = {
  dataset: 'gaussian',
  N: 12,
  d0: 8,
  width: 'd0',
  bias: false,
  optimiser: 'adam',
  learningRate: 0.01,
  epochs: 1000,
  decayEpochs: 1000,
} as const;

interface CertificateExtra {
  verdict: string;
  rule: string;
  strength: string;
  polish: string;
  loss: number;
  mse: number;
  mce: number | null;
  gradientNorm: number;
  relativeGradient: number;
  kinkMargin: number | null;
  spectrum: string;
  hessianNegative: number;
  hessianZero: number;
  hessianPositive: number;
  minEigenvalue: number;
  maxEigenvalue: number;
}

const certificateOf = (result: RunResult): CertificateExtra =>
  (result.extra as { certificate: CertificateExtra }).certificate;

describe('the train runner with certify', async () => {
  const plain = await run({ ...fig52, certify: false }, 3, { keepWeights: true });
  const certified = await run({ ...fig52, certify: true }, 3, { keepWeights: true });
  const c = certificateOf(certified);
  const P = parameterCount(mlp(8, [8], 1, relu, false));

  it('keeps the trained end point in the loss, MSE, gradient and kink-margin columns', async () => {
    for (const key of ['finalLoss', 'mse', 'mce', 'gradientNorm', 'kinkMargin', 'iterations'] as const) {
      assert.equal(certified[key], plain[key], key);
    }
    assert.deepEqual(certified.weights, plain.weights);
    assert.equal(plain.verdict, null);
    assert.equal((plain.extra as Record<string, unknown>).certificate, undefined);
  });

  it('certifies a Fig. 5.2 end point as a proved global minimum with a PSD Hessian of ≥ P − N zeros', async () => {
    assert.equal(certified.verdict, 'global');
    assert.deepEqual(
      [c.rule, c.strength, c.polish, c.spectrum],
      ['zero-loss', 'proved', 'converged', 'dense'],
    );
    assert.ok(c.loss <= certified.finalLoss, `polishing never climbs: ${c.loss} vs ${certified.finalLoss}`);
    assert.ok(c.loss < 1e-25 && c.mse === c.loss, `polished MSE ${c.mse}`);
    assert.equal(c.mce, 0);
    assert.ok(c.relativeGradient <= 1e-12);
    assert.ok(c.kinkMargin !== null && c.kinkMargin > 1e-6, `kink margin ${c.kinkMargin}`);
    assert.equal(c.hessianNegative + c.hessianZero + c.hessianPositive, P);
    assert.equal(c.hessianNegative, 0);
    assert.ok(c.hessianZero >= P - 12, `${c.hessianZero} zero eigenvalues`);
    assert.equal(certified.minEigenvalue, c.minEigenvalue);
    assert.equal(certified.maxEigenvalue, c.maxEigenvalue);
    assert.equal(certified.morseIndex, null, 'only a saddle states a Morse index');
  });

  it('stores what certify() says about the same point, called directly', async () => {
    const architecture = mlp(8, [8], 1, relu, false);
    const samples = runSamples(3);
    const direct = certify(architecture, 'mse', plain.weights!.theta, samples, { labelEncoding: 'pm1' });
    assert.equal(c.verdict, direct.verdict);
    assert.equal(c.loss, direct.lossValue);
    assert.equal(c.gradientNorm, direct.gradientNorm);
    assert.equal(c.kinkMargin, direct.kinks.minAbsPreActivation);
  });

  it('has the extreme eigenvalues numpy finds at the polished point', { skip: pythonSkipReason() }, () => {
    const architecture = mlp(8, [8], 1, relu, false);
    const samples = runSamples(3);
    const polished = polish(architecture, 'mse', Float64Array.from(plain.weights!.theta), samples);
    const hessian = denseHessian(architecture, 'mse', polished.theta, samples);
    const [low, high] = withPython<number[]>(
      { h: hessian },
      `
import sys, json, numpy as np
w = np.linalg.eigvalsh(np.fromfile(sys.argv[1] + '/h.bin').reshape(${P}, ${P}))
print(json.dumps([w[0], w[-1]]))
`,
    );
    const tolerance = 20 * P * Number.EPSILON * Math.abs(high);
    assert.ok(Math.abs(c.minEigenvalue - low) <= tolerance, `${c.minEigenvalue} vs ${low}`);
    assert.ok(Math.abs(c.maxEigenvalue - high) <= tolerance, `${c.maxEigenvalue} vs ${high}`);
  });

  it('certifies sub-optimal Jellyfish end points as local minima at kinks (ReLU, h = 2, GD)', async () => {
    const jellyfish = {
      dataset: 'jellyfish',
      width: 2,
      activation: 'relu',
      bias: true,
      optimiser: 'gd',
      learningRate: 0.1,
      epochs: 2000,
      certify: true,
    };
    const result = await run(jellyfish, 1, { keepWeights: false });
    const j = certificateOf(result);
    assert.equal(result.mce, 0.5);
    assert.deepEqual([result.verdict, j.rule, j.strength], ['local-min', 'convex-pieces', 'proved']);
    assert.ok(j.loss <= result.finalLoss && j.loss > 0.8, `polished loss ${j.loss}`);
    // A minimum on a kink: the one-sided Hessian (a(0) = ρ) has a negative eigenvalue, which is why the column
    // does not call it a Morse index.
    assert.ok(j.hessianNegative > 0 && result.morseIndex === null);
  });
});

describe('certificate fields', () => {
  it("report a saddle's Morse index (the purpose-built saddle of test/certify/certificate.test.ts)", async () => {
    const data = teacherDataset({
      count: 40,
      teacher: mlp(2, [2], 1, relu, true),
      seed: 11,
      target: 'regression',
    });
    const one = mlp(2, [1], 1, relu, true);
    const t = polish(one, 'mse', initialise(one, { kind: 'pytorch' }, 0) as Float64Array, data).theta;
    const theta = Float64Array.from([t[0], t[1], 0, 0, t[2], 1, t[3], 0, t[4]]);
    const fields = certificateFields(
      certify(mlp(2, [2], 1, relu, true), 'mse', theta, data, { polish: false }),
    );
    assert.deepEqual([fields.columns.verdict, fields.columns.morseIndex], ['saddle', 1]);
    assert.ok(fields.columns.minEigenvalue! < 0);

    // The sweep default computes the spectrum only where it decides: here it does (a smooth critical point above
    // zero loss), so the second pass gives the same saddle with the same Hessian extremes.
    const point = { architecture: mlp(2, [2], 1, relu, true), loss: 'mse' as const, samples: data };
    const needed = certifyEndPoint({ ...point, theta, labelEncoding: undefined }, SWEEP_CERTIFY_DEFAULTS);
    assert.equal(SWEEP_CERTIFY_DEFAULTS.spectrum, 'when-needed');
    assert.deepEqual(needed.columns, { ...fields.columns, endPointClass: 'saddle' });
    const c = (needed.extra as { certificate: CertificateExtra }).certificate;
    assert.deepEqual([c.spectrum, c.polish], ['dense', 'converged']);
  });

  it('skip the spectrum by default where the verdict does not need it (a global minimum), not with certify: true', async () => {
    const architecture = mlp(8, [8], 1, relu, false);
    const theta = (await run({ ...fig52, certify: false }, 3, { keepWeights: true })).weights!.theta;
    const point = {
      architecture,
      loss: 'mse' as const,
      theta,
      samples: runSamples(3),
      labelEncoding: 'pm1' as const,
    };
    const byDefault = certifyEndPoint(point, SWEEP_CERTIFY_DEFAULTS);
    const always = certifyEndPoint(point, certifySettingsSchema.parse({}));
    assert.deepEqual([byDefault.columns.verdict, byDefault.columns.endPointClass], ['global', 'global']);
    assert.equal((byDefault.extra as { certificate: CertificateExtra }).certificate.spectrum, null);
    assert.equal(byDefault.columns.minEigenvalue, null);
    assert.equal((always.extra as { certificate: CertificateExtra }).certificate.spectrum, 'dense');
  });

  it('record a failed certification in extra.certificateError, and the summary counts it', async () => {
    const architecture = mlp(8, [8], 1, relu, false);
    const failing = certifyEndPoint(
      {
        architecture,
        loss: 'mse',
        theta: new Float64Array(P()),
        samples: runSamples(3),
        labelEncoding: 'pm1',
      },
      { probes: 0, region: false, denseLimit: 1000, polishIterations: 10 },
      () => {
        throw new ConvergenceError(
          'symmetric tridiagonal QL: eigenvalue 0 of 72 did not converge in 60 sweeps',
        );
      },
    );
    assert.deepEqual(failing.columns, {
      verdict: null,
      minEigenvalue: null,
      maxEigenvalue: null,
      morseIndex: null,
      endPointClass: 'not-converged',
    });
    assert.equal(
      failing.extra.certificateError,
      'ConvergenceError: symmetric tridiagonal QL: eigenvalue 0 of 72 did not converge in 60 sweeps',
    );
    const trained = await run({ ...fig52, certify: false }, 3, { keepWeights: false });
    const good = await run({ ...fig52, certify: true }, 3, { keepWeights: false });
    const bad: RunResult = { ...trained, ...failing.columns, extra: { ...trained.extra, ...failing.extra } };
    const stored = [good, bad].map((result, repetition) => ({
      cellHash: 'h',
      repetition,
      seed: repetition,
      status: 'ok' as const,
      error: null,
      durationMs: 1,
      host: 'test',
      codeVersion: 't',
      result,
    }));
    const summary = summariseCell({ hash: 'h', index: 0, config: fig52 }, [], stored, {
      metric: 'mse',
      atMost: 1e-7,
    });
    assert.deepEqual(summary.verdicts, { global: 1 });
    assert.equal(summary.certificateFailures, 1);
    assert.equal(summary.failed, 0, 'the run itself is kept');
    const table = formatSummaryTable({
      sweep: {} as never,
      success: { metric: 'mse', atMost: 1e-7 },
      axes: [],
      cells: [summary],
    });
    // With classes the verdict column gives way to the classes: a failed certification is a run not converged.
    assert.match(table, /end points/);
    assert.match(table, /global 1, not-converged 1/);
    assert.deepEqual([summary.classes.global.successes, summary.classes['not-converged'].successes], [1, 1]);
  });
});

describe('the certify setting', () => {
  const spec = (certifySetting: unknown) =>
    validateSweepSpec({ name: 's', seed: 1, repetitions: 1, base: { ...fig52, certify: certifySetting } });

  it('expands true to its defaults, and leaves cells without it (and their hashes) as they were', async () => {
    const [cell] = expandCells(spec(true), trainRunner);
    assert.deepEqual(cell.config.certify, {
      probes: 0,
      region: false,
      denseLimit: 1000,
      polishIterations: 200,
    });
    const without = trainRunConfigSchema.parse(fig52);
    assert.equal('certify' in without, false);
    const [plainCell] = expandCells(
      validateSweepSpec({ name: 's', seed: 1, repetitions: 1, base: fig52 }),
      trainRunner,
    );
    assert.equal(plainCell.hash, configHash(without));
    assert.deepEqual(expandCells(spec({ probes: 10 }), trainRunner)[0].config.certify, {
      probes: 10,
      region: false,
      denseLimit: 1000,
      polishIterations: 200,
    });
  });

  it('certifies cells without it with the sweep defaults, recorded per run, and certify: false opts out', async () => {
    const result = await run(fig52, 3, { keepWeights: false });
    assert.equal(result.verdict, 'global');
    assert.equal(result.endPointClass, 'global');
    assert.deepEqual(result.extra?.certifySettings, SWEEP_CERTIFY_DEFAULTS);
    const optedOut = await run({ ...fig52, certify: false }, 3, { keepWeights: false });
    assert.equal(optedOut.endPointClass, undefined);
    assert.equal(optedOut.extra?.certificate, undefined);
    assert.equal(optedOut.mse, result.mse, 'the training is the same');
  });

  it('rejects bad values in one line that names the setting', async () => {
    assert.throws(
      () => expandCells(spec({ probes: -1 }), trainRunner),
      /base\.certify\.probes: expected an integer ≥ 0/,
    );
    assert.throws(() => expandCells(spec({ prob: 1 }), trainRunner), /base\.certify/);
    assert.throws(
      () => expandCells(spec('yes'), trainRunner),
      /base\.certify: expected true, false or an object of certify settings/,
    );
  });
});

function P(): number {
  return parameterCount(mlp(8, [8], 1, relu, false));
}

/** The samples (await run(fig52, seed)) trains on: the train runner draws its data from deriveSeed(seed, 'data'). */
function runSamples(seed: number) {
  return gaussianRandomLabels({
    count: 12,
    inputDim: 8,
    seed: deriveSeed(seed, 'data'),
    labelEncoding: 'pm1',
  });
}
