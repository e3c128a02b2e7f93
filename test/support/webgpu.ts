import type { WebGpuUnavailableCause } from '../../src/backend/webgpu/index.js';
import { requiredOrSkip } from './required.js';

/** What an acquisition says, in Node (acquireWebGpuDevice) or from a page (test/web/webgpu-page). */
export type Acquired =
  | { readonly available: true }
  | { readonly available: false; readonly reason: string; readonly cause: WebGpuUnavailableCause };

/** The error for an adapter whose device request failed: a fault in basin's device set-up or the driver. */
export class WebGpuDeviceFailed extends Error {
  constructor(reason: string) {
    super(`WebGPU: an adapter was found but its device could not be opened (never a skip): ${reason}`);
    this.name = 'WebGpuDeviceFailed';
  }
}

/**
 * The `skip` option of a test that needs a WebGPU device: false when there is one. No adapter (or no `webgpu`
 * package, or BASIN_WEBGPU=off) skips with the reason, and fails under CI=true, where Mesa's llvmpipe is installed
 * (see required.ts). An adapter whose device request failed always fails: that is a bug to see, not a missing tool.
 */
export function webGpuSkipReason(acquired: Acquired): string | false {
  if (acquired.available) return false;
  if (acquired.cause === 'device-failed') throw new WebGpuDeviceFailed(acquired.reason);
  return requiredOrSkip(`no WebGPU device: ${acquired.reason}`);
}
