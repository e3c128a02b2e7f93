import { NODE_DATA_SOURCES } from '../data/sources/node.js';
import { nodeEnvironment } from './node-environment.js';
import * as pipeline from './pipeline.js';
import * as spec from './spec.js';
import * as together from './together.js';

/**
 * The `run` namespace of `basin/node`: the browser's, with Node's environment (files, ONNX Runtime, WebGPU through
 * the `webgpu` package) as the default of every call that takes one, and the `file` data source in the schema.
 *
 * @example
 * ```ts
 * import { run } from 'basin/node';
 *
 * const spec = run.parseRunSpec({ data: { source: 'gaussian', count: 400, inputDim: 20 }, model: { hidden: [16] } });
 * const trained = await run.runTraining(spec);
 * console.log(trained.backend.backend); // 'onnx' where onnxruntime-node loads (400 × 336 multiply-adds ≥ 10 000)
 * ```
 */
export * from './index.js';
export { nodeEnvironment } from './node-environment.js';
export { LOADING_DATA_SOURCES, NODE_DATA_SOURCES } from '../data/sources/node.js';
export { fileSource } from '../data/sources/file.js';

const onNode = (options: pipeline.RunOptions = {}): pipeline.RunOptions => ({
  environment: nodeEnvironment,
  ...options,
});

export function parseRunSpec(raw: unknown): spec.RunSpec {
  return spec.parseRunSpec(raw, NODE_DATA_SOURCES);
}
export function runSpecSchema() {
  return spec.runSpecSchema(NODE_DATA_SOURCES);
}
export function runTraining(
  runSpec: spec.RunSpec,
  options?: pipeline.RunOptions,
): Promise<pipeline.TrainingRun> {
  return pipeline.runTraining(runSpec, onNode(options));
}
export function prepareRun(
  runSpec: spec.RunSpec,
  options?: pipeline.RunOptions,
): Promise<pipeline.PreparedRun> {
  return pipeline.prepareRun(runSpec, onNode(options));
}
export function loadRunData(runSpec: spec.RunSpec, options?: pipeline.RunOptions) {
  return pipeline.loadRunData(runSpec, onNode(options));
}
export function runTrainingTogether(specs: readonly spec.RunSpec[], options?: pipeline.RunOptions) {
  return together.runTrainingTogether(specs, onNode(options));
}
