import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { compactFlowHour } from '../../lambdas/compact-hour/compact-flow-hour';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { mappingItems } from '../../lambdas/core/flowlogs/flow-items';
import { FlowQueries } from '../../lambdas/queries/flow-queries';
import { createRouter } from '../../lambdas/api/router';
import type { ApiDependencies } from '../../lambdas/api/operations';
import type { TrailQueries } from '../../lambdas/queries/trail-queries';
import { toProxyEvent } from '../../local/http/proxy-event';
import { DEFAULT_SEED, generateFlowLogs, generateScenario, type CloudTrailEvent } from '../../examples/generator';
import { expectSchema } from '../helpers/openapi-schemas';
import type { FlowVolumeResponse } from '../../lambdas/core/graph/flow-volume';
import type { ListRelatedEntitiesResponse } from '../../lambdas/api/graph/related-entities';
import { getSummary } from '../../lambdas/api/graph/summary';
import { getEntityProfile } from '../../lambdas/api/graph/entity-profile';
import { emptyTotals } from '../../lambdas/core/queries/activity-totals';
import type { ProfileDependencies } from '../../lambdas/api/graph/dependencies';
import { analysisConfigFromEnv, NO_GEO, ThreatIntelMatcher } from '../../lambdas/core/analysis';
import { flaggedIps } from '../../lambdas/investigation-stages/flagged-ips';
import type { StageDependencies, StageInput } from '../../lambdas/investigation-stages/stage-context';
import { threatIntelMatcherFromTexts } from '../../lambdas/adapters/threat-intel';
import type { Indicator } from '../../lambdas/core/investigation/model';
import type { SessionView } from '../../lambdas/core/queries/session-view';
import { FakeFlowStack } from './fake-flow-stack';

/**
 * POST /graph/getFlowVolume on the bundled sample's flow logs (examples/README.md "VPC Flow Logs"), ingested and
 * compacted by the real pipeline over an in-memory stack. Every expected value is counted here from the raw
 * flow lines (gunzip, split on spaces, the header naming the fields), never by the code under test.
 */
jest.setTimeout(120_000);

const ACCOUNT = '444455556666';
const C2 = '139.180.133.61';
const ATTACKER = '45.137.21.9';

type Raw = Record<string, string>;
interface RawFile {
  flowLogId: string;
  rows: Raw[];
}

let stack: FakeFlowStack;
let route: ReturnType<typeof createRouter>;
let files: RawFile[];
let owners: Map<string, string>;
let web1: string;

function readRaw(body: Buffer): Raw[] {
  const [header, ...lines] = gunzipSync(body).toString('utf8').trimEnd().split('\n');
  const fields = header.split(' ');
  return lines.map((line) => Object.fromEntries(line.split(' ').map((value, i) => [fields[i], value])));
}

beforeAll(async () => {
  const scenario = generateScenario();
  const sample = generateFlowLogs(scenario, DEFAULT_SEED);
  web1 = scenario.org.instances.web1.id;
  const last = Math.max(...sample.objects.map((o) => Date.parse(o.key.match(/_(\d{8}T\d{4})Z_/)![1].replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})$/, '$1-$2-$3T$4:$5:00Z'))));
  const now = last + 2 * 3_600_000;
  stack = new FakeFlowStack(() => new Date(now));
  for (const object of sample.objects) stack.put(object.key, object.body);
  for (const object of sample.objects) await ingestObject({ bucket: 'logs', key: object.key }, stack.ingestDeps());
  for (const hourKey of [...stack.hourObjects.keys()].sort()) await compactFlowHour(hourKey, stack.compactionDeps());
  files = sample.objects.map((object) => ({ flowLogId: /_(fl-[0-9a-f]+)_/.exec(object.key)![1], rows: readRaw(object.body) }));

  // ENI → instance as CloudTrail's RunInstances responses give it (the CloudTrail compaction writes these
  // items; this stack holds flow items only), and as the custom format's instance-id gives it.
  owners = new Map();
  const trail = scenario.objects.filter((o) => o.key.includes('/CloudTrail/')).flatMap((o) => (JSON.parse(gunzipSync(o.body).toString('utf8')) as { Records: CloudTrailEvent[] }).Records);
  for (const r of trail.filter((x) => x.eventName === 'RunInstances')) {
    const items = (r.responseElements as { instancesSet: { items: { instanceId: string; networkInterfaceSet?: { items: { networkInterfaceId: string }[] } }[] } }).instancesSet.items;
    for (const item of items) {
      for (const eni of item.networkInterfaceSet?.items ?? []) {
        owners.set(eni.networkInterfaceId, item.instanceId);
        const mapping = mappingItems(item.instanceId, eni.networkInterfaceId, ACCOUNT, 'cloudtrail', 4_000_000_000);
        await stack.compactionDeps().putItems([mapping.byInstance, mapping.byInterface]);
      }
    }
  }
  for (const row of files.flatMap((f) => f.rows)) if (row['instance-id'] && row['instance-id'] !== '-') owners.set(row['interface-id'], row['instance-id']);

  const deps: ApiDependencies = {
    store: {} as ApiDependencies['store'],
    tokenKeys: { tokenKey: () => Promise.resolve(Buffer.alloc(32, 1)) },
    runner: { start: () => Promise.resolve() },
    maxScopeDays: 30,
    graph: { queries: {} as TrailQueries, recordsAt: () => Promise.resolve({ status: 'OBJECT_DELETED' as const }), flows: new FlowQueries(stack.port()) },
    now: () => now,
  };
  route = createRouter(deps);
});

async function post(body: unknown, accept?: string, url = '/graph/getFlowVolume'): Promise<APIGatewayProxyResult> {
  const event = toProxyEvent({ method: 'POST', url, headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) }, body: Buffer.from(JSON.stringify(body)), sourceIp: '127.0.0.1' });
  return route(event);
}

async function volume(body: Record<string, unknown>): Promise<FlowVolumeResponse> {
  const result = await post(body);
  expect(result.statusCode).toBe(200);
  const json = JSON.parse(result.body);
  expectSchema('GetFlowVolumeResponse', json);
  return json;
}

const ok = (rows: Raw[]) => rows.filter((r) => r['log-status'] === 'OK');
const hourOf = (r: Raw) => `${new Date(Math.floor(Number(r.start) / 3600) * 3_600_000).toISOString()}`;
/**
 * The OK lines that count. The sample's audit flow log repeats the web log's flows of the C&C hour (61
 * records); per hour and interface only one flow log counts (README "VPC Flow Logs"): the one with the most
 * OK lines for that interface in the hour, the lower flow-log id on a tie.
 */
function allRows(): Raw[] {
  const groups = new Map<string, Map<string, Raw[]>>();
  for (const file of files)
    for (const r of ok(file.rows)) {
      const slot = `${hourOf(r)} ${r['interface-id']}`;
      const byLog = groups.get(slot) ?? new Map<string, Raw[]>();
      byLog.set(file.flowLogId, [...(byLog.get(file.flowLogId) ?? []), r]);
      groups.set(slot, byLog);
    }
  const kept: Raw[] = [];
  for (const byLog of groups.values()) {
    const [, rows] = [...byLog].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1))[0];
    kept.push(...rows);
  }
  return kept;
}

function sumBy(rows: Raw[], key: (r: Raw) => string, field = 'bytes'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + Number(r[field]);
  return out;
}

const SCOPE = { ScopeStartTime: '2026-10-20T00:00:00Z', ScopeEndTime: '2026-10-25T00:00:00Z' };

describe('POST /graph/getFlowVolume on the sample flow logs', () => {
  it("gives web-1's bytes to and from 139.180.133.61 per hour, as the raw lines count them", async () => {
    const body = await volume({ EntityType: 'EC2_INSTANCE', EntityId: web1, ...SCOPE, Granularity: 'HOUR', Filter: { PeerIp: C2 } });
    const web1Enis = new Set([...owners].filter(([, instance]) => instance === web1).map(([eni]) => eni));
    const rows = allRows().filter((r) => web1Enis.has(r['interface-id']) && (r.srcaddr === C2 || r.dstaddr === C2));
    expect(rows.length).toBeGreaterThan(0);
    const outbound = sumBy(rows.filter((r) => r.dstaddr === C2), hourOf);
    const inbound = sumBy(rows.filter((r) => r.srcaddr === C2), hourOf);
    const hours = [...new Set([...Object.keys(outbound), ...Object.keys(inbound)])].sort();
    expect(body.Series.map((p) => [p.Time, p.BytesOut, p.BytesIn])).toEqual(hours.map((h) => [h, outbound[h] ?? 0, inbound[h] ?? 0]));
    expect(body.BytesUnknownDirection).toBe(0);
    // Grouped by port: all of it is TCP 443 (the beacons).
    const byPort = await volume({ EntityType: 'EC2_INSTANCE', EntityId: web1, ...SCOPE, Granularity: 'DAY', GroupBy: 'PORT', Filter: { PeerIp: C2 } });
    const ports = sumBy(rows, (r) => `${r.protocol}/${Math.min(Number(r.srcport), Number(r.dstport))}`);
    expect(Object.fromEntries(byPort.Groups!.map((g) => [g.Value, g.BytesIn + g.BytesOut]))).toEqual(ports);
  });

  it('lists the instances that talked to 45.137.21.9, and their bytes, from the IP_ADDRESS entity', async () => {
    const body = await volume({ EntityType: 'IP_ADDRESS', EntityId: ATTACKER, ...SCOPE, Granularity: 'DAY' });
    const rows = allRows().filter((r) => r.srcaddr === ATTACKER || r.dstaddr === ATTACKER);
    const enis = [...new Set(rows.map((r) => r['interface-id']))].sort();
    expect(body.Interfaces).toEqual(enis);
    // Two web servers and the four miners.
    expect(new Set(enis.map((eni) => owners.get(eni)))).toHaveProperty('size', 6);
    const total = rows.reduce((t, r) => t + Number(r.bytes), 0);
    expect(body.BytesIn + body.BytesOut + body.BytesUnknownDirection).toBe(total);
    expect(body.BytesIn).toBe(rows.filter((r) => r.srcaddr === ATTACKER).reduce((t, r) => t + Number(r.bytes), 0));
  });

  it('counts the rejected SSH flows from 45.137.21.9, and the accepted ones after the rule opened port 22', async () => {
    const body = await volume({ EntityType: 'IP_ADDRESS', EntityId: ATTACKER, ...SCOPE, Granularity: 'HOUR', GroupBy: 'ACTION', Filter: { Port: 22, Protocol: 6 } });
    const ssh = allRows().filter((r) => (r.srcaddr === ATTACKER || r.dstaddr === ATTACKER) && r.protocol === '6' && (r.srcport === '22' || r.dstport === '22'));
    const rejected = ssh.filter((r) => r.action === 'REJECT');
    expect(rejected.length).toBeGreaterThan(0);
    const groups = Object.fromEntries(body.Groups!.map((g) => [g.Value, g]));
    expect(groups.REJECT.Flows).toBe(rejected.length);
    expect(groups.REJECT.RejectedFlows).toBe(rejected.length);
    expect(groups.REJECT.RejectedBytes).toBe(rejected.reduce((t, r) => t + Number(r.bytes), 0));
    expect(groups.ACCEPT.Flows).toBe(ssh.length - rejected.length);
    expect(body.RejectedFlows).toBe(rejected.length);
    // Per hour, as the raw lines say.
    const perHour: Record<string, number> = {};
    for (const r of rejected) perHour[hourOf(r)] = (perHour[hourOf(r)] ?? 0) + 1;
    expect(Object.fromEntries(groups.REJECT.Series.map((p) => [p.Time, p.RejectedFlows]))).toEqual(perHour);
  });

  it('answers CSV on Accept: text/csv, one row per group and bucket', async () => {
    const result = await post({ EntityType: 'IP_ADDRESS', EntityId: ATTACKER, ...SCOPE, Granularity: 'DAY', GroupBy: 'DIRECTION' }, 'text/csv');
    expect(result.statusCode).toBe(200);
    const [header, ...lines] = result.body.trim().split('\r\n').length > 1 ? result.body.trim().split('\r\n') : result.body.trim().split('\n');
    expect(header.split(',').slice(0, 3)).toEqual(['Time', 'DIRECTION', 'BytesIn']);
    const json = await volume({ EntityType: 'IP_ADDRESS', EntityId: ATTACKER, ...SCOPE, Granularity: 'DAY', GroupBy: 'DIRECTION' });
    expect(lines).toHaveLength(json.Groups!.reduce((t, g) => t + g.Series.length, 0));
  });

  it('refuses bad bodies with a ValidationException, never a 5xx', async () => {
    for (const body of [
      { EntityType: 'EC2_INSTANCE', EntityId: 'web-1', ...SCOPE, Granularity: 'HOUR' },
      { EntityType: 'EC2_INSTANCE', EntityId: web1, ...SCOPE, Granularity: 'MINUTE' },
      { EntityType: 'IP_ADDRESS', EntityId: ATTACKER, ...SCOPE, Granularity: 'HOUR', GroupBy: 'PEER_IP' },
      { EntityType: 'IP_ADDRESS', EntityId: ATTACKER, ...SCOPE, Granularity: 'HOUR', Filter: { PeerIp: C2 } },
      { EntityType: 'EC2_INSTANCE', EntityId: web1, ScopeStartTime: SCOPE.ScopeEndTime, ScopeEndTime: SCOPE.ScopeStartTime, Granularity: 'HOUR' },
      { EntityType: 'EC2_INSTANCE', EntityId: web1, ...SCOPE, Granularity: 'HOUR', Filter: { Port: 70000, Direction: 'in' } },
    ]) {
      const result = await post(body);
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body).Message ?? JSON.parse(result.body).message).toBeDefined();
    }
  });
});

describe('POST /graph/listRelatedEntities from an IP address to EC2 instances (flow logs)', () => {
  it('lists the instances that exchanged traffic with 45.137.21.9, with bytes, ports and first and last seen', async () => {
    const result = await post({ EntityType: 'IP_ADDRESS', EntityId: ATTACKER, RelatedEntityType: 'EC2_INSTANCE', ...SCOPE, MaxResults: 100 }, undefined, '/graph/listRelatedEntities');
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as ListRelatedEntitiesResponse;
    expectSchema('ListRelatedEntitiesResponse', body);
    const rows = allRows().filter((r) => r.srcaddr === ATTACKER || r.dstaddr === ATTACKER);
    const byInstance = new Map<string, Raw[]>();
    for (const r of rows) byInstance.set(owners.get(r['interface-id'])!, [...(byInstance.get(owners.get(r['interface-id'])!) ?? []), r]);
    expect(body.Entities.map((e) => e.EntityId).sort()).toEqual([...byInstance.keys()].sort());
    for (const entity of body.Entities) {
      const mine = byInstance.get(entity.EntityId)!;
      expect(entity.Relationship).toBe('FLOW_PEER');
      expect(entity.Flow!.BytesIn).toBe(mine.filter((r) => r.srcaddr === ATTACKER).reduce((t, r) => t + Number(r.bytes), 0));
      expect(entity.Flow!.BytesOut).toBe(mine.filter((r) => r.dstaddr === ATTACKER).reduce((t, r) => t + Number(r.bytes), 0));
      expect(entity.Flow!.RejectedFlows).toBe(mine.filter((r) => r.action === 'REJECT').length);
      expect(entity.FirstSeenTime).toBe(new Date(Math.min(...mine.map((r) => Number(r.start))) * 1000).toISOString());
      expect(entity.LastSeenTime).toBe(new Date(Math.max(...mine.map((r) => Number(r.end))) * 1000).toISOString());
      expect(entity.Flow!.Ports).toContain('6/22');
    }
  });
});

describe('POST /graph/getSummary: the instances with the most flow traffic', () => {
  it('ranks the instances by bytes of the window, as the raw lines count them', async () => {
    const profiles = profilesOver(Date.parse('2026-10-26T00:00:00Z'));
    const window = { from: '2026-10-22T00:00:00.000Z', to: '2026-10-23T00:00:00.000Z' };
    const summary = (await getSummary(profiles, { ScopeStartTime: window.from, ScopeEndTime: window.to })) as { TopTrafficInstances: { EntityId: string; BytesIn: number; BytesOut: number; BytesUnknownDirection: number; RejectedFlows: number }[] };
    expectSchema('GetSummaryResponse', summary);
    const inWindow = allRows().filter((r) => hourOf(r) >= window.from && hourOf(r) < window.to);
    const bytes = sumBy(inWindow, (r) => owners.get(r['interface-id'])!);
    const rejected: Record<string, number> = {};
    for (const r of inWindow.filter((x) => x.action === 'REJECT')) rejected[owners.get(r['interface-id'])!] = (rejected[owners.get(r['interface-id'])!] ?? 0) + 1;
    const expected = Object.entries(bytes).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
    expect(summary.TopTrafficInstances.map((t) => [t.EntityId, t.BytesIn + t.BytesOut + t.BytesUnknownDirection])).toEqual(expected);
    for (const t of summary.TopTrafficInstances) expect(t.RejectedFlows).toBe(rejected[t.EntityId] ?? 0);
  });
});

/** The profile routes' dependencies over this stack's flow items; no CloudTrail here: the trail reads answer empty. */
function profilesOver(now: number): ProfileDependencies {
  const queries = {
    accounts: () => Promise.resolve([ACCOUNT]),
    hourIndexes: () => Promise.resolve([]),
    hourItems: () => Promise.resolve([]),
    activityItems: () => Promise.resolve([]),
    firstHour: () => Promise.resolve(undefined),
    instanceActivity: (instanceId: string) => Promise.resolve({ instanceId, sessions: [], totals: emptyTotals(), hourly: [] }),
  } as unknown as TrailQueries;
  return {
    queries,
    flows: new FlowQueries(stack.port()),
    geo: NO_GEO,
    threatIntel: () => Promise.resolve({ matcher: new ThreatIntelMatcher(), lists: [] }),
    findingSources: [],
    investigations: { listInvestigations: () => Promise.resolve({ items: [] }) } as unknown as ProfileDependencies['investigations'],
    config: analysisConfigFromEnv({}),
    retentionDays: 365,
    maxScopeDays: 30,
    now: () => now,
  };
}

describe('POST /graph/getEntityProfile: the flow panels', () => {
  const scope = { ScopeStartTime: '2026-10-22T00:00:00.000Z', ScopeEndTime: '2026-10-23T00:00:00.000Z' };
  const inScope = () => allRows().filter((r) => hourOf(r) >= scope.ScopeStartTime && hourOf(r) < scope.ScopeEndTime);

  it("gives web-1's flow totals, top peers and top ports", async () => {
    const profile = (await getEntityProfile(profilesOver(Date.parse('2026-10-26T00:00:00Z')), { EntityType: 'EC2_INSTANCE', EntityId: web1, ...scope })) as { Flows: { BytesIn: number; BytesOut: number; BytesUnknownDirection: number; RejectedFlows: number; TopPeers: { Value: string; Bytes: number }[]; TopPorts: { Value: string; Bytes: number }[] } };
    expectSchema('GetEntityProfileResponse', profile);
    const web1Enis = new Set([...owners].filter(([, instance]) => instance === web1).map(([eni]) => eni));
    const mine = inScope().filter((r) => web1Enis.has(r['interface-id']));
    const total = mine.reduce((t, r) => t + Number(r.bytes), 0);
    expect(profile.Flows.BytesIn + profile.Flows.BytesOut + profile.Flows.BytesUnknownDirection).toBe(total);
    expect(profile.Flows.RejectedFlows).toBe(mine.filter((r) => r.action === 'REJECT').length);
    // The busiest peer: the address on the other side of web-1's interface.
    const own = new Set(mine.map((r) => r.srcaddr).filter((a) => a.startsWith('10.20.')));
    const byPeer = sumBy(mine, (r) => (own.has(r.srcaddr) ? r.dstaddr : r.srcaddr));
    const [busiest] = Object.entries(byPeer).sort((a, b) => b[1] - a[1]);
    expect(profile.Flows.TopPeers[0]).toMatchObject({ Value: busiest[0], Bytes: busiest[1] });
    const byPort = sumBy(mine, (r) => `${r.protocol}/${Math.min(Number(r.srcport), Number(r.dstport))}`);
    const [port] = Object.entries(byPort).sort((a, b) => b[1] - a[1]);
    expect(profile.Flows.TopPorts[0]).toMatchObject({ Value: port[0], Bytes: port[1] });
  });

  it('lists the instances that talked to 45.137.21.9 in the address profile', async () => {
    const profile = (await getEntityProfile(profilesOver(Date.parse('2026-10-26T00:00:00Z')), { EntityType: 'IP_ADDRESS', EntityId: ATTACKER, ...scope })) as { Flows: { Instances: { EntityId: string; BytesIn: number; BytesOut: number }[] } };
    expectSchema('GetEntityProfileResponse', profile);
    const rows = inScope().filter((r) => r.srcaddr === ATTACKER || r.dstaddr === ATTACKER);
    const bytes = sumBy(rows, (r) => owners.get(r['interface-id'])!);
    expect(Object.fromEntries(profile.Flows.Instances.map((i) => [i.EntityId, i.BytesIn + i.BytesOut]))).toEqual(bytes);
  });
});

describe('investigations: FLAGGED_IP_ADDRESS from the flow logs of the entity\'s instances', () => {
  it("flags the listed peers of web-1's flows (its role's sessions name the instance), not another instance's", async () => {
    const scopeStart = '2026-10-22T00:00:00.000Z';
    const scopeEnd = '2026-10-23T00:00:00.000Z';
    // The list names the C&C, web-2's Tor entry node, and an address no flow has.
    const listed = [C2, '198.51.100.23', '192.0.2.250'];
    const stored: Indicator[] = [];
    const session = { sessionId: 'ASIAWEB1EXAMPLE00001', issuerArn: `arn:aws:iam::${ACCOUNT}:role/web-server-role`, instanceId: web1 } as unknown as SessionView;
    const deps = {
      queries: { sessionsOfRole: () => Promise.resolve([session]), sessionActivity: () => Promise.resolve([]) } as unknown as TrailQueries,
      flows: new FlowQueries(stack.port()),
      findingSources: [],
      store: { putIndicators: (_id: string, indicators: Indicator[]) => Promise.resolve(void stored.push(...indicators)) },
      geo: NO_GEO,
      config: analysisConfigFromEnv({}),
      threatIntel: () => Promise.resolve(threatIntelMatcherFromTexts([{ name: 'test-list', text: listed.join('\n') }])),
    } as unknown as StageDependencies;
    const input = { investigationId: '000000000000000000001', entityArn: `arn:aws:iam::${ACCOUNT}:role/web-server-role`, entityType: 'IAM_ROLE', scopeStartTime: scopeStart, scopeEndTime: scopeEnd, scope: { principalKey: 'unused' } } as unknown as StageInput;
    await flaggedIps(input, deps);
    const web1Enis = new Set([...owners].filter(([, instance]) => instance === web1).map(([eni]) => eni));
    const peersOfWeb1 = new Set(
      allRows()
        .filter((r) => web1Enis.has(r['interface-id']) && hourOf(r) >= scopeStart && hourOf(r) < scopeEnd)
        .flatMap((r) => [r.srcaddr, r.dstaddr]),
    );
    const expected = listed.filter((ip) => peersOfWeb1.has(ip)).sort();
    expect(expected).toContain(C2);
    // The Tor entry node is web-2's peer only (examples/README.md): another instance's traffic is not this entity's.
    expect(expected).not.toContain('198.51.100.23');
    expect(stored.map((i) => (i.IndicatorDetail as { FlaggedIpAddressDetail: { IpAddress: string } }).FlaggedIpAddressDetail.IpAddress).sort()).toEqual(expected);
  });
});

