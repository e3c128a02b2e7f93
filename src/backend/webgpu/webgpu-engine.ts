/// <reference types="@webgpu/types" />
import {
  BasinError,
  InvalidArgumentError,
  requireAllFinite,
  requireFinite,
  requireInteger,
} from '../../core/errors.js';
import {
  type Architecture,
  parameterCount,
  parameterLayout,
  type ParameterLayout,
} from '../../model/architecture.js';
import { checkCompatible } from '../../model/forward.js';
import type { LossKind } from '../../model/loss.js';
import { checkBatch, type Samples } from '../../model/samples.js';
import { DEFAULT_OPTIMISERS } from '../../train/optimiser.js';
import {
  bindGroup,
  BufferSet,
  BufferUsage,
  encodeDispatches,
  MAP_MODE_READ,
  UNIFORM_ALIGNMENT,
  writeArray,
} from './gpu-resources.js';
import { LINEAR_WORKGROUP, linearGrid, UNIFORM_BYTES } from './kernels.js';
import {
  buildEvaluationPlan,
  type EvaluationPlan,
  planLimitReason,
  type ProductKernel,
  type SharedBuffers,
} from './mlp-plan.js';
import { Pipelines } from './pipelines.js';
import { webGpuUnsupportedReason } from './support.js';
import { acquireWebGpuDevice, type WebGpuContext, type WebGpuMode } from './webgpu-device.js';

export interface WebGpuEngineOptions {
  /** A device from `acquireWebGpuDevice`, shared with other engines; the caller destroys it. */
  readonly context?: WebGpuContext;
  /** When no context is given: which adapter to look for (default `BASIN_WEBGPU`, else `auto`). */
  readonly mode?: WebGpuMode;
  /**
   * The matrix-product kernel. Default: `tiled` (workgroup-memory tiles) on a hardware adapter, `direct` (register
   * blocks, no workgroup memory) on a software one, where it was 3–7 times faster (kernels.ts).
   */
  readonly products?: ProductKernel;
}

export interface WebGpuEvaluation {
  /** The loss, summed on the GPU in float32. */
  readonly loss: number;
  /** ∂loss/∂θ in the layout of `parameterLayout`, float32. */
  readonly gradient: Float32Array;
}

export interface AdamProgress {
  /** Steps done so far. */
  readonly step: number;
  /** The loss at the θ of the last step done (before its update). */
  readonly loss: number;
}

export interface AdamRunOptions {
  readonly theta0: Float32Array;
  readonly steps: number;
  readonly learningRate: number;
  /** Default 0.9, 0.999 and 1e-8, PyTorch's and basin's defaults. */
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  /**
   * Steps per submission to the GPU; the losses are read back once per submission, never per step (default 64).
   * `onProgress` is called after each read-back.
   */
  readonly readbackEvery?: number;
  readonly onProgress?: (progress: AdamProgress) => void;
}

export interface AdamRun {
  /** θ after `steps` updates. */
  readonly theta: Float32Array;
  /** losses[t] is the full-batch loss at θ_t, before update t + 1 (so losses[0] is the loss at θ0). */
  readonly losses: number[];
}

const ADAM_WORDS = 9;
const DEFAULT_READBACK_EVERY = 64;

/**
 * Full-batch (and minibatch) loss and gradient of an MLP, and whole Adam runs, on a WebGPU device in float32.
 *
 * The API is asynchronous because reading a GPU buffer back is (`mapAsync`); basin's `Objective.evaluate` is
 * synchronous, so this engine cannot implement `Objective` and is not one of `chooseBackend`'s backends: use it
 * directly, or through `trainAdam`, which keeps θ, the gradient and Adam's moments on the GPU for the whole run and
 * reads back only the losses, once per `readbackEvery` steps.
 *
 * X and y are uploaded once, in float32. θ and gradients use basin's layout (`parameterLayout`), so they are
 * interchangeable with the reference `lossAndGradient`, to float32 accuracy.
 */
export class WebGpuEngine {
  readonly parameterCount: number;
  readonly sampleCount: number;
  /** The adapter, for results and logs. */
  readonly adapterSummary: string;
  readonly products: ProductKernel;

  private readonly layout: ParameterLayout;
  private readonly buffers: BufferSet;
  private readonly pipelines: Pipelines;
  private readonly shared: SharedBuffers;
  private readonly fullPlan: EvaluationPlan;
  private readonly x: GPUBuffer;
  private readonly y: GPUBuffer;
  private readonly staging: GPUBuffer;
  private batchPlan: { plan: EvaluationPlan; index: GPUBuffer; buffers: BufferSet } | undefined;
  private adam: AdamResources | undefined;
  private pending: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private lost: string | undefined;

  /**
   * Uploads the samples and compiles the kernels. Throws InvalidArgumentError for a malformed or unsupported problem
   * and BasinError when no device is available (with the reason) or the device rejects the kernels.
   */
  static async create(
    architecture: Architecture,
    loss: LossKind,
    samples: Samples,
    options: WebGpuEngineOptions = {},
  ): Promise<WebGpuEngine> {
    checkCompatible(architecture, new Float64Array(parameterCount(architecture)), samples);
    const unsupported = webGpuUnsupportedReason(architecture, loss, samples);
    if (unsupported !== undefined)
      throw new InvalidArgumentError('problem', 'one the WebGPU kernels support', unsupported);
    let context = options.context;
    const ownsDevice = context === undefined;
    if (context === undefined) {
      const acquired = await acquireWebGpuDevice(options.mode === undefined ? {} : { mode: options.mode });
      if (!acquired.available) throw new BasinError(`webgpu: ${acquired.reason}`);
      context = acquired;
    }
    const limitReason = planLimitReason(parameterLayout(architecture), samples.count, context.device.limits);
    if (limitReason !== undefined) {
      if (ownsDevice) context.device.destroy();
      throw new InvalidArgumentError('samples', 'a problem within the adapter limits', limitReason);
    }
    const { device } = context;
    const products = options.products ?? (context.adapter.software ? 'direct' : 'tiled');
    if (products !== 'tiled' && products !== 'direct') {
      if (ownsDevice) device.destroy();
      throw new InvalidArgumentError('products', 'tiled or direct', products);
    }
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let engine: WebGpuEngine | undefined;
    let failure: unknown;
    try {
      engine = new WebGpuEngine(context, ownsDevice, architecture, loss, samples, products);
    } catch (error) {
      failure = error;
    }
    const validation = await device.popErrorScope();
    const memory = await device.popErrorScope();
    const rejected = validation ?? memory;
    if (engine === undefined || rejected !== null) {
      // Release what was created: the device may be shared with other engines.
      if (engine !== undefined) engine.dispose();
      else if (ownsDevice) device.destroy();
      throw failure ?? new BasinError(`webgpu: the device rejected the engine's setup: ${rejected!.message}`);
    }
    return engine;
  }

  private constructor(
    private readonly context: WebGpuContext,
    private readonly ownsDevice: boolean,
    architecture: Architecture,
    private readonly loss: LossKind,
    samples: Samples,
    products: ProductKernel,
  ) {
    const { device } = context;
    const layout = checkCompatible(architecture, new Float64Array(parameterCount(architecture)), samples);
    this.layout = layout;
    this.parameterCount = layout.size;
    this.sampleCount = samples.count;
    this.adapterSummary = context.summary;
    this.products = products;
    this.buffers = new BufferSet(device);
    this.pipelines = Pipelines.of(device);
    this.x = this.buffers.upload('x', asFloat32(samples.x));
    this.y = this.buffers.upload('y', asFloat32(samples.y));
    const readable = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
    this.shared = {
      theta: this.buffers.create('theta', layout.size * 4, readable),
      gradient: this.buffers.create('gradient', layout.size * 4, readable),
      loss: this.buffers.create('loss', 4, readable),
    };
    this.staging = this.buffers.create(
      'staging',
      (layout.size + 1) * 4,
      BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    );
    this.fullPlan = buildEvaluationPlan(
      device,
      this.pipelines,
      layout,
      loss,
      samples.count,
      {
        kind: 'full',
        x: this.x,
        y: this.y,
      },
      this.shared,
      products,
    );
    void device.lost.then((info) => {
      this.lost = `device lost (${info.reason}): ${info.message}`;
    });
  }

  /**
   * Loss and gradient at θ on all samples, or on the rows `batch` (indices into the samples, repeats allowed; the
   * loss formula as the reference's minibatch: (1/B)‖e_B‖² for mse). The rows are gathered on the GPU.
   */
  async evaluate(theta: Float32Array, batch?: Int32Array): Promise<WebGpuEvaluation> {
    this.checkTheta('theta', theta);
    if (batch !== undefined) {
      if (!(batch instanceof Int32Array))
        throw new InvalidArgumentError('batch', 'an Int32Array of sample indices', batch);
      checkBatch(batch, this.sampleCount);
    }
    return this.exclusive(async () => {
      const { device } = this.context;
      writeArray(device, this.shared.theta, theta);
      const plan = batch === undefined ? this.fullPlan : this.planForBatch(batch);
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      encodeDispatches(pass, plan.dispatches);
      pass.end();
      const bytes = this.parameterCount * 4;
      encoder.copyBufferToBuffer(this.shared.gradient, 0, this.staging, 0, bytes);
      encoder.copyBufferToBuffer(this.shared.loss, 0, this.staging, bytes, 4);
      device.queue.submit([encoder.finish()]);
      const values = await this.read(this.staging, bytes + 4);
      return { loss: values[this.parameterCount], gradient: values.slice(0, this.parameterCount) };
    });
  }

  /**
   * The full-batch loss and gradient at θ with only the loss read back: the gradient stays in the engine's GPU
   * buffer. This is one training step's evaluation as `trainAdam` does it, and what the benchmark times.
   */
  async evaluateLossOnDevice(theta: Float32Array): Promise<number> {
    this.checkTheta('theta', theta);
    return this.exclusive(async () => {
      const { device } = this.context;
      writeArray(device, this.shared.theta, theta);
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      encodeDispatches(pass, this.fullPlan.dispatches);
      pass.end();
      encoder.copyBufferToBuffer(this.shared.loss, 0, this.staging, 0, 4);
      device.queue.submit([encoder.finish()]);
      return (await this.read(this.staging, 4))[0];
    });
  }

  /**
   * Full-batch Adam for `steps` steps from θ0, entirely on the GPU: per step, one evaluation plan and one Adam
   * dispatch; the update is src/train/update-rules.ts's `adamRule` (PyTorch's form, bias-corrected), with fresh
   * moments. Only the losses (every `readbackEvery` steps) and the final θ are read back.
   */
  async trainAdam(options: AdamRunOptions): Promise<AdamRun> {
    const { theta0, onProgress } = options;
    this.checkTheta('theta0', theta0);
    const steps = requireInteger('steps', options.steps, 1);
    const learningRate = requireFinite('learningRate', options.learningRate, 0);
    const defaults = DEFAULT_OPTIMISERS.adam;
    const beta1 = requireFinite('beta1', options.beta1 ?? defaults.beta1, 0, 1);
    const beta2 = requireFinite('beta2', options.beta2 ?? defaults.beta2, 0, 1);
    if (beta1 === 1) throw new InvalidArgumentError('beta1', 'a number in [0, 1)', beta1);
    if (beta2 === 1) throw new InvalidArgumentError('beta2', 'a number in [0, 1)', beta2);
    const epsilon = requireFinite('epsilon', options.epsilon ?? defaults.epsilon, 0);
    const every = requireInteger('readbackEvery', options.readbackEvery ?? DEFAULT_READBACK_EVERY, 1, 4096);
    return this.exclusive(async () => {
      const { device } = this.context;
      const adam = this.adamResources(every);
      writeArray(device, this.shared.theta, theta0);
      const clear = device.createCommandEncoder();
      clear.clearBuffer(adam.moments);
      device.queue.submit([clear.finish()]);
      const losses: number[] = [];
      const block = new ArrayBuffer(every * UNIFORM_ALIGNMENT);
      for (let done = 0; done < steps;) {
        const chunk = Math.min(every, steps - done);
        for (let s = 0; s < chunk; s++) {
          // Bias corrections in double, rounded once (see ADAM_SHADER).
          const t = done + s + 1;
          new Uint32Array(block, s * UNIFORM_ALIGNMENT, 1)[0] = this.parameterCount;
          new Float32Array(block, s * UNIFORM_ALIGNMENT + 4, ADAM_WORDS - 1).set([
            learningRate,
            1 - Math.pow(beta1, t),
            1 - Math.pow(beta2, t),
            beta1,
            beta2,
            1 - beta1,
            1 - beta2,
            epsilon,
          ]);
        }
        device.queue.writeBuffer(adam.uniforms, 0, block, 0, chunk * UNIFORM_ALIGNMENT);
        const encoder = device.createCommandEncoder();
        for (let s = 0; s < chunk; s++) {
          const pass = encoder.beginComputePass();
          encodeDispatches(pass, this.fullPlan.dispatches);
          pass.setPipeline(adam.pipeline);
          pass.setBindGroup(0, adam.bindGroups[s]);
          pass.dispatchWorkgroups(adam.groups[0], adam.groups[1]);
          pass.end();
          encoder.copyBufferToBuffer(this.shared.loss, 0, adam.history, s * 4, 4);
        }
        encoder.copyBufferToBuffer(adam.history, 0, adam.historyStaging, 0, chunk * 4);
        device.queue.submit([encoder.finish()]);
        const values = await this.read(adam.historyStaging, chunk * 4);
        for (let s = 0; s < chunk; s++) losses.push(values[s]);
        done += chunk;
        onProgress?.({ step: done, loss: losses[losses.length - 1] });
      }
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(this.shared.theta, 0, this.staging, 0, this.parameterCount * 4);
      device.queue.submit([encoder.finish()]);
      const theta = (await this.read(this.staging, this.parameterCount * 4)).slice(0, this.parameterCount);
      return { theta, losses };
    });
  }

  /** Releases the engine's GPU buffers, and the device when the engine acquired it itself. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.batchPlan?.plan.dispose();
    this.batchPlan?.buffers.destroy();
    this.adam?.buffers.destroy();
    this.fullPlan.dispose();
    this.buffers.destroy();
    if (this.ownsDevice) this.context.device.destroy();
  }

  private checkTheta(argument: string, theta: Float32Array): void {
    if (this.disposed) throw new BasinError('webgpu engine: used after dispose()');
    if (this.lost !== undefined) throw new BasinError(`webgpu engine: ${this.lost}`);
    if (!(theta instanceof Float32Array)) {
      throw new InvalidArgumentError(
        argument,
        'a Float32Array (the WebGPU kernels compute in float32)',
        theta,
      );
    }
    if (theta.length !== this.parameterCount) {
      throw new InvalidArgumentError(
        argument,
        `${this.parameterCount} parameters for this architecture`,
        theta.length,
      );
    }
    requireAllFinite(argument, theta);
  }

  /** Runs `body` after every earlier call has finished: the engine has one staging buffer and one set of plans. */
  private exclusive<T>(body: () => Promise<T>): Promise<T> {
    const run = this.pending.then(async () => {
      const { device } = this.context;
      device.pushErrorScope('validation');
      let result: T;
      try {
        result = await body();
      } finally {
        const error = await device.popErrorScope();
        // eslint-disable-next-line no-unsafe-finally
        if (error !== null) throw new BasinError(`webgpu: ${error.message}`);
      }
      return result;
    });
    this.pending = run.catch(() => undefined);
    return run;
  }

  private async read(buffer: GPUBuffer, bytes: number): Promise<Float32Array> {
    await buffer.mapAsync(MAP_MODE_READ, 0, bytes);
    const values = new Float32Array(buffer.getMappedRange(0, bytes).slice(0));
    buffer.unmap();
    return values;
  }

  private planForBatch(batch: Int32Array): EvaluationPlan {
    const { device } = this.context;
    if (this.batchPlan?.plan.rows !== batch.length) {
      const layout = this.layout;
      // Checked before the current plan is released: a refused size must leave the engine usable.
      const reason = planLimitReason(layout, batch.length, device.limits);
      if (reason !== undefined)
        throw new InvalidArgumentError('batch', 'a minibatch within the adapter limits', reason);
      this.batchPlan?.plan.dispose();
      this.batchPlan?.buffers.destroy();
      this.batchPlan = undefined;
      const buffers = new BufferSet(device);
      const index = buffers.create(
        'batch index',
        batch.length * 4,
        BufferUsage.STORAGE | BufferUsage.COPY_DST,
      );
      const plan = buildEvaluationPlan(
        device,
        this.pipelines,
        layout,
        this.loss,
        batch.length,
        {
          kind: 'gather',
          x: this.x,
          y: this.y,
          index,
        },
        this.shared,
        this.products,
      );
      this.batchPlan = { plan, index, buffers };
    }
    writeArray(device, this.batchPlan.index, Uint32Array.from(batch));
    return this.batchPlan.plan;
  }

  private adamResources(every: number): AdamResources {
    if (this.adam !== undefined && this.adam.capacity >= every) return this.adam;
    this.adam?.buffers.destroy();
    const { device } = this.context;
    const buffers = new BufferSet(device);
    const pipeline = this.pipelines.get('adam');
    const moments = buffers.create(
      'adam moments',
      2 * this.parameterCount * 4,
      BufferUsage.STORAGE | BufferUsage.COPY_DST,
    );
    const uniforms = buffers.create(
      'adam uniforms',
      every * UNIFORM_ALIGNMENT,
      BufferUsage.UNIFORM | BufferUsage.COPY_DST,
    );
    // One bind group per step of a submission, each on its own slot of `uniforms`: the bias corrections change
    // every step, and a whole submission is written with one writeBuffer before it runs.
    const bindGroups = Array.from({ length: every }, (_, s) =>
      bindGroup(device, pipeline, [
        this.shared.theta,
        this.shared.gradient,
        moments,
        { buffer: uniforms, offset: s * UNIFORM_ALIGNMENT, size: UNIFORM_BYTES },
      ]),
    );
    this.adam = {
      capacity: every,
      buffers,
      pipeline,
      moments,
      uniforms,
      bindGroups,
      groups: linearGrid(
        Math.ceil(this.parameterCount / LINEAR_WORKGROUP),
        device.limits.maxComputeWorkgroupsPerDimension,
      ),
      history: buffers.create('loss history', every * 4, BufferUsage.COPY_SRC | BufferUsage.COPY_DST),
      historyStaging: buffers.create('loss staging', every * 4, BufferUsage.MAP_READ | BufferUsage.COPY_DST),
    };
    return this.adam;
  }
}

interface AdamResources {
  readonly capacity: number;
  readonly buffers: BufferSet;
  readonly pipeline: GPUComputePipeline;
  readonly moments: GPUBuffer;
  readonly uniforms: GPUBuffer;
  readonly bindGroups: readonly GPUBindGroup[];
  readonly groups: readonly [number, number];
  readonly history: GPUBuffer;
  readonly historyStaging: GPUBuffer;
}

function asFloat32(values: ArrayLike<number>): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}
