/**
 * Where the time of benchmark case (d) goes: one float32 Adam epoch of 3072-16-1 on N = 50 000 at batch 512 (98
 * updates), taken apart and set against the machine's matmul peak (issue 13: "≥ 60% of the measured matmul peak, or
 * a measured account of where the rest goes"). Every part is timed in the same process on the same data:
 *
 * - the epoch through basin's `train` (bench/node-engines.ts `trainEpochRun`), as case (d) times it;
 * - the 98 minibatch evaluations alone (`objective.evaluate(θ, rows)`), so the rest is `train`'s own work (Adam);
 * - the two products of a minibatch alone (U = X_B·Wᵀ and G = δᵀ·X_B) in one ONNX graph on pre-gathered,
 *   contiguous batches: what MLAS does with this shape;
 * - the row gather alone (ONNX `Gather` of 512 random rows, reduced to one row so no large output is copied);
 * - the same two products in numpy (OpenBLAS) and its sgemm on 2048³, the peak `npm run bench` reports.
 *
 * Run: `npm run build && node dist/bench/epoch-account.js [--out bench/results/epoch-account.json]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

import { onnxBackend } from '../src/backend/onnx/onnx-backend.js';
import { OnnxGraph } from '../src/backend/onnx/onnx-graph.js';
import { OPSET } from '../src/backend/onnx/mlp-graph.js';
import { onnxRuntimeStatus } from '../src/backend/onnx/runtime.js';
import { Rng } from '../src/core/rng.js';
import { mlp } from '../src/model/architecture.js';
import { initialise } from '../src/model/init.js';
import { benchCase, stepFlops } from './cases.js';
import { benchSamples } from './data.js';
import { machineInfo } from './machine.js';
import { trainEpochRun } from './node-engines.js';
import { median } from './timing.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'bench/results/epoch-account.json' },
    rounds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  },
});
const rounds = Number(values.rounds);
const seed = Number(values.seed);

const c = benchCase('d');
const batchSize = c.batchSize!;
const batches = Math.ceil(c.count / batchSize);
const samples = benchSamples(c.count, c.inputDim, seed, 'float32');
const architecture = mlp(c.inputDim, [c.width], 1, { kind: 'leaky-relu', slope: 0 }, true);
const theta = initialise(architecture, { kind: 'pytorch' }, seed, 'float32');
const status = onnxRuntimeStatus();
if (!status.available) throw new Error(`ONNX Runtime is needed: ${status.reason}`);
const runtime = status.runtime;

/** Median over `rounds` of the milliseconds `work` takes (after one untimed warm-up run). */
function timed(work: () => void): number {
  work();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return median(times);
}

// The epoch's minibatches: one seeded permutation, cut in 98 batches (the last of 336 rows), as `train` does.
const order = new Int32Array(c.count).map((_, i) => i);
new Rng(seed).shuffle(order);
const batchRows = Array.from({ length: batches }, (_, b) =>
  order.subarray(b * batchSize, (b + 1) * batchSize),
);

const backend = onnxBackend();
const objective = backend.objective(architecture, 'mse', samples);
const epoch = trainEpochRun(objective, {
  architecture,
  samples,
  theta,
  dtype: 'float32',
  batchSize,
  adam: c.adam!,
  shuffleSeed: seed,
});
const epochMs = timed(() => void epoch.step());
const evaluationsMs = timed(() => {
  for (const rows of batchRows) objective.evaluate(theta, rows);
});

// The two products of a minibatch, on contiguous batches gathered beforehand. Eight distinct batches (50 MB) cycle,
// so the rows come from memory as in training, not from the cache.
const productsModel = (() => {
  const g = new OnnxGraph('minibatch_products');
  const x = g.input('x', 'float32', ['rows', c.inputDim]);
  const w = g.input('w', 'float32', [c.width, c.inputDim]);
  const delta = g.input('delta', 'float32', ['rows', c.width]);
  g.node('MatMul', [x, g.node('Transpose', [w], { perm: [1, 0] })], {}, 'u');
  g.node('MatMul', [g.node('Transpose', [delta], { perm: [1, 0] }), x], {}, 'g');
  g.output('u', 'float32', ['rows', c.width]);
  g.output('g', 'float32', [c.width, c.inputDim]);
  return g.encode(OPSET);
})();
const productSession = runtime.createSession(productsModel, { optimisation: 'all', threads: 2 });
const distinct = 8;
const gathered = Array.from({ length: distinct }, (_, b) => {
  const out = new Float32Array(batchSize * c.inputDim);
  batchRows[b].forEach((row, r) =>
    out.set(samples.x.subarray(row * c.inputDim, (row + 1) * c.inputDim), r * c.inputDim),
  );
  return new runtime.Tensor('float32', out, [batchSize, c.inputDim]);
});
const wTensor = new runtime.Tensor('float32', Float32Array.from(theta.subarray(0, c.width * c.inputDim)), [
  c.width,
  c.inputDim,
]);
const deltaTensor = new runtime.Tensor(
  'float32',
  new Float32Array(batchSize * c.width).map((_, i) => Math.sin(i)),
  [batchSize, c.width],
);
const productsMs = timed(() => {
  for (let b = 0; b < batches; b++) {
    productSession.run({ x: gathered[b % distinct], w: wTensor, delta: deltaTensor }, ['u', 'g']);
  }
});

// The gather alone: 512 rows of the stored X picked by index, summed to one row so that no 6 MB output is copied.
const gatherModel = (() => {
  const g = new OnnxGraph('minibatch_gather');
  const x = g.input('x', 'float32', ['count', c.inputDim]);
  const rows = g.input('rows', 'int64', ['rows']);
  g.node(
    'ReduceSum',
    [g.node('Gather', [x, rows], { axis: 0 }), g.constant('int64', [1], [0])],
    { keepdims: 0 },
    's',
  );
  g.output('s', 'float32', [c.inputDim]);
  return g.encode(OPSET);
})();
const gatherSession = runtime.createSession(gatherModel, { optimisation: 'all', threads: 2 });
const xTensor = new runtime.Tensor('float32', samples.x as Float32Array, [c.count, c.inputDim]);
const rowTensors = batchRows.map(
  (rows) =>
    new runtime.Tensor(
      'int64',
      BigInt64Array.from(rows, (r) => BigInt(r)),
      [rows.length],
    ),
);
const gatherMs = timed(() => {
  for (const rows of rowTensors) gatherSession.run({ x: xTensor, rows }, ['s']);
});
// A one-row gather through the same session: ORT's fixed cost per run.
const oneRow = new runtime.Tensor('int64', new BigInt64Array(1), [1]);
const overheadMs = timed(() => {
  for (let b = 0; b < batches; b++) gatherSession.run({ x: xTensor, rows: oneRow }, ['s']);
});

const python = spawnSync(
  'python3',
  [
    '-c',
    `
import json, time, numpy as np
rng = np.random.default_rng(${seed})
def best(work, rounds=${rounds}):
    work(); times = []
    for _ in range(rounds):
        t = time.perf_counter(); work(); times.append(time.perf_counter() - t)
    return float(np.median(times)) * 1000
a = rng.standard_normal((2048, 2048), dtype=np.float32); b = rng.standard_normal((2048, 2048), dtype=np.float32)
peak_ms = min(best(lambda: a @ b) for _ in range(3))
xs = [rng.standard_normal((${batchSize}, ${c.inputDim}), dtype=np.float32) for _ in range(${distinct})]
w = rng.standard_normal((${c.width}, ${c.inputDim}), dtype=np.float32)
d = rng.standard_normal((${batchSize}, ${c.width}), dtype=np.float32)
def products():
    for k in range(${batches}):
        x = xs[k % ${distinct}]; u = x @ w.T; g = d.T @ x
print(json.dumps({"peakGflops": 2 * 2048**3 / peak_ms / 1e6, "productsMs": best(products), "numpy": np.__version__}))
`,
  ],
  { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '2' } },
);
if (python.status !== 0) throw new Error(`python3 failed: ${python.stderr}`);
const numpy = JSON.parse(python.stdout) as { peakGflops: number; productsMs: number; numpy: string };

const flops = stepFlops(c);
const gflops = (ms: number): number => flops / ms / 1e6;
const parts = [
  { part: 'epoch through train (case (d))', ms: epochMs, products: true },
  { part: '98 minibatch evaluations', ms: evaluationsMs, products: true },
  {
    part: "train's own work (Adam, shuffle): epoch − evaluations",
    ms: epochMs - evaluationsMs,
    products: false,
  },
  { part: 'the two products alone, ONNX (MLAS)', ms: productsMs, products: true },
  { part: 'the two products alone, numpy (OpenBLAS)', ms: numpy.productsMs, products: true },
  { part: 'row gather alone (ONNX Gather)', ms: gatherMs, products: false },
  { part: 'session-run overhead (1-row gather)', ms: overheadMs, products: false },
];
const result = {
  schema: 'basin-bench-epoch-account/1',
  date: new Date().toISOString(),
  machine: machineInfo(),
  case: c,
  flopsPerEpoch: flops,
  matmulPeakGflops: numpy.peakGflops,
  numpy: numpy.numpy,
  rounds,
  // The rate of the epoch's product work when done in that part's time; only for the parts that do the products.
  parts: parts.map(({ products, ...p }) =>
    products ? { ...p, gflops: gflops(p.ms), ofPeak: gflops(p.ms) / numpy.peakGflops } : p,
  ),
};
for (const p of result.parts) {
  const rate =
    'gflops' in p
      ? `  ${p.gflops.toFixed(1).padStart(6)} GFLOP/s  ${(100 * p.ofPeak).toFixed(0).padStart(3)}% of peak`
      : '';
  process.stdout.write(`${p.part.padEnd(56)} ${p.ms.toFixed(1).padStart(8)} ms${rate}\n`);
}
process.stdout.write(`matmul peak (numpy sgemm 2048³): ${numpy.peakGflops.toFixed(1)} GFLOP/s\n`);
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
objective.dispose();
backend.dispose();
productSession.dispose();
gatherSession.dispose();
