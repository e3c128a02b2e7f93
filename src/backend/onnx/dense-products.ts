import { checkProductShapes, type DenseProducts, type ProductLayout } from '../../core/linalg/products.js';
import { OnnxGraph } from './onnx-graph.js';
import { OPSET } from './mlp-graph.js';
import { onnxRuntimeStatus, type SyncSession } from './runtime.js';
import { sessionForWork } from './threads.js';

/** Below this many multiply-adds a product stays in TypeScript: a session run costs tens of microseconds. */
const ONNX_MIN_MULTIPLY_ADDS = 2 ** 16;

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
 * machines where first-touching fresh memory is slow (~2.5 ms per MB measured on this project's VMs) a product with a
 * large output and a small inner dimension k is dominated by that, so blocked algorithms should keep k large.
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
  return {
    engine: 'onnx',
    multiply(a, b, m, k, n, out, layout = {}) {
      checkProductShapes(a, b, m, k, n, out);
      if (m * k * n < ONNX_MIN_MULTIPLY_ADDS || m === 0 || n === 0 || k === 0) {
        if (options.fallback === undefined) {
          // An empty inner dimension is a zero product; tiny ones are cheaper in TypeScript.
          smallProduct(a, b, m, k, n, out, layout);
        } else {
          options.fallback.multiply(a, b, m, k, n, out, layout);
        }
        return;
      }
      const feeds = {
        a: new runtime.Tensor('float64', a, layout.transposeA ? [k, m] : [m, k]),
        b: new runtime.Tensor('float64', b, layout.transposeB ? [n, k] : [k, n]),
      };
      const result = session(layout, m * k * n).run(feeds, ['c']).c;
      out.set(result.data as Float64Array);
      result.dispose();
    },
    dispose() {
      for (const byThreads of sessions.values()) for (const s of byThreads.values()) s.dispose();
      sessions.clear();
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

function smallProduct(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out: Float64Array,
  layout: ProductLayout,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        sum +=
          (layout.transposeA ? a[p * m + i] : a[i * k + p]) *
          (layout.transposeB ? b[j * k + p] : b[p * n + j]);
      }
      out[i * n + j] = sum;
    }
  }
}
