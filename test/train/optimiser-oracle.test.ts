import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { type Architecture, mlp, parameterCount } from '../../src/model/architecture.js';
import { makeSamples } from '../../src/model/samples.js';
import { MinibatchSampler } from '../../src/train/minibatches.js';
import { referenceObjective } from '../../src/train/objective.js';
import { type OptimiserConfig, updateRuleFor } from '../../src/train/optimiser.js';
import type { Schedule } from '../../src/train/schedule.js';
import { train } from '../../src/train/train.js';
import { torchSkipReason, withTorch } from '../support/torch-oracle.js';

/*
 * basin's optimisers against `torch.optim` in float64, step by step. The issue these answer: gd with momentum and
 * sgd were only checked by "the loss went down", which a wrong momentum formula passes. Here every θ after every
 * step must match PyTorch's to 1e-14 relative (rule level, same gradient sequence; the two sides round differently
 * only in the order of a few operations: measured ≤ 5e-16) or 1e-13 relative (a whole `train()` run, whose gradients
 * basin's backprop and torch's autograd compute independently, so their last-bit differences feed back: measured
 * ≤ 5e-16 over 15 epochs). Relative means max |θ_basin − θ_torch| over the trajectory / max |θ_torch|.
 *
 * What a wrong rule gives, for scale: the EMA form of momentum v ← μ·v + (1−μ)·g moves θ by lr·(1−μ)·g on the first
 * step instead of lr·g, an error of 0.9·lr·|g| ≈ 1e-2 with μ = 0.9, lr = 0.1; the "Sutskever" form v ← μ·v + lr·g
 * agrees at constant lr but not under the varying rates used here; RMSprop's momentum applied to g instead of
 * g/(√v + ε), or Adam without bias correction, are off by factors on the first step. The last test checks that the
 * comparison does tell the EMA form apart.
 */

const torchSkip = torchSkipReason();
if (torchSkip) console.log(`# skipping PyTorch optimiser oracle tests: ${torchSkip}`);

const RULE_TOLERANCE = 1e-14;
const TRAIN_TOLERANCE = 1e-13;

interface Case {
  readonly name: string;
  readonly config: OptimiserConfig;
  /** The torch.optim class and its keyword arguments (lr is set per step). */
  readonly torch: readonly [string, Record<string, number | boolean>];
}

const CASES: readonly Case[] = [
  { name: 'gd', config: { kind: 'gd', momentum: 0 }, torch: ['SGD', { momentum: 0 }] },
  { name: 'gd, momentum 0.9', config: { kind: 'gd', momentum: 0.9 }, torch: ['SGD', { momentum: 0.9 }] },
  {
    name: 'sgd, momentum 0.5 (minibatch gradients)',
    config: { kind: 'sgd', batchSize: 4, momentum: 0.5 },
    torch: ['SGD', { momentum: 0.5 }],
  },
  {
    name: 'adam',
    config: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    torch: ['Adam', { betas_0: 0.9, betas_1: 0.999, eps: 1e-8 }],
  },
  {
    name: 'adam, β1 0.5, β2 0.9, ε 1e-3',
    config: { kind: 'adam', beta1: 0.5, beta2: 0.9, epsilon: 1e-3 },
    torch: ['Adam', { betas_0: 0.5, betas_1: 0.9, eps: 1e-3 }],
  },
  {
    name: 'rmsprop',
    config: { kind: 'rmsprop', alpha: 0.99, epsilon: 1e-8, momentum: 0, centered: false },
    torch: ['RMSprop', { alpha: 0.99, eps: 1e-8, momentum: 0, centered: false }],
  },
  {
    name: 'rmsprop, momentum 0.9',
    config: { kind: 'rmsprop', alpha: 0.99, epsilon: 1e-8, momentum: 0.9, centered: false },
    torch: ['RMSprop', { alpha: 0.99, eps: 1e-8, momentum: 0.9, centered: false }],
  },
  {
    name: 'rmsprop, centered, α 0.9, momentum 0.5',
    config: { kind: 'rmsprop', alpha: 0.9, epsilon: 1e-6, momentum: 0.5, centered: true },
    torch: ['RMSprop', { alpha: 0.9, eps: 1e-6, momentum: 0.5, centered: true }],
  },
];

/** Builds `torch.optim.<cls>` from a case's spec (Adam's betas travel as betas_0, betas_1). */
const TORCH_OPTIMISER = `
def make_optimiser(params, spec, lr):
    cls, kwargs = spec
    kwargs = dict(kwargs)
    if 'betas_0' in kwargs:
        kwargs['betas'] = (kwargs.pop('betas_0'), kwargs.pop('betas_1'))
    return getattr(torch.optim, cls)(params, lr=lr, **kwargs)
def set_lr(optimiser, lr):
    for group in optimiser.param_groups:
        group['lr'] = lr
`;

const STEPS = 8;
const SIZE = 6;
/** A varying learning rate, so that forms of momentum that agree only at constant lr are told apart. */
const RATES = [0.1, 0.05, 0.2, 0.1, 0.02, 0.15, 0.1, 0.07];

function ruleProblem() {
  const rng = new Rng(2024);
  const theta0 = Array.from(rng.fillGaussian(new Float64Array(SIZE)));
  const gradients = Array.from({ length: STEPS }, () => Array.from(rng.fillGaussian(new Float64Array(SIZE))));
  // L(θ) = ½θᵀAθ − bᵀθ with A = MᵀM/SIZE + I (positive definite): ∇L = Aθ − b, computed on both sides.
  const m = rng.fillGaussian(new Float64Array(SIZE * SIZE));
  const a = Array.from({ length: SIZE }, (_, i) =>
    Array.from({ length: SIZE }, (_, j) => {
      let sum = i === j ? 1 : 0;
      for (let k = 0; k < SIZE; k++) sum += (m[k * SIZE + i] * m[k * SIZE + j]) / SIZE;
      return sum;
    }),
  );
  const b = Array.from(rng.fillGaussian(new Float64Array(SIZE)));
  return { theta0, gradients, a, b };
}

type Trajectories = Record<string, { recorded: number[][]; quadratic: number[][] }>;

/** θ after each step, through basin's rule: a recorded gradient sequence (as plain arrays: the JavaScript path) and
 * ∇ of the quadratic at the current θ (as Float64Array: Adam's SIMD kernel path). */
function basinTrajectories(
  config: OptimiserConfig,
  problem: ReturnType<typeof ruleProblem>,
): { recorded: number[][]; quadratic: number[][] } {
  if (config.kind === 'lbfgs') throw new Error('not a first-order rule');
  const run = (gradientAt: (theta: Float64Array, step: number) => ArrayLike<number>): number[][] => {
    const rule = updateRuleFor(config);
    const theta = Float64Array.from(problem.theta0);
    const path: number[][] = [];
    for (let step = 0; step < STEPS; step++) {
      rule.apply(theta, gradientAt(theta, step), RATES[step]);
      path.push(Array.from(theta));
    }
    return path;
  };
  return {
    recorded: run((_, step) => problem.gradients[step]),
    quadratic: run((theta) =>
      Float64Array.from(
        problem.a,
        (row, i) => row.reduce((sum, aij, j) => sum + aij * theta[j], 0) - problem.b[i],
      ),
    ),
  };
}

function torchTrajectories(problem: ReturnType<typeof ruleProblem>): Trajectories {
  const script = `
import json, sys, torch
torch.set_default_dtype(torch.float64)
${TORCH_OPTIMISER}
d = json.load(sys.stdin)
A, b = torch.tensor(d['a']), torch.tensor(d['b'])
out = {}
for case in d['cases']:
    paths = {}
    for mode in ['recorded', 'quadratic']:
        theta = torch.tensor(d['theta0'], requires_grad=True)
        optimiser = make_optimiser([theta], case['torch'], d['rates'][0])
        path = []
        for step, lr in enumerate(d['rates']):
            set_lr(optimiser, lr)
            optimiser.zero_grad()
            if mode == 'recorded':
                theta.grad = torch.tensor(d['gradients'][step])
            else:
                loss = 0.5 * theta @ (A @ theta) - b @ theta
                loss.backward()
            optimiser.step()
            path.append(theta.detach().tolist())
        paths[mode] = path
    out[case['name']] = paths
print(json.dumps(out))
`;
  return withTorch<Trajectories>(script, {
    ...problem,
    rates: RATES,
    cases: CASES.map(({ name, torch }) => ({ name, torch })),
  });
}

/** Largest |basin − torch| over a trajectory, relative to the largest |θ| of the torch trajectory. */
function relativeError(basin: readonly number[][], torch: readonly number[][]): number {
  assert.equal(basin.length, torch.length);
  let error = 0;
  let scale = 0;
  basin.forEach((theta, step) =>
    theta.forEach((value, i) => {
      error = Math.max(error, Math.abs(value - torch[step][i]));
      scale = Math.max(scale, Math.abs(torch[step][i]));
    }),
  );
  return error / scale;
}

describe(
  'optimiser update rules against torch.optim (float64, 8 steps, varying lr)',
  { skip: torchSkip },
  () => {
    const problem = ruleProblem();
    let torch: Trajectories | undefined;
    const torchPaths = (): Trajectories => (torch ??= torchTrajectories(problem));

    for (const { name, config } of CASES) {
      it(`${name}: θ after every step matches to ${RULE_TOLERANCE} relative`, () => {
        const basin = basinTrajectories(config, problem);
        const expected = torchPaths()[name];
        for (const mode of ['recorded', 'quadratic'] as const) {
          const error = relativeError(basin[mode], expected[mode]);
          assert.ok(error <= RULE_TOLERANCE, `${mode} gradients: relative error ${error}`);
          // The trajectory moved: a rule that did nothing could not pass by θ₀ ≈ θ₈.
          assert.ok(relativeError([problem.theta0], [expected[mode][STEPS - 1]]) > 1e-3);
        }
      });
    }

    it('the comparison tells a wrong momentum formula apart (EMA form v ← μv + (1−μ)g)', () => {
      const theta = Float64Array.from(problem.theta0);
      let velocity = new Float64Array(SIZE);
      const path: number[][] = [];
      for (let step = 0; step < STEPS; step++) {
        velocity = velocity.map((v, i) => 0.9 * v + 0.1 * problem.gradients[step][i]);
        for (let i = 0; i < SIZE; i++) theta[i] -= RATES[step] * velocity[i];
        path.push(Array.from(theta));
      }
      const error = relativeError(path, torchPaths()['gd, momentum 0.9'].recorded);
      assert.ok(error > 1e6 * RULE_TOLERANCE, `relative error ${error}`);
    });
  },
);

/** A 3-4-1 tanh net with biases on 10 points: the same network and mse loss written in PyTorch. */
function tinyNet() {
  const rng = new Rng(77);
  const count = 10;
  const inputDim = 3;
  const architecture: Architecture = mlp(inputDim, [4], 1, { kind: 'tanh' }, true);
  const x = rng.fillGaussian(new Float64Array(count * inputDim)) as Float64Array;
  const y = rng.fillGaussian(new Float64Array(count)) as Float64Array;
  const theta0 = rng.fillGaussian(new Float64Array(parameterCount(architecture)), 0, 0.7) as Float64Array;
  return { architecture, samples: makeSamples(x, y, inputDim), x, y, theta0, count, inputDim, width: 4 };
}

const TORCH_NET = `
import json, sys, numpy as np, torch
torch.set_default_dtype(torch.float64)
${TORCH_OPTIMISER}
d = json.load(sys.stdin)
load = lambda name: torch.from_numpy(np.fromfile(sys.argv[1] + '/' + name + '.bin', dtype=np.float64))
n, k, w = d['count'], d['inputDim'], d['width']
X, y = load('x').reshape(n, k), load('y').reshape(n, 1)
def loss(theta, rows):
    # basin's layout: W1 (w × k, row-major), b1, W2 (1 × w), b2; mse on the rows = Σ e² / len(rows).
    W1 = theta[:w * k].reshape(w, k); b1 = theta[w * k:w * k + w]
    W2 = theta[w * k + w:w * k + 2 * w].reshape(1, w); b2 = theta[w * k + 2 * w:]
    out = torch.tanh(X[rows] @ W1.T + b1) @ W2.T + b2
    return ((out - y[rows]) ** 2).sum() / len(rows)
theta = load('theta0').clone().requires_grad_(True)
optimiser = make_optimiser([theta], d['torch'], d['rates'][0])
path = []
for epoch, lr in enumerate(d['rates']):
    set_lr(optimiser, lr)
    for rows in d['batches'][epoch]:
        optimiser.zero_grad()
        loss(theta, rows).backward()
        optimiser.step()
    path.append(theta.detach().tolist())
print(json.dumps(path))
`;

describe('train() against a PyTorch training loop on the same tiny net', { skip: torchSkip }, () => {
  const EPOCHS = 15;
  const schedule: Schedule = { kind: 'exponential', learningRate: 0.1, gamma: 0.9 };
  const rates = Array.from({ length: EPOCHS }, (_, epoch) => 0.1 * Math.pow(0.9, epoch));
  const runs: [string, OptimiserConfig, Case['torch']][] = [
    ['gd, momentum 0.9 (full batch)', { kind: 'gd', momentum: 0.9 }, ['SGD', { momentum: 0.9 }]],
    [
      'sgd, momentum 0.5, batch 4 of 10 (basin’s shuffled order)',
      { kind: 'sgd', batchSize: 4, momentum: 0.5 },
      ['SGD', { momentum: 0.5 }],
    ],
    [
      'rmsprop, centered, momentum 0.5 (full batch)',
      { kind: 'rmsprop', alpha: 0.9, epsilon: 1e-8, momentum: 0.5, centered: true },
      ['RMSprop', { alpha: 0.9, eps: 1e-8, momentum: 0.5, centered: true }],
    ],
  ];

  for (const [name, optimiser, torchSpec] of runs) {
    it(`${name}: θ after every epoch matches to ${TRAIN_TOLERANCE} relative`, () => {
      const net = tinyNet();
      const shuffleSeed = 5;
      const path: number[][] = [];
      const result = train({
        objective: referenceObjective(net.architecture, 'mse', net.samples),
        initialTheta: net.theta0,
        optimiser,
        schedule,
        stopping: { maxEpochs: EPOCHS },
        shuffleSeed,
        // Full-batch runs show θ before each epoch's step, minibatch ones after the epoch: keep θ after epoch e.
        shouldStop: (theta, progress) => {
          if (progress.epochsCompleted > 0) path[progress.epochsCompleted - 1] = Array.from(theta);
          return false;
        },
      });
      path[EPOCHS - 1] = Array.from(result.theta);
      assert.equal(path.filter((theta) => theta !== undefined).length, EPOCHS);
      // The minibatches train() used: the same sampler, seed and epoch order, so torch replays them.
      const everyRow = [Array.from({ length: net.count }, (_, n) => n)];
      const sampler = optimiser.kind === 'sgd' ? new MinibatchSampler(net.count, 4, shuffleSeed) : undefined;
      const batches = rates.map(() => sampler?.nextEpoch().map((batch) => Array.from(batch)) ?? everyRow);
      const expected = withTorch<number[][]>(
        TORCH_NET,
        { count: net.count, inputDim: net.inputDim, width: net.width, rates, batches, torch: torchSpec },
        { x: net.x, y: net.y, theta0: net.theta0 },
      );
      const error = relativeError(path, expected);
      assert.ok(error <= TRAIN_TOLERANCE, `relative error ${error}`);
      assert.ok(relativeError([Array.from(net.theta0)], [expected[EPOCHS - 1]]) > 1e-3, 'θ barely moved');
    });
  }
});
