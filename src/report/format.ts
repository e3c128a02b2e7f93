/** Number and table formatting shared by the command-line tables and the HTML report. */

/** Three significant digits; scientific notation outside [1e-3, 1e5); "–" for a missing value. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined) return '–';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e5) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}

/** A fraction as a percentage with one decimal. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const percent = 100 * value;
  const fixed = percent.toFixed(1);
  // Never round a result into a claim: 1 wrong sample in 50 000 is 0.0020%, not 0.0%, and 49 999 right is not 100.0%.
  if (fixed === '0.0' && percent !== 0) return `${percent.toPrecision(2)}%`;
  if (fixed === '100.0' && percent !== 100) {
    // Two significant digits of the shortfall: 49 999 of 50 000 is 99.9980%.
    return `${percent.toFixed(Math.ceil(-Math.log10(Math.abs(100 - percent))) + 1)}%`;
  }
  return `${fixed}%`;
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
    (_, c) => rows.length > 0 && rows.every((row) => /^[-+–0-9.e%±\s[\],]+$/.test(row[c])),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
