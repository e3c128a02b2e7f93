import { leastSquares, norm } from '../core/linalg/index.js';
import { activationRule } from '../model/activation.js';
import type { LayerLayout, ParameterLayout } from '../model/architecture.js';
import type { ForwardCache } from '../model/forward.js';
import type { Samples } from '../model/samples.js';
import { Subspace } from './subspace.js';

/** One (sample, hidden unit) pre-activation; `layer` is the hidden layer's index (0 = first). */
export interface KinkPair {
  readonly layer: number;
  readonly sample: number;
  readonly unit: number;
}

/**
 * Pre-activations of the first hidden layer are linear in θ: u_ni = w_iᵀx_n + b_i. So the set where one of them is
 * 0 is a hyperplane with the constant normal g_ni = ∂u_ni/∂θ (x_n in row i of W₁, 1 at b_i), and moving onto it,
 * or along it, is exact linear algebra. Deeper layers' kinks are curved and are not handled here.
 */
export function firstLayerKinkNormal(
  layout: ParameterLayout,
  samples: Samples,
  pair: KinkPair,
): Float64Array {
  const layer = layout.layers[0];
  const normal = new Float64Array(layout.size);
  const base = layer.weightOffset + pair.unit * layer.inputs;
  for (let i = 0; i < layer.inputs; i++) normal[base + i] = samples.x[pair.sample * layer.inputs + i];
  if (layer.biasOffset !== undefined) normal[layer.biasOffset + pair.unit] = 1;
  return normal;
}

export function firstLayerPreActivation(
  layer: LayerLayout,
  theta: Float64Array,
  samples: Samples,
  sample: number,
  unit: number,
): number {
  let u = layer.biasOffset === undefined ? 0 : theta[layer.biasOffset + unit];
  const base = layer.weightOffset + unit * layer.inputs;
  for (let i = 0; i < layer.inputs; i++) u += theta[base + i] * samples.x[sample * layer.inputs + i];
  return u;
}

/** Every hidden pre-activation of a kinked activation with |u| ≤ tolerance (absolute), in every layer. */
export function kinkedPairs(cache: ForwardCache, tolerance: number): KinkPair[] {
  const pairs: KinkPair[] = [];
  cache.layout.layers.forEach((layer, l) => {
    if (layer.activation === undefined || !activationRule(layer.activation).hasKink) return;
    const u = cache.pre[l];
    for (let k = 0; k < u.length; k++) {
      if (Math.abs(u[k]) <= tolerance) {
        pairs.push({ layer: l, sample: Math.floor(k / layer.outputs), unit: k % layer.outputs });
      }
    }
  });
  return pairs;
}

/**
 * A working set of first-layer kinks that polishing keeps the point on: the pairs' pre-activations are held at 0
 * while the rest of θ moves, like the active constraints of an active-set method.
 */
export class KinkWorkingSet {
  readonly pairs: KinkPair[] = [];
  private normals: Float64Array[] = [];
  private span: Subspace;

  constructor(
    private readonly layout: ParameterLayout,
    private readonly samples: Samples,
  ) {
    this.span = new Subspace([], layout.size);
  }

  get size(): number {
    return this.pairs.length;
  }

  has(sample: number, unit: number): boolean {
    return this.pairs.some((p) => p.sample === sample && p.unit === unit);
  }

  add(sample: number, unit: number): void {
    if (this.has(sample, unit)) return;
    const pair = { layer: 0, sample, unit };
    this.pairs.push(pair);
    this.normals.push(firstLayerKinkNormal(this.layout, this.samples, pair));
    this.span = new Subspace(this.normals, this.layout.size);
  }

  /** Releases every held pair of one unit (polishing leaves the kink along a descent direction). */
  releaseUnit(unit: number): void {
    const keep = this.pairs.map((p) => p.unit !== unit);
    const pairs = this.pairs.filter((_, k) => keep[k]);
    this.normals = this.normals.filter((_, k) => keep[k]);
    this.pairs.length = 0;
    this.pairs.push(...pairs);
    this.span = new Subspace(this.normals, this.layout.size);
  }

  /** v with its component along the kink normals removed: a direction that keeps every pair on its kink. */
  tangential(v: Float64Array): Float64Array {
    return this.span.complementOf(v);
  }

  /** The smallest step that puts every pair exactly back on its kink (min-norm solution of G·δ = −u). */
  correction(theta: Float64Array): Float64Array {
    const size = this.layout.size;
    if (this.pairs.length === 0) return new Float64Array(size);
    const layer = this.layout.layers[0];
    const g = new Float64Array(this.pairs.length * size);
    const u = new Float64Array(this.pairs.length);
    this.pairs.forEach((pair, k) => {
      g.set(this.normals[k], k * size);
      u[k] = -firstLayerPreActivation(layer, theta, this.samples, pair.sample, pair.unit);
    });
    if (norm(u) === 0) return new Float64Array(size);
    return leastSquares(g, this.pairs.length, size, u).x;
  }
}
