/**
 * CSV (RFC 4180) for `Accept: text/csv`, as Detective's export gives. Cells come from log data that attackers
 * write (user agents, session names, error messages), so a cell a spreadsheet would read as a formula
 * (leading `=`, `+`, `-`, `@`, or a tab or carriage return before one) is prefixed with `'` (OWASP's CSV
 * injection advice). Numbers are written as numbers, so a negative count is never mistaken for a formula.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export type CsvCell = string | number | boolean | undefined | null;

export function csvCell(value: CsvCell): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV document: a header row, then one row per record, CRLF line ends (RFC 4180). */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** An operation's answer as CSV: the router writes it with `Content-Type: text/csv`. */
export class CsvDocument {
  constructor(
    readonly text: string,
    /** The next page's token, which a CSV body cannot carry: the router sends it as the `x-next-token` header. */
    readonly nextToken?: string,
    /** The answer may miss rows (a capped index was read): the router sends `x-incomplete: true`. */
    readonly incomplete?: boolean,
  ) {}
}

/** Whether an Accept header asks for CSV (`text/csv`, possibly among others with parameters). */
export function acceptsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => part.split(';')[0].trim().toLowerCase() === 'text/csv');
}
