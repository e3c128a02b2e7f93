/// <reference types="@webgpu/types" />
import { InvalidArgumentError } from '../../core/errors.js';

/**
 * Which adapters `acquireWebGpuDevice` may use:
 * - `gpu`: a hardware adapter only (Vulkan / Metal / D3D12 in Node, `navigator.gpu` in a browser);
 * - `software`: Mesa's llvmpipe through Dawn's OpenGL ES backend (Node on Linux only), for machines without a GPU;
 * - `auto` (default): a hardware adapter when there is one, else the software one;
 * - `off`: none, so the WebGPU backend reports itself unavailable.
 */
export type WebGpuMode = 'off' | 'gpu' | 'software' | 'auto';

export const WEBGPU_MODES: readonly WebGpuMode[] = ['off', 'gpu', 'software', 'auto'];

/** The environment variable that chooses the mode when the caller does not. */
export const WEBGPU_MODE_VARIABLE = 'BASIN_WEBGPU';

/** What was found, recorded with results so that a figure or a tolerance can be traced to the adapter. */
export interface WebGpuAdapterRecord {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** `core` for a normal adapter; `compatibility` for Dawn's OpenGL ES path (fewer bindings, no f16, …). */
  readonly featureLevel: 'core' | 'compatibility';
  /** True for a CPU implementation (llvmpipe, SwiftShader, a fallback adapter): its timings are not GPU timings. */
  readonly software: boolean;
  /** How it was obtained: Dawn's default backend, Dawn's OpenGL ES backend, or the browser's `navigator.gpu`. */
  readonly source: 'dawn-default' | 'dawn-opengles' | 'browser';
}

export interface WebGpuContext {
  readonly available: true;
  readonly device: GPUDevice;
  readonly adapter: WebGpuAdapterRecord;
  /** One line for logs and results, e.g. "llvmpipe… (OpenGL ES 3.2 Mesa 22.3.6), software, compatibility". */
  readonly summary: string;
}

/**
 * Why there is no device: `off` (BASIN_WEBGPU=off), `no-binding` (the `webgpu` package is not loadable), `no-adapter`
 * (no adapter, or none with the limits basin needs), or `device-failed`: an adapter was found but requesting its
 * device failed, a fault in basin's request or the driver rather than a machine without WebGPU.
 */
export type WebGpuUnavailableCause = 'off' | 'no-binding' | 'no-adapter' | 'device-failed';

export interface WebGpuUnavailable {
  readonly available: false;
  readonly reason: string;
  readonly cause: WebGpuUnavailableCause;
}

export type WebGpuAcquisition = WebGpuContext | WebGpuUnavailable;

/**
 * Limits the kernels of kernels.ts need beyond WebGPU's compatibility-mode defaults: 16 × 16 workgroups for the
 * tiled products and 256-wide reductions, and four storage buffers in one shader (the output-residual kernel).
 */
const NEEDED_LIMITS = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 16,
  maxStorageBuffersPerShaderStage: 4,
} as const;

export interface AcquireOptions {
  /** Default: `BASIN_WEBGPU` from the environment, else `auto`. */
  readonly mode?: WebGpuMode;
}

/** The mode from `BASIN_WEBGPU`; throws InvalidArgumentError naming the variable when it holds anything else. */
export function webGpuModeFromEnvironment(): WebGpuMode {
  const value = typeof process === 'undefined' ? undefined : process.env[WEBGPU_MODE_VARIABLE];
  if (value === undefined || value === '') return 'auto';
  if ((WEBGPU_MODES as readonly string[]).includes(value)) return value as WebGpuMode;
  throw new InvalidArgumentError(WEBGPU_MODE_VARIABLE, WEBGPU_MODES.join(', '), value);
}

/**
 * A GPUDevice for the WebGPU backend, or the reason there is none. In a browser (or any runtime with
 * `navigator.gpu`) it asks `navigator.gpu`; in Node it loads the optional `webgpu` package (Dawn's binding) lazily,
 * so basin still loads without it. The caller owns the device: `device.destroy()` when done (a Node process holding
 * an undestroyed Dawn device may not exit).
 */
export async function acquireWebGpuDevice(options: AcquireOptions = {}): Promise<WebGpuAcquisition> {
  const mode = options.mode ?? webGpuModeFromEnvironment();
  if (!WEBGPU_MODES.includes(mode)) throw new InvalidArgumentError('mode', WEBGPU_MODES.join(', '), mode);
  if (mode === 'off') return unavailable(`${WEBGPU_MODE_VARIABLE}=off`, 'off');
  const browserGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (browserGpu !== undefined) return fromBrowser(browserGpu, mode);
  if (typeof process === 'undefined' || process.versions?.node === undefined) {
    return unavailable(
      'no adapter: this browser has no navigator.gpu (WebGPU disabled or unsupported)',
      'no-adapter',
    );
  }
  return fromNode(mode);
}

async function fromBrowser(gpu: GPU, mode: WebGpuMode): Promise<WebGpuAcquisition> {
  if (mode === 'software')
    return unavailable('software adapters are only available in Node (Dawn OpenGL ES)', 'no-adapter');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) {
    return unavailable('no adapter: navigator.gpu.requestAdapter() returned null', 'no-adapter');
  }
  const record = describeAdapter(adapter, 'core', 'browser');
  if (mode === 'gpu' && record.software)
    return unavailable(`no adapter: only a software one (${record.device})`, 'no-adapter');
  return openDevice(adapter, record);
}

/** The part of the `webgpu` package basin uses. */
interface DawnModule {
  create(flags: string[]): GPU;
}

/**
 * Dawn instances by creation flags, created once per process and never released. A device does not keep its
 * instance alive: when the garbage collector finalised a dropped instance while its device was still in use, the
 * process aborted inside Dawn (glibc futex / mutex assertions, at random points). Holding them here prevents that.
 */
const dawnInstances = new Map<string, GPU>();

function dawnInstance(dawn: DawnModule, flags: string[]): GPU {
  const key = flags.join(' ');
  let instance = dawnInstances.get(key);
  if (instance === undefined) {
    instance = dawn.create(flags);
    dawnInstances.set(key, instance);
  }
  return instance;
}

async function fromNode(mode: WebGpuMode): Promise<WebGpuAcquisition> {
  let dawn: DawnModule;
  try {
    // A computed specifier: bundlers (the web build) must not try to bundle Dawn's native binding.
    const specifier = 'webgpu';
    dawn = (await import(/* @vite-ignore */ specifier)) as DawnModule;
  } catch (error) {
    return unavailable(`webgpu package not installed or not loadable (${firstLine(error)})`, 'no-binding');
  }
  const reasons: string[] = [];
  if (mode === 'gpu' || mode === 'auto') {
    const found = await hardwareAdapter(dawn);
    if (typeof found !== 'string') return found;
    reasons.push(found);
    if (mode === 'gpu') return unavailable(`no adapter: ${found}`, 'no-adapter');
  }
  const found = await softwareAdapter(dawn);
  if (typeof found !== 'string') return found;
  reasons.push(found);
  return unavailable(`no adapter: ${reasons.join('; ')}`, 'no-adapter');
}

/**
 * Dawn's default backend (Vulkan on Linux), core feature level; software adapters are refused here. A string says why
 * there is no adapter; once there is one, its device (or the `device-failed` reason) is the answer.
 */
async function hardwareAdapter(dawn: DawnModule): Promise<WebGpuAcquisition | string> {
  let adapter: GPUAdapter | null;
  try {
    adapter = await dawnInstance(dawn, []).requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return `Dawn's default backend failed: ${firstLine(error)}`;
  }
  if (adapter === null) return 'Dawn found no hardware adapter (Vulkan driver or ICD missing?)';
  const record = describeAdapter(adapter, 'core', 'dawn-default');
  if (record.software) return `Dawn's default adapter is a software one (${record.device})`;
  return openDevice(adapter, record);
}

/**
 * Mesa's llvmpipe through Dawn's OpenGL ES backend at the compatibility feature level. Dawn refuses Mesa's Vulkan
 * lavapipe (it lacks dynamic indexing of uniform arrays), but the GLES path works headless once EGL is told to use
 * no window system, which must happen before Dawn creates its instance.
 */
async function softwareAdapter(dawn: DawnModule): Promise<WebGpuAcquisition | string> {
  let adapter: GPUAdapter | null;
  try {
    process.env.EGL_PLATFORM ??= 'surfaceless';
    adapter = await dawnInstance(dawn, ['backend=opengles']).requestAdapter({
      featureLevel: 'compatibility',
    });
  } catch (error) {
    return `Dawn's OpenGL ES backend failed: ${firstLine(error)}`;
  }
  if (adapter === null) {
    return 'Dawn found no OpenGL ES adapter (install libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri)';
  }
  return openDevice(adapter, describeAdapter(adapter, 'compatibility', 'dawn-opengles'));
}

async function openDevice(adapter: GPUAdapter, record: WebGpuAdapterRecord): Promise<WebGpuAcquisition> {
  const requiredLimits: Record<string, number> = {};
  for (const [name, needed] of Object.entries(NEEDED_LIMITS)) {
    const offered = (adapter.limits as unknown as Record<string, number>)[name];
    if (offered < needed) {
      return unavailable(`adapter ${record.device}: ${name} = ${offered} < ${needed}`, 'no-adapter');
    }
    requiredLimits[name] = needed;
  }
  // Ask for the adapter's largest buffers so that X of a CIFAR-sized problem (123 MB in float32) fits in one binding.
  requiredLimits.maxStorageBufferBindingSize = adapter.limits.maxStorageBufferBindingSize;
  requiredLimits.maxBufferSize = adapter.limits.maxBufferSize;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits });
  } catch (error) {
    const name = record.device || record.description || record.architecture || 'unnamed adapter';
    return unavailable(`adapter ${name} refused its device: ${firstLine(error)}`, 'device-failed');
  }
  const summary = [
    // Browsers often blank device and description (SwiftShader reports only vendor google, architecture swiftshader).
    record.device || record.description || record.architecture || 'unnamed adapter',
    record.description && record.device ? `(${record.description})` : '',
    record.vendor ? `vendor ${record.vendor}` : '',
    record.software ? 'software' : 'hardware',
    record.featureLevel,
    record.source,
  ]
    .filter((part) => part !== '')
    .join(', ');
  return { available: true, device, adapter: record, summary };
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render/i;

function describeAdapter(
  adapter: GPUAdapter,
  featureLevel: WebGpuAdapterRecord['featureLevel'],
  source: WebGpuAdapterRecord['source'],
): WebGpuAdapterRecord {
  // Dawn exposes `info` as getters; older implementations put `isFallbackAdapter` on the adapter itself.
  const info = adapter.info as Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean };
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const fallback =
    info.isFallbackAdapter === true ||
    (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const software = fallback || SOFTWARE_NAMES.test(`${vendor} ${architecture} ${device} ${description}`);
  return { vendor, architecture, device, description, featureLevel, software, source };
}

function unavailable(reason: string, cause: WebGpuUnavailableCause): WebGpuUnavailable {
  return { available: false, reason, cause };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0];
}
