import { BasinError, InvalidArgumentError } from '../errors.js';

/*
 * Dense float64 matrices are plain Float64Arrays in row-major order: entry (i, j) of a rows × cols matrix sits at
 * index i·cols + j. These helpers are the few vector operations the factorisations share.
 */

/** A factorisation or iteration that did not meet its own convergence test within its iteration budget. */
export class ConvergenceError extends BasinError {
  override name = 'ConvergenceError';
}

/** Throws unless `a` is a Float64Array holding a finite rows × cols matrix. */
export function requireMatrix(argument: string, a: Float64Array, rows: number, cols: number): void {
  if (!(a instanceof Float64Array)) throw new InvalidArgumentError(argument, 'a Float64Array', a);
  if (a.length !== rows * cols) {
    throw new InvalidArgumentError(
      argument,
      `${rows * cols} entries (a ${rows} × ${cols} matrix, row-major)`,
      `${a.length} entries`,
    );
  }
  for (let k = 0; k < a.length; k++) {
    if (!Number.isFinite(a[k])) {
      throw new InvalidArgumentError(
        `${argument}[${Math.floor(k / cols)}, ${k % cols}]`,
        'a finite number',
        a[k],
      );
    }
  }
}

/** Throws unless `n` is a valid dimension (an integer ≥ 0). */
export function requireDimension(argument: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(argument, 'an integer ≥ 0', n);
}

export function dot(x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * y[i];
  return sum;
}

/** Euclidean norm, scaled so that it neither overflows nor underflows for extreme entries. */
export function norm(x: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const t = x[i] / scale;
    sum += t * t;
  }
  return scale * Math.sqrt(sum);
}

/** sqrt(a² + b²) without intermediate overflow or underflow. */
export function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

/** y = A·x for a rows × cols matrix. */
export function matvec(a: Float64Array, rows: number, cols: number, x: Float64Array): Float64Array {
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += a[base + j] * x[j];
    y[i] = sum;
  }
  return y;
}

/** y = Aᵀ·x for a rows × cols matrix (walks A row by row). */
export function matvecTransposed(a: Float64Array, rows: number, cols: number, x: Float64Array): Float64Array {
  const y = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    const xi = x[i];
    if (xi === 0) continue;
    for (let j = 0; j < cols; j++) y[j] += a[base + j] * xi;
  }
  return y;
}

/** C = A·B for A (rows × inner) and B (inner × cols). */
export function matmul(
  a: Float64Array,
  b: Float64Array,
  rows: number,
  inner: number,
  cols: number,
): Float64Array {
  const c = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const cBase = i * cols;
    for (let k = 0; k < inner; k++) {
      const aik = a[i * inner + k];
      if (aik === 0) continue;
      const bBase = k * cols;
      for (let j = 0; j < cols; j++) c[cBase + j] += aik * b[bBase + j];
    }
  }
  return c;
}

/** The cols × rows transpose of a rows × cols matrix. */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  }
  return t;
}

/** The n × n identity matrix. */
export function identity(n: number): Float64Array {
  const eye = new Float64Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  return eye;
}

/** Largest absolute entry (0 for an empty array). */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

export const MACHINE_EPSILON = Number.EPSILON;
