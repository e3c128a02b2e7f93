import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NUMPY_PACKAGES, ORACLE_PYTHON, pythonOracleSkip, runOracle } from './python.js';
import { MissingToolError, TOOLS_REQUIRED } from './required.js';

/*
 * The oracle runner must tell a missing package (a skip off CI) from a broken script (always a failure with the
 * script's stderr). test/train/optimisers.test.ts used to read any Python failure as "numpy missing" and pass.
 */
describe('the Python oracle runner', { skip: pythonOracleSkip('import numpy', NUMPY_PACKAGES) }, () => {
  it('returns what the script prints as JSON, with the input on stdin and arrays in sys.argv[1]', () => {
    const sum = runOracle<number>(
      'import json, sys, numpy as np\nd = json.load(sys.stdin)\nprint(json.dumps(float(np.fromfile(sys.argv[1] + "/v.bin").sum() * d)))',
      { input: 2, arrays: { v: new Float64Array([1, 2, 3.5]) } },
    );
    assert.equal(sum, 13);
  });

  it('throws with the Python traceback when the script fails: a failed test, not a skip', () => {
    assert.throws(
      () => runOracle('import numpy as np\nnp.linalg.lstsq(np.ones((2, 2)))'),
      (error: Error) =>
        error.message.includes(`the oracle script failed under ${ORACLE_PYTHON}`) &&
        /TypeError: .*lstsq\(\) missing 1 required positional argument/.test(error.message),
    );
  });

  it('reports a package that is not installed as missing, naming the Debian package (a failure under CI=true)', () => {
    const probe = () => pythonOracleSkip('import basin_no_such_module', 'python3-basin-no-such-module');
    if (TOOLS_REQUIRED) {
      assert.throws(probe, MissingToolError);
    } else {
      assert.match(
        probe() as string,
        /^\/usr\/bin\/python3 cannot run "import basin_no_such_module" \(ModuleNotFoundError: .*\): apt-get install python3-basin-no-such-module$/,
      );
    }
  });
});
