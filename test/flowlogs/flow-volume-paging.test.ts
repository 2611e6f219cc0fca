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
 * peers in an hour. Every page's groups, together, are the raw lines' peers once each, with their bytes. Then
 * keyset pages: a late object delivered between page 1 and page 2 lists no peer twice.
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

/** Ingests one flow-log object of HOUR (then compacts the hour, as a late delivery does): its lines, as written. */
async function deliver(stack: FakeFlowStack, rows: string[], hash: string): Promise<Record<string, string>[]> {
  const body = gzipSync(`${HEADER}\n${rows.join('\n')}\n`);
  const [header, ...text] = gunzipSync(body).toString('utf8').trimEnd().split('\n');
  const key = flowLogKey(ACCOUNT, T0, hash);
  stack.put(key, body);
  await ingestObject({ bucket: 'logs', key }, stack.ingestDeps());
  await compactFlowHour(`flow#${ACCOUNT}#${HOUR}`, stack.compactionDeps());
  return text.map((line) => Object.fromEntries(line.split(' ').map((value, i) => [header.split(' ')[i], value])));
}

function routeOf(stack: FakeFlowStack): ReturnType<typeof createRouter> {
  const deps: ApiDependencies = {
    store: {} as ApiDependencies['store'],
    tokenKeys: { tokenKey: () => Promise.resolve(Buffer.alloc(32, 3)) },
    runner: { start: () => Promise.resolve() },
    maxScopeDays: 3650,
    graph: { queries: {} as TrailQueries, recordsAt: () => Promise.resolve({ status: 'OBJECT_DELETED' as const }), flows: new FlowQueries(stack.port()) },
    now: () => Date.parse('2026-03-01T13:00:00Z'),
  };
  return createRouter(deps);
}

const peerAddress = (p: number): string => `198.51.${100 + Math.floor(p / 200)}.${1 + (p % 200)}`;

beforeAll(async () => {
  const stack = new FakeFlowStack(() => new Date('2026-03-01T13:00:00Z'));
  const rows: string[] = [];
  for (let p = 0; p < PEERS; p++) {
    const peer = peerAddress(p);
    // Some peers tie on bytes: the ranking's tie-breaks must still give each once.
    const bytes = 1000 + 7 * (p % 40);
    rows.push(`2 ${ACCOUNT} ${INSTANCE} ${ENI} ${peer} ${OWN} 40000 443 6 3 ${bytes} ${T0 + p} ${T0 + p + 10} ACCEPT OK`);
    if (p % 3 === 0) rows.push(`2 ${ACCOUNT} ${INSTANCE} ${ENI} ${OWN} ${peer} 443 40001 6 2 ${bytes + 5} ${T0 + p + 20} ${T0 + p + 30} ACCEPT OK`);
  }
  lines = await deliver(stack, rows, 'peers');
  route = routeOf(stack);
});

async function volume(body: object, through = route): Promise<APIGatewayProxyResult> {
  return through(toProxyEvent({ method: 'POST', url: '/graph/getFlowVolume', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)), sourceIp: '127.0.0.1' }));
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

describe('getFlowVolume: pages when a log arrives between them', () => {
  /** Per peer, from raw lines: [bytes, flows] (one line is one flow). */
  function countByPeer(raw: readonly Record<string, string>[]): Map<string, [number, number]> {
    const counts = new Map<string, [number, number]>();
    for (const r of raw) {
      const peer = r.srcaddr === OWN ? r.dstaddr : r.srcaddr;
      const c = counts.get(peer) ?? [0, 0];
      counts.set(peer, [c[0] + Number(r.bytes), c[1] + 1]);
    }
    return counts;
  }
  /** The documented ranking, written out here: the most bytes, then the most flows, then the address as text. */
  const before = (counts: Map<string, [number, number]>, a: string, b: string): number => {
    const [x, y] = [counts.get(a) ?? [0, 0], counts.get(b) ?? [0, 0]];
    return y[0] - x[0] || y[1] - x[1] || (a < b ? -1 : a > b ? 1 : 0);
  };
  const ranked = (counts: Map<string, [number, number]>): string[] => [...counts.keys()].sort((a, b) => before(counts, a, b));
  const line = (peer: string, bytes: number, at: number): string => `2 ${ACCOUNT} ${INSTANCE} ${ENI} ${peer} ${OWN} 40000 443 6 1 ${bytes} ${T0 + at} ${T0 + at + 5} ACCEPT OK`;

  it('lists no peer twice, and every peer of the raw lines but those that passed the cut unlisted', async () => {
    const stack = new FakeFlowStack(() => new Date('2026-03-01T13:00:00Z'));
    // 150 peers, bytes tying in tens, so that the value often decides.
    const firstLines = await deliver(stack, Array.from({ length: 150 }, (_, p) => line(peerAddress(p), 100 * (1 + (p % 15)), p)), 'first');
    const flowRoute = routeOf(stack);
    const countsThen = countByPeer(firstLines);
    const page1 = JSON.parse((await volume(request, flowRoute)).body) as FlowVolumeResponse;
    const expectedPage1 = ranked(countsThen).slice(0, MAX_GROUPS);
    expect(page1.Groups?.map((g) => g.Value)).toEqual(expectedPage1);
    const cut = expectedPage1[MAX_GROUPS - 1];
    const onPage2 = ranked(countsThen)[MAX_GROUPS + 10];
    const [risen, fresh] = [peerAddress(300), peerAddress(301)];
    // A peer of page 2 and a new one rank first; the cut's own peer and one of page 1 grow; a new peer ranks last.
    const lateLines = await deliver(stack, [line(onPage2, 50_000, 600), line(risen, 60_000, 601), line(cut, 900, 602), line(expectedPage1[5], 700, 603), line(fresh, 1, 604)], 'late');

    const later: FlowVolumeResponse[] = [];
    let token = page1.NextToken;
    while (token && later.length < 10) {
      const result = await volume({ ...request, NextToken: token }, flowRoute);
      expect(result.statusCode).toBe(200);
      const next = JSON.parse(result.body) as FlowVolumeResponse;
      later.push(next);
      token = next.NextToken;
    }
    const countsNow = countByPeer([...firstLines, ...lateLines]);
    const listed = [...(page1.Groups ?? []), ...later.flatMap((p) => p.Groups ?? [])].map((g) => g.Value);
    expect(listed.length).toBe(new Set(listed).size);
    // Not listed: exactly the peers not on page 1 that rank, today, before page 1's last as it was then.
    const countsAtCut = new Map([...countsNow, [cut, countsThen.get(cut) as [number, number]]]);
    const passedTheCut = [...countsNow.keys()].filter((peer) => peer !== cut && !expectedPage1.includes(peer) && before(countsAtCut, peer, cut) < 0);
    expect(passedTheCut.sort()).toEqual([onPage2, risen].sort());
    expect(new Set(listed)).toEqual(new Set([...countsNow.keys()].filter((peer) => !passedTheCut.includes(peer))));
    const laterGroups = later.flatMap((p) => p.Groups ?? []);
    expect(new Map(laterGroups.map((g) => [g.Value, [g.BytesIn + g.BytesOut + g.BytesUnknownDirection, g.Flows]]))).toEqual(new Map(laterGroups.map((g) => [g.Value, countsNow.get(g.Value)])));
    expect(laterGroups.map((g) => g.Value)).toEqual(ranked(countsNow).filter((peer) => laterGroups.some((g) => g.Value === peer)));
    expect(laterGroups.map((g) => g.Value)).toContain(fresh);
  });
});
