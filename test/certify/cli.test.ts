import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { swirszczD3 } from '../../src/data/swirszcz.js';
import { readWeightsFile, writeWeightsFile } from '../../src/io/weights-file.js';
import { mlp } from '../../src/model/architecture.js';
import { basin, cliSkip } from '../cli/helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'basin-certify-cli-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/**
 * Runs the real `basin` launcher in a child process. Patching this process's stdout instead would also swallow
 * what node:test reports to its parent through it.
 */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = basin(args, directory);
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function assertOneLineError(result: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, `one line: ${result.stderr}`);
  assert.match(result.stderr, pattern);
}

describe('basin certify', { skip: cliSkip }, () => {
  it('certifies a built-in point and prints the verdict with its rule', async () => {
    const result = await run(
      'certify',
      '--dataset',
      'swirszcz-d1',
      '--point',
      'local-min',
      '--probes',
      '100',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^loss {8}18 /m);
    assert.match(result.stdout, /^verdict {5}local-min \[convex-pieces, proved\]/m);
  });

  it('prints JSON with --json, and the printed D2 point is not critical', async () => {
    const result = await run(
      'certify',
      '--dataset',
      'swirszcz-d2',
      '--point',
      'printed-local-min',
      '--no-polish',
      '--probes',
      '0',
      '--json',
    );
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as {
      format: string;
      verdict: string;
      decision: { rule: string; strength: string };
      pieces: { outputGradient: number };
      lossValue: number;
      probes?: unknown;
    };
    assert.equal(json.format, 'basin-certificate');
    // Unit 2 (u = −x − 10) is dead on every sample and unit 1 (u = −3x + 13/3) active on x = −1, 0, 1 only, so the
    // outputs are 13/3, 4/3, −5/3, −3, −3, −3 and the residuals −2/3, 4/3, −2/3, 0, 1, 2: ∂L/∂c = 2·Σe = 6, a
    // gradient no kink affects.
    assert.equal(json.verdict, 'not-critical');
    assert.equal(json.decision.rule, 'gradient');
    assert.equal(json.decision.strength, 'proved');
    assert.ok(Math.abs(json.pieces.outputGradient - 6) < 1e-12, `${json.pieces.outputGradient}`);
    assert.ok(Math.abs(json.lossValue - 23 / 3) < 1e-12);
    assert.equal(json.probes, undefined);
  });

  it('reads a weights file, certifies it against a built-in dataset and saves the polished point', async () => {
    const d3 = swirszczD3();
    const file = join(directory, 'd3.json');
    const start = Float64Array.from(d3.points[1].theta, (v, i) => v + 1e-3 * Math.cos(i));
    writeWeightsFile(file, { architecture: d3.architecture, loss: 'sse', dtype: 'float64', theta: start });
    const saved = join(directory, 'd3-polished.json');
    const out = join(directory, 'd3-certificate.json');
    const result = await run(
      'certify',
      file,
      '--dataset',
      'swirszcz-d3',
      '--probes',
      '0',
      '--save-weights',
      saved,
      '--out',
      out,
    );
    assert.equal(result.code, 0, result.stderr);
    // Polishing returns to Prop. 3's worse minimum (L = 2/3), which sits on two kinks: the exact kink test decides.
    assert.match(result.stdout, /^verdict {5}local-min \[convex-pieces, proved\]/m);
    const polished = readWeightsFile(saved);
    assert.equal(polished.theta.length, 10);
    const certificate = JSON.parse(readFileSync(out, 'utf8')) as { lossValue: number };
    assert.ok(Math.abs(certificate.lossValue - 2 / 3) < 1e-12);
  });

  it('certifies what basin train wrote, rebuilding the data from the result file', async () => {
    const weights = join(directory, 'trained-weights.json');
    const resultFile = join(directory, 'trained-result.json');
    const trained = await run(
      'train',
      '--seed',
      '0',
      '--data',
      'gaussian',
      '--samples',
      '12',
      '--input-dim',
      '6',
      '--hidden',
      '6',
      '--optimiser',
      'adam',
      '--lr',
      '0.01',
      '--epochs',
      '100',
      '--weights',
      weights,
      '--out',
      resultFile,
      '--json',
    );
    assert.equal(trained.code, 0, trained.stderr);
    const result = await run('certify', resultFile, '--probes', '0', '--json');
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as {
      sampleCount: number;
      parameterCount: number;
      verdict: string;
      decision: { rule: string; strength: string };
      polish: { stopReason: string };
      kinks: { nearKinkCount: number };
      region: { rank: number };
      lossValue: number;
      lossScale: number;
      misclassificationError: number;
    };
    assert.equal(json.sampleCount, 12);
    // A 6-6-1 ReLU net without biases (P = 42) on N = 12 samples: polished to a differentiable critical point
    // (no pre-activation within the kink tolerance) whose activation region has rank(A∘X) = N, where
    // Soudry–Hoffer's Lemma 2 forces a zero residual. So the loss is 0 up to rounding and the loss rule decides.
    assert.equal(json.parameterCount, 42);
    assert.equal(json.polish.stopReason, 'converged');
    assert.equal(json.kinks.nearKinkCount, 0);
    assert.equal(json.region.rank, 12);
    assert.ok(json.lossValue <= 1e-20 * json.lossScale, `L = ${json.lossValue}`);
    assert.equal(json.verdict, 'global');
    assert.equal(json.decision.rule, 'zero-loss');
    assert.equal(json.decision.strength, 'proved');
    assert.equal(json.misclassificationError, 0);
  });

  it('reports a corrupt or truncated weights file in one line', async () => {
    const corrupt = join(directory, 'corrupt.json');
    writeFileSync(corrupt, '{ "format": "basin-weights", "version": 1, "theta": [1, 2');
    assertOneLineError(
      await run('certify', corrupt, '--dataset', 'swirszcz-d1'),
      /corrupt\.json: not a basin weights file: invalid JSON \(truncated or corrupt\?\)/,
    );
    const d3 = swirszczD3();
    const whole = join(directory, 'whole.json');
    writeWeightsFile(whole, {
      architecture: d3.architecture,
      loss: 'sse',
      dtype: 'float64',
      theta: d3.points[0].theta,
    });
    const text = readFileSync(whole, 'utf8');
    const truncated = join(directory, 'truncated.json');
    writeFileSync(truncated, text.replace(/"theta": \[[^\]]*\]/, '"theta": [1, 2, 3]'));
    assertOneLineError(
      await run('certify', truncated, '--dataset', 'swirszcz-d3'),
      /truncated\.json: theta has 3 entries, expected parameterCount = 10 \(truncated\?\)/,
    );
    assertOneLineError(
      await run('certify', join(directory, 'missing.json')),
      /missing\.json: cannot read the weights file \(ENOENT: no such file\)\n$/,
    );
  });

  it('reports an architecture that does not match the data in one line', async () => {
    const file = join(directory, 'two-inputs.json');
    const architecture = mlp(2, [3], 1, { kind: 'leaky-relu', slope: 0 }, true);
    writeWeightsFile(file, {
      architecture,
      loss: 'sse',
      dtype: 'float64',
      theta: new Float64Array(13).fill(0.5),
    });
    assertOneLineError(
      await run('certify', file, '--dataset', 'swirszcz-d1'),
      /--dataset: expected data with 2 inputs and 1 outputs, as the network 2-3-1 in .*two-inputs\.json has, got "1 inputs and 1 outputs"/,
    );
    assertOneLineError(
      await run('certify', file),
      /--dataset: expected a built-in dataset .* since .* records no training config/,
    );
  });

  it('names unknown datasets, points and bad numbers', async () => {
    assertOneLineError(
      await run('certify', '--dataset', 'mnist', '--point', 'x'),
      /--dataset: expected one of swirszcz-d1, .*jellyfish, xor, got "mnist"/,
    );
    assertOneLineError(
      await run('certify', '--dataset', 'swirszcz-d1', '--point', 'global'),
      /--point: expected one of local-min, saturated for swirszcz-d1, got "global"/,
    );
    assertOneLineError(
      await run('certify', '--dataset', 'swirszcz-d1', '--point', 'local-min', '--probes', 'many'),
      /--probes: expected an integer in \[0, 1000000\], got "many"/,
    );
  });
});
