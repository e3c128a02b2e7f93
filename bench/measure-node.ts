/**
 * Child process of the benchmark: times one (engine, case, dtype) and prints one JSON object. Each measurement
 * runs in its own process so that the peak RSS it reports belongs to that case alone and no JIT or heap state
 * leaks between engines.
 */
import { pathToFileURL } from 'node:url';

import type { DType, FloatArray } from '../src/core/dtype.js';
import { gaussianRandomLabels } from '../src/data/gaussian.js';
import { mlp } from '../src/model/architecture.js';
import { initialise } from '../src/model/init.js';
import { benchCase, type CaseId } from './cases.js';
import { nodeEngine } from './node-engines.js';
import { type RepetitionPlan, timeRepeatedly } from './timing.js';

export interface NodeMeasurementRequest {
  readonly engine: string;
  readonly caseId: CaseId;
  readonly dtype: DType;
  readonly plan: RepetitionPlan;
  readonly seed: number;
}

export interface NodeMeasurement {
  readonly timesMs: number[];
  readonly loss: number;
  readonly setupMs: number;
  readonly peakRssBytes: number;
}

export function measureInThisProcess(request: NodeMeasurementRequest): NodeMeasurement {
  const c = benchCase(request.caseId);
  const setupStart = performance.now();
  const samples = gaussianRandomLabels({
    count: c.count,
    inputDim: c.inputDim,
    seed: request.seed,
    dtype: request.dtype,
  });
  const architecture = mlp(c.inputDim, [c.width], 1, { kind: 'leaky-relu', slope: 0 }, true);
  const thetas: FloatArray[] = [];
  for (let k = 0; k < c.restarts; k++) {
    thetas.push(initialise(architecture, { kind: 'pytorch' }, request.seed + 1 + k, request.dtype));
  }
  const step = nodeEngine(request.engine).prepare(architecture, samples, thetas, request.dtype);
  const setupMs = performance.now() - setupStart;
  let loss = NaN;
  const timesMs = timeRepeatedly(() => {
    loss = step();
  }, request.plan);
  return { timesMs, loss, setupMs, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

const request = process.argv[2];
if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href &&
  request !== undefined
) {
  process.stdout.write(JSON.stringify(measureInThisProcess(JSON.parse(request) as NodeMeasurementRequest)));
}
