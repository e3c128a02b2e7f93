import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so that two configurations that differ only in key order serialise
 * (and hash) identically. Used as the identity of a sweep cell: a run's seed derives from it, so reordering a spec's
 * keys or adding cells never changes the seeds of the cells already there.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** The first 16 hex digits of SHA-256 over `canonicalJson(value)`. */
export function configHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      if (record[key] !== undefined) sorted[key] = sortKeys(record[key]);
    }
    return sorted;
  }
  return value;
}
