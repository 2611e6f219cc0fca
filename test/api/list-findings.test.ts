import fc from 'fast-check';
import { listFindings, type FindingListReads } from '../../lambdas/api/graph/list-findings';
import { daysOf, listDayOf, listSortOf, outcomeOf, type ListedFindingItem } from '../../lambdas/core/guardduty/finding-list';
import { ApiError } from '../../lambdas/core/investigation/errors';

/**
 * listFindings over an in-memory byDay index that, like DynamoDB, stops after a few items and returns where it
 * stopped (LastEvaluatedKey): whatever the findings, page size and filters, walking the pages returns each
 * matching finding once, newest first, as a plain sort and filter of the items computes it here.
 */
const NOW = Date.parse('2026-03-01T00:00:00Z');
const keys = { tokenKey: () => Promise.resolve(Buffer.alloc(32, 7)) };

type Stored = ListedFindingItem & { listDay: string; listSort: string };

function memoryIndex(items: Stored[], pageSize: number): FindingListReads & { queries: number } {
  const index = {
    queries: 0,
    day(day: string, lower: string, upper: string, limit: number, after?: string) {
      index.queries++;
      const all = items
        .filter((i) => i.listDay === `day#${day}` && i.listSort >= lower && i.listSort <= upper && (after === undefined || i.listSort < after))
        .sort((a, b) => (a.listSort < b.listSort ? 1 : -1));
      const page = all.slice(0, Math.min(limit, pageSize));
      const last = page[page.length - 1];
      return Promise.resolve({ items: page, ...(all.length > page.length && last ? { next: { d: day, s: last.listSort } } : {}) });
    },
  };
  return index;
}

const finding = fc.record({
  id: fc.integer({ min: 0, max: 0xffffffff }).map((n) => n.toString(16).padStart(8, '0')),
  minutes: fc.integer({ min: 0, max: 10 * 24 * 60 }),
  severity: fc.constantFrom(2, 5, 8, 9.5),
  type: fc.constantFrom('Recon:EC2/PortProbeUnprotectedPort', 'Backdoor:EC2/C&CActivity.B', 'UnauthorizedAccess:IAMUser/ConsoleLogin'),
  outcome: fc.constantFrom('started', 'skipped', 'pending'),
});

function stored(f: { id: string; minutes: number; severity: number; type: string; outcome: string }): Stored {
  const updatedAt = new Date(Date.parse('2026-02-10T00:00:00Z') + f.minutes * 60_000).toISOString();
  return {
    id: f.id,
    type: f.type,
    severity: f.severity,
    accountId: '111122223333',
    region: 'us-east-1',
    updatedAt,
    ...(f.outcome === 'started' ? { investigationId: '123456789012345678901', investigationStatus: 'STARTED' } : {}),
    ...(f.outcome === 'skipped' ? { skipReason: 'no IAM entity' } : {}),
    listDay: listDayOf(updatedAt),
    listSort: listSortOf(updatedAt, f.id),
  };
}

it('pages through every matching finding once, newest first, whatever DynamoDB page size and MaxResults', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(finding, { selector: (f) => f.id, maxLength: 25 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 5 }),
      fc.constantFrom(undefined, { Outcome: { Value: 'SKIPPED' } }, { Severity: { Value: 'HIGH' } }, { Type: { Value: 'Backdoor:' } }),
      async (raw, pageSize, maxResults, filter) => {
        const items = raw.map(stored);
        const listing = memoryIndex(items, pageSize);
        const body = { ScopeStartTime: '2026-02-11T00:00:00Z', ScopeEndTime: '2026-02-18T12:00:00Z', MaxResults: maxResults, ...(filter ? { FilterCriteria: filter } : {}) };
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const answer = (await listFindings({ listing, tokenKeys: keys, now: () => NOW }, { ...body, ...(token ? { NextToken: token } : {}) }, { csv: false })) as { Findings: { FindingId: string }[]; NextToken?: string };
          expect(answer.Findings.length).toBeLessThanOrEqual(maxResults);
          seen.push(...answer.Findings.map((f) => f.FindingId));
          token = answer.NextToken;
          pages++;
        } while (token && pages < 100);
        const expected = items
          .filter((i) => i.updatedAt >= '2026-02-11T00:00:00.000Z' && i.updatedAt <= '2026-02-18T12:00:00.000Z')
          .filter((i) => !filter || ('Outcome' in filter ? outcomeOf(i) === 'SKIPPED' : 'Severity' in filter ? i.severity >= 7 && i.severity < 9 : i.type.startsWith('Backdoor:')))
          .sort((a, b) => (a.listSort < b.listSort ? 1 : -1))
          .map((i) => i.id);
        expect(seen).toEqual(expected);
      },
    ),
    { numRuns: 150 },
  );
});

it('reads one day partition per day of the scope, newest first', () => {
  expect(daysOf(Date.parse('2026-02-27T23:00:00Z'), Date.parse('2026-03-01T00:00:00Z'))).toEqual(['2026-03-01', '2026-02-28', '2026-02-27']);
});

it('refuses a NextToken given with other filters', async () => {
  const items = ['a1', 'a2', 'a3'].map((id, n) => stored({ id, minutes: 2000 + n, severity: 5, type: 'Recon:EC2/X', outcome: 'skipped' }));
  const deps = { listing: memoryIndex(items, 10), tokenKeys: keys, now: () => NOW };
  const body = { ScopeStartTime: '2026-02-11T00:00:00Z', ScopeEndTime: '2026-02-18T00:00:00Z', MaxResults: 1 };
  const first = (await listFindings(deps, body, { csv: false })) as { NextToken?: string };
  expect(first.NextToken).toBeDefined();
  await expect(listFindings(deps, { ...body, FilterCriteria: { Outcome: { Value: 'STARTED' } }, NextToken: first.NextToken }, { csv: false })).rejects.toBeInstanceOf(ApiError);
});
