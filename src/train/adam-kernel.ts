import type { FloatArray } from '../core/dtype.js';

/**
 * Adam's update as a WebAssembly SIMD kernel (two doubles per instruction), for `adamRule`. In JavaScript the loop
 * is bound by its three scalar divisions and one square root per parameter; f64x2 halves that. The arithmetic is the
 * same IEEE double operations in the same order as the JavaScript loop (no fused multiply-add, no reciprocal), and
 * float32 storage rounds each stored value once to nearest (f32x4.demote_f64x2_zero, like a Float32Array store), so
 * θ, m and v come out bit for bit as from the JavaScript loop.
 *
 * The kernel also returns Σ g·0 over the gradient: 0 when every component is finite, NaN otherwise.
 */
export interface AdamKernel {
  /** m and v, in θ's precision, living in the kernel's memory (zero at the start). */
  readonly m: FloatArray;
  readonly v: FloatArray;
  /**
   * One step on θ (length and precision of the kernel) with gradient `gradient` (same precision): updates m, v and
   * θ in place. Returns whether every gradient component was finite (θ, m and v are updated either way).
   */
  step(
    theta: FloatArray,
    gradient: FloatArray,
    learningRate: number,
    correction1: number,
    correction2: number,
  ): boolean;
}

/** The little of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

const modules = new Map<'float32' | 'float64', object | null>();

/** A kernel for `length` parameters in θ's precision, or undefined where WebAssembly SIMD is unavailable. */
export function adamKernel(
  dtype: 'float32' | 'float64',
  length: number,
  beta1: number,
  beta2: number,
  epsilon: number,
): AdamKernel | undefined {
  if (length < 2) return undefined;
  let module = modules.get(dtype);
  if (module === undefined) {
    module = compile(dtype);
    modules.set(dtype, module);
  }
  if (module === null) return undefined;
  const bytes = dtype === 'float64' ? 8 : 4;
  const size = length * bytes;
  // theta, gradient, m, v, one after the other, each 16-byte aligned.
  const stride = Math.ceil(size / 16) * 16;
  const pages = Math.ceil((4 * stride) / 65536);
  let memory: InstanceType<WasmApi['Memory']>;
  let instance: InstanceType<WasmApi['Instance']>;
  try {
    memory = new wasm!.Memory({ initial: pages, maximum: pages });
    instance = new wasm!.Instance(module, { env: { memory } });
  } catch {
    return undefined;
  }
  const kernel = instance.exports.adam as (...args: number[]) => number;
  const view = (offset: number): FloatArray =>
    dtype === 'float64'
      ? new Float64Array(memory.buffer, offset, length)
      : new Float32Array(memory.buffer, offset, length);
  const thetaView = view(0);
  const gradientView = view(stride);
  const m = view(2 * stride);
  const v = view(3 * stride);
  const pairs = length - (length % 2);
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  return {
    m,
    v,
    step(theta, gradient, learningRate, correction1, correction2) {
      thetaView.set(theta);
      gradientView.set(gradient);
      const check = kernel(
        0,
        stride,
        2 * stride,
        3 * stride,
        pairs * bytes,
        learningRate,
        correction1,
        correction2,
        beta1,
        beta2,
        a1,
        a2,
        epsilon,
      );
      let finite = check === 0;
      // An odd last parameter, in JavaScript with the same formula.
      for (let i = pairs; i < length; i++) {
        const g = gradientView[i];
        if (!Number.isFinite(g)) finite = false;
        m[i] = beta1 * m[i] + a1 * g;
        v[i] = beta2 * v[i] + a2 * g * g;
        thetaView[i] -= (learningRate * (m[i] / correction1)) / (Math.sqrt(v[i] / correction2) + epsilon);
      }
      theta.set(thetaView);
      return finite;
    },
  };
}

function compile(dtype: 'float32' | 'float64'): object | null {
  if (wasm === undefined) return null;
  try {
    const bytes = moduleBytes(dtype);
    return wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  } catch {
    return null;
  }
}

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(text: string): number[] {
  return [...uleb(text.length), ...[...text].map((c) => c.charCodeAt(0))];
}

/**
 * (func adam (param pT pG pM pV end i32) (param lr c1 c2 b1 b2 a1 a2 eps f64) (result f64)): for each pair of
 * parameters at byte offset k < end: m ← b1·m + a1·g; v ← b2·v + (a2·g)·g; θ ← θ − (lr·(m/c1)) / (√(v/c2) + eps),
 * with m and v read back as stored; returns Σ g·0.
 */
function moduleBytes(dtype: 'float32' | 'float64'): Uint8Array {
  const f32 = dtype === 'float32';
  const stride = f32 ? 8 : 16;
  const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...uleb(op), ...immediates];
  const get = (local: number): number[] => [0x20, local];
  const set = (local: number): number[] => [0x21, local];
  const [pT, pG, pM, pV, end] = [0, 1, 2, 3, 4];
  const [lr, c1, c2, b1, b2, a1, a2, eps] = [5, 6, 7, 8, 9, 10, 11, 12];
  const k = 13;
  const [LR, C1, C2, B1, B2, A1, A2, EPS, ZERO, ACC, G, M, V] = [
    14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
  ];
  const ADD = simd(240);
  const SUB = simd(241);
  const MUL = simd(242);
  const DIV = simd(243);
  const SQRT = simd(239);
  const address = (pointer: number): number[] => [...get(pointer), ...get(k), 0x6a];
  const load = (pointer: number): number[] =>
    f32
      ? [...address(pointer), ...simd(93, 0, 0), ...simd(95)] // v128.load64_zero, f64x2.promote_low_f32x4
      : [...address(pointer), ...simd(0, 0, 0)]; // v128.load
  /** Stores local `value` at `pointer` + k; in float32, leaves the stored value (promoted back) in `value`. */
  const store = (pointer: number, value: number): number[] =>
    f32
      ? [
          ...get(value),
          ...simd(94), // f32x4.demote_f64x2_zero
          ...set(value),
          ...address(pointer),
          ...get(value),
          ...simd(91, 0, 0, 0), // v128.store64_lane 0
          ...get(value),
          ...simd(95),
          ...set(value),
        ]
      : [...address(pointer), ...get(value), ...simd(11, 0, 0)]; // v128.store
  const splats = [
    [lr, LR],
    [c1, C1],
    [c2, C2],
    [b1, B1],
    [b2, B2],
    [a1, A1],
    [a2, A2],
    [eps, EPS],
  ].flatMap(([from, to]) => [...get(from), ...simd(20), ...set(to)]);
  const body = [
    ...splats,
    0x02,
    0x40, // block
    0x03,
    0x40, // loop
    ...get(k),
    ...get(end),
    0x4f,
    0x0d,
    1, // br_if 1 (k >= end)
    ...load(pG),
    ...set(G),
    ...get(ACC),
    ...get(G),
    ...get(ZERO),
    ...MUL,
    ...ADD,
    ...set(ACC),
    ...get(B1),
    ...load(pM),
    ...MUL,
    ...get(A1),
    ...get(G),
    ...MUL,
    ...ADD,
    ...set(M),
    ...store(pM, M),
    ...get(B2),
    ...load(pV),
    ...MUL,
    ...get(A2),
    ...get(G),
    ...MUL,
    ...get(G),
    ...MUL,
    ...ADD,
    ...set(V),
    ...store(pV, V),
    ...load(pT),
    ...get(LR),
    ...get(M),
    ...get(C1),
    ...DIV,
    ...MUL,
    ...get(V),
    ...get(C2),
    ...DIV,
    ...SQRT,
    ...get(EPS),
    ...ADD,
    ...DIV,
    ...SUB,
    ...set(G),
    ...store(pT, G),
    ...get(k),
    0x41,
    ...uleb(stride),
    0x6a,
    ...set(k),
    0x0c,
    0, // br 0
    0x0b, // end loop
    0x0b, // end block
    ...get(ACC),
    ...simd(33, 0),
    ...get(ACC),
    ...simd(33, 1),
    0xa0, // f64.add
    0x0b,
  ];
  const locals = [2, 1, I32, 13, V128];
  const code = [...uleb(locals.length + body.length), ...locals, ...body];
  const params = [I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, F64];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, ...uleb(params.length), ...params, 1, F64]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x00]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('adam'), 0x00, 0]),
    ...section(10, [1, ...code]),
  ]);
}
