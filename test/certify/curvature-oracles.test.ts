import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { CurvatureOperator } from '../../src/backend/curvature.js';
import { onnxBackend } from '../../src/backend/onnx/onnx-backend.js';
import { referenceCurvature } from '../../src/backend/reference-curvature.js';
import { hessianSpectrum, type LanczosSpectrum } from '../../src/certify/spectrum.js';
import { Rng } from '../../src/core/rng.js';
import type { Activation } from '../../src/model/activation.js';
import { type Architecture, parameterCount } from '../../src/model/architecture.js';
import { makeSamples, type Samples } from '../../src/model/samples.js';
import { onnxSkipReason } from '../support/onnx.js';
import { torchSkipReason, withTorch } from '../support/torch-oracle.js';

/*
 * PyTorch's autograd and scipy's eigsh as independent oracles for the curvature products and the Lanczos spectrum
 * (test/support/torch-oracle.ts).
 */
const torchSkip = torchSkipReason('import torch, numpy, scipy.sparse.linalg');
if (torchSkip) console.log(`# skipping PyTorch oracle tests: ${torchSkip}`);
const onnxSkip = onnxSkipReason();

/**
 * The same network in PyTorch, written from the parameter layout of docs/concepts.md (W row-major out × in, then
 * b, per layer; output layer linear), loss c·‖f(X) − y‖² with c = 1/N (mse). `theta` and the flat products are
 * numpy vectors in basin's order.
 */
function torchNet(meta: object): string {
  return `
import json, sys, numpy as np, torch
torch.set_default_dtype(torch.float64)
d = sys.argv[1]
meta = json.loads('${JSON.stringify(meta)}')
load = lambda name: torch.from_numpy(np.fromfile(d + '/' + name + '.bin', dtype=np.float64))
X = load('x').reshape(meta['count'], meta['inputDim'])
y = load('y').reshape(meta['count'], meta['outputDim'])
theta = load('theta')
act = {'tanh': torch.tanh, 'sigmoid': torch.sigmoid, 'relu': torch.relu}[meta['activation']]
def net(t):
    h, offset, inputs = X, 0, meta['inputDim']
    widths = meta['widths'] + [meta['outputDim']]
    for l, width in enumerate(widths):
        W = t[offset:offset + width * inputs].reshape(width, inputs); offset += width * inputs
        b = t[offset:offset + width]; offset += width
        h = h @ W.T + b
        if l < len(widths) - 1: h = act(h)
        inputs = width
    return h
def loss(t):
    return ((net(t) - y) ** 2).sum() / meta['count']
`;
}

function problem(activation: Activation, seed: number) {
  const rng = new Rng(seed);
  const widths = [7, 5];
  const inputDim = 6;
  const count = 40;
  const architecture: Architecture = {
    inputDim,
    hidden: widths.map((width) => ({ width, activation, bias: true })),
    outputDim: 1,
    outputBias: true,
  };
  const theta = rng.fillGaussian(new Float64Array(parameterCount(architecture)), 0, 0.8) as Float64Array;
  const samples: Samples = makeSamples(
    rng.fillGaussian(new Float64Array(count * inputDim)),
    rng.fillGaussian(new Float64Array(count)),
    inputDim,
  );
  const meta = {
    count,
    inputDim,
    outputDim: 1,
    widths,
    activation: activation.kind === 'leaky-relu' ? 'relu' : activation.kind,
  };
  return { architecture, theta, samples, meta, rng };
}

const ENGINES: [
  string,
  false | string,
  (a: Architecture, s: Samples, f: (op: CurvatureOperator) => void) => void,
][] = [
  ['reference', false, (a, s, f) => f(referenceCurvature(a, 'mse', s))],
  [
    'onnx',
    onnxSkip,
    (a, s, f) => {
      const backend = onnxBackend();
      try {
        f(backend.curvature(a, 'mse', s));
      } finally {
        backend.dispose();
      }
    },
  ],
];

const ACTIVATIONS: readonly Activation[] = [
  { kind: 'tanh' },
  { kind: 'sigmoid' },
  // ReLU away from its kinks (random Gaussian data and weights: no pre-activation is exactly 0).
  { kind: 'leaky-relu', slope: 0 },
];

describe('curvature products against PyTorch autograd (double backward)', { skip: torchSkip }, () => {
  for (const [engine, skip, use] of ENGINES) {
    for (const activation of ACTIVATIONS) {
      it(`${engine}, 6-7-5-1 ${activation.kind}: gradient, H·v, J·v and Jᵀ·u`, { skip }, () => {
        const { architecture, theta, samples, meta, rng } = problem(activation, 21);
        const v = rng.fillGaussian(new Float64Array(theta.length)) as Float64Array;
        const u = rng.fillGaussian(new Float64Array(samples.count)) as Float64Array;
        const expected = withTorch<{ gradient: number[]; hv: number[]; jv: number[]; jtu: number[] }>(
          `${torchNet(meta)}
v = load('v'); u = load('u')
t = theta.clone().requires_grad_(True)
g = torch.autograd.grad(loss(t), t, create_graph=True)[0]
hv = torch.autograd.grad(g @ v, t)[0]
jv = torch.autograd.functional.jvp(lambda s: net(s).reshape(-1), theta, v)[1]
jtu = torch.autograd.functional.vjp(lambda s: net(s).reshape(-1), theta, u)[1]
print(json.dumps({'gradient': g.detach().tolist(), 'hv': hv.tolist(), 'jv': jv.tolist(), 'jtu': jtu.tolist()}))
`.replace("meta = json.loads('${JSON.stringify(meta)}')", `meta = json.loads('${JSON.stringify(meta)}')`),
          null,
          { x: samples.x as Float64Array, y: samples.y as Float64Array, theta, v, u },
        );
        use(architecture, samples, (operator) => {
          const point = operator.at(theta);
          const close = (actual: Float64Array, wanted: number[], what: string): void => {
            const scale = Math.max(...wanted.map(Math.abs));
            const worst = Math.max(...wanted.map((w, k) => Math.abs(actual[k] - w)));
            assert.ok(worst <= 1e-11 * scale, `${what}: max difference ${worst} at scale ${scale}`);
          };
          close(point.gradient, expected.gradient, '∇L');
          close(point.hessianVector(v), expected.hv, 'H·v');
          close(point.jacobianVector(v), expected.jv, 'J·v');
          close(point.jacobianTransposeVector(u), expected.jtu, 'Jᵀ·u');
        });
      });
    }
  }
});

describe('Lanczos extremes against scipy eigsh on the same matrix-free operator', { skip: torchSkip }, () => {
  for (const [engine, skip, use] of ENGINES) {
    it(
      `${engine}: the 3 smallest and 3 largest eigenvalues of a 6-7-5-1 tanh Hessian (P = 95)`,
      { skip },
      () => {
        const { architecture, theta, samples, meta } = problem({ kind: 'tanh' }, 8);
        // scipy's ARPACK runs on PyTorch's Hessian-vector product as a LinearOperator: no dense Hessian on either side.
        const expected = withTorch<{ smallest: number[]; largest: number[] }>(
          `${torchNet(meta)}
from scipy.sparse.linalg import LinearOperator, eigsh
t = theta.clone().requires_grad_(True)
g = torch.autograd.grad(loss(t), t, create_graph=True)[0]
def matvec(v):
    return torch.autograd.grad(g @ torch.from_numpy(np.ascontiguousarray(v).reshape(-1)), t, retain_graph=True)[0].numpy()
op = LinearOperator((theta.numel(), theta.numel()), matvec=matvec, dtype=np.float64)
small = eigsh(op, k=3, which='SA', tol=1e-12, maxiter=10000, return_eigenvectors=False)
large = eigsh(op, k=3, which='LA', tol=1e-12, maxiter=10000, return_eigenvectors=False)
print(json.dumps({'smallest': sorted(small.tolist()), 'largest': sorted(large.tolist(), reverse=True)}))
`.replace("meta = json.loads('${JSON.stringify(meta)}')", `meta = json.loads('${JSON.stringify(meta)}')`),
          null,
          { x: samples.x as Float64Array, y: samples.y as Float64Array, theta },
        );
        use(architecture, samples, (operator) => {
          // tanh has no rescaling symmetry, so the complement is the whole space.
          const spectrum = hessianSpectrum(
            architecture,
            'mse',
            theta,
            samples,
            [],
            { denseLimit: 0, lanczosIterations: theta.length },
            operator,
          ) as LanczosSpectrum;
          assert.equal(spectrum.engine, operator.engine);
          const scale = Math.max(Math.abs(expected.smallest[0]), Math.abs(expected.largest[0]));
          for (let k = 0; k < 3; k++) {
            assert.ok(Math.abs(spectrum.smallest[k] - expected.smallest[k]) < 1e-9 * scale, `smallest[${k}]`);
            assert.ok(Math.abs(spectrum.largest[k] - expected.largest[k]) < 1e-9 * scale, `largest[${k}]`);
          }
        });
      },
    );
  }
});
