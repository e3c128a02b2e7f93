/**
 * Errors that basin raises on purpose. Every one names the argument (or field, or file) at fault and what was
 * expected, so the CLI can print it as one line without a stack trace.
 */
export class BasinError extends Error {
  override name = 'BasinError';
}

/** A caller passed a value that is outside what the operation accepts. */
export class InvalidArgumentError extends BasinError {
  override name = 'InvalidArgumentError';
  constructor(
    readonly argument: string,
    readonly expected: string,
    readonly received?: unknown,
  ) {
    super(
      `${argument}: expected ${expected}${received === undefined ? '' : `, got ${describeValue(received)}`}`,
    );
  }
}

/** A file could not be read or does not hold what its format promises. */
export class FileFormatError extends BasinError {
  override name = 'FileFormatError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value;
}

/** Throws unless `value` is an integer in [min, max]. */
export function requireInteger(
  argument: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw new InvalidArgumentError(argument, range, value);
  }
  return value;
}

/** Throws unless `value` is a finite number (and, when given, inside [min, max]). */
export function requireFinite(argument: string, value: number, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range =
      min === -Infinity && max === Infinity ? 'a finite number' : `a finite number in [${min}, ${max}]`;
    throw new InvalidArgumentError(argument, range, value);
  }
  return value;
}

/** Throws naming the first non-finite entry of `values`, so NaN or Infinity never leaks into a computation. */
export function requireAllFinite(argument: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InvalidArgumentError(`${argument}[${i}]`, 'a finite number', values[i]);
    }
  }
}
