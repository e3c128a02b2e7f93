import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { khatriRao, khatriRaoRank, slopePattern } from '../../src/certify/khatri-rao.js';
import {
  formatKhatriRaoTable,
  type KhatriRaoReport,
  registerKhatriRao,
  runKhatriRaoReproduction,
  surveyShapes,
} from '../../src/cli/commands/reproduce-khatri-rao.js';
import { Rng } from '../../src/core/rng.js';
import { type Architecture, mlp, parameterCount } from '../../src/model/architecture.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';
import { DEFAULT_SLOPE_NOISE, withSlopeNoise } from '../../src/model/slope-noise.js';
import { basin, cliSkip } from '../cli/helpers.js';
import { numpySkipReason, runPython } from '../linalg/numpy-oracle.js';

function gaussianDraw(seed: number, d0: number, d1: number, count: number, rho: number, noise: boolean) {
  const rng = new Rng(seed);
  const architecture: Architecture = mlp(d0, [d1], 1, { kind: 'leaky-relu', slope: rho }, false);
  const theta = rng.fillGaussian(new Float64Array(parameterCount(architecture))) as Float64Array;
  const base = makeSamples(rng.fillGaussian(new Float64Array(count * d0)), new Float64Array(count), d0);
  const samples: Samples = noise ? withSlopeNoise(base, architecture, DEFAULT_SLOPE_NOISE, seed + 1) : base;
  return { architecture, theta, samples };
}

describe('Khatri–Rao product', () => {
  it('row n is a⁽ⁿ⁾ ⊗ x⁽ⁿ⁾ = [a₁x⁽ⁿ⁾ᵀ, …, a_{d1}x⁽ⁿ⁾ᵀ] (hand-computed 2 samples, d1 = 2, d0 = 3)', () => {
    const slopes = Float64Array.of(1, 0.1, 0.1, 1);
    const x = Float64Array.of(1, 2, 3, 4, 5, 6);
    assert.deepEqual(
      [...khatriRao(slopes, x, 2, 2, 3)].map((v) => Math.round(v * 1e12) / 1e12),
      [1, 2, 3, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 4, 5, 6],
    );
    assert.throws(
      () => khatriRao(slopes, x, 2, 2, 2),
      /^InvalidArgumentError: x: expected 4 entries \(N × d0\)/,
    );
  });

  it('slopes are 1 for positive pre-activations, ρ otherwise, times the slope noise', () => {
    const { architecture, theta, samples } = gaussianDraw(3, 3, 4, 6, 0.1, true);
    const pattern = slopePattern(architecture, theta, samples);
    const noise = samples.slopeNoise![0];
    for (let k = 0; k < pattern.slopes.length; k++) {
      const expected = (pattern.preActivations[k] > 0 ? 1 : 0.1) * noise[k];
      assert.equal(pattern.slopes[k], expected);
    }
    assert.equal(pattern.slopeNoise, true);
  });

  it('a ReLU sample with every unit off gives a zero column and costs a rank', () => {
    const architecture = mlp(2, [2], 1, { kind: 'leaky-relu', slope: 0 }, false);
    // w₁ = (1, 0), w₂ = (0, 1): the sample (−1, −1) switches both units off.
    const theta = Float64Array.of(1, 0, 0, 1, 1, 1);
    const samples = makeSamples([1, 2, -1, -1, 3, 1], [0, 0, 0], 2);
    const rank = khatriRaoRank(slopePattern(architecture, theta, samples), samples.x, 2);
    assert.equal(rank.zeroColumns, 1);
    assert.equal(rank.rank, 2);
    assert.equal(rank.maxRank, 3);
  });

  it('rejects architectures the lemma is not about', () => {
    const samples = makeSamples([1, 2], [0], 2);
    const deep = mlp(2, [2, 2], 1, { kind: 'leaky-relu', slope: 0 }, false);
    assert.throws(
      () => slopePattern(deep, new Float64Array(parameterCount(deep)), samples),
      /^InvalidArgumentError: architecture.hidden: expected exactly one hidden layer/,
    );
    const smooth = mlp(2, [2], 1, { kind: 'tanh' }, false);
    assert.throws(
      () => slopePattern(smooth, new Float64Array(parameterCount(smooth)), samples),
      /architecture.hidden\[0\].activation: expected relu or leaky-relu/,
    );
  });
});

describe('rank of A∘X against numpy.linalg.matrix_rank', { skip: numpySkipReason() }, () => {
  it('agrees on Gaussian draws around d0·d1 = N, ρ ∈ {0, 0.1}, with and without slope noise', () => {
    const cases = [];
    let seed = 100;
    for (const [d0, d1, count] of [
      [3, 4, 12],
      [3, 4, 10],
      [4, 3, 14],
      [2, 5, 10],
      [5, 5, 25],
      [6, 2, 12],
      [2, 3, 4],
    ]) {
      for (const rho of [0, 0.1]) {
        for (const noise of [false, true]) {
          const draw = gaussianDraw(seed++, d0, d1, count, rho, noise);
          const pattern = slopePattern(draw.architecture, draw.theta, draw.samples);
          const ours = khatriRaoRank(pattern, draw.samples.x, d0);
          cases.push({
            d0,
            d1,
            count,
            rho,
            w: [...draw.theta.subarray(0, d0 * d1)],
            x: [...draw.samples.x],
            noise: noise ? [...draw.samples.slopeNoise![0]] : null,
            ours,
            product: khatriRao(pattern.slopes, draw.samples.x, count, d1, d0),
          });
        }
      }
    }
    // numpy rebuilds A and A∘X from W and X on its own (einsum), then takes matrix_rank.
    const reference = runPython<{ rank: number; product: number[] }[]>(
      'import json,sys,numpy as np\nout=[]\nfor c in json.load(sys.stdin):\n' +
        " N,d0,d1=c['count'],c['d0'],c['d1']\n" +
        " X=np.array(c['x']).reshape(N,d0); W=np.array(c['w']).reshape(d1,d0)\n" +
        " A=np.where(X@W.T>0,1.0,c['rho'])\n" +
        " if c['noise'] is not None: A=A*np.array(c['noise']).reshape(N,d1)\n" +
        " K=np.einsum('ni,nj->nij',A,X).reshape(N,d1*d0)\n" +
        " out.append({'rank':int(np.linalg.matrix_rank(K)),'product':K.ravel().tolist()})\n" +
        'print(json.dumps(out))',
      cases.map(({ ours: _ours, product: _product, ...rest }) => rest),
    );
    let shortOfFull = 0;
    cases.forEach((c, i) => {
      const label = `d0=${c.d0} d1=${c.d1} N=${c.count} ρ=${c.rho} noise=${c.noise !== null}`;
      assert.equal(c.ours.rank, reference[i].rank, label);
      let worst = 0;
      reference[i].product.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - c.product[k]))));
      assert.ok(worst < 1e-14, `${label}: A∘X entries differ by ${worst}`);
      if (c.ours.rank < c.ours.maxRank) shortOfFull++;
    });
    // The draws include both full-rank and rank-deficient matrices, so the comparison is not one-sided.
    assert.ok(
      shortOfFull > 0 && shortOfFull < cases.length,
      `${shortOfFull} of ${cases.length} short of full rank`,
    );
  });
});

describe('basin reproduce khatri-rao', () => {
  it('runs the quick grid: 9 shapes × 2 ρ × noise on/off, with Wilson intervals and a pooled summary', () => {
    const report = runKhatriRaoReproduction({
      quick: true,
      draws: 4,
      seed: 3,
      rho: [0, 0.1],
      noiseStd: 0.1,
    });
    assert.equal(report.cells.length, 36);
    for (const cell of report.cells) {
      assert.equal(cell.draws, 4);
      assert.ok(cell.fullRank >= 0 && cell.fullRank <= 4);
      assert.ok(
        cell.fullRankInterval95[0] <= cell.fullRank / 4 && cell.fullRank / 4 <= cell.fullRankInterval95[1],
      );
      assert.ok(cell.minRank <= cell.maxRank);
      // A zero column (a sample with every unit off) is impossible unless ρ = 0.
      if (cell.negativeSlope !== 0) assert.equal(cell.drawsWithZeroColumn, 0);
    }
    assert.match(report.summary, /ρ = 0\.1, with slope noise: [\d.]+% \(\d+ of 36\), 95% CI \[/);
    assert.ok(formatKhatriRaoTable(report.cells).split('\n').length === 38);
  });

  it(
    'is registered under `reproduce`, prints the table and writes the JSON report',
    { skip: cliSkip },
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'basin-khatri-rao-'));
      const out = join(directory, 'report.json');
      // The real launcher in a child process: patching this process's stdout would swallow node:test's reports.
      const result = basin(['reproduce', 'khatri-rao', '--quick', '--draws', '2', '--out', out], directory);
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(readFileSync(out, 'utf8')) as KhatriRaoReport;
      assert.equal(report.experiment, 'khatri-rao-rank');
      assert.equal(report.preset, 'quick');
      assert.equal(report.cells.length, 36);
      assert.match(result.stdout, /full rank \[95% CI\]/);
      rmSync(directory, { recursive: true });
    },
  );

  it(
    'gets its own --quick and --out through the real CLI, where the `reproduce` group has options of the same name',
    { skip: cliSkip },
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'basin-khatri-rao-'));
      const out = join(directory, 'report.json');
      const result = basin(['reproduce', 'khatri-rao', '--quick', '--draws', '1', '--out', out], directory);
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(readFileSync(out, 'utf8')) as KhatriRaoReport;
      assert.equal(report.preset, 'quick');
      assert.equal(report.cells.length, 36);
      rmSync(directory, { recursive: true });
    },
  );

  it('names the option at fault before running anything', async () => {
    const parse = (...args: string[]): Promise<unknown> => {
      const program = new Command().exitOverride();
      registerKhatriRao(program.command('reproduce'));
      return program.parseAsync(['reproduce', 'khatri-rao', '--quick', ...args], { from: 'user' });
    };
    await assert.rejects(
      parse('--rho', '0,x'),
      /^InvalidArgumentError: --rho: expected a finite slope ρ ≠ 1, got "x"$/,
    );
    await assert.rejects(parse('--rho', '0,1'), /--rho: expected a finite slope ρ ≠ 1, got "1"/);
    await assert.rejects(parse('--draws', '0'), /--draws: expected an integer in \[1, 1000000\], got "0"/);
    await assert.rejects(parse('--noise-std', '-1'), /--noise-std: expected a number > 0, got "-1"/);
    await assert.rejects(
      parse('--seed', '0x10'),
      /--seed: expected an integer in \[0, 4294967295\], got "0x10"/,
    );
    for (const bad of ['20x', '20x10,', '0x5', '20*10', '2.5x4', '0x10x5', '1e3x4']) {
      await assert.rejects(
        parse('--shapes', bad),
        /^InvalidArgumentError: --shapes: expected shapes d0xd1 of positive integers, e\.g\. 20x10,40x5, got "/,
        bad,
      );
    }
    await assert.rejects(parse('--ratios', '1,0'), /--ratios: expected a number > 0, got "0"/);
    await assert.rejects(parse('--ratios', 'x'), /--ratios: expected a finite number, got "x"/);
    await assert.rejects(parse('--max-entries', '-5'), /--max-entries: expected an integer ≥ 1, got "-5"/);
  });

  it('surveys the shapes and ratios asked for: N = round(ratio·d0·d1) for each d0xd1', () => {
    const report = runKhatriRaoReproduction({
      shapes: [
        [6, 3],
        [3, 6],
      ],
      ratios: [0.5, 1],
      draws: 2,
      seed: 1,
      rho: [0.1],
      noiseStd: 0.1,
    });
    assert.deepEqual(report.shapes, [
      [6, 3],
      [3, 6],
    ]);
    assert.deepEqual(report.ratios, [0.5, 1]);
    assert.deepEqual(
      report.cells.map((cell) => [cell.inputDim, cell.width, cell.count, cell.slopeNoise]),
      [
        [6, 3, 9, false],
        [6, 3, 9, true],
        [6, 3, 18, false],
        [6, 3, 18, true],
        [3, 6, 9, false],
        [3, 6, 9, true],
        [3, 6, 18, false],
        [3, 6, 18, true],
      ],
    );
  });

  it('refuses a shape whose A∘X is too large before drawing anything, naming the flags and the size', () => {
    // 1000000x1000 at ratio 1: A∘X would be 10⁹ × 10⁹; drawing its X alone (10¹⁵ numbers) would abort node.
    const run = (shapes: [number, number][], ratios: number[], maxEntries?: number) => () =>
      runKhatriRaoReproduction({ shapes, ratios, maxEntries, draws: 1, seed: 1, rho: [0], noiseStd: 0.1 });
    assert.throws(
      run([[1_000_000, 1000]], [1]),
      /^BasinError: --shapes: 1000000x1000 at ratio 1 \(--ratios\) needs A∘X of 1000000000 × 1000000000 = 1000000000000000000 entries \(\d+ MiB, one SVD per draw\), more than --max-entries 1000000; choose smaller shapes or ratios, or raise --max-entries deliberately$/,
    );
    // 40x50 at ratio 1 is 2000 × 2000 = 4 000 000 entries: refused by default, allowed when raised (not run here).
    assert.throws(run([[40, 50]], [1]), /needs A∘X of 2000 × 2000 = 4000000 entries \(31 MiB/);
    assert.deepEqual(surveyShapes([[40, 50]], [1], 4_000_000), [{ inputDim: 40, width: 50, count: 2000 }]);
    assert.throws(
      run([[4, 4]], [0.01]),
      /--ratios: expected ratios that give N = round\(ratio·d0·d1\) ≥ 1 at 4x4, got 0\.01/,
    );
  });

  it(
    'takes --shapes and --ratios through the real CLI, and refuses too large a shape in one line',
    { skip: cliSkip },
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'basin-khatri-rao-'));
      const out = join(directory, 'report.json');
      const result = basin(
        [
          'reproduce',
          'khatri-rao',
          '--shapes',
          '5x4,4x5',
          '--ratios',
          '0.5,1,2',
          '--draws',
          '2',
          '--out',
          out,
        ],
        directory,
      );
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(readFileSync(out, 'utf8')) as KhatriRaoReport;
      assert.equal(report.cells.length, 2 * 3 * 2 * 2);
      assert.deepEqual(
        [...new Set(report.cells.map((cell) => `${cell.inputDim}x${cell.width} N=${cell.count}`))],
        ['5x4 N=10', '5x4 N=20', '5x4 N=40', '4x5 N=10', '4x5 N=20', '4x5 N=40'],
      );
      const refused = basin(['reproduce', 'khatri-rao', '--shapes', '40x50', '--ratios', '1'], directory);
      assert.equal(refused.status, 1);
      assert.match(
        refused.stderr,
        /^basin: --shapes: 40x50 at ratio 1 \(--ratios\) needs A∘X of 2000 × 2000 = 4000000 entries/,
      );
      assert.equal(refused.stderr.trimEnd().split('\n').length, 1, refused.stderr);
      rmSync(directory, { recursive: true });
    },
  );
});
