import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * PyTorch as an independent oracle for the optimiser and initialisation tests. PyTorch is Debian's python3-torch,
 * run by /usr/bin/python3 (the python3 on PATH has numpy and scipy but no torch); without it the tests skip with
 * the reason printed. Arrays go to a temporary directory as raw float64 (`<name>.bin`, numpy's np.fromfile reads
 * them), the script gets the directory as sys.argv[1] and a JSON value on stdin, and prints one JSON value back.
 */

export const TORCH_PYTHON = '/usr/bin/python3';

let probed: string | false | undefined;

/** false when `TORCH_PYTHON` imports torch, numpy and scipy; otherwise the reason to print when skipping. */
export function torchSkipReason(): string | false {
  if (probed === undefined) {
    const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch, numpy, scipy.stats'], { encoding: 'utf8' });
    if (probe.error) probed = `${TORCH_PYTHON} not runnable (${probe.error.message})`;
    else if (probe.status !== 0) {
      probed = `${TORCH_PYTHON} has no torch/numpy/scipy (Debian python3-torch python3-scipy)`;
    } else probed = false;
  }
  return probed;
}

/** Runs `script` under torch with `arrays` as files in sys.argv[1] and `input` as JSON on stdin; parses its JSON. */
export function withTorch<T>(
  script: string,
  input: unknown = null,
  arrays: Record<string, Float64Array> = {},
): T {
  const directory = mkdtempSync(join(tmpdir(), 'basin-torch-'));
  try {
    for (const [name, values] of Object.entries(arrays)) {
      writeFileSync(
        join(directory, `${name}.bin`),
        Buffer.from(values.buffer, values.byteOffset, values.byteLength),
      );
    }
    const result = spawnSync(TORCH_PYTHON, ['-c', script, directory], {
      input: JSON.stringify(input),
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (result.status !== 0) throw new Error(`${TORCH_PYTHON} failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
