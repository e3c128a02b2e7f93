/// <reference types="@webgpu/types" />
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { acquireWebGpuDevice, type WebGpuAcquisition } from '../../src/backend/webgpu/index.js';

/*
 * Why acquireWebGpuDevice found no device, on a stand-in navigator.gpu (the browser path, so no Dawn is needed): a
 * missing adapter and an adapter whose device request failed must not look alike, because the tests skip for the
 * first (off CI) and always fail for the second (test/support/webgpu.ts).
 */

const LIMITS = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 16,
  maxStorageBuffersPerShaderStage: 8,
  maxStorageBufferBindingSize: 1 << 27,
  maxBufferSize: 1 << 28,
};

function fakeAdapter(limits: Record<string, number>, requestDevice: () => Promise<GPUDevice>): GPUAdapter {
  const info = { vendor: 'test', architecture: 'fake', device: 'stand-in adapter', description: '' };
  return { limits, info, requestDevice } as unknown as GPUAdapter;
}

const original = Object.getOwnPropertyDescriptor(globalThis, 'navigator');

function withNavigatorGpu(requestAdapter: () => Promise<GPUAdapter | null>): Promise<WebGpuAcquisition> {
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: { requestAdapter } }, configurable: true });
  return acquireWebGpuDevice({ mode: 'auto' });
}

afterEach(() => {
  if (original === undefined) delete (globalThis as { navigator?: unknown }).navigator;
  else Object.defineProperty(globalThis, 'navigator', original);
});

describe('acquireWebGpuDevice says why there is no device', () => {
  it('no-adapter when requestAdapter() gives none', async () => {
    const acquired = await withNavigatorGpu(async () => null);
    assert.equal(acquired.available, false);
    assert.equal(acquired.available ? '' : acquired.cause, 'no-adapter');
  });

  it('no-adapter when the adapter lacks a limit the kernels need', async () => {
    const small = { ...LIMITS, maxComputeWorkgroupSizeY: 8 };
    const acquired = await withNavigatorGpu(async () => fakeAdapter(small, () => assert.fail('not asked')));
    assert.deepEqual(acquired.available ? {} : { cause: acquired.cause, reason: acquired.reason }, {
      cause: 'no-adapter',
      reason: 'adapter stand-in adapter: maxComputeWorkgroupSizeY = 8 < 16',
    });
  });

  it('device-failed, with the adapter and the error, when the adapter refuses the device basin asks for', async () => {
    const acquired = await withNavigatorGpu(async () =>
      fakeAdapter(LIMITS, () =>
        Promise.reject(new TypeError('requiredLimits: maxBufferSize above the adapter')),
      ),
    );
    assert.deepEqual(acquired.available ? {} : { cause: acquired.cause, reason: acquired.reason }, {
      cause: 'device-failed',
      reason: 'adapter stand-in adapter refused its device: requiredLimits: maxBufferSize above the adapter',
    });
  });

  it('off when BASIN_WEBGPU=off asks for none', async () => {
    const acquired = await acquireWebGpuDevice({ mode: 'off' });
    assert.equal(acquired.available ? '' : acquired.cause, 'off');
  });
});
