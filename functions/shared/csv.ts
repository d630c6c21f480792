/**
 * CSV as spreadsheets read it (RFC 4180): fields quoted when they hold a comma, a quote or a line break, CRLF
 * between rows, and a UTF-8 byte-order mark first so Excel shows Arabic and Persian instead of mojibake.
 */
export const UTF8_BOM = '\uFEFF';

/**
 * One cell. A value a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return)
 * is made text with a leading apostrophe (OWASP's CSV injection advice), so a lead's name can never run code.
 */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(cells: readonly (string | number | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
