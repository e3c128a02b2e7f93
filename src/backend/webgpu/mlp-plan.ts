/// <reference types="@webgpu/types" />
import type { LayerLayout, ParameterLayout } from '../../model/architecture.js';
import { type LossKind, lossScale } from '../../model/loss.js';
import { bindGroup, BufferSet, BufferUsage, type Dispatch, UNIFORM_ALIGNMENT } from './gpu-resources.js';
import {
  DIRECT_BLOCK,
  DIRECT_THREADS,
  LINEAR_WORKGROUP,
  linearGrid,
  MATMUL_FIELDS,
  MATMUL_THREADS,
  UNIFORM_BYTES,
} from './kernels.js';
import type { KernelName, Pipelines } from './pipelines.js';

/** The buffers an evaluation reads and writes that outlive one plan: θ, ∇θ and the loss. */
export interface SharedBuffers {
  readonly theta: GPUBuffer;
  readonly gradient: GPUBuffer;
  /** One float: the loss of the last evaluation. */
  readonly loss: GPUBuffer;
}

/** Where a plan's rows come from: the stored samples, or rows of them gathered by index (a minibatch). */
export type RowSource =
  | { readonly kind: 'full'; readonly x: GPUBuffer; readonly y: GPUBuffer }
  | {
      readonly kind: 'gather';
      readonly x: GPUBuffer;
      readonly y: GPUBuffer;
      /** Rows of the full set, written as u32 before each run. */
      readonly index: GPUBuffer;
    };

/**
 * The dispatches of one loss-and-gradient evaluation on `rows` samples, with the intermediates they need, in the
 * order of src/model/gradient.ts: forward through every layer (U_l = H_{l−1}·W_lᵀ + b_l, H_l = f(U_l)), the output
 * residual and the loss, then backward (∇W_l = D_lᵀ·H_{l−1}, ∇b_l = Σ_rows D_l, D_{l−1} = (D_l·W_l) ⊙ f'(U_{l−1})).
 * Every intermediate has its own buffer: WebGPU forbids one dispatch reading and writing the same buffer through two
 * bindings, and the sizes are those of the forward cache the reference keeps anyway.
 */
export interface EvaluationPlan {
  readonly rows: number;
  readonly dispatches: readonly Dispatch[];
  dispose(): void;
}

/**
 * Which product kernel a plan uses: `tiled` (workgroup-memory tiles, for GPUs) or `direct` (register blocks straight
 * from the buffers, for software adapters such as llvmpipe); see kernels.ts.
 */
export type ProductKernel = 'tiled' | 'direct';

export interface PlanLimits {
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxStorageBufferBindingSize: number;
}

export function buildEvaluationPlan(
  device: GPUDevice,
  pipelines: Pipelines,
  layout: ParameterLayout,
  loss: LossKind,
  rows: number,
  source: RowSource,
  shared: SharedBuffers,
  products: ProductKernel,
): EvaluationPlan {
  const { maxComputeWorkgroupsPerDimension: maxGroups } = device.limits;
  const buffers = new BufferSet(device);
  const uniforms: ArrayBuffer[] = [];
  const pending: { name: KernelName; bindings: (GPUBuffer | 'uniform')[]; groups: [number, number] }[] = [];
  const storage = (label: string, floats: number): GPUBuffer =>
    buffers.create(label, floats * 4, BufferUsage.STORAGE | BufferUsage.COPY_SRC);
  const add = (
    name: KernelName,
    bindings: GPUBuffer[],
    uniform: ArrayBuffer,
    groups: [number, number],
  ): void => {
    uniforms.push(uniform);
    pending.push({ name, bindings: [...bindings, 'uniform'], groups });
  };
  const linear = (count: number): [number, number] =>
    linearGrid(Math.ceil(count / LINEAR_WORKGROUP), maxGroups);

  const { layers } = layout;
  const outputLayer = layers[layers.length - 1];
  let x = source.x;
  let y = source.y;
  if (source.kind === 'gather') {
    const inputs = layers[0].inputs;
    x = storage('batch x', rows * inputs);
    y = storage('batch y', rows * outputLayer.outputs);
    add('gather', [source.x, source.index, x], words([rows * inputs, inputs]), linear(rows * inputs));
    add(
      'gather',
      [source.y, source.index, y],
      words([rows * outputLayer.outputs, outputLayer.outputs]),
      linear(rows * outputLayer.outputs),
    );
  }

  // Forward.
  const pre = layers.map((layer, l) => storage(`U${l}`, rows * layer.outputs));
  const post = layers.slice(0, -1).map((layer, l) => storage(`H${l}`, rows * layer.outputs));
  const inputOf = (l: number): GPUBuffer => (l === 0 ? x : post[l - 1]);
  layers.forEach((layer, l) => {
    add(
      ...matmul(inputOf(l), shared.theta, pre[l], {
        m: rows,
        n: layer.outputs,
        k: layer.inputs,
        aRow: layer.inputs,
        aCol: 1,
        bOffset: layer.weightOffset,
        bRow: 1,
        bCol: layer.inputs,
        cRow: layer.outputs,
        biasOffset: layer.biasOffset ?? 0,
        hasBias: layer.biasOffset === undefined ? 0 : 1,
      }),
    );
    if (l < layers.length - 1) {
      add(
        'activate',
        [pre[l], post[l]],
        activationWords(rows * layer.outputs, layer),
        linear(rows * layer.outputs),
      );
    }
  });

  // Residual, loss and the seed of backprop.
  const scale = lossScale(loss, rows);
  const outputs = rows * outputLayer.outputs;
  const residualGroups = linear(outputs);
  const partials = storage('loss partials', residualGroups[0] * residualGroups[1]);
  const delta = layers.map((layer, l) => storage(`D${l}`, rows * layer.outputs));
  add(
    'residual',
    [pre[layers.length - 1], y, delta[layers.length - 1], partials],
    mixed([outputs], [2 * scale]),
    residualGroups,
  );
  add('loss', [partials, shared.loss], mixed([residualGroups[0] * residualGroups[1]], [scale]), [1, 1]);

  // Backward.
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l];
    add(
      ...matmul(delta[l], inputOf(l), shared.gradient, {
        m: layer.outputs,
        n: layer.inputs,
        k: rows,
        aRow: 1,
        aCol: layer.outputs,
        bRow: layer.inputs,
        bCol: 1,
        cOffset: layer.weightOffset,
        cRow: layer.inputs,
      }),
    );
    if (layer.biasOffset !== undefined) {
      add(
        'columnSum',
        [delta[l], shared.gradient],
        words([rows, layer.outputs, layer.biasOffset]),
        linearGrid(layer.outputs, maxGroups),
      );
    }
    if (l === 0) break;
    add(
      ...matmul(delta[l], shared.theta, delta[l - 1], {
        m: rows,
        n: layer.inputs,
        k: layer.outputs,
        aRow: layer.outputs,
        aCol: 1,
        bOffset: layer.weightOffset,
        bRow: layer.inputs,
        bCol: 1,
        cRow: layer.inputs,
      }),
    );
    const below = layers[l - 1];
    add(
      'backActivate',
      [pre[l - 1], delta[l - 1]],
      activationWords(rows * below.outputs, below),
      linear(rows * below.outputs),
    );
  }

  // All uniform blocks of the plan live in one buffer, one aligned slot per dispatch, written once.
  const uniformBuffer = buffers.create(
    'plan uniforms',
    uniforms.length * UNIFORM_ALIGNMENT,
    BufferUsage.UNIFORM | BufferUsage.COPY_DST,
  );
  const packed = new Uint8Array(uniforms.length * UNIFORM_ALIGNMENT);
  uniforms.forEach((block, i) => packed.set(new Uint8Array(block), i * UNIFORM_ALIGNMENT));
  device.queue.writeBuffer(uniformBuffer, 0, packed);

  const dispatches: Dispatch[] = pending.map(({ name, bindings, groups }, i) => {
    const pipeline = pipelines.get(name);
    const resources = bindings.map((binding) =>
      binding === 'uniform'
        ? { buffer: uniformBuffer, offset: i * UNIFORM_ALIGNMENT, size: UNIFORM_BYTES }
        : binding,
    );
    return { pipeline, bindGroup: bindGroup(device, pipeline, resources), groups };
  });
  return { rows, dispatches, dispose: () => buffers.destroy() };

  function matmul(
    a: GPUBuffer,
    b: GPUBuffer,
    c: GPUBuffer,
    fields: Partial<Record<(typeof MATMUL_FIELDS)[number], number>> & { m: number; n: number },
  ): [KernelName, GPUBuffer[], ArrayBuffer, [number, number]] {
    const values = MATMUL_FIELDS.map((name) => fields[name] ?? 0);
    if (products === 'direct') {
      const side = DIRECT_BLOCK * DIRECT_THREADS;
      return [
        'directMatmul',
        [a, b, c],
        words(values),
        [Math.ceil(fields.n / side), Math.ceil(fields.m / side)],
      ];
    }
    // Four rows (columns) per invocation only where the output has enough of them to fill a 64-wide block.
    const tm = fields.m >= 64 ? 4 : 1;
    const tn = fields.n >= 64 ? 4 : 1;
    const groups: [number, number] = [
      Math.ceil(fields.n / (MATMUL_THREADS * tn)),
      Math.ceil(fields.m / (MATMUL_THREADS * tm)),
    ];
    return [`matmul${tm}x${tn}` as KernelName, [a, b, c], words(values), groups];
  }
}

/** The rows of a plan that fit this device's dispatch and binding limits, or why they do not. */
export function planLimitReason(
  layout: ParameterLayout,
  rows: number,
  limits: PlanLimits,
): string | undefined {
  const widest = Math.max(...layout.layers.map((layer) => Math.max(layer.inputs, layer.outputs)));
  const bytes = rows * widest * 4;
  if (bytes > limits.maxStorageBufferBindingSize) {
    return `${rows} rows × ${widest} floats = ${bytes} bytes exceed the adapter's storage binding limit of ${limits.maxStorageBufferBindingSize} bytes`;
  }
  // The products' row blocks have at least 32 rows once there are 64 rows; the 1-D kernels spread over a 2-D grid.
  if (Math.ceil(rows / 32) > limits.maxComputeWorkgroupsPerDimension) {
    return `${rows} rows need more than ${limits.maxComputeWorkgroupsPerDimension} workgroups in one dimension`;
  }
  return undefined;
}

function words(values: readonly number[]): ArrayBuffer {
  return Uint32Array.from(values).buffer;
}

/** A uniform block of u32 fields followed by f32 fields. */
function mixed(integers: readonly number[], floats: readonly number[]): ArrayBuffer {
  const block = new ArrayBuffer((integers.length + floats.length) * 4);
  new Uint32Array(block, 0, integers.length).set(integers);
  new Float32Array(block, integers.length * 4, floats.length).set(floats);
  return block;
}

/** { count, slope }: leaky ReLU with its slope ρ (ReLU ρ = 0), a linear layer as ρ = 1. */
function activationWords(count: number, layer: LayerLayout): ArrayBuffer {
  const activation = layer.activation!;
  const slope = activation.kind === 'leaky-relu' ? activation.slope : 1;
  return mixed([count], [slope]);
}
