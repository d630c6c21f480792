import { CsvError, parse } from 'csv-parse/sync';
import type { ErrorIssue } from '../../shared/errors.ts';
import { HttpError } from '../../shared/errors.ts';
import { IMPORT_MAX_BYTES, IMPORT_MAX_COLUMNS, IMPORT_MAX_ROWS } from '../../shared/imports.ts';

/** A spreadsheet's header and data rows; `row` is the row number a spreadsheet shows (the header is row 1). */
export type Sheet = {
  header: string[];
  rows: { row: number; cells: string[] }[];
  delimiter: string;
};

const DELIMITERS = ['\t', ',', ';'] as const;

/**
 * The delimiter, from the header line: Meta's download uses tabs, most CSVs commas, and Excel in locales with a
 * decimal comma semicolons. The one that appears most outside quotes wins.
 */
export function sniffDelimiter(text: string): string {
  let firstLine = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    if (!quoted) firstLine += char;
  }
  const counts = DELIMITERS.map((d) => firstLine.split(d).length - 1);
  const best = Math.max(...counts);
  return best === 0 ? ',' : (DELIMITERS[counts.indexOf(best)] ?? ',');
}

/**
 * A cell a spreadsheet would run as a formula: `=…`, or `+`, `-`, `@` followed by a function call or a DDE
 * pipe (`@SUM(…)`, `+cmd|…`). A phone number (`+966…`), a dash or a handle (`@sara`) is data.
 */
export function isFormula(cell: string): boolean {
  const text = cell.trimStart();
  if (text.startsWith('=')) return true;
  return /^[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\(/.test(text) || (/^[+\-@]/.test(text) && text.includes('|'));
}

const FORMULAS_LISTED = 10;

function csvProblem(error: CsvError, delimiter: string): HttpError {
  const blank = typeof error.empty_lines === 'number' ? error.empty_lines : 0;
  const row = typeof error.records === 'number' ? error.records + blank : undefined;
  const at = row === undefined ? '' : `Row ${row + 1}`;
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return new HttpError(
        422,
        'ragged_rows',
        `${at} has a different number of cells than the header (${error.message.replace(/^Invalid Record Length: /, '')}). Every row needs exactly the header's columns; look for a stray ${delimiter === '\t' ? 'tab' : `"${delimiter}"`} or an unclosed quote.`,
      );
    case 'CSV_QUOTE_NOT_CLOSED':
      return new HttpError(
        422,
        'unclosed_quote',
        'A quoted cell is never closed: the file ends inside quotes. Check the last rows for a lone ".',
      );
    default:
      return new HttpError(
        422,
        'malformed_csv',
        `${at ? `${at}: ` : ''}the file is not valid CSV (${error.message}).`,
      );
  }
}

/**
 * Parses the text as a header row and data rows (RFC 4180 quoting, any of tab, comma or semicolon). Refuses the
 * whole file (nothing is imported) when it is ragged, empty, too large, or holds formulas.
 */
export function readSheet(text: string): Sheet {
  const delimiter = sniffDelimiter(text);
  // The row number a spreadsheet shows: records so far plus the blank lines skipped before this one.
  const rowNumbers: number[] = [];
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      skip_empty_lines: true,
      bom: true,
      // A long answer is cut later, not refused here (the parser's default stops at 128,000 characters).
      max_record_size: IMPORT_MAX_BYTES,
      on_record: (record, context) => {
        rowNumbers.push(context.records + context.empty_lines);
        return record;
      },
    });
  } catch (error) {
    if (error instanceof CsvError) throw csvProblem(error, delimiter);
    throw error;
  }
  const [head, ...body] = records.map((record, i) => ({ record, row: rowNumbers[i] ?? i + 1 }));
  if (head === undefined)
    throw new HttpError(422, 'empty_file', 'The file is empty: it needs a header row and a row per lead.');
  const header = head.record.map((name, i) => name.trim() || `column ${i + 1}`);
  if (header.length > IMPORT_MAX_COLUMNS)
    throw new HttpError(
      422,
      'too_many_columns',
      `The header has ${header.length} columns; a lead list has at most ${IMPORT_MAX_COLUMNS}.`,
    );
  const rows = body
    .map(({ record, row }) => ({ row, cells: record }))
    // A row of empty cells (",,,," that Excel leaves below a table) is no lead and no error.
    .filter(({ cells }) => cells.some((c) => c.trim() !== ''));
  if (rows.length === 0)
    throw new HttpError(422, 'no_rows', 'The file has a header but no rows: there is nothing to import.');
  if (rows.length > IMPORT_MAX_ROWS)
    throw new HttpError(
      413,
      'too_many_rows',
      `The file has ${rows.length} rows; one import takes at most ${IMPORT_MAX_ROWS}. Split it into several files.`,
    );
  const formulas: ErrorIssue[] = [];
  let formulaCount = 0;
  for (const { row, cells } of rows)
    cells.forEach((cell, i) => {
      if (!isFormula(cell)) return;
      formulaCount++;
      if (formulas.length < FORMULAS_LISTED)
        formulas.push({
          path: `row ${row}, column "${header[i] ?? i + 1}"`,
          message: 'a spreadsheet formula',
        });
    });
  if (formulaCount > 0)
    throw new HttpError(
      422,
      'formula_cells',
      `${formulaCount} cell${formulaCount === 1 ? '' : 's'} hold spreadsheet formulas (starting with =, or +, - or @ before a function). leadpipe imports values, never formulas: copy the cells and paste them as values, then save again.`,
      formulas,
    );
  return { header, rows, delimiter };
}
