import { chooseBackend } from '../backend/select.js';
import { webGpuTrainer } from '../backend/webgpu/trainer.js';
import { NODE_DATA_SOURCES } from '../data/sources/node.js';
import type { RunEnvironment } from './environment.js';

/**
 * Node's run environment: every data source (files included), the reference and ONNX Runtime as host backends
 * (`chooseBackend`'s rule), and WebGPU through the optional `webgpu` package, acquired per run.
 */
export const nodeEnvironment: RunEnvironment = {
  name: 'node',
  sources: NODE_DATA_SOURCES,
  chooseHost: chooseBackend,
  device: webGpuTrainer(),
};
