import fc from 'fast-check';
import { acceptsCsv, csvCell, toCsv } from '../../lambdas/core/graph/csv';

/** A minimal RFC 4180 reader, independent of the writer: quoted fields, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\r' && text[i + 1] === '\n') {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else field += c;
  }
  return rows;
}

describe('CSV helper', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    for (const value of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) expect(csvCell(value).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('plain')).toBe('plain');
  });

  it('round-trips any strings through an RFC 4180 reader (formula cells prefixed with a quote)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 2, maxLength: 2 }), { maxLength: 5 }), (rows) => {
        const parsed = parseCsv(toCsv(['a', 'b'], rows));
        expect(parsed).toEqual([['a', 'b'], ...rows.map((r) => r.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)))]);
      }),
    );
  });

  it('recognises text/csv in an Accept header', () => {
    expect(acceptsCsv('text/csv')).toBe(true);
    expect(acceptsCsv('application/json, text/csv;q=0.9')).toBe(true);
    expect(acceptsCsv('application/json')).toBe(false);
    expect(acceptsCsv(undefined)).toBe(false);
  });
});
