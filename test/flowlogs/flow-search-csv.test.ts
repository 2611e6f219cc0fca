import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { createRouter } from '../../lambdas/api/router';
import type { ApiDependencies } from '../../lambdas/api/operations';
import type { SearchEntitiesResponse } from '../../lambdas/api/graph/search-entities';
import type { ListRelatedEntitiesResponse } from '../../lambdas/api/graph/related-entities';
import { FlowQueries } from '../../lambdas/queries/flow-queries';
import type { TrailQueries } from '../../lambdas/queries/trail-queries';
import type { HourIndex } from '../../lambdas/core/storage/hour-index';
import { gzipSync } from 'node:zlib';
import { mergeAddresses, searchFlowPeers } from '../../lambdas/core/graph/flow-search';
import type { FlowPeersItem } from '../../lambdas/core/flowlogs/flow-items';
import { toCsv } from '../../lambdas/core/graph/csv';
import { RELATED_FLOW_CSV_HEADER, relatedFlowCsvRows } from '../../lambdas/core/graph/related';
import { toProxyEvent } from '../../local/http/proxy-event';
import { parseCsv } from '../helpers/csv';
import { expectSchema } from '../helpers/openapi-schemas';
import { ATTACKER, C2, SAMPLE_ACCOUNT, hourOf, loadSampleFlows, ownAddresses, type Raw, type SampleFlows } from './sample-flows';

/**
 * searchEntities(IP_ADDRESS) finds the addresses seen only in flow logs, merged with CloudTrail's (issue 10 §2),
 * and listRelatedEntities' CSV has the flow columns for FLOW_PEER rows. The sample's flow logs, ingested by the
 * real pipeline; CloudTrail's side is one hour index naming two addresses (the attacker's, also a flow peer, and
 * one only CloudTrail saw). Every expected value is counted from the raw flow lines.
 */
jest.setTimeout(120_000);

const SCOPE = { ScopeStartTime: '2026-10-22T00:00:00.000Z', ScopeEndTime: '2026-10-23T00:00:00.000Z' };
const CLOUDTRAIL_ONLY = '192.0.2.44';
const INDEX_HOUR = '2026-10-22T18';

let sample: SampleFlows;
let route: ReturnType<typeof createRouter>;
let hourIndexReads = 0;

beforeAll(async () => {
  sample = await loadSampleFlows();
  const index = { v: 1, accountId: SAMPLE_ACCOUNT, hour: INDEX_HOUR, principals: [], ips: { [ATTACKER]: [], [CLOUDTRAIL_ONLY]: [] }, agents: {}, buckets: {}, sessions: {}, instances: {} } as unknown as HourIndex;
  const queries = {
    accounts: () => Promise.resolve([SAMPLE_ACCOUNT]),
    hourItems: () => Promise.resolve([]),
    hourIndexes: (_account: string, from: string, to: string) => {
      hourIndexReads++;
      return Promise.resolve(Date.parse(`${INDEX_HOUR}:00:00Z`) >= Date.parse(from) && Date.parse(`${INDEX_HOUR}:00:00Z`) < Date.parse(to) ? [index] : []);
    },
  } as unknown as TrailQueries;
  const deps: ApiDependencies = {
    store: {} as ApiDependencies['store'],
    tokenKeys: { tokenKey: () => Promise.resolve(Buffer.alloc(32, 1)) },
    runner: { start: () => Promise.resolve() },
    maxScopeDays: 30,
    graph: { queries, recordsAt: () => Promise.resolve({ status: 'OBJECT_DELETED' as const }), flows: new FlowQueries(sample.port) },
    now: () => sample.now,
  };
  route = createRouter(deps);
});

async function post(url: string, body: object, accept?: string): Promise<APIGatewayProxyResult> {
  return route(toProxyEvent({ method: 'POST', url, headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) }, body: Buffer.from(JSON.stringify(body)), sourceIp: '127.0.0.1' }));
}

async function search(query: string): Promise<SearchEntitiesResponse['Entities']> {
  const entities: SearchEntitiesResponse['Entities'] = [];
  let NextToken: string | undefined;
  do {
    const result = await post('/graph/searchEntities', { EntityType: 'IP_ADDRESS', Query: query, ...SCOPE, MaxResults: 100, ...(NextToken ? { NextToken } : {}) });
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as SearchEntitiesResponse;
    expectSchema('SearchEntitiesResponse', body);
    entities.push(...body.Entities);
    NextToken = body.NextToken;
  } while (NextToken);
  return entities;
}

/** Each flow peer of the scope with the first and last hour its lines start in, counted from the raw lines. */
function rawPeers(): Map<string, { first: string; last: string }> {
  const own = ownAddresses(sample.rows);
  const peers = new Map<string, { first: string; last: string }>();
  for (const r of sample.rows.filter((x: Raw) => hourOf(x) >= SCOPE.ScopeStartTime && hourOf(x) < SCOPE.ScopeEndTime)) {
    const peer = r.srcaddr === own.get(r['interface-id']) ? r.dstaddr : r.srcaddr;
    const known = peers.get(peer);
    peers.set(peer, { first: known && known.first < hourOf(r) ? known.first : hourOf(r), last: known && known.last > hourOf(r) ? known.last : hourOf(r) });
  }
  return peers;
}

const hourEnd = (hour: string): string => new Date(Date.parse(hour) + 3_600_000).toISOString();

describe('searchEntities(IP_ADDRESS) across CloudTrail and the flow logs', () => {
  it('finds every flow peer of the scope, one row per address, with the hours it was seen and its sources', async () => {
    const found = await search('*');
    const peers = rawPeers();
    expect(found.map((e) => e.EntityId)).toEqual([...new Set([...peers.keys(), ATTACKER, CLOUDTRAIL_ONLY])].sort());
    for (const entity of found) {
      const flow = peers.get(entity.EntityId);
      const sources = [...(entity.EntityId === ATTACKER || entity.EntityId === CLOUDTRAIL_ONLY ? ['CLOUDTRAIL'] : []), ...(flow ? ['VPC_FLOW_LOGS'] : [])];
      expect([entity.EntityId, entity.Sources]).toEqual([entity.EntityId, sources]);
      if (entity.EntityId === CLOUDTRAIL_ONLY) continue;
      const first = entity.EntityId === ATTACKER && `${INDEX_HOUR}:00:00.000Z` < flow!.first ? `${INDEX_HOUR}:00:00.000Z` : flow!.first;
      expect([entity.EntityId, entity.FirstObservedTime, entity.LastObservedTime]).toEqual([entity.EntityId, first, hourEnd(entity.EntityId === ATTACKER && `${INDEX_HOUR}:00:00.000Z` > flow!.last ? `${INDEX_HOUR}:00:00.000Z` : flow!.last)]);
    }
  });

  it('matches a CIDR block and a glob on flow peers as on CloudTrail addresses', async () => {
    expect((await search('139.180.133.0/24')).map((e) => [e.EntityId, e.Sources])).toEqual([[C2, ['VPC_FLOW_LOGS']]]);
    expect((await search('45.137.*')).map((e) => [e.EntityId, e.Sources])).toEqual([[ATTACKER, ['CLOUDTRAIL', 'VPC_FLOW_LOGS']]]);
    expect((await search('::ffff:139.180.133.61')).map((e) => e.EntityId)).toEqual([C2]);
  });

  it('costs accounts × hours items of each kind: the accounts registry, the hour indexes and the peer indexes', async () => {
    sample.reads.length = 0;
    hourIndexReads = 0;
    await search('10.20.0.0/16');
    expect(hourIndexReads).toBe(1);
    expect(sample.reads).toEqual([`flow-peers#${SAMPLE_ACCOUNT}`]);
  });

  it('answers CSV with a Sources column', async () => {
    const result = await post('/graph/searchEntities', { EntityType: 'IP_ADDRESS', Query: '45.137.*', ...SCOPE }, 'text/csv');
    expect(result.statusCode).toBe(200);
    const [header, row] = result.body.trim().split('\r\n');
    expect(header).toBe('EntityType,EntityId,DisplayName,FirstObservedTime,LastObservedTime,Sources');
    expect(row.split(',').slice(1, 2).concat(row.split(',').slice(5))).toEqual([ATTACKER, 'CLOUDTRAIL VPC_FLOW_LOGS']);
  });

  it("says Incomplete when an hour's peer index had left peers out, and not otherwise", async () => {
    const result = await post('/graph/searchEntities', { EntityType: 'IP_ADDRESS', Query: '*', ...SCOPE });
    expect(JSON.parse(result.body)).not.toHaveProperty('Incomplete');
    const item = (truncatedPeers: number) => ({ hour: '2026-10-22T05', accountId: SAMPLE_ACCOUNT, body: gzipSync(JSON.stringify({ v: 1, interfaces: [], peers: { '198.51.100.5': [] }, truncatedPeers })) }) as unknown as FlowPeersItem;
    const from = Date.parse(SCOPE.ScopeStartTime);
    const to = Date.parse(SCOPE.ScopeEndTime);
    expect(searchFlowPeers([item(0)], '*', from, to)).toMatchObject({ incomplete: false, found: [{ EntityId: '198.51.100.5', FirstObservedTime: '2026-10-22T05:00:00.000Z', LastObservedTime: '2026-10-22T06:00:00.000Z' }] });
    expect(searchFlowPeers([item(3)], '*', from, to).incomplete).toBe(true);
    // An hour outside the scope is not read into the answer.
    expect(searchFlowPeers([item(3)], '*', Date.parse('2026-10-22T06:00:00Z'), to)).toEqual({ found: [], incomplete: false });
  });

  it('merges an IPv6 address written two ways into one row, keeping the CloudTrail spelling', () => {
    const at = { EntityType: 'IP_ADDRESS' as const, FirstObservedTime: '2026-01-01T00:00:00.000Z', LastObservedTime: '2026-01-01T01:00:00.000Z' };
    const merged = mergeAddresses([{ ...at, EntityId: '2001:db8::1', DisplayName: '2001:db8::1' }], [{ ...at, EntityId: '2001:0db8:0:0:0:0:0:1', DisplayName: '2001:0db8:0:0:0:0:0:1', LastObservedTime: '2026-01-01T02:00:00.000Z' }]);
    expect(merged).toEqual([{ ...at, EntityId: '2001:db8::1', DisplayName: '2001:db8::1', LastObservedTime: '2026-01-01T02:00:00.000Z', Sources: ['CLOUDTRAIL', 'VPC_FLOW_LOGS'] }]);
  });
});

describe("listRelatedEntities' CSV: the flow columns of FLOW_PEER rows", () => {
  it('gives bytes, packets, flows, rejected flows, ports and interfaces per instance, as the JSON answer and the raw lines say', async () => {
    const body = { EntityType: 'IP_ADDRESS', EntityId: ATTACKER, RelatedEntityType: 'EC2_INSTANCE', ...SCOPE };
    const json = JSON.parse((await post('/graph/listRelatedEntities', body)).body) as ListRelatedEntitiesResponse;
    const result = await post('/graph/listRelatedEntities', body, 'text/csv');
    expect(result.statusCode).toBe(200);
    const [header, ...lines] = result.body.trim().split('\r\n');
    expect(header.split(',')).toEqual([...RELATED_FLOW_CSV_HEADER]);
    expect(lines).toHaveLength(json.Entities.length);
    const column = (name: string) => header.split(',').indexOf(name);
    const raw = sample.rows.filter((r) => (r.srcaddr === ATTACKER || r.dstaddr === ATTACKER) && hourOf(r) >= SCOPE.ScopeStartTime && hourOf(r) < SCOPE.ScopeEndTime);
    for (const line of lines) {
      const cells = line.split(',');
      const mine = raw.filter((r) => (sample.owners.get(r['interface-id']) ?? r['interface-id']) === cells[1]);
      expect(mine.length).toBeGreaterThan(0);
      expect(Number(cells[column('BytesIn')])).toBe(mine.filter((r) => r.srcaddr === ATTACKER).reduce((t, r) => t + Number(r.bytes), 0));
      expect(Number(cells[column('BytesOut')])).toBe(mine.filter((r) => r.dstaddr === ATTACKER).reduce((t, r) => t + Number(r.bytes), 0));
      expect(Number(cells[column('Packets')])).toBe(mine.reduce((t, r) => t + Number(r.packets), 0));
      expect(Number(cells[column('Flows')])).toBe(mine.length);
      expect(Number(cells[column('RejectedFlows')])).toBe(mine.filter((r) => r.action === 'REJECT').length);
      expect(cells[column('Interfaces')].split(' ')).toEqual([...new Set(mine.map((r) => r['interface-id']))].sort());
      expect(cells[column('Ports')].split(' ')).toContain('6/22');
    }
    // Other relations keep the columns they had.
    const roles = await post('/graph/listRelatedEntities', { EntityType: 'IAM_ROLE', EntityId: `arn:aws:iam::${SAMPLE_ACCOUNT}:role/x`, RelatedEntityType: 'IP_ADDRESS', ...SCOPE }, 'text/csv');
    expect(roles.body.split('\r\n')[0]).toBe('EntityType,EntityId,DisplayName,Relationship,AccountId,CallCount,FailedCallCount,SessionCount,FirstSeenTime,LastSeenTime');
  });

  it('neutralises a formula in any flow cell, whatever the strings', () => {
    const hostile = fc.oneof(fc.string(), fc.constantFrom('=cmd|\' /C calc\'!A0', '+1+1', '-2+3', '@SUM(A1)', '\t=1'));
    fc.assert(
      fc.property(hostile, hostile, hostile, (id, port, eni) => {
        const text = toCsv(RELATED_FLOW_CSV_HEADER, relatedFlowCsvRows([{ EntityType: 'EC2_INSTANCE', EntityId: id, DisplayName: id, Relationship: 'FLOW_PEER', CallCount: 0, FailedCallCount: 0, Flow: { BytesIn: 1, BytesOut: 2, BytesUnknownDirection: 0, Packets: 3, Flows: 4, RejectedFlows: 0, Ports: [port], Interfaces: [eni] } }]));
        const rows = parseCsv(text);
        expect(rows).toHaveLength(2);
        for (const cell of rows[1]) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
        const column = (name: string) => rows[0].indexOf(name);
        // The value is kept, behind the quote that neutralises it.
        expect(rows[1][column('Ports')]).toBe(/^[=+\-@\t\r]/.test(port) ? `'${port}` : port);
        expect(rows[1][column('Interfaces')]).toBe(/^[=+\-@\t\r]/.test(eni) ? `'${eni}` : eni);
      }),
    );
  });
});
