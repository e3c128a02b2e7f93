import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs a compiled bench script (`name`, beside this file) in a node process of its own with `request` as its one
 * JSON argument, and returns the JSON it prints: a process per measurement, so that its peak RSS is its own.
 * `what` names the measurement in the error when the child fails.
 */
export function runJsonChild<T>(
  name: string,
  request: unknown,
  limits: { readonly maxBufferBytes: number; readonly timeoutMs: number },
  what: string,
): T {
  const script = fileURLToPath(new URL(`./${name}`, import.meta.url));
  const result = spawnSync(process.execPath, [script, JSON.stringify(request)], {
    encoding: 'utf8',
    maxBuffer: limits.maxBufferBytes,
    timeout: limits.timeoutMs,
  });
  if (result.status !== 0) throw new Error(`${what} failed: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as T;
}
