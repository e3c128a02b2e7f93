/**
 * Seeded pseudo-random numbers.
 *
 * Algorithm: xoshiro128** (Blackman & Vigna, 2018) on four 32-bit words, seeded by running SplitMix32 over the seed.
 * Uniform doubles take 53 random bits from two outputs; Gaussian samples use the Box–Muller transform, caching the
 * second value of each pair. Everything is integer arithmetic on 32-bit words plus IEEE double operations, so the
 * same seed gives bit-identical streams on every platform that runs JavaScript.
 *
 * Independent streams (for restarts, cells of a sweep, the noise matrix of a dataset) come from `deriveSeed`, which
 * hashes a parent seed with any list of labels; a run can then be replayed alone from its labels.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareGaussian: number | undefined;

  constructor(readonly seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      return mix32(state);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw 32-bit unsigned output. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal sample (Box–Muller). */
  gaussian(): number {
    if (this.spareGaussian !== undefined) {
      const value = this.spareGaussian;
      this.spareGaussian = undefined;
      return value;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * v;
    this.spareGaussian = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Fills `out` with N(mean, std²) samples. */
  fillGaussian(out: Float64Array | Float32Array, mean = 0, std = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.gaussian();
    return out;
  }

  /** Fisher–Yates shuffle of `indices` in place. */
  shuffle(indices: Int32Array | Uint32Array | number[]): typeof indices {
    for (let i = indices.length - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const tmp = indices[i];
      indices[i] = indices[j];
      indices[j] = tmp;
    }
    return indices;
  }
}

/**
 * A 32-bit seed for an independent stream, from a parent seed and labels (numbers or strings), e.g.
 * `deriveSeed(sweepSeed, 'cell', 3, 'rep', 17)`.
 */
export function deriveSeed(parent: number, ...labels: (number | string)[]): number {
  let h = mix32((parent >>> 0) ^ 0x85ebca6b);
  for (const label of labels) {
    const text = String(label);
    for (let i = 0; i < text.length; i++) h = mix32((h ^ text.charCodeAt(i)) + 0x9e3779b9);
    h = mix32(h ^ 0xc2b2ae35);
  }
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The SplitMix32 / murmur3 finaliser: a bijective avalanche on 32-bit words. */
function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
