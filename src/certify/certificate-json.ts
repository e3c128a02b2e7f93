import type { Certificate } from './certificate.js';

export const CERTIFICATE_FORMAT = 'basin-certificate';
export const CERTIFICATE_VERSION = 1;

/**
 * The certificate as plain JSON (format `basin-certificate`, version 1): typed arrays become number arrays, and a
 * number that is not finite becomes null (e.g. the kink margin of a network without kinks is +∞ in the library,
 * null here). `theta` is the certified point in basin's flat layout.
 */
export function certificateToJson(certificate: Certificate): Record<string, unknown> {
  return {
    format: CERTIFICATE_FORMAT,
    version: CERTIFICATE_VERSION,
    ...(toPlain(certificate) as Record<string, unknown>),
  };
}

function toPlain(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Float64Array || value instanceof Float32Array || value instanceof Int32Array) {
    return Array.from(value, (v) => (Number.isFinite(v) ? v : null));
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== undefined) out[key] = toPlain(entry);
    }
    return out;
  }
  return value;
}
