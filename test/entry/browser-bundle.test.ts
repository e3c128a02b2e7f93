import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

/*
 * The two entry points are bundled as a browser bundler would (esbuild, platform browser) from a one-line program
 * that imports one namespace. `basin` must reach no Node built-in, no native package and no Node-only package:
 * the explorer ships it to web pages. `basin/node` does reach them, which shows the check can fail.
 */
const ENTRIES = {
  basin: fileURLToPath(new URL('../../src/index.ts', import.meta.url)),
  'basin/node': fileURLToPath(new URL('../../src/node.ts', import.meta.url)),
};

/** Resolves `basin` and `basin/node` to their TypeScript sources, as web/vite.config.ts does for the explorer. */
const sources: Plugin = {
  name: 'basin-sources',
  setup(plugin) {
    plugin.onResolve({ filter: /^basin(\/node)?$/ }, (args) => ({
      path: ENTRIES[args.path as keyof typeof ENTRIES],
    }));
  },
};

/** Third-party packages the browser entry may import: zod (the weights format's schema), which runs anywhere. */
const BROWSER_SAFE_PACKAGES = new Set(['zod']);
const NODE_ONLY = /^(node:|@duckdb\/|onnxruntime|@resvg\/|pngjs|csv-parse)/;

interface Bundle {
  /** Every module the bundle read (source files; packages stay external). */
  readonly inputs: readonly string[];
  /** What the bundle still imports at run time: packages and `node:` built-ins. */
  readonly imports: readonly string[];
}

async function bundle(program: string): Promise<Bundle> {
  const result = await build({
    stdin: { contents: program, loader: 'ts', resolveDir: process.cwd(), sourcefile: 'program.ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Packages stay imports of the output, so that the assertions see each one by name (and bundling native
    // packages for a browser, which fails in other ways, is never attempted).
    packages: 'external',
    external: ['node:*'],
    plugins: [sources],
  });
  const metafile: Metafile = result.metafile;
  const [output] = Object.values(metafile.outputs);
  return {
    inputs: Object.keys(metafile.inputs),
    imports: [...new Set(output.imports.map((entry) => entry.path))].sort(),
  };
}

describe('entry points', () => {
  it('basin bundles for a browser without Node built-ins, DuckDB, ONNX Runtime or other Node-only packages', async () => {
    const { inputs, imports } = await bundle("import { certify } from 'basin';\nconsole.log(certify);\n");
    assert.ok(
      inputs.some((input) => input.endsWith('src/certify/certificate.ts')),
      'the bundle holds the certify namespace',
    );
    assert.deepEqual(
      inputs.filter((input) =>
        /node_modules|@duckdb|onnxruntime|src\/backend\/onnx\/|src\/sweep\//.test(input),
      ),
      [],
    );
    assert.deepEqual(
      imports.filter((path) => path.startsWith('node:') || NODE_ONLY.test(path)),
      [],
      'node-only imports',
    );
    assert.deepEqual(
      imports.filter((path) => !BROWSER_SAFE_PACKAGES.has(path)),
      [],
      'packages outside the browser-safe list',
    );
  });

  it('every namespace of basin is browser-safe, not only the ones a program happens to use', async () => {
    const { imports } = await bundle("import * as basin from 'basin';\nconsole.log(basin);\n");
    assert.deepEqual(
      imports.filter((path) => !BROWSER_SAFE_PACKAGES.has(path)),
      [],
    );
  });

  it('basin/node does reach the Node-only code, so the check above can fail', async () => {
    const { inputs, imports } = await bundle(
      "import { backend, files, sweep } from 'basin/node';\nconsole.log(backend, files, sweep);\n",
    );
    // ONNX Runtime is loaded with createRequire (node:module), so it shows as its loader module, not an import.
    for (const expected of ['src/sweep/store/result-store.ts', 'src/backend/onnx/runtime.ts']) {
      assert.ok(
        inputs.some((input) => input.endsWith(expected)),
        `${expected} in the bundle`,
      );
    }
    for (const expected of ['@duckdb/node-api', 'node:fs', 'node:module', 'node:worker_threads']) {
      assert.ok(imports.includes(expected), `${expected} in ${imports.join(', ')}`);
    }
  });

  it('basin exports its namespaces and a few essentials at the top level, nothing else', async () => {
    const basin = await import('../../src/index.js');
    assert.deepEqual(Object.keys(basin).sort(), [
      'BasinError',
      'ConvergenceError',
      'FileFormatError',
      'InvalidArgumentError',
      'Rng',
      'backend',
      'certify',
      'data',
      'deriveSeed',
      'landscape',
      'linalg',
      'model',
      'run',
      'train',
    ]);
  });
});
