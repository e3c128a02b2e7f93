import { BasinError, InvalidArgumentError } from './errors.js';

/*
 * Declared sizes are checked before anything is allocated. A size that passes validation (an integer ≥ 1) can still
 * ask for terabytes: `--hidden 10000,10000,10000`, an IDX header declaring 65535×65535 pixels, `repetitions: 1e9`.
 * Left alone, such a size reaches a typed-array constructor and ends as a raw engine message ("Invalid typed array
 * length"), an abort at a few GB, or minutes of swapping. Every place that allocates from a size the user wrote asks
 * `requireMemory` first, so the refusal names the field, the memory it would need and how to allow it on purpose.
 *
 * One limit for all of them, in bytes: 4 GiB unless the environment variable BASIN_MAX_MEMORY says otherwise
 * (`BASIN_MAX_MEMORY=32GiB`). It bounds each declared allocation (a dataset, a network's training state, a sweep's
 * plan), not the process as a whole: a run over the limit is one its author should have to ask for.
 */

/** The environment variable that raises (or lowers) the limit. */
export const MEMORY_LIMIT_VARIABLE = 'BASIN_MAX_MEMORY';

/** The limit when BASIN_MAX_MEMORY is unset: 4 GiB, which Table 1's CIFAR-10 rows (1.2 GB in float64) fit. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 4 * 2 ** 30;

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * "8GiB", "512 MB", "1e9" → bytes. Decimal digits only (no hex), a unit of B, kB/MB/GB/TB (powers of 1000) or
 * KiB/MiB/GiB/TiB (powers of 1024), case-insensitive.
 */
export function parseByteSize(text: string, argument: string): number {
  const match = /^\s*(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match === null ? undefined : UNITS[match[2].toLowerCase()];
  const bytes = match === null || unit === undefined ? Number.NaN : Number(match[1]) * unit;
  if (!Number.isFinite(bytes) || bytes <= 0) {
    throw new InvalidArgumentError(argument, 'a size in bytes such as 8GiB, 512MB or 1e9', text);
  }
  return Math.floor(bytes);
}

/** The limit in bytes: BASIN_MAX_MEMORY when set (Node), else 4 GiB. */
export function memoryLimit(): number {
  const text = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[
    MEMORY_LIMIT_VARIABLE
  ];
  return text === undefined || text === ''
    ? DEFAULT_MEMORY_LIMIT_BYTES
    : parseByteSize(text, MEMORY_LIMIT_VARIABLE);
}

/** Bytes as a person reads them: 512 B, 3.2 MiB, 2.4 GiB, 7.3 TiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} bytes`;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toPrecision(3)} ${units[unit]}`;
}

/** A declared size that would need more memory than the limit allows. */
export class SizeLimitError extends BasinError {
  override name = 'SizeLimitError';
  /** The message without the field: what a caller that names the field its own way (a flag) prints after it. */
  readonly detail: string;
  constructor(
    readonly field: string,
    readonly what: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    const detail =
      `${what} would need ${formatBytes(bytes)}, over basin's memory limit of ${formatBytes(limit)}; ` +
      `set ${MEMORY_LIMIT_VARIABLE} (e.g. ${MEMORY_LIMIT_VARIABLE}=${suggestedLimit(bytes)}) to allow it`;
    super(`${field}: ${detail}`);
    this.detail = detail;
  }
}

function suggestedLimit(bytes: number): string {
  return `${Math.max(1, Math.ceil((bytes * 1.25) / 2 ** 30))}GiB`;
}

/**
 * Throws a SizeLimitError naming `field` unless `bytes` fits the limit. `what` says what the bytes are for, as the
 * error reads: "3 × 10000 hidden units (300 040 001 parameters × 8 bytes × 10 copies)".
 */
export function requireMemory(field: string, what: string, bytes: number, limit = memoryLimit()): void {
  if (!(bytes <= limit)) throw new SizeLimitError(field, what, bytes, limit);
}

/** Bytes of `count` elements of `bytesPerElement`, for a size check (a double, so huge products stay exact enough). */
export function bytesOf(count: number, bytesPerElement: number): number {
  return count * bytesPerElement;
}
