import { csvParseRows } from 'd3-dsv';

/**
 * A dataset uploaded as CSV: one sample per row, the inputs in the first columns and the target in the last. A first
 * row with any non-numeric cell is taken as a header. Everything else must be a finite number, and every row must
 * have the same number of columns; the error names the row and column at fault.
 */
export interface CsvData {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly inputDim: number;
  readonly count: number;
  readonly header: readonly string[] | undefined;
}

export class CsvDataError extends Error {
  override name = 'CsvDataError';
}

export const CSV_LIMITS = { maxRows: 5000, maxInputs: 64 } as const;

export function parseCsvData(text: string): CsvData {
  const rows = csvParseRows(text.trim()).filter((row) => !(row.length === 1 && row[0].trim() === ''));
  if (rows.length === 0)
    throw new CsvDataError('CSV: expected at least one row of numbers, got an empty file');
  const isNumber = (cell: string): boolean => cell.trim() !== '' && Number.isFinite(Number(cell));
  const header = rows[0].every(isNumber) ? undefined : rows[0].map((cell) => cell.trim());
  const body = header ? rows.slice(1) : rows;
  const first = header ? 2 : 1; // 1-based line number of the first data row
  if (body.length === 0) throw new CsvDataError('CSV: expected data rows after the header, got none');
  if (body.length > CSV_LIMITS.maxRows) {
    throw new CsvDataError(
      `CSV: expected at most ${CSV_LIMITS.maxRows} rows in the browser, got ${body.length}`,
    );
  }
  const columns = header ? header.length : body[0].length;
  if (columns < 2) {
    throw new CsvDataError(
      `CSV: expected at least 2 columns (inputs, then the target), got ${columns} in line ${first}`,
    );
  }
  if (columns - 1 > CSV_LIMITS.maxInputs) {
    throw new CsvDataError(`CSV: expected at most ${CSV_LIMITS.maxInputs} input columns, got ${columns - 1}`);
  }
  const inputDim = columns - 1;
  const x = new Float64Array(body.length * inputDim);
  const y = new Float64Array(body.length);
  body.forEach((row, r) => {
    const line = r + first;
    if (row.length !== columns) {
      throw new CsvDataError(
        `CSV line ${line}: expected ${columns} columns like the first row, got ${row.length}`,
      );
    }
    row.forEach((cell, c) => {
      if (!isNumber(cell)) {
        throw new CsvDataError(
          `CSV line ${line}, column ${c + 1}: expected a finite number, got ${JSON.stringify(cell)}`,
        );
      }
      if (c < inputDim) x[r * inputDim + c] = Number(cell);
      else y[r] = Number(cell);
    });
  });
  return { x, y, inputDim, count: body.length, header };
}
