import { gzipSync, gunzipSync } from 'node:zlib';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { compactFlowHour } from '../../lambdas/compact-hour/compact-flow-hour';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { createRouter } from '../../lambdas/api/router';
import type { ApiDependencies } from '../../lambdas/api/operations';
import type { FlowVolumeResponse } from '../../lambdas/core/graph/flow-volume';
import { MAX_GROUPS } from '../../lambdas/core/graph/volume';
import { FlowQueries } from '../../lambdas/queries/flow-queries';
import type { TrailQueries } from '../../lambdas/queries/trail-queries';
import { toProxyEvent } from '../../local/http/proxy-event';
import { flowLogKey } from '../helpers/flow-logs';
import { expectSchema } from '../helpers/openapi-schemas';
import { FakeFlowStack } from './fake-flow-stack';

/**
 * getFlowVolume's groups beyond MAX_GROUPS come in pages (NextToken), over HTTP: an instance that talked to 250
 * peers in an hour. Every page's groups, together, are the raw lines' peers once each, with their bytes.
 */
const ACCOUNT = '111122223333';
const HOUR = '2026-03-01T10';
const T0 = Date.parse(`${HOUR}:00:00Z`) / 1000;
const INSTANCE = 'i-0aaaaaaaaaaaaaaa1';
const ENI = 'eni-0aaaaaaaaaaaaaaa1';
const OWN = '10.1.0.10';
const PEERS = 250;
const HEADER = 'version account-id instance-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const SCOPE = { ScopeStartTime: `${HOUR}:00:00Z`, ScopeEndTime: `${HOUR}:59:59Z` };

let route: ReturnType<typeof createRouter>;
let lines: Record<string, string>[];

beforeAll(async () => {
  const stack = new FakeFlowStack(() => new Date('2026-03-01T13:00:00Z'));
  const rows: string[] = [];
  for (let p = 0; p < PEERS; p++) {
    const peer = `198.51.${100 + Math.floor(p / 200)}.${1 + (p % 200)}`;
    // Some peers tie on bytes: the ranking's tie-breaks must still give each once.
    const bytes = 1000 + 7 * (p % 40);
    rows.push(`2 ${ACCOUNT} ${INSTANCE} ${ENI} ${peer} ${OWN} 40000 443 6 3 ${bytes} ${T0 + p} ${T0 + p + 10} ACCEPT OK`);
    if (p % 3 === 0) rows.push(`2 ${ACCOUNT} ${INSTANCE} ${ENI} ${OWN} ${peer} 443 40001 6 2 ${bytes + 5} ${T0 + p + 20} ${T0 + p + 30} ACCEPT OK`);
  }
  const body = gzipSync(`${HEADER}\n${rows.join('\n')}\n`);
  const [header, ...text] = gunzipSync(body).toString('utf8').trimEnd().split('\n');
  lines = text.map((line) => Object.fromEntries(line.split(' ').map((value, i) => [header.split(' ')[i], value])));
  const key = flowLogKey(ACCOUNT, T0, 'peers');
  stack.put(key, body);
  await ingestObject({ bucket: 'logs', key }, stack.ingestDeps());
  await compactFlowHour(`flow#${ACCOUNT}#${HOUR}`, stack.compactionDeps());
  const deps: ApiDependencies = {
    store: {} as ApiDependencies['store'],
    tokenKeys: { tokenKey: () => Promise.resolve(Buffer.alloc(32, 3)) },
    runner: { start: () => Promise.resolve() },
    maxScopeDays: 3650,
    graph: { queries: {} as TrailQueries, recordsAt: () => Promise.resolve({ status: 'OBJECT_DELETED' as const }), flows: new FlowQueries(stack.port()) },
    now: () => Date.parse('2026-03-01T13:00:00Z'),
  };
  route = createRouter(deps);
});

async function volume(body: object): Promise<APIGatewayProxyResult> {
  return route(toProxyEvent({ method: 'POST', url: '/graph/getFlowVolume', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)), sourceIp: '127.0.0.1' }));
}

const request = { EntityType: 'EC2_INSTANCE', EntityId: INSTANCE, ...SCOPE, Granularity: 'HOUR', GroupBy: 'PEER_IP' };

describe('getFlowVolume: groups in pages', () => {
  it('gives every peer once over pages of MAX_GROUPS, as the raw lines count them', async () => {
    const pages: FlowVolumeResponse[] = [];
    let NextToken: string | undefined;
    do {
      const result = await volume({ ...request, ...(NextToken ? { NextToken } : {}) });
      expect(result.statusCode).toBe(200);
      const page = JSON.parse(result.body) as FlowVolumeResponse;
      expectSchema('GetFlowVolumeResponse', page);
      pages.push(page);
      NextToken = page.NextToken;
    } while (NextToken && pages.length < 10);
    expect(pages.map((page) => page.Groups?.length)).toEqual([MAX_GROUPS, MAX_GROUPS, PEERS - 2 * MAX_GROUPS]);
    expect(pages.map((page) => page.OtherGroupCount)).toEqual([PEERS - MAX_GROUPS, PEERS - 2 * MAX_GROUPS, undefined]);
    const expected = new Map<string, number>();
    for (const r of lines) {
      const peer = r.srcaddr === OWN ? r.dstaddr : r.srcaddr;
      expected.set(peer, (expected.get(peer) ?? 0) + Number(r.bytes));
    }
    const groups = pages.flatMap((page) => page.Groups ?? []);
    expect(groups.length).toBe(expected.size);
    expect(new Map(groups.map((g) => [g.Value, g.BytesIn + g.BytesOut + g.BytesUnknownDirection]))).toEqual(expected);
    // Each page holds the whole answer's totals; only the groups are paged.
    for (const page of pages) expect(page.BytesIn + page.BytesOut).toBe([...expected.values()].reduce((a, b) => a + b, 0));
  });

  it('answers 400 for a bad or foreign token, and for a NextToken without GroupBy', async () => {
    const first = JSON.parse((await volume(request)).body) as FlowVolumeResponse;
    const token = first.NextToken as string;
    for (const NextToken of ['garbage', `${token}x`, `${token.slice(0, 4)}${token[4] === 'A' ? 'B' : 'A'}${token.slice(5)}`]) {
      const result = await volume({ ...request, NextToken });
      expect(result.statusCode).toBe(400);
    }
    const foreign = await volume({ ...request, GroupBy: 'PORT', NextToken: token });
    expect(foreign.statusCode).toBe(400);
    expect(JSON.parse(foreign.body).Message).toMatch(/other parameters/);
    const ungrouped = await volume({ EntityType: 'EC2_INSTANCE', EntityId: INSTANCE, ...SCOPE, Granularity: 'HOUR', NextToken: token });
    expect(ungrouped.statusCode).toBe(400);
    expect(JSON.parse(ungrouped.body).Message).toMatch(/GroupBy/);
  });
});
