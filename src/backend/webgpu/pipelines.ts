/// <reference types="@webgpu/types" />
import {
  ACTIVATION_SHADER,
  ADAM_SHADER,
  COLUMN_SUM_SHADER,
  directMatmulShader,
  GATHER_SHADER,
  LOSS_SHADER,
  matmulShader,
  RESIDUAL_SHADER,
} from './kernels.js';

export type KernelName =
  | 'activate'
  | 'backActivate'
  | 'residual'
  | 'loss'
  | 'columnSum'
  | 'gather'
  | 'adam'
  | `matmul${1 | 4}x${1 | 4}`
  | 'directMatmul';

const SOURCES: Record<Exclude<KernelName, `matmul${string}`>, { code: string; entryPoint: string }> = {
  activate: { code: ACTIVATION_SHADER, entryPoint: 'activate' },
  backActivate: { code: ACTIVATION_SHADER, entryPoint: 'backActivate' },
  residual: { code: RESIDUAL_SHADER, entryPoint: 'main' },
  loss: { code: LOSS_SHADER, entryPoint: 'main' },
  columnSum: { code: COLUMN_SUM_SHADER, entryPoint: 'main' },
  gather: { code: GATHER_SHADER, entryPoint: 'main' },
  adam: { code: ADAM_SHADER, entryPoint: 'main' },
  directMatmul: { code: directMatmulShader(), entryPoint: 'main' },
};

/**
 * Compiled compute pipelines of one device, created on first use and shared by every plan of an engine. Layouts are
 * `auto`: every kernel uses each of its bindings, so the derived layout is the declared one.
 */
export class Pipelines {
  private readonly compiled = new Map<KernelName, GPUComputePipeline>();
  private readonly modules = new Map<string, GPUShaderModule>();

  private constructor(private readonly device: GPUDevice) {}

  /** The pipelines of `device`, shared by every engine on it (compiling them costs milliseconds per engine). */
  static of(device: GPUDevice): Pipelines {
    let pipelines = byDevice.get(device);
    if (pipelines === undefined) {
      pipelines = new Pipelines(device);
      byDevice.set(device, pipelines);
    }
    return pipelines;
  }

  get(name: KernelName): GPUComputePipeline {
    let pipeline = this.compiled.get(name);
    if (pipeline === undefined) {
      const { code, entryPoint } = sourceOf(name);
      let module = this.modules.get(code);
      if (module === undefined) {
        module = this.device.createShaderModule({ label: name, code });
        this.modules.set(code, module);
      }
      pipeline = this.device.createComputePipeline({
        label: name,
        layout: 'auto',
        compute: { module, entryPoint },
      });
      this.compiled.set(name, pipeline);
    }
    return pipeline;
  }
}

const byDevice = new WeakMap<GPUDevice, Pipelines>();

function sourceOf(name: KernelName): { code: string; entryPoint: string } {
  const match = /^matmul([14])x([14])$/.exec(name);
  if (match) return { code: matmulShader(Number(match[1]), Number(match[2])), entryPoint: 'main' };
  return SOURCES[name as keyof typeof SOURCES];
}
