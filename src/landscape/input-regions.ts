import type { FloatArray } from '../core/dtype.js';
import { InvalidArgumentError, requireFinite, requireInteger } from '../core/errors.js';
import { KINK_LOCATION_TOLERANCE } from '../core/tolerances.js';
import { activationRule } from '../model/activation.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import { forward } from '../model/forward.js';
import { makeSamples } from '../model/samples.js';
import { requireParameterVector } from './segment.js';

/**
 * What a network with 1-D or 2-D inputs does over its input space: its output on a grid, and which activation
 * region (the on/off pattern of every piecewise-linear hidden unit) each grid point lies in. Inside one region the
 * network is affine; region boundaries are where some unit's pre-activation crosses 0, its kinks.
 *
 * Slope noise is ignored here: it is fixed per training sample and has no value at other inputs.
 */
export interface InputRegions {
  /** Grid coordinates of the first input. */
  readonly x: Float64Array;
  /** Grid coordinates of the second input (a single 0 for 1-D inputs). */
  readonly y: Float64Array;
  /** Network output (first output unit) at each grid point, row-major with one row per y. */
  readonly output: Float64Array;
  /** Region index at each grid point, numbered in order of first appearance; all 0 without kinked units. */
  readonly region: Int32Array;
  readonly regionCount: number;
  /** False when no hidden unit is piecewise linear (tanh, sigmoid, linear): one smooth region, no kinks. */
  readonly hasKinks: boolean;
}

export interface InputGridOptions {
  readonly architecture: Architecture;
  readonly theta: FloatArray;
  /** [min, max] of the first input. */
  readonly xRange: readonly [number, number];
  /** [min, max] of the second input; required for 2-D inputs, ignored for 1-D. */
  readonly yRange?: readonly [number, number];
  /** Grid points per axis. Default 200. */
  readonly resolution?: number;
}

export function inputRegions(options: InputGridOptions): InputRegions {
  const { architecture, theta } = options;
  const dims = architecture.inputDim;
  if (dims !== 1 && dims !== 2) {
    throw new InvalidArgumentError('architecture.inputDim', '1 or 2 to draw the input space', dims);
  }
  requireParameterVector('theta', theta, parameterCount(architecture));
  const resolution = requireInteger('resolution', options.resolution ?? 200, 2, 2000);
  const x = axis('xRange', options.xRange, resolution);
  const y = dims === 2 ? axis('yRange', options.yRange, resolution) : new Float64Array(1);
  const points = new Float64Array(x.length * y.length * dims);
  for (let j = 0; j < y.length; j++) {
    for (let i = 0; i < x.length; i++) {
      const k = j * x.length + i;
      points[k * dims] = x[i];
      if (dims === 2) points[k * dims + 1] = y[j];
    }
  }
  const { output, region, regionCount, hasKinks } = evaluatePatterns(architecture, theta, points);
  return { x, y, output, region, regionCount, hasKinks };
}

/**
 * The kinks of a network with a 1-D input inside [low, high]: every x where the activation pattern changes,
 * located by bisection between grid points to within `tolerance`. Two kinks closer than the grid spacing (`resolution`
 * points) can be missed, as can a unit that switches on and back off between two grid points.
 */
export function kinks1d(
  architecture: Architecture,
  theta: FloatArray,
  range: readonly [number, number],
  resolution = 1000,
  tolerance = KINK_LOCATION_TOLERANCE,
): Float64Array {
  if (architecture.inputDim !== 1) {
    throw new InvalidArgumentError(
      'architecture.inputDim',
      '1 (kinks1d draws a 1-D input)',
      architecture.inputDim,
    );
  }
  requireParameterVector('theta', theta, parameterCount(architecture));
  const grid = axis('range', range, requireInteger('resolution', resolution, 2, 1_000_000));
  requireFinite('tolerance', tolerance, Number.MIN_VALUE);
  const patternAt = (values: Float64Array): string[] => evaluatePatterns(architecture, theta, values).keys;
  const keys = patternAt(grid);
  const found: number[] = [];
  for (let i = 0; i + 1 < grid.length; i++) {
    if (keys[i] === keys[i + 1]) continue;
    let low = grid[i];
    let high = grid[i + 1];
    const lowKey = keys[i];
    while (high - low > tolerance * Math.max(1, Math.abs(low))) {
      const middle = 0.5 * (low + high);
      if (middle <= low || middle >= high) break;
      if (patternAt(Float64Array.of(middle))[0] === lowKey) low = middle;
      else high = middle;
    }
    found.push(0.5 * (low + high));
  }
  return Float64Array.from(found);
}

function axis(name: string, range: readonly [number, number] | undefined, count: number): Float64Array {
  if (!range || range.length !== 2) throw new InvalidArgumentError(name, '[min, max]', range);
  const [low, high] = range;
  requireFinite(`${name}[0]`, low);
  requireFinite(`${name}[1]`, high);
  if (!(high > low)) throw new InvalidArgumentError(name, 'min < max', `[${low}, ${high}]`);
  return Float64Array.from({ length: count }, (_, i) => low + ((high - low) * i) / (count - 1));
}

function evaluatePatterns(
  architecture: Architecture,
  theta: FloatArray,
  points: Float64Array,
): { output: Float64Array; region: Int32Array; regionCount: number; hasKinks: boolean; keys: string[] } {
  const count = points.length / architecture.inputDim;
  const samples = makeSamples(
    points,
    new Float64Array(count * architecture.outputDim),
    architecture.inputDim,
    architecture.outputDim,
  );
  const cache = forward(architecture, Float64Array.from(theta), samples);
  const kinked = cache.layout.layers
    .map((layer, l) => ({ layer, l }))
    .filter(({ layer }) => layer.activation !== undefined && activationRule(layer.activation).hasKink);
  const keys: string[] = new Array(count);
  const region = new Int32Array(count);
  const ids = new Map<string, number>();
  for (let n = 0; n < count; n++) {
    let key = '';
    for (const { layer, l } of kinked) {
      const u = cache.pre[l];
      for (let j = 0; j < layer.outputs; j++) key += u[n * layer.outputs + j] > 0 ? '1' : '0';
    }
    keys[n] = key;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    region[n] = id;
  }
  const output = new Float64Array(count);
  const outputs = architecture.outputDim;
  for (let n = 0; n < count; n++) output[n] = cache.output[n * outputs];
  return { output, region, regionCount: ids.size, hasKinks: kinked.length > 0, keys };
}
