/*
 * The one reading of a number a person typed: a flag, a CSV cell, the ρ of `leaky-relu:0.1`. `Number()` alone takes
 * '' and blanks as 0, `0x10`, `0o7`, `0b1` as 16, 7, 1, and reads `Infinity`; basin refuses all of these rather than
 * guess (docs/reference/numbers.md). Config files are parsed by JSON and YAML, whose number grammars already exclude
 * hex (YAML's `0x10` is refused by the schema's number fields because basin reads YAML 1.2 core with hex as text; see
 * src/cli/config.ts).
 */

/** Plain decimal notation, with an optional exponent: 12, -0.5, .5, 3., 1e-3, 2.5E+4. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Text → number, for plain decimal notation only; undefined for anything else (hex, octal, binary, '', blanks,
 * Infinity, NaN, `1e`). The text is taken as it is: no surrounding spaces.
 */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  // -0 is 0 to a user; only a difference in printing and Object.is. A decimal too large for a double reads Infinity.
  if (!Number.isFinite(value)) return undefined;
  return value === 0 ? 0 : value;
}
