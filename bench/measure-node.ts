/**
 * Child process of the benchmark: times one (engine, case, dtype) and prints one JSON object. Each measurement
 * runs in its own process so that the peak RSS it reports belongs to that case alone and no JIT or heap state
 * leaks between engines.
 */
import { pathToFileURL } from 'node:url';

import type { DType, FloatArray } from '../src/core/dtype.js';
import { mlp } from '../src/model/architecture.js';
import { initialise } from '../src/model/init.js';
import { benchCase, type CaseId } from './cases.js';
import { benchSamples } from './data.js';
import { type BenchStep, nodeEngine } from './node-engines.js';
import { isPromiseLike, type RepetitionPlan, timeRepeatedlyAsync } from './timing.js';

export interface NodeMeasurementRequest {
  readonly engine: string;
  readonly caseId: CaseId;
  readonly dtype: DType;
  readonly plan: RepetitionPlan;
  readonly seed: number;
}

export interface NodeMeasurement {
  readonly timesMs: number[];
  /** Network 0's loss (a step), or the last epoch's mean minibatch loss (an epoch). */
  readonly loss: number;
  /** Epoch cases: the full-batch loss after the last timed epoch (computed untimed). */
  readonly finalLoss?: number;
  /**
   * Epoch cases: peak RSS before that full-batch loss, i.e. of the epochs alone. `peakRssBytes` includes the
   * full-batch evaluation, which `train` also runs before it returns.
   */
  readonly peakRssEpochsBytes?: number;
  readonly setupMs: number;
  readonly peakRssBytes: number;
  /** What ran it, when the engine's step says (`adapter`: the WebGPU adapter). */
  readonly adapter?: string;
}

export async function measureInThisProcess(request: NodeMeasurementRequest): Promise<NodeMeasurement> {
  const c = benchCase(request.caseId);
  const engine = nodeEngine(request.engine);
  const setupStart = performance.now();
  const samples = benchSamples(c.count, c.inputDim, request.seed, request.dtype);
  const architecture = mlp(c.inputDim, [c.width], 1, { kind: 'leaky-relu', slope: 0 }, true);
  const thetas: FloatArray[] = [];
  for (let k = 0; k < c.restarts; k++) {
    thetas.push(initialise(architecture, { kind: 'pytorch' }, request.seed + 1 + k, request.dtype));
  }
  let step: BenchStep;
  let finalLoss: (() => number | Promise<number>) | undefined;
  if (c.kind === 'adam-epoch') {
    if (engine.prepareEpoch === undefined) throw new Error(`${engine.name} has no epoch (prepareEpoch)`);
    const run = await engine.prepareEpoch({
      architecture,
      samples,
      theta: thetas[0],
      dtype: request.dtype,
      batchSize: c.batchSize!,
      adam: c.adam!,
      shuffleSeed: request.seed,
    });
    step = run.step;
    finalLoss = () => run.finalLoss();
  } else {
    step = await engine.prepare(architecture, samples, thetas, request.dtype);
  }
  const setupMs = performance.now() - setupStart;
  const adapter = step.adapter;
  let loss = NaN;
  const record = (value: number): void => {
    loss = value;
  };
  // A synchronous step's result is stored directly: its timed loop has no await (see timeRepeatedlyAsync).
  const timesMs = await timeRepeatedlyAsync(() => {
    const result = step();
    if (isPromiseLike(result)) return result.then(record);
    loss = result;
    return undefined;
  }, request.plan);
  const peakRssEpochsBytes = process.resourceUsage().maxRSS * 1024;
  return {
    timesMs,
    loss,
    ...(finalLoss ? { finalLoss: await finalLoss(), peakRssEpochsBytes } : {}),
    setupMs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    ...(adapter === undefined ? {} : { adapter }),
  };
}

const request = process.argv[2];
if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href &&
  request !== undefined
) {
  measureInThisProcess(JSON.parse(request) as NodeMeasurementRequest).then(
    // Exit once written: an asynchronous engine (a GPU device) may keep handles open that would hold the process.
    (measurement) => process.stdout.write(JSON.stringify(measurement), () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
