import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requiredOrSkip } from './required.js';

/*
 * Python as an independent oracle (numpy, scipy, PyTorch), for every test that uses one. The interpreter is Debian's
 * /usr/bin/python3 with Debian's python3-numpy, python3-scipy and python3-torch, which .ci/run installs: the `python3`
 * first on PATH may be another one (pyenv's on this machine kind, with no numpy on a new machine, and pip has no
 * registry to install from), so it is never used.
 *
 * Whether a package is there is asked once, on its own (`python3 -c "import …"`), never read off a failed oracle
 * script: a script that fails is a failing test with the script's stderr, never a skip.
 */

export const ORACLE_PYTHON = '/usr/bin/python3';

/** The Debian packages for each oracle, named in the reason a test skips (or fails under CI=true). */
export const NUMPY_PACKAGES = 'python3-numpy';
export const SCIPY_PACKAGES = 'python3-numpy python3-scipy';
export const TORCH_PACKAGES = 'python3-torch python3-numpy python3-scipy libopenblas0-pthread';

const probed = new Map<string, string | false>();

/**
 * The `skip` option for a test that runs `imports` (e.g. `import numpy, scipy.optimize`) under ORACLE_PYTHON: false
 * when they import, else the reason naming the Debian `packages` (a MissingToolError under CI=true; see required.ts).
 * Probed once per import line.
 */
export function pythonOracleSkip(imports: string, packages: string): string | false {
  let missing = probed.get(imports);
  if (missing === undefined) {
    const probe = spawnSync(ORACLE_PYTHON, ['-c', imports], { encoding: 'utf8', timeout: 120_000 });
    if (probe.error)
      missing = `${ORACLE_PYTHON} is not runnable (${probe.error.message}): apt-get install python3 ${packages}`;
    else if (probe.status !== 0) {
      const last = probe.stderr.trim().split('\n').pop() ?? '';
      missing = `${ORACLE_PYTHON} cannot run "${imports}" (${last}): apt-get install ${packages}`;
    } else missing = false;
    probed.set(imports, missing);
  }
  return requiredOrSkip(missing);
}

export interface OracleInput {
  /** Sent to the script as JSON on stdin. */
  readonly input?: unknown;
  /**
   * Written as raw little-endian float64 to `<name>.bin` in a temporary directory that the script gets as
   * sys.argv[1] (numpy reads them with np.fromfile).
   */
  readonly arrays?: Record<string, Float64Array>;
}

/**
 * Runs `script` under ORACLE_PYTHON and parses the one JSON value it prints. A script that exits non-zero throws
 * with its stderr, so the test fails and shows the Python error.
 */
export function runOracle<T>(script: string, { input = null, arrays }: OracleInput = {}): T {
  const directory = arrays === undefined ? undefined : mkdtempSync(join(tmpdir(), 'basin-oracle-'));
  try {
    for (const [name, values] of Object.entries(arrays ?? {})) {
      writeFileSync(
        join(directory!, `${name}.bin`),
        Buffer.from(values.buffer, values.byteOffset, values.byteLength),
      );
    }
    const result = spawnSync(ORACLE_PYTHON, ['-c', script, ...(directory === undefined ? [] : [directory])], {
      input: JSON.stringify(input),
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (result.error) throw new Error(`${ORACLE_PYTHON} could not be run: ${result.error.message}`);
    if (result.status !== 0) {
      throw new Error(
        `the oracle script failed under ${ORACLE_PYTHON} (exit ${result.status}):\n${result.stderr}`,
      );
    }
    return JSON.parse(result.stdout) as T;
  } finally {
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  }
}
