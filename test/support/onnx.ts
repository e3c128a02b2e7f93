import { onnxRuntimeStatus } from '../../src/backend/onnx/runtime.js';
import { requiredOrSkip } from './required.js';

/**
 * The `skip` option for a test that needs ONNX Runtime (onnxruntime-node, an npm dependency): false when it loads,
 * else the reason (a failure under CI=true; see required.ts).
 */
export function onnxSkipReason(): string | false {
  const status = onnxRuntimeStatus();
  return requiredOrSkip(status.available ? false : `onnxruntime-node unavailable: ${status.reason}`);
}
