import { pythonOracleSkip, runOracle, TORCH_PACKAGES } from './python.js';

/*
 * PyTorch as an independent oracle for the optimiser, initialisation and curvature tests: Debian's python3-torch
 * under the oracle interpreter (test/support/python.ts). Arrays go to a temporary directory as raw float64
 * (`<name>.bin`, numpy's np.fromfile reads them), the script gets the directory as sys.argv[1] and a JSON value on
 * stdin, and prints one JSON value back.
 */

/**
 * The `skip` option for a PyTorch oracle test: false when torch and `imports` (numpy and the scipy modules the test
 * uses) import; required under CI=true.
 */
export function torchSkipReason(imports = 'import torch, numpy, scipy.stats'): string | false {
  return pythonOracleSkip(imports, TORCH_PACKAGES);
}

/** Runs `script` under torch with `arrays` as files in sys.argv[1] and `input` as JSON on stdin; parses its JSON. */
export function withTorch<T>(
  script: string,
  input: unknown = null,
  arrays: Record<string, Float64Array> = {},
): T {
  return runOracle<T>(script, { input, arrays });
}
