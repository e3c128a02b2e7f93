/**
 * Issue 13's tridiagonal step at CIFAR size: tridiagonalEigenDC with ONNX products at n = 3072 against LAPACK's
 * dstedc (scipy's dstevd) and dstemr on the same input, best of `--repeat` runs each, with the load average (the
 * machine is shared). Inputs, made once by numpy and cached in $TMPDIR/basin-tridiagonal-dc: the dsytrd
 * tridiagonal of the covariance of X (5000 × n) with a power-law spectrum σ_i = 1/i in a random basis ("decay",
 * the realistic case), of a rank-100 plus 1e-6-noise X ("lowrank": ~2970 nearly equal tiny eigenvalues), and
 * random d, e ("random"). Run: `node --import tsx bench/tridiagonal-dc.ts [--n 3072] [--repeat 3] [case …]`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onnxDenseProducts } from '../src/backend/onnx/dense-products.js';
import { tridiagonalEigenDC } from '../src/core/linalg/tridiagonal-dc.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  args.splice(at, 2);
  return value;
};
const n = option('--n', 3072);
const repeat = option('--repeat', 3);
const cases = args.length > 0 ? args : ['decay', 'lowrank', 'random'];
const dir = path.join(os.tmpdir(), 'basin-tridiagonal-dc', String(n));

const python = (script: string): string => {
  const result = spawnSync('python3', ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
  return result.stdout;
};

if (!cases.every((c) => existsSync(path.join(dir, `${c}-d.bin`)))) {
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`making the inputs in ${dir} (a minute or two) …\n`);
  python(`
import numpy as np, scipy.linalg.lapack as L
rng = np.random.default_rng(0)
n, N, out = ${n}, 5000, ${JSON.stringify(dir)}
def save(name, d, e):
    d.astype('<f8').tofile(f'{out}/{name}-d.bin'); e.astype('<f8').tofile(f'{out}/{name}-e.bin')
def tri(X):
    c, d, e, tau, info = L.dsytrd(X.T @ X / N, lower=1)
    return d.copy(), e.copy()
Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
save('decay', *tri((rng.standard_normal((N, n)) / (np.arange(n) + 1.0)) @ Q.T))
save('lowrank', *tri(rng.standard_normal((N, 100)) @ rng.standard_normal((100, n)) + 1e-6 * rng.standard_normal((N, n))))
save('random', rng.standard_normal(n), rng.standard_normal(n - 1))
`);
}

const read = (file: string) => {
  const bytes = readFileSync(file);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};
const load = () => os.loadavg()[0].toFixed(2);

const products = onnxDenseProducts();
// Sessions are created on first use; keep that out of the timings.
tridiagonalEigenDC(
  Float64Array.from({ length: 700 }, (_, i) => Math.sin(i)),
  Float64Array.from({ length: 699 }, (_, i) => Math.cos(i)),
  { products },
);

process.stdout.write(`n = ${n}, best of ${repeat}; cores ${os.availableParallelism()}\n`);
for (const name of cases) {
  const d = read(path.join(dir, `${name}-d.bin`));
  const e = read(path.join(dir, `${name}-e.bin`));
  const loadBefore = load();
  let best = Infinity;
  let result = tridiagonalEigenDC(d, e, { products });
  for (let r = 0; r < repeat; r++) {
    const start = performance.now();
    result = tridiagonalEigenDC(d, e, { products });
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  const { values, vectors } = result;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    norm = Math.max(
      norm,
      Math.abs(d[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0),
    );
  }
  const squares = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      let s = (d[i] - values[k]) * vectors[i * n + k];
      if (i > 0) s += e[i - 1] * vectors[(i - 1) * n + k];
      if (i < n - 1) s += e[i] * vectors[(i + 1) * n + k];
      squares[k] += s * s;
    }
  }
  const residual = Math.sqrt(Math.max(...squares));
  const gram = new Float64Array(n * n);
  products.multiply(vectors, vectors, n, n, n, gram, { transposeA: true });
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++)
      orthogonality = Math.max(orthogonality, Math.abs(gram[i * n + j] - (i === j ? 1 : 0)));
  }
  const lapack = JSON.parse(
    python(`
import json, time, numpy as np, scipy.linalg as la, scipy.linalg.lapack as L
d = np.fromfile(${JSON.stringify(path.join(dir, `${name}-d.bin`))}); e = np.fromfile(${JSON.stringify(path.join(dir, `${name}-e.bin`))})
def best(f):
    f(); t = []
    for _ in range(${repeat}):
        s = time.perf_counter(); f(); t.append(time.perf_counter() - s)
    return min(t)
exact = la.eigh_tridiagonal(d, e, eigvals_only=True, lapack_driver='stebz', tol=5e-308)
print(json.dumps({'dstedc': best(lambda: L.dstevd(d, e, compute_v=1)),
                  'dstemr': best(lambda: la.eigh_tridiagonal(d, e, lapack_driver='stemr')), 'exact': exact.tolist()}))
`),
  ) as { dstedc: number; dstemr: number; exact: number[] };
  let valueError = 0;
  for (let k = 0; k < n; k++) valueError = Math.max(valueError, Math.abs(values[k] - lapack.exact[k]));
  const eps = Number.EPSILON;
  process.stdout.write(
    `${name.padEnd(8)} basin DC ${best.toFixed(2)} s   scipy dstevd (dstedc) ${lapack.dstedc.toFixed(2)} s   ` +
      `dstemr ${lapack.dstemr.toFixed(2)} s   load ${loadBefore} → ${load()}\n` +
      `         max|λ − λ_dstebz| ${(valueError / (eps * norm)).toFixed(1)} ε‖T‖, residual ` +
      `${(residual / (n * eps * norm)).toFixed(3)} nε‖T‖, orthogonality ${(orthogonality / (n * eps)).toFixed(3)} nε\n`,
  );
}
products.dispose();
