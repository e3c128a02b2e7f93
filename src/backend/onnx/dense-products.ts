import { transpose } from '../../core/linalg/basic.js';
import {
  checkProductShapes,
  type DenseProducts,
  type ProductLayout,
  referenceProducts,
} from '../../core/linalg/products.js';
import { OnnxGraph } from './onnx-graph.js';
import { OPSET } from './mlp-graph.js';
import { onnxRuntimeStatus, type SyncSession } from './runtime.js';
import { PARALLEL_MIN_MULTIPLY_ADDS, sessionForWork } from './threads.js';

/** Below this many multiply-adds a product stays in TypeScript: a session run costs tens of microseconds. */
const ONNX_MIN_MULTIPLY_ADDS = 2 ** 16;

/**
 * Largest output, in entries (2 MB), that one session run returns. The binding copies every output into a fresh
 * ArrayBuffer; glibc serves large allocations with fresh pages (and gives freed ones back to the system), and on
 * this project's VMs first-touching those costs ~2.5 ms per MB: 190 ms for a 3072² output whatever the inner
 * dimension. Outputs of a few MB come back in recycled heap memory: 3072 × 256 × 3072 took 300 ms in one run and
 * 51 ms (the DGEMM's own time) in 256-row blocks; 3072 × 128 × 3072 in blocks of 2 MB took 43–55 ms on one thread.
 */
const MAX_OUTPUT_ENTRIES_PER_RUN = 2 ** 18;

/** Cost, in copied entries, of one output entry in a fresh buffer: 2.5 ms per MB against ~1 ns per copied entry. */
const FRESH_OUTPUT_ENTRY_COST = 20;

/**
 * Fewest output columns per block: narrower blocks are too thin for the DGEMM kernel, and rows are used instead.
 */
const MIN_BLOCK_COLUMNS = 32;

/** An output this thin (rows or columns) makes a product bound by reading its operands, not by arithmetic. */
const THIN_OUTPUT = 4;

/** Entries read from which a thin product gets every thread. */
const PARALLEL_MIN_THIN_ENTRIES = 2 ** 18;

/**
 * The multiply-adds a product counts as when its session's threads are chosen (`sessionForWork`). A thin product
 * (matrix–vector) is bound by reading A, and on this project's 2-core machine, quiet, two threads read it about
 * twice as fast from 2 MB up (512² 64 → 41–50 µs; 3072² 3.1–3.4 → 1.5–1.7 ms), where its multiply-adds alone, below
 * PARALLEL_MIN_MULTIPLY_ADDS, would give it one.
 */
function threadWork(m: number, k: number, n: number): number {
  const thin = Math.min(m, n) <= THIN_OUTPUT && k * Math.max(m, n) >= PARALLEL_MIN_THIN_ENTRIES;
  return thin ? Math.max(m * k * n, PARALLEL_MIN_MULTIPLY_ADDS) : m * k * n;
}

/**
 * How to split a product, by a rough count of the memory traffic each way adds to the DGEMM: the whole output in
 * one fresh buffer; row blocks, each of which repacks all of op(B) (3072 × 128 × 3072 took 120–300 ms in 42-row
 * blocks); or column blocks (45–60 ms in 42-column blocks), which first copy op(B) into kept scratch when it is not
 * stored transposed, counted 4× for the scratch's own first touch when it grows. So 3072 × 128 × 3072 goes by
 * columns, and 128 × 2560 × 3072 (a thin Vᵀ·Z) whole: by columns it took 100–240 ms, whole 40.
 */
function blockPlan(m: number, k: number, n: number, layout: ProductLayout): 'whole' | 'rows' | 'columns' {
  if (m * n <= MAX_OUTPUT_ENTRIES_PER_RUN) return 'whole';
  const whole = FRESH_OUTPUT_ENTRY_COST * m * n;
  const rows = k * n * Math.ceil(m / Math.max(1, Math.floor(MAX_OUTPUT_ENTRIES_PER_RUN / n)));
  const columns =
    Math.floor(MAX_OUTPUT_ENTRIES_PER_RUN / m) >= MIN_BLOCK_COLUMNS
      ? layout.transposeB
        ? 0
        : 4 * k * n
      : Infinity;
  if (columns <= rows && columns <= whole) return 'columns';
  return rows <= whole ? 'rows' : 'whole';
}

export interface OnnxDenseProducts extends DenseProducts {
  /** Releases the sessions. */
  dispose(): void;
}

/**
 * Float64 products through ONNX Runtime's MatMul (MLAS DGEMM, every core for large products): about 95 GFLOP/s
 * for 3072³ on this project's 2-core machine against ~1 for the TypeScript loop. One graph per layout, with
 * symbolic shapes, so any m, k, n reuses the session. Small products stay in TypeScript (`fallback`).
 *
 * Cost to know: ORT hands every output back in a freshly allocated buffer, which `multiply` copies into `out`; on
 * machines where first-touching fresh memory is slow (~2.5 ms per MB measured on this project's VMs) that would
 * dominate products with a large output and a small inner dimension, so large outputs are computed in blocks of
 * at most {@link MAX_OUTPUT_ENTRIES_PER_RUN} entries, whose buffers the allocator recycles. `a` is read in place
 * (not copied), so a matrix–vector product costs one pass over it.
 *
 * @example
 * ```ts
 * const products = onnxDenseProducts();
 * const out = new Float64Array(4);
 * products.multiply(Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 0, 0, 1), 2, 2, 2, out); // [1, 2, 3, 4]
 * products.dispose();
 * ```
 */
export function onnxDenseProducts(
  options: { readonly threads?: number; readonly fallback?: DenseProducts } = {},
): OnnxDenseProducts {
  const status = onnxRuntimeStatus();
  if (!status.available) throw new Error(`the ONNX engine is unavailable: ${status.reason}`);
  const runtime = status.runtime;
  const models = new Map<string, Uint8Array>();
  const sessions = new Map<string, Map<number, SyncSession>>();
  const session = (layout: ProductLayout, multiplyAdds: number): SyncSession => {
    const key = `${layout.transposeA ? 't' : 'n'}${layout.transposeB ? 't' : 'n'}`;
    let model = models.get(key);
    if (model === undefined) models.set(key, (model = productGraph(layout)));
    let byThreads = sessions.get(key);
    if (byThreads === undefined) sessions.set(key, (byThreads = new Map()));
    return sessionForWork(runtime, model, byThreads, 'float64', multiplyAdds, options.threads);
  };
  // Column segments of B for column blocks, kept between calls: a fresh buffer would cost its first touch each time.
  let segments = new Float64Array(0);
  /** op(A)·op(B) in one session run; returns ORT's output buffer. */
  const run = (
    a: Float64Array,
    b: Float64Array,
    m: number,
    k: number,
    n: number,
    layout: ProductLayout,
    multiplyAdds: number,
  ): Float64Array => {
    const feeds = {
      a: new runtime.Tensor('float64', a, layout.transposeA ? [k, m] : [m, k]),
      b: new runtime.Tensor('float64', b, layout.transposeB ? [n, k] : [k, n]),
    };
    const result = session(layout, multiplyAdds).run(feeds, ['c']).c;
    const data = result.data as Float64Array;
    result.dispose();
    return data;
  };
  return {
    engine: 'onnx',
    multiply(a, b, m, k, n, out, layout = {}) {
      checkProductShapes(a, b, m, k, n, out);
      if (m * k * n < ONNX_MIN_MULTIPLY_ADDS || m === 0 || n === 0 || k === 0) {
        // An empty inner dimension is a zero product; tiny ones are cheaper in TypeScript.
        (options.fallback ?? referenceProducts).multiply(a, b, m, k, n, out, layout);
        return;
      }
      // Threads are chosen for the whole product: its blocks run back to back.
      const work = threadWork(m, k, n);
      const plan = blockPlan(m, k, n, layout);
      if (plan === 'whole') {
        out.set(run(a, b, m, k, n, layout, work));
        return;
      }
      // Blocks need contiguous operands; transposing A here costs k·m entries against m·k·n multiply-adds.
      const left = layout.transposeA ? transpose(a, k, m) : a;
      if (plan === 'columns') {
        const columns = Math.floor(MAX_OUTPUT_ENTRIES_PER_RUN / m);
        // Columns first…last−1 of op(B): rows of a stored Bᵀ, or row segments of B copied into `segments`.
        if (!layout.transposeB && segments.length < k * columns) segments = new Float64Array(k * columns);
        for (let first = 0; first < n; first += columns) {
          const last = Math.min(n, first + columns);
          const width = last - first;
          let block: Float64Array;
          if (layout.transposeB) {
            block = run(left, b.subarray(first * k, last * k), m, k, width, { transposeB: true }, work);
          } else {
            const right = segments.subarray(0, k * width);
            for (let p = 0; p < k; p++) right.set(b.subarray(p * n + first, p * n + last), p * width);
            block = run(left, right, m, k, width, {}, work);
          }
          // A plain loop: a subarray per row costs more than copying its few entries.
          for (let i = 0; i < m; i++) {
            const from = i * width;
            const to = i * n + first;
            for (let j = 0; j < width; j++) out[to + j] = block[from + j];
          }
        }
        return;
      }
      const rows = Math.max(1, Math.floor(MAX_OUTPUT_ENTRIES_PER_RUN / n));
      const blockLayout = { transposeB: layout.transposeB };
      for (let first = 0; first < m; first += rows) {
        const last = Math.min(m, first + rows);
        const block = left.subarray(first * k, last * k);
        out.set(run(block, b, last - first, k, n, blockLayout, work), first * n);
      }
    },
    dispose() {
      for (const byThreads of sessions.values()) for (const s of byThreads.values()) s.dispose();
      sessions.clear();
      segments = new Float64Array(0);
    },
  };
}

function productGraph(layout: ProductLayout): Uint8Array {
  const g = new OnnxGraph('dense_product');
  let a = g.input('a', 'float64', layout.transposeA ? ['k', 'm'] : ['m', 'k']);
  let b = g.input('b', 'float64', layout.transposeB ? ['n', 'k'] : ['k', 'n']);
  if (layout.transposeA) a = g.node('Transpose', [a], { perm: [1, 0] });
  if (layout.transposeB) b = g.node('Transpose', [b], { perm: [1, 0] });
  g.node('MatMul', [a, b], {}, 'c');
  g.output('c', 'float64', ['m', 'n']);
  return g.encode(OPSET);
}
