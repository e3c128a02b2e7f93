import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mlp, parameterLayout } from '../../src/model/architecture.js';
import { type Initialisation, initialise } from '../../src/model/init.js';
import { torchSkipReason, withTorch } from '../support/torch-oracle.js';

/*
 * The initialisations of src/model/init.ts against their closed forms, and `pytorch` against PyTorch's own
 * nn.Linear default. The issue: they were only checked by a bound on |W₁|, which an all-zero init passes (and
 * xavier had no test). Here an all-zero init fails every std/variance check (std 0 instead of σ), a uniform draw
 * where a normal one is due fails the "share within one σ" check (0.577 instead of 0.683), lecun/xavier mixed up
 * fail the std checks of both layers (their σ differ by 2× and more here), and a PyTorch bound off by any factor
 * fails the support-bound and KS checks.
 *
 * Tolerances follow from the sample size n of each layer (fixed seeds, so each check is deterministic; at random
 * they would fail with probability ~1e-6 each): 5 standard errors, i.e. mean within 5σ/√n, std within 5σ/√(2n)
 * (normal), variance within 5·a²·√(4/(45n)) for U(−a, a) (its fourth moment is a⁴/5), the share within one σ of
 * the mean within 5·√(p(1−p)/n) of p = 0.6827, lag-1 autocorrelation within 5/√n; the largest |w| of n uniforms
 * in ±a is within a·40/n of a (probability e⁻²⁰ of a larger gap); a two-sample Kolmogorov–Smirnov statistic D below
 * c(α)·√((n+m)/(nm)) with α = 1e-6, c(α) = √(−ln(α/2)/2) ≈ 2.70.
 */

/** Layers: 100 → 5000 (500 000 weights, 5000 biases), 5000 → 40 (200 000, 40), 40 → 1 (too small to test). */
const NET = mlp(100, [5000, 40], 1, { kind: 'leaky-relu', slope: 0 }, true);
const MIN_SAMPLES = 1000;

interface Stats {
  readonly n: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly lag1: number;
}

function stats(values: ArrayLike<number>): Stats {
  const n = values.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    sum += values[i];
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const mean = sum / n;
  let squares = 0;
  let lagged = 0;
  for (let i = 0; i < n; i++) {
    squares += (values[i] - mean) ** 2;
    if (i > 0) lagged += (values[i] - mean) * (values[i - 1] - mean);
  }
  return { n, mean, std: Math.sqrt(squares / n), min, max, lag1: squares === 0 ? 0 : lagged / squares };
}

function shareWithin(values: ArrayLike<number>, centre: number, radius: number): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i] - centre) <= radius) count++;
  return count / values.length;
}

function near(what: string, value: number, expected: number, tolerance: number): void {
  assert.ok(
    Math.abs(value - expected) <= tolerance,
    `${what}: ${value}, expected ${expected} ± ${tolerance}`,
  );
}

/** Checks samples against N(mean, std²); std 0 means every value is exactly `mean`. */
function checkNormal(what: string, values: ArrayLike<number>, mean: number, std: number): void {
  const s = stats(values);
  if (std === 0) {
    assert.ok(s.min === mean && s.max === mean, `${what}: expected all ${mean}, got [${s.min}, ${s.max}]`);
    return;
  }
  if (s.n < MIN_SAMPLES) return;
  near(`${what} mean`, s.mean, mean, (5 * std) / Math.sqrt(s.n));
  near(`${what} std`, s.std, std, (5 * std) / Math.sqrt(2 * s.n));
  const p = 0.682689492137;
  near(`${what} share within one σ`, shareWithin(values, mean, std), p, 5 * Math.sqrt((p * (1 - p)) / s.n));
  near(`${what} lag-1 correlation`, s.lag1, 0, 5 / Math.sqrt(s.n));
}

/** Checks samples against U(−bound, bound). */
function checkUniform(what: string, values: ArrayLike<number>, bound: number): void {
  const s = stats(values);
  assert.ok(s.min >= -bound && s.max <= bound, `${what}: [${s.min}, ${s.max}] outside ±${bound}`);
  if (s.n < MIN_SAMPLES) return;
  assert.ok(
    s.max >= bound * (1 - 40 / s.n) && s.min <= -bound * (1 - 40 / s.n),
    `${what}: support too narrow`,
  );
  near(`${what} mean`, s.mean, 0, (5 * bound) / Math.sqrt(3 * s.n));
  near(`${what} variance`, s.std ** 2, bound ** 2 / 3, 5 * bound ** 2 * Math.sqrt(4 / 45 / s.n));
  near(`${what} lag-1 correlation`, s.lag1, 0, 5 / Math.sqrt(s.n));
}

/** Each layer's weights and biases of `init` drawn on NET. */
function layers(init: Initialisation, seed: number) {
  const theta = initialise(NET, init, seed);
  return parameterLayout(NET).layers.map((layer) => ({
    ...layer,
    weights: theta.subarray(layer.weightOffset, layer.weightOffset + layer.inputs * layer.outputs),
    biases: theta.subarray(layer.biasOffset!, layer.biasOffset! + layer.outputs),
  }));
}

const NORMAL_CASES: readonly Initialisation[] = [
  { kind: 'lecun', mean: 0, scale: 1, biasMean: 0, biasStd: 0 },
  { kind: 'lecun', mean: 0.3, scale: 2, biasMean: -0.5, biasStd: 0.2 },
  { kind: 'xavier', mean: 0, scale: 1, biasMean: 0, biasStd: 0 },
  { kind: 'xavier', mean: -0.1, scale: 0.5, biasMean: 1, biasStd: 0.05 },
  { kind: 'gaussian', mean: 0, std: 0.01, biasMean: 0, biasStd: 0 },
  { kind: 'gaussian', mean: 0.2, std: 1.5, biasMean: 0.1, biasStd: 1 },
];

/** The closed-form weight σ of a normal initialisation on a layer with fan-in `inputs` and fan-out `outputs`. */
function weightStd(
  init: Exclude<Initialisation, { kind: 'pytorch' }>,
  inputs: number,
  outputs: number,
): number {
  if (init.kind === 'gaussian') return init.std;
  return init.kind === 'lecun'
    ? init.scale / Math.sqrt(inputs)
    : init.scale * Math.sqrt(2 / (inputs + outputs));
}

describe('initialisations against their closed forms', () => {
  for (const init of NORMAL_CASES) {
    it(`${JSON.stringify(init)}: W ~ N(mean, σ(fan_in, fan_out)²), b ~ N(biasMean, biasStd²)`, () => {
      if (init.kind === 'pytorch') throw new Error('not a normal initialisation');
      for (const layer of layers(init, 3)) {
        const name = `layer ${layer.inputs}→${layer.outputs}`;
        checkNormal(`${name} W`, layer.weights, init.mean, weightStd(init, layer.inputs, layer.outputs));
        checkNormal(`${name} b`, layer.biases, init.biasMean, init.biasStd);
      }
    });
  }

  it('pytorch: W and b ~ U(−1/√fan_in, 1/√fan_in)', () => {
    for (const layer of layers({ kind: 'pytorch' }, 4)) {
      const bound = 1 / Math.sqrt(layer.inputs);
      checkUniform(`layer ${layer.inputs}→${layer.outputs} W`, layer.weights, bound);
      checkUniform(`layer ${layer.inputs}→${layer.outputs} b`, layer.biases, bound);
    }
  });

  it('lecun and xavier differ where their fan terms do (the checks would catch one for the other)', () => {
    const [first, second] = layers({ kind: 'xavier', mean: 0, scale: 1, biasMean: 0, biasStd: 0 }, 3);
    const lecun = { kind: 'lecun', mean: 0, scale: 1, biasMean: 0, biasStd: 0 } as const;
    // 100→5000: xavier σ = √(2/5100) ≈ 0.0198 vs lecun 0.1; 5000→40: √(2/5040) ≈ 0.0199 vs lecun 0.0141.
    for (const layer of [first, second]) {
      const measured = stats(layer.weights).std;
      const lecunStd = weightStd(lecun, layer.inputs, layer.outputs);
      assert.ok(Math.abs(measured - lecunStd) > 0.2 * lecunStd, `${measured} vs ${lecunStd}`);
    }
  });
});

const torchSkip = torchSkipReason();
if (torchSkip) console.log(`# skipping the PyTorch nn.Linear init oracle: ${torchSkip}`);

describe("pytorch init against PyTorch's nn.Linear default", { skip: torchSkip }, () => {
  it('same support, variance and distribution (two-sample KS) per layer, weights and biases', () => {
    const ours = layers({ kind: 'pytorch' }, 5).filter((layer) => layer.weights.length >= MIN_SAMPLES);
    const arrays: Record<string, Float64Array> = {};
    ours.forEach((layer, l) => {
      arrays[`w${l}`] = Float64Array.from(layer.weights);
      arrays[`b${l}`] = Float64Array.from(layer.biases);
    });
    interface TorchStats {
      readonly n: number;
      readonly min: number;
      readonly max: number;
      readonly var: number;
      readonly ks: number;
    }
    const script = `
import json, sys, numpy as np, torch, scipy.stats
torch.manual_seed(0)
d = json.load(sys.stdin)
out = []
for l, (fan_in, fan_out) in enumerate(d['layers']):
    linear = torch.nn.Linear(fan_in, fan_out, dtype=torch.float64)
    row = {}
    for part, tensor in [('w', linear.weight), ('b', linear.bias)]:
        theirs = tensor.detach().numpy().ravel()
        ours = np.fromfile(sys.argv[1] + '/' + part + str(l) + '.bin', dtype=np.float64)
        row[part] = {'n': int(theirs.size), 'min': float(theirs.min()), 'max': float(theirs.max()),
                     'var': float(theirs.var()), 'ks': float(scipy.stats.ks_2samp(ours, theirs).statistic)}
    out.append(row)
print(json.dumps(out))
`;
    const theirs = withTorch<{ w: TorchStats; b: TorchStats }[]>(
      script,
      { layers: ours.map((layer) => [layer.inputs, layer.outputs]) },
      arrays,
    );
    const c = Math.sqrt(-Math.log(1e-6 / 2) / 2);
    ours.forEach((layer, l) => {
      const bound = 1 / Math.sqrt(layer.inputs);
      for (const part of ['w', 'b'] as const) {
        const what = `layer ${layer.inputs}→${layer.outputs} ${part}`;
        const ourValues = part === 'w' ? layer.weights : layer.biases;
        const torch = theirs[l][part];
        assert.equal(torch.n, ourValues.length, what);
        // PyTorch's support is the closed form's ±1/√fan_in (kaiming_uniform with a = √5 for W, the same bound for b).
        assert.ok(torch.min >= -bound && torch.max <= bound, `${what}: torch's [${torch.min}, ${torch.max}]`);
        assert.ok(torch.max >= bound * (1 - 40 / torch.n) && torch.min <= -bound * (1 - 40 / torch.n), what);
        const m = ourValues.length;
        const varianceError = bound ** 2 * Math.sqrt(4 / 45 / m);
        near(
          `${what} variance vs torch's`,
          stats(ourValues).std ** 2,
          torch.var,
          5 * Math.SQRT2 * varianceError,
        );
        assert.ok(
          torch.ks <= c * Math.sqrt(2 / m),
          `${what}: KS statistic ${torch.ks} > ${c * Math.sqrt(2 / m)}`,
        );
      }
    });
  });
});
