/** Number and table formatting shared by the command-line tables and the HTML report. */

/** Three significant digits; scientific notation outside [1e-3, 1e5); "–" for a missing value. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined) return '–';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e5) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}

/**
 * A fraction as a percentage. Never rounds a result into a claim: exactly 0 and 1 print as "0%" and "100%" (no
 * decimals, so "0.0%" never appears), a non-zero value below 1% keeps two significant digits (1 wrong of 50 000 is
 * 0.0020%), one short of all keeps two of its shortfall (49 999 of 50 000 is 99.9980%), others get one decimal.
 */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (value === 0) return '0%';
  if (value === 1) return '100%';
  const percent = 100 * value;
  if (Math.abs(percent) < 1) return `${percent.toPrecision(2)}%`;
  const fixed = percent.toFixed(1);
  if (fixed === '100.0') {
    return `${percent.toFixed(Math.ceil(-Math.log10(Math.abs(100 - percent))) + 1)}%`;
  }
  return `${fixed}%`;
}

/**
 * A count out of a total as its percentage with the count beside it, the one form for every rate of a count that
 * basin prints: 22 of 50 000 is "0.044% (22)", none "0% (0)", 1 of 3 "33.3% (1)"; with `ofTotal`, "0.044% (22 of
 * 50000)". "–" for an empty total or an unknown (NaN) count.
 */
export function formatRate(count: number, total: number, options: { ofTotal?: boolean } = {}): string {
  if (!(total > 0) || !Number.isFinite(count)) return '–';
  return `${formatPercent(count / total)} (${count}${options.ofTotal === true ? ` of ${total}` : ''})`;
}

/** A setting's value as it appears in a spec; "–" for a setting a cell does not have (a `cells` list may omit it). */
export function formatSetting(value: unknown): string {
  if (value === undefined) return '–';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A plain-text table with columns padded to their widest cell; numeric-looking columns are right-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, c) => Math.max(header.length, ...rows.map((row) => row[c].length)));
  const numeric = headers.map(
    (_, c) => rows.length > 0 && rows.every((row) => /^[-+–0-9.e%±\s[\](),]+$/.test(row[c])),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
