import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import type { BenchCase } from '../../bench/cases.js';
import { benchSamples } from '../../bench/data.js';
import { type EpochProblem, nodeEngine } from '../../bench/node-engines.js';
import { measureInPython, probePython, type PythonProbe } from '../../bench/python-reference.js';
import type { DType } from '../../src/core/dtype.js';
import { mlp } from '../../src/model/architecture.js';
import { initialise } from '../../src/model/init.js';
import { MinibatchSampler } from '../../src/train/minibatches.js';
import { onnxSkipReason } from '../support/onnx.js';
import { NUMPY_PACKAGES, ORACLE_PYTHON, pythonOracleSkip } from '../support/python.js';
import { torchSkipReason } from '../support/torch-oracle.js';

/*
 * Case (d) on a tiny instance: basin's epoch engines (its own `train` with Adam over the reference and the ONNX
 * objective) and the Python references (numpy's closed-form gradient with a hand-written Adam, PyTorch's autograd
 * with torch.optim.Adam) run one epoch on the same X, y, θ₀ and minibatch order, and must end at the same loss.
 */

const N = 64;
const D0 = 5;
const D1 = 3;
const BATCH = 24; // 3 batches per epoch, the last of 16 rows: the remainder batch is exercised
const SEED = 7;
const ADAM = { learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const TINY: BenchCase = {
  id: 'd',
  description: 'tiny case (d) for the tests',
  kind: 'adam-epoch',
  count: N,
  inputDim: D0,
  width: D1,
  restarts: 1,
  batchSize: BATCH,
  adam: ADAM,
};
const ONE_RUN = { warmup: 0, repetitions: 1, minSeconds: 0, maxSeconds: 10, maxRepetitions: 1 };

const directory = mkdtempSync(join(tmpdir(), 'basin-bench-epoch-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function problem(dtype: DType): EpochProblem {
  const architecture = mlp(D0, [D1], 1, { kind: 'leaky-relu', slope: 0 }, true);
  return {
    architecture,
    samples: benchSamples(N, D0, SEED, dtype),
    theta: initialise(architecture, { kind: 'pytorch' }, SEED + 1, dtype),
    dtype,
    batchSize: BATCH,
    adam: ADAM,
    shuffleSeed: SEED,
  };
}

/** The order `train` visits the rows in during its first epoch with this shuffle seed. */
function firstEpochOrder(): number[] {
  return new MinibatchSampler(N, BATCH, SEED).nextEpoch().flatMap((batch) => [...batch]);
}

/** Writes X, y, θ₀ and the order for reference_step.py --data-file. */
function dataFile(p: EpochProblem, order = firstEpochOrder()): string {
  const file = join(directory, `epoch-${p.dtype}.json`);
  const list = (values: ArrayLike<number>): number[] => Array.from(values);
  writeFileSync(
    file,
    JSON.stringify({
      x: list(p.samples.x),
      y: list(p.samples.y),
      theta: list(p.theta),
      order,
    }),
  );
  return file;
}

async function basinEpoch(engine: string, p: EpochProblem): Promise<{ loss: number; finalLoss: number }> {
  const run = await nodeEngine(engine).prepareEpoch!(p);
  const loss = await run.step();
  return { loss, finalLoss: await run.finalLoss() };
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

// Both references run under the oracle interpreter (Debian's numpy and python3-torch); the probe reads their versions.
const numpySkip = pythonOracleSkip('import numpy', NUMPY_PACKAGES);
const torchSkip = torchSkipReason('import torch, numpy');
const oracle = numpySkip === false ? probePython(ORACLE_PYTHON) : undefined;
const numpy = oracle;
const torch = torchSkip === false ? oracle : undefined;
const onnxSkip = onnxSkipReason();
for (const reason of [numpySkip, torchSkip, onnxSkip]) if (reason) console.log(`# skipping: ${reason}`);

function pythonEpoch(
  python: PythonProbe,
  engine: 'numpy' | 'torch',
  p: EpochProblem,
  order?: number[],
): { loss: number; finalLoss: number } {
  const m = measureInPython({
    python,
    engine,
    plan: ONE_RUN,
    threads: 1,
    seed: SEED,
    problem: { benchCase: TINY, dtype: p.dtype },
    dataFile: dataFile(p, order),
  });
  assert.equal(m.timesMs.length, 1);
  return { loss: m.loss!, finalLoss: m.finalLoss! };
}

describe('case (d): one Adam epoch agrees across engines', () => {
  it('basin-onnx ends where basin-reference does', { skip: onnxSkip }, async () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const reference = await basinEpoch('basin-reference', problem(dtype));
      const viaOnnx = await basinEpoch('basin-onnx', problem(dtype));
      const tolerance = dtype === 'float64' ? 1e-12 : 1e-5;
      assert.ok(
        relative(viaOnnx.finalLoss, reference.finalLoss) < tolerance,
        `${dtype} ${viaOnnx.finalLoss}`,
      );
      assert.ok(relative(viaOnnx.loss, reference.loss) < tolerance);
      // The epoch moved θ: the loss after it differs from the epoch's mean.
      assert.ok(Math.abs(reference.finalLoss - reference.loss) > 1e-3);
    }
  });

  it('repeated epochs start again from θ₀ with fresh Adam state', async () => {
    const run = await nodeEngine('basin-reference').prepareEpoch!(problem('float64'));
    const first = await run.step();
    const firstFinal = await run.finalLoss();
    assert.equal(await run.step(), first);
    assert.equal(await run.finalLoss(), firstFinal);
  });

  const references = [
    { name: 'numpy (closed form + hand-written Adam)', engine: 'numpy', python: numpy, skip: numpySkip },
    { name: 'PyTorch (autograd + torch.optim.Adam)', engine: 'torch', python: torch, skip: torchSkip },
  ] as const;
  for (const { name, engine, python, skip } of references) {
    it(`${name} ends where basin does`, { skip }, async () => {
      for (const dtype of ['float64', 'float32'] as const) {
        const p = problem(dtype);
        const basin = await basinEpoch('basin-reference', p);
        const reference = pythonEpoch(python!, engine, p);
        const tolerance = dtype === 'float64' ? 1e-10 : 1e-4;
        assert.ok(
          relative(reference.finalLoss, basin.finalLoss) < tolerance,
          `${dtype}: ${reference.finalLoss} vs ${basin.finalLoss}`,
        );
        assert.ok(
          relative(reference.loss, basin.loss) < tolerance,
          `${dtype}: ${reference.loss} vs ${basin.loss}`,
        );
      }
    });
  }
});
