import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/**
 * A sortable table. Sorting is by buttons in the headers (reachable with Tab, pressed with Enter or Space), and
 * every cell is rendered as Preact text or links: a value from the logs is never parsed as HTML.
 */
export interface Column<T> {
  key: string;
  title: string;
  /** The value sorted by (numbers numerically, anything else as text). */
  value: (row: T) => string | number | boolean | undefined;
  /** The cell; the value as text by default. */
  cell?: (row: T) => ComponentChildren;
  numeric?: boolean;
}

export function Table<T>({ rows, columns, initialSort, label }: { rows: readonly T[]; columns: Column<T>[]; initialSort?: { key: string; descending: boolean }; label: string }) {
  const [sort, setSort] = useState(initialSort);
  const column = columns.find((c) => c.key === sort?.key);
  const sorted = column && sort ? [...rows].sort((a, b) => compare(column.value(a), column.value(b)) * (sort.descending ? -1 : 1)) : rows;
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.key} class={c.numeric ? 'num' : undefined} aria-sort={sort?.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
              <button type="button" onClick={() => setSort({ key: c.key, descending: sort?.key === c.key ? !sort.descending : !!c.numeric })}>
                {c.title}
                {sort?.key === c.key ? (sort.descending ? ' ▼' : ' ▲') : ''}
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((row, i) => (
          <tr key={i}>
            {columns.map((c) => (
              <td key={c.key} class={c.numeric ? 'num' : undefined}>
                {c.cell ? c.cell(row) : display(c.value(row))}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function compare(a: string | number | boolean | undefined, b: string | number | boolean | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return value.toLocaleString('en-US');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
