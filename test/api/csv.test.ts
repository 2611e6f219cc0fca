import fc from 'fast-check';
import { acceptsCsv, csvCell, toCsv } from '../../lambdas/core/graph/csv';
import { parseCsv } from '../helpers/csv';
import { FOUND_ENTITIES_CSV_HEADER, foundEntitiesCsvRows } from '../../lambdas/core/graph/entity-search';
import { RELATED_ENTITIES_CSV_HEADER, relatedEntitiesCsvRows } from '../../lambdas/core/graph/related';

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

describe('entity CSV exports', () => {
  // Log strings are attacker-written: a user agent, a user name or a session name may start a formula.
  const hostile = fc.oneof(fc.string(), fc.constantFrom('=cmd|\' /C calc\'!A0', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://x","y")'));

  it('never lets a cell of searchEntities or listRelatedEntities start a formula, whatever the log strings', () => {
    fc.assert(
      fc.property(hostile, hostile, fc.nat(), (id, display, calls) => {
        const found = toCsv(FOUND_ENTITIES_CSV_HEADER, foundEntitiesCsvRows([{ EntityType: 'USER_AGENT', EntityId: id, DisplayName: display, FirstObservedTime: 't0', LastObservedTime: 't1' }]));
        const related = toCsv(
          RELATED_ENTITIES_CSV_HEADER,
          relatedEntitiesCsvRows([{ EntityType: 'IAM_USER', EntityId: id, DisplayName: display, Relationship: 'CALLED_FROM', CallCount: calls, FailedCallCount: 0 }]),
        );
        for (const text of [found, related]) {
          const rows = parseCsv(text);
          expect(rows).toHaveLength(2);
          for (const cell of rows[1]) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
          // The value is kept, behind the quote that neutralises it.
          expect(rows[1][1]).toBe(/^[=+\-@\t\r]/.test(id) ? `'${id}` : id);
        }
      }),
    );
  });
});
