import { backend, run, train } from 'basin';
import type { GpuInfo } from './protocol.js';
import { explorerEnvironment, type Problem } from './problem.js';

/*
 * The explorer's WebGPU engine is the run pipeline's device trainer (src/backend/webgpu/trainer.ts) in the browser
 * environment, its device acquired once through WorkerNavigator.gpu and kept. It runs full-batch Adam at a constant
 * learning rate in float32 with θ and Adam's moments on the GPU; other settings train on the CPU and say why.
 */

/** A short name for the adapter: SwiftShader reports only vendor and architecture ("google", "swiftshader"). */
export function adapterLabel(record: backend.WebGpuAdapterRecord): string {
  const name =
    [record.vendor, record.architecture].filter((part) => part !== '').join(' ') ||
    record.device ||
    record.description ||
    'unnamed adapter';
  const detail = record.device && record.device !== name ? ` (${record.device})` : '';
  return `${name}${detail}${record.software ? ', software' : ''}`;
}

export async function gpuInfo(): Promise<GpuInfo> {
  const acquired = await explorerEnvironment.device!.device();
  if (!acquired.available) {
    return { available: false, reason: acquired.reason, failed: acquired.cause === 'device-failed' };
  }
  return { available: true, adapter: adapterLabel(acquired.adapter), software: acquired.adapter.software };
}

/**
 * Why the problem's settings cannot train on the WebGPU engine, or undefined when they can (device aside), in the
 * Optimiser panel's words. The explorer computes in float64 and hands the GPU a float32 copy, so precision is not
 * one of the reasons.
 */
export function gpuSettingsReason(problem: Problem): string | undefined {
  const resolved = run.resolveRunSpec(problem.spec);
  const { optimiser } = resolved;
  if (optimiser.kind !== 'adam') return `the WebGPU engine runs Adam only (method is ${optimiser.kind})`;
  const count = problem.samples.count;
  const batch = train.batchSizeOf(optimiser);
  if (batch !== undefined && batch < count) {
    return `the WebGPU engine runs full-batch Adam: batch size ${batch} < N = ${count} (set batch size ≥ N)`;
  }
  // What the panel cannot set (a schedule, a stopping target) in the run spec's own words.
  const settings = explorerEnvironment.device!.settingsProblem(
    run.deviceSettingsOf(resolved, count, 'float32'),
  );
  return settings ?? backend.webGpuUnsupportedReason(problem.architecture, problem.loss, problem.samples);
}
