/// <reference types="@webgpu/types" />

/**
 * WebGPU's buffer usage and map-mode flags, as the specification numbers them. basin uses the numbers rather than
 * the `GPUBufferUsage` globals because Dawn's Node binding only defines those globals when a program copies them onto
 * `globalThis`, which a library should not do behind its caller's back.
 */
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const MAP_MODE_READ = 0x0001;

/** Uniform blocks bound at an offset must start at a multiple of this (WebGPU's default and maximum alignment). */
export const UNIFORM_ALIGNMENT = 256;

/** Buffers created through one owner and destroyed together, so that nothing outlives `dispose()`. */
export class BufferSet {
  private readonly buffers: GPUBuffer[] = [];

  constructor(readonly device: GPUDevice) {}

  /** A buffer of at least `bytes` bytes (rounded up to 4; WebGPU rejects 0-byte storage bindings). */
  create(label: string, bytes: number, usage: number): GPUBuffer {
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const buffer = this.device.createBuffer({ label, size, usage });
    this.buffers.push(buffer);
    return buffer;
  }

  /** A storage buffer initialised from `values`. */
  upload(label: string, values: Float32Array | Uint32Array, extraUsage = 0): GPUBuffer {
    const buffer = this.create(
      label,
      values.byteLength,
      BufferUsage.STORAGE | BufferUsage.COPY_DST | extraUsage,
    );
    if (values.byteLength > 0) writeArray(this.device, buffer, values);
    return buffer;
  }

  destroy(): void {
    for (const buffer of this.buffers.splice(0)) buffer.destroy();
  }
}

/**
 * Copies a typed array (or a view on part of one) into `buffer` at offset 0. Passes the underlying buffer with the
 * view's byte range: TypeScript's typed arrays may sit on a SharedArrayBuffer, which the writeBuffer overload for
 * views does not accept in its types.
 */
export function writeArray(device: GPUDevice, buffer: GPUBuffer, values: Float32Array | Uint32Array): void {
  device.queue.writeBuffer(buffer, 0, values.buffer, values.byteOffset, values.byteLength);
}

/** One compute dispatch of a plan: a compiled pipeline, its bindings and a grid of workgroups. */
export interface Dispatch {
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly groups: readonly [number, number];
}

export function encodeDispatches(pass: GPUComputePassEncoder, dispatches: readonly Dispatch[]): void {
  for (const { pipeline, bindGroup, groups } of dispatches) {
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1]);
  }
}

/** Binds `buffers` (a plain buffer, or a buffer with an offset and size) to bindings 0, 1, … of `pipeline`. */
export function bindGroup(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  buffers: readonly (GPUBuffer | { buffer: GPUBuffer; offset: number; size: number })[],
): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((resource, binding) => ({
      binding,
      resource: 'offset' in resource ? resource : { buffer: resource },
    })),
  });
}
