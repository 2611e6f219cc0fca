import fc from 'fast-check';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../lambdas/adapters/aws-clients';
import { batchPut } from '../../lambdas/adapters/batch-writer';
import { InvestigationStore } from '../../lambdas/adapters/investigations/investigation-store';
import { toInvestigationItem } from '../../lambdas/adapters/investigations/items';
import { InvestigationApi } from '../../lambdas/api/operations';
import { SEVERITIES, STATES, STATUSES, type Investigation, type Severity } from '../../lambdas/core/investigation/model';
import { INDICATORS_TABLE, INVESTIGATIONS_TABLE } from '../../lambdas/shared/table-design';
import { startHarness, type Harness } from './harness';

/**
 * What a ListInvestigations page costs with thousands of investigations stored (the embedded DynamoDB, with
 * the deployed table design): the items DynamoDB reads (ScannedCount, what read capacity is billed on) must
 * follow the page size, whatever the table holds.
 */
const STORED = 3000;
const ENTITIES = 60;

let h: Harness;
let api: InvestigationApi;
let stored: Investigation[];
const reads = { scanned: 0, queries: 0 };

/** The store's client, counting what every Query read. */
function counting(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
      return async (command: unknown) => {
        const output = (await target.send(command as QueryCommand)) as { ScannedCount?: number };
        if (command instanceof QueryCommand) {
          reads.queries++;
          reads.scanned += output.ScannedCount ?? 0;
        }
        return output;
      };
    },
  });
}

/** A skewed population, as in real use: mostly INFORMATIONAL and LOW, a handful CRITICAL, few archived. */
function population(): Investigation[] {
  const base = Date.parse('2026-01-01T00:00:00Z');
  return Array.from({ length: STORED }, (_, n) => {
    const severity: Severity = n % 500 === 7 ? 'CRITICAL' : n % 50 === 3 ? 'HIGH' : SEVERITIES[n % 2];
    return {
      investigationId: String(100000000000000000000n + BigInt(n)),
      entityArn: `arn:aws:iam::111122223333:role/Role${n % ENTITIES}`,
      entityType: 'IAM_ROLE',
      status: n % 97 === 0 ? 'FAILED' : n % 31 === 0 ? 'RUNNING' : 'SUCCESSFUL',
      state: n % 40 === 0 ? 'ARCHIVED' : 'ACTIVE',
      severity,
      createdTime: new Date(base + n * 60_000).toISOString(),
      scopeStartTime: '2025-12-01T00:00:00.000Z',
      scopeEndTime: '2025-12-02T00:00:00.000Z',
    };
  });
}

beforeAll(async () => {
  h = await startHarness();
  const client = dynamoDocumentClient();
  const tables = { investigations: process.env[INVESTIGATIONS_TABLE.envVar]!, indicators: process.env[INDICATORS_TABLE.envVar]! };
  stored = population();
  await batchPut(client, tables.investigations, stored.map((i) => toInvestigationItem(i, 365) as unknown as Record<string, unknown>));
  const store = new InvestigationStore(counting(client), tables);
  api = new InvestigationApi({ store, tokenKeys: store, runner: h.runner, maxScopeDays: 30 });
}, 120_000);

afterAll(async () => {
  await h.stop();
});

interface ListBody {
  FilterCriteria?: Record<string, unknown>;
  SortCriteria?: { Field: string; SortOrder: string };
  MaxResults: number;
  NextToken?: string;
}

const FILTERS: Record<string, Record<string, unknown> | undefined> = {
  none: undefined,
  severity: { Severity: { Value: 'CRITICAL' } },
  status: { Status: { Value: 'FAILED' } },
  state: { State: { Value: 'ARCHIVED' } },
  entity: { EntityArn: { Value: 'arn:aws:iam::111122223333:role/Role7' } },
  'status and severity': { Status: { Value: 'SUCCESSFUL' }, Severity: { Value: 'HIGH' } },
  'created time': { CreatedTime: { StartInclusive: '2026-01-01T10:00:00Z', EndInclusive: '2026-01-02T10:00:00Z' } },
};
const SORTS = ['CREATED_TIME', 'SEVERITY', 'STATUS'].flatMap((Field) => ['ASC', 'DESC'].map((SortOrder) => ({ Field, SortOrder })));
const CASES = Object.keys(FILTERS).flatMap((filter) => SORTS.flatMap((sort) => [1, 10].map((pageSize) => [filter, `${sort.Field} ${sort.SortOrder}`, pageSize, sort] as const)));

describe(`ListInvestigations over ${STORED} stored investigations`, () => {
  it.each(CASES)('filter %s, sort %s, page of %i: reads at most one item more than the page, twice in a row', async (filter, _sort, pageSize, sort) => {
    let token: string | undefined;
    for (let page = 0; page < 2; page++) {
      reads.scanned = 0;
      reads.queries = 0;
      const body: ListBody = { FilterCriteria: FILTERS[filter], SortCriteria: sort, MaxResults: pageSize, NextToken: token };
      const result = await api.listInvestigations(body);
      expect(result.InvestigationDetails.length).toBeLessThanOrEqual(pageSize);
      expect(reads.scanned).toBeLessThanOrEqual(pageSize + 1);
      // One Query per partition of the sort field at most (5 severities).
      expect(reads.queries).toBeLessThanOrEqual(SEVERITIES.length);
      token = result.NextToken;
      if (!token) break;
    }
  });

  it('returns what an in-memory sort of the table returns, page after page (SEVERITY DESC, ties newest first)', async () => {
    const rank = (i: Investigation) => SEVERITIES.indexOf(i.severity);
    const expected = stored
      .filter((i) => i.entityArn.endsWith('/Role7') && i.status === 'SUCCESSFUL')
      .sort((a, b) => rank(b) - rank(a) || (a.createdTime < b.createdTime ? 1 : -1))
      .map((i) => i.investigationId);
    const got: string[] = [];
    let token: string | undefined;
    do {
      const body: ListBody = { FilterCriteria: { EntityArn: { Value: 'arn:aws:iam::111122223333:role/Role7' }, Status: { Value: 'SUCCESSFUL' } }, SortCriteria: { Field: 'SEVERITY', SortOrder: 'DESC' }, MaxResults: 7, NextToken: token };
      const page = await api.listInvestigations(body);
      got.push(...page.InvestigationDetails.map((d) => d.InvestigationId));
      token = page.NextToken;
    } while (token);
    expect(got).toEqual(expected);
    expect(expected.length).toBeGreaterThan(20);
  });

  it('bounds a combination no index serves by the partition of its most selective filter (EntityArn and State)', async () => {
    reads.scanned = 0;
    const entity = 'arn:aws:iam::111122223333:role/Role0';
    const result = await api.listInvestigations({ FilterCriteria: { EntityArn: { Value: entity }, State: { Value: 'ARCHIVED' } }, MaxResults: 1 });
    expect(result.InvestigationDetails.map((d) => [d.EntityArn, d.State])).toEqual([[entity, 'ARCHIVED']]);
    expect(reads.scanned).toBeLessThanOrEqual(STORED / ENTITIES);
  });

  it('answers any combination of filters and sort exactly as an in-memory filter and sort of the table', async () => {
    const rank = (i: Investigation, field: string): number | string => (field === 'SEVERITY' ? SEVERITIES.indexOf(i.severity) : field === 'STATUS' ? STATUSES.indexOf(i.status) : i.createdTime);
    const request = fc.record({
      severity: fc.option(fc.constantFrom(...SEVERITIES), { nil: undefined }),
      status: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
      state: fc.option(fc.constantFrom(...STATES), { nil: undefined }),
      entity: fc.option(fc.integer({ min: 0, max: ENTITIES }), { nil: undefined }),
      from: fc.option(fc.integer({ min: 0, max: STORED }), { nil: undefined }),
      field: fc.constantFrom('SEVERITY', 'STATUS', 'CREATED_TIME'),
      order: fc.constantFrom('ASC', 'DESC'),
      pageSize: fc.integer({ min: 1, max: 25 }),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const minute = (n: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + n * 60_000).toISOString();
        const entityArn = r.entity === undefined ? undefined : `arn:aws:iam::111122223333:role/Role${r.entity}`;
        const range = r.from === undefined ? undefined : { StartInclusive: minute(r.from), EndInclusive: minute(r.from + 400) };
        const expected = stored
          .filter((i) => (r.severity === undefined || i.severity === r.severity) && (r.status === undefined || i.status === r.status) && (r.state === undefined || i.state === r.state))
          .filter((i) => (entityArn === undefined || i.entityArn === entityArn) && (range === undefined || (i.createdTime >= range.StartInclusive && i.createdTime <= range.EndInclusive)))
          .sort((a, b) => {
            const [x, y] = [rank(a, r.field), rank(b, r.field)];
            const primary = x < y ? -1 : x > y ? 1 : 0;
            // SEVERITY and STATUS ties are newest first in both directions.
            return (r.order === 'ASC' ? primary : -primary) || (a.createdTime < b.createdTime ? 1 : -1);
          })
          .map((i) => i.investigationId);
        const FilterCriteria = {
          ...(r.severity ? { Severity: { Value: r.severity } } : {}),
          ...(r.status ? { Status: { Value: r.status } } : {}),
          ...(r.state ? { State: { Value: r.state } } : {}),
          ...(entityArn ? { EntityArn: { Value: entityArn } } : {}),
          ...(range ? { CreatedTime: range } : {}),
        };
        const got: string[] = [];
        let token: string | undefined;
        // The first three pages, which cross partitions of the sort field when pages are small.
        for (let page = 0; page < 3; page++) {
          const result = await api.listInvestigations({ FilterCriteria, SortCriteria: { Field: r.field, SortOrder: r.order }, MaxResults: r.pageSize, NextToken: token });
          got.push(...result.InvestigationDetails.map((d) => d.InvestigationId));
          token = result.NextToken;
          if (!token) break;
        }
        expect(got).toEqual(expected.slice(0, got.length));
        expect(got.length).toBe(Math.min(expected.length, 3 * r.pageSize));
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('keeps the statuses the index keys were derived from in step with updates', async () => {
    const target = stored.find((i) => i.severity === 'CRITICAL' && i.status === 'SUCCESSFUL' && i.state === 'ACTIVE')!;
    await api.updateInvestigationState({ InvestigationId: target.investigationId, State: 'ARCHIVED' });
    const archivedCritical = await api.listInvestigations({ FilterCriteria: { State: { Value: 'ARCHIVED' }, Severity: { Value: 'CRITICAL' } }, MaxResults: 100 });
    expect(archivedCritical.InvestigationDetails.map((d) => d.InvestigationId)).toContain(target.investigationId);
    const active = await api.listInvestigations({ FilterCriteria: { State: { Value: 'ACTIVE' } }, SortCriteria: { Field: 'STATUS', SortOrder: 'ASC' }, MaxResults: 100 });
    expect(active.InvestigationDetails.map((d) => d.InvestigationId)).not.toContain(target.investigationId);
    expect(STATUSES).toContain(active.InvestigationDetails[0].Status);
  });
});
