import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonModulesSkipReason } from '../linalg/numpy-oracle.js';

/*
 * numpy/scipy as an independent oracle for the certificate tests: matrices go to a temporary file as raw float64
 * (little-endian, row-major; numpy reads them with np.fromfile), a short script prints JSON back. When python3 or
 * numpy/scipy is missing, `pythonSkipReason` says why and the tests skip with that reason printed.
 */

export function pythonSkipReason(): string | undefined {
  return pythonModulesSkipReason('import numpy, scipy.optimize', 'numpy/scipy');
}

/**
 * Writes each array to `<dir>/<name>.bin` and runs `script` with the directory as sys.argv[1]; the script prints one
 * JSON value, which is returned.
 */
export function withPython<T>(arrays: Record<string, Float64Array>, script: string): T {
  const directory = mkdtempSync(join(tmpdir(), 'basin-certify-'));
  try {
    for (const [name, values] of Object.entries(arrays)) {
      writeFileSync(
        join(directory, `${name}.bin`),
        Buffer.from(values.buffer, values.byteOffset, values.byteLength),
      );
    }
    const result = spawnSync('python3', ['-c', script, directory], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
