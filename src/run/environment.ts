import { InvalidArgumentError } from '../core/errors.js';
import type { BackendChoice, BackendRequest, ChooseBackendOptions, Problem } from '../backend/backend.js';
import { referenceBackend } from '../backend/reference-backend.js';
import { type DeviceTrainer, webGpuTrainer } from '../backend/webgpu/trainer.js';
import { DATA_SOURCES } from '../data/sources/index.js';
import type { DataSource } from '../data/sources/source.js';

/**
 * What a run can use where it runs: the data sources, the host backends (an Objective computed on the CPU for basin's
 * own training loop) and a device trainer (a loop that runs on a GPU). The pipeline takes everything
 * environment-specific from here, so that one pipeline serves the browser (`browserEnvironment`) and Node
 * (`nodeEnvironment` in node-environment.ts: files, ONNX Runtime).
 */
export interface RunEnvironment {
  readonly name: string;
  readonly sources: readonly DataSource[];
  /** Picks the host backend for `request` (`auto`: by availability and work), or throws naming `backend`. */
  chooseHost(request: BackendRequest, problem: Problem, options: ChooseBackendOptions): BackendChoice;
  readonly device?: DeviceTrainer;
}

/** The host backends of any environment: the TypeScript reference only. */
export function referenceOnly(request: BackendRequest): BackendChoice {
  if (request === 'onnx') {
    throw new InvalidArgumentError(
      'backend',
      'reference, webgpu or auto here (onnx runs in Node only, through basin/node)',
      request,
    );
  }
  const reason = request === 'auto' ? 'auto: the only host backend in this environment' : 'requested';
  return { backend: referenceBackend, record: { backend: 'reference', requested: request, reason } };
}

/** The browser's environment (and any JavaScript runtime without Node's extras); WebGPU through navigator.gpu. */
export function browserEnvironment(
  device: DeviceTrainer = webGpuTrainer({ keepDevice: true }),
): RunEnvironment {
  return { name: 'browser', sources: DATA_SOURCES, chooseHost: referenceOnly, device };
}
