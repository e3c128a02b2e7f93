/**
 * The WebGPU backend (issue 5): float32 loss, gradient and full-batch Adam of an MLP on a GPU through WebGPU, in Node
 * (the optional `webgpu` package, Dawn) or in a browser (`navigator.gpu`). See docs/gpu.md.
 */
export {
  acquireWebGpuDevice,
  type AcquireOptions,
  type WebGpuAcquisition,
  type WebGpuAdapterRecord,
  type WebGpuContext,
  type WebGpuMode,
  WEBGPU_MODES,
  WEBGPU_MODE_VARIABLE,
  webGpuModeFromEnvironment,
  type WebGpuUnavailable,
  type WebGpuUnavailableCause,
} from './webgpu-device.js';
export {
  type AdamProgress,
  type AdamRun,
  type AdamRunOptions,
  WebGpuEngine,
  type WebGpuEngineOptions,
  type WebGpuEvaluation,
} from './webgpu-engine.js';
export type { ProductKernel } from './mlp-plan.js';
export { webGpuUnsupportedReason } from './support.js';
export {
  type DeviceTrainer,
  type DeviceTraining,
  type DeviceTrainingOptions,
  type DeviceTrainingSettings,
  webGpuSettingsProblem,
  webGpuTrainer,
} from './trainer.js';
