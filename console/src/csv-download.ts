import { toCsv, type CsvCell } from '../../lambdas/core/graph/csv';

/**
 * Saves rows as a CSV file, written with the API's own CSV rules (lambdas/core/graph/csv.ts: RFC 4180, and a
 * cell a spreadsheet would read as a formula, `=`, `+`, `-`, `@`, is prefixed with `'`): cells come from logs
 * that attackers write.
 */
export function downloadCsv(fileName: string, header: readonly string[], rows: readonly (readonly CsvCell[])[]): void {
  saveCsvText(fileName, toCsv(header, rows));
}

/** Saves CSV text as a file (the API's own CSV, `Accept: text/csv`): a Blob, never parsed into the page. */
export function saveCsvText(fileName: string, text: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
