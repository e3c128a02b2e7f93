import { pythonOracleSkip, runOracle, SCIPY_PACKAGES } from '../support/python.js';

/*
 * numpy/scipy as an independent oracle for the certificate tests (test/support/python.ts): matrices go to a
 * temporary directory as raw float64 (numpy reads them with np.fromfile), a short script prints JSON back.
 */

/** The `skip` option for these oracle tests: false when numpy and scipy import (required under CI=true). */
export function pythonSkipReason(): string | false {
  return pythonOracleSkip('import numpy, scipy.optimize', SCIPY_PACKAGES);
}

/**
 * Writes each array to `<dir>/<name>.bin` and runs `script` with the directory as sys.argv[1]; the script prints one
 * JSON value, which is returned.
 */
export function withPython<T>(arrays: Record<string, Float64Array>, script: string): T {
  return runOracle<T>(script, { arrays });
}
