import { createRequire } from 'node:module';

import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Binding } from 'onnxruntime-node/dist/binding.js';

import { InvalidArgumentError } from '../../core/errors.js';

/** The environment variable that lets ONNX Runtime's idle threads spin (1, the default) or sleep (0). */
export const SPINNING_VARIABLE = 'BASIN_ONNX_SPINNING';

/**
 * Whether sessions let their idle intra-op threads spin, read from `BASIN_ONNX_SPINNING` at each session's creation.
 * Spinning wins on a quiet machine and loses badly on a shared one, like PyTorch's OpenMP threads
 * (`OMP_WAIT_POLICY`): case (d)'s epoch took 131–137 ms spinning and 149–151 ms sleeping with both cores free, but
 * 277 ms spinning and 168–185 ms sleeping with one core busy with another process (bench/epoch-account.ts,
 * docs/performance.md). Set 0 where several basin processes or other jobs share the cores.
 */
export function spinningAllowed(): boolean {
  const value = process.env[SPINNING_VARIABLE];
  if (value === undefined || value === '' || value === '1') return true;
  if (value === '0') return false;
  throw new InvalidArgumentError(
    SPINNING_VARIABLE,
    '0 (idle threads sleep) or 1 (they spin, the default)',
    value,
  );
}

/**
 * onnxruntime-node, loaded lazily and driven synchronously.
 *
 * Why the internal `dist/binding.js`: the public `InferenceSession.run` only wraps the native binding's synchronous
 * `run` in a Promise, and basin's `Objective.evaluate` is synchronous (optimisers are plain loops). The binding is
 * typed and documented in the package ("a simple synchronized inference session object wrap"); the dependency is
 * pinned to an exact version and the backend tests exercise it. Loading is lazy (createRequire) so that programs
 * that never use this backend never load its 30 MB native library.
 */

export type OrtTensor = Tensor;

export interface SyncSession {
  /**
   * Runs the graph for `outputs`. Those named in `into` are written into the given tensors (of the right type and
   * shape) instead of new ones, so that repeated runs reuse their buffers.
   */
  run(
    feeds: Readonly<Record<string, OrtTensor>>,
    outputs: readonly string[],
    into?: Readonly<Record<string, OrtTensor>>,
  ): Record<string, OrtTensor>;
  dispose(): void;
}

export interface SessionSettings {
  /** 'basic' for float64 graphs: higher levels fuse scalar multiplies into float32 attributes (see design notes). */
  readonly optimisation: 'basic' | 'extended' | 'all';
  readonly threads: number;
}

export interface OnnxRuntime {
  readonly version: string;
  readonly Tensor: new (
    type: 'float32' | 'float64' | 'int32' | 'int64',
    data: Float32Array | Float64Array | Int32Array | BigInt64Array,
    dims: readonly number[],
  ) => OrtTensor;
  createSession(model: Uint8Array, settings: SessionSettings): SyncSession;
}

export type RuntimeStatus =
  | { readonly available: true; readonly runtime: OnnxRuntime }
  | { readonly available: false; readonly reason: string };

let cached: RuntimeStatus | undefined;

/** The runtime, or why it cannot be used here (not installed, unsupported platform, big-endian machine). */
export function onnxRuntimeStatus(): RuntimeStatus {
  cached ??= load();
  return cached;
}

function load(): RuntimeStatus {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    return { available: false, reason: 'ONNX tensors are little-endian and this machine is not' };
  }
  const require = createRequire(import.meta.url);
  let bindingModule: { binding: BindingExports; initOrt: () => void };
  let api: { Tensor: OnnxRuntime['Tensor'] };
  let version: string;
  try {
    bindingModule = require('onnxruntime-node/dist/binding.js') as typeof bindingModule;
    api = require('onnxruntime-node') as typeof api;
    version = (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { available: false, reason: `onnxruntime-node could not be loaded: ${message}` };
  }
  return {
    available: true,
    runtime: {
      version,
      Tensor: api.Tensor,
      createSession(model, settings) {
        bindingModule.initOrt();
        const session = new bindingModule.binding.InferenceSession();
        const options: InferenceSession.SessionOptions = {
          graphOptimizationLevel: settings.optimisation,
          intraOpNumThreads: settings.threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          executionProviders: ['cpu'],
          ...(spinningAllowed() ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
        };
        session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, options);
        return {
          run(feeds, outputs, into = {}) {
            const fetches = Object.fromEntries(outputs.map((name) => [name, into[name] ?? null]));
            return session.run(feeds, fetches, {}) as Record<string, OrtTensor>;
          },
          dispose() {
            session.dispose();
          },
        };
      },
    },
  };
}

interface BindingExports {
  readonly InferenceSession: Binding.InferenceSessionConstructor;
}
