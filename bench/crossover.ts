/**
 * Where ONNX Runtime starts to beat the plain TypeScript reference: ms per loss-and-gradient evaluation of small
 * one-hidden-layer nets on both backends, float64 and float32. Justifies `AUTO_MIN_MULTIPLY_ADDS` in
 * src/backend/select.ts. Run: `npm run build && node dist/bench/crossover.js`.
 */
import type { FloatArray } from '../src/core/dtype.js';
import { onnxBackend } from '../src/backend/onnx/onnx-backend.js';
import { referenceBackend } from '../src/backend/reference-backend.js';
import { AUTO_MIN_MULTIPLY_ADDS, multiplyAddsPerEvaluation } from '../src/backend/select.js';
import { gaussianRandomLabels } from '../src/data/gaussian.js';
import { mlp } from '../src/model/architecture.js';
import { initialise } from '../src/model/init.js';
import { median, timeRepeatedly } from './timing.js';

const SHAPES: readonly (readonly [count: number, inputDim: number, width: number])[] = [
  [4, 2, 2],
  [10, 2, 4],
  [10, 5, 5],
  [32, 8, 8],
  [50, 12, 12],
  [64, 16, 8],
  [100, 10, 10],
  [100, 40, 40],
  [1000, 10, 10],
];

const plan = { warmup: 20, repetitions: 200, minSeconds: 0.2, maxSeconds: 2, maxRepetitions: 5000 };
const backend = onnxBackend();
process.stdout.write('N     d0  d1  multiply-adds  dtype    reference ms  onnx ms  reference/onnx\n');
for (const [count, inputDim, width] of SHAPES) {
  const samples = gaussianRandomLabels({ count, inputDim, seed: 1 });
  const architecture = mlp(inputDim, [width], 1, { kind: 'leaky-relu', slope: 0 }, true);
  const work = multiplyAddsPerEvaluation({ architecture, loss: 'mse', samples });
  for (const dtype of ['float64', 'float32'] as const) {
    const theta: FloatArray = initialise(architecture, { kind: 'pytorch' }, 1, dtype);
    const reference = referenceBackend.objective(architecture, 'mse', samples);
    const onnx = backend.objective(architecture, 'mse', samples);
    const referenceMs = median(timeRepeatedly(() => reference.evaluate(theta), plan));
    const onnxMs = median(timeRepeatedly(() => onnx.evaluate(theta), plan));
    onnx.dispose();
    process.stdout.write(
      `${String(count).padEnd(6)}${String(inputDim).padEnd(4)}${String(width).padEnd(4)}${String(work).padStart(13)}  ` +
        `${dtype}  ${referenceMs.toFixed(4).padStart(12)}  ${onnxMs.toFixed(4).padStart(7)}  ${(referenceMs / onnxMs).toFixed(2).padStart(14)}\n`,
    );
  }
}
process.stdout.write(`auto picks onnx from ${AUTO_MIN_MULTIPLY_ADDS} multiply-adds per evaluation\n`);
