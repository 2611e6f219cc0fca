import { FlowQueries } from '../../lambdas/queries/flow-queries';
import { networkSection } from '../../lambdas/queries/instance-network';
import { NOT_IN_BASELINE, type InstanceNetwork, type NetworkSection } from '../../lambdas/core/flowlogs/network-report';
import { apiActivity, type ApiActivitySummary } from '../../lambdas/investigation-stages/api-activity';
import type { StageDependencies, StageInput } from '../../lambdas/investigation-stages/stage-context';
import { analysisConfigFromEnv } from '../../lambdas/core/analysis';
import type { TrailQueries } from '../../lambdas/queries/trail-queries';
import type { SessionView } from '../../lambdas/core/queries/session-view';
import { investigationReport } from '../../local/investigation-report';
import { getNetworkReport } from '../../lambdas/api/graph/network-report';
import type { ProfileDependencies } from '../../lambdas/api/graph/dependencies';
import type { Investigation } from '../../lambdas/core/investigation/model';
import { expectSchema } from '../helpers/openapi-schemas';
import { ATTACKER, C2, SAMPLE_ACCOUNT, TOR_NODE, hourOf, loadSampleFlows, ownAddresses, portOf, type Raw, type SampleFlows } from './sample-flows';

/**
 * The report's network section (issue 10 §3) on the bundled sample's flow logs: every expected value is counted
 * here from the raw flow lines (sample-flows.ts), with the baseline window computed here too (the 45 days
 * before the scope: the sample's flow logs start on 2026-10-20, so the baseline holds two days of them).
 */
jest.setTimeout(120_000);

const SCOPE = { from: '2026-10-22T00:00:00.000Z', to: '2026-10-23T00:00:00.000Z' };
const BASELINE_FROM = new Date(Date.parse(SCOPE.from) - 45 * 86_400_000).toISOString();
const WINDOW = { baselineDays: 45, minBaselineDays: 14 };

let sample: SampleFlows;
let section: NetworkSection;
let own: Map<string, string>;

beforeAll(async () => {
  sample = await loadSampleFlows();
  own = ownAddresses(sample.rows);
  sample.reads.length = 0;
  section = await networkSection(new FlowQueries(sample.port), [sample.web1, sample.web2, 'i-0000000000000dead'], SCOPE, WINDOW);
});

const rowsOf = (instanceId: string, from: string, to: string): Raw[] => sample.rows.filter((r) => sample.owners.get(r['interface-id']) === instanceId && hourOf(r) >= from && hourOf(r) < to);
const peerOf = (r: Raw): string => (r.srcaddr === own.get(r['interface-id']) ? r.dstaddr : r.srcaddr);
const inbound = (r: Raw): boolean => r.dstaddr === own.get(r['interface-id']);
const instance = (id: string): InstanceNetwork => section.Instances.find((i) => i.InstanceId === id)!;

interface Expected {
  bytesIn: number;
  bytesOut: number;
  flows: number;
  rejected: number;
}

function byPeer(rows: readonly Raw[]): Map<string, Expected> {
  const out = new Map<string, Expected>();
  for (const r of rows) {
    const e = out.get(peerOf(r)) ?? { bytesIn: 0, bytesOut: 0, flows: 0, rejected: 0 };
    if (inbound(r)) e.bytesIn += Number(r.bytes);
    else e.bytesOut += Number(r.bytes);
    e.flows += 1;
    if (r.action === 'REJECT') e.rejected += 1;
    out.set(peerOf(r), e);
  }
  return out;
}

const ranked = (peers: Map<string, Expected>): [string, Expected][] => [...peers].sort((a, b) => b[1].bytesIn + b[1].bytesOut - (a[1].bytesIn + a[1].bytesOut) || b[1].flows - a[1].flows || (a[0] < b[0] ? -1 : 1));

describe('the network section of web-1 and web-2 on the incident day', () => {
  it("gives each instance's totals and top peers as the raw lines count them", () => {
    expect(section.ScopeStartTime).toBe(SCOPE.from);
    expect(section.InstancesWithoutFlows).toEqual(['i-0000000000000dead']);
    for (const id of [sample.web1, sample.web2]) {
      const rows = rowsOf(id, SCOPE.from, SCOPE.to);
      const view = instance(id);
      expect(view.BytesIn).toBe(rows.filter(inbound).reduce((t, r) => t + Number(r.bytes), 0));
      expect(view.BytesOut).toBe(rows.filter((r) => !inbound(r)).reduce((t, r) => t + Number(r.bytes), 0));
      expect(view.BytesUnknownDirection).toBe(0);
      expect(view.Flows).toBe(rows.length);
      expect(view.RejectedFlows).toBe(rows.filter((r) => r.action === 'REJECT').length);
      const peers = byPeer(rows);
      expect(view.Peers).toBe(peers.size);
      expect(view.TopPeers.map((p) => [p.Peer, p.BytesIn, p.BytesOut, p.Flows, p.RejectedFlows])).toEqual(
        ranked(peers)
          .slice(0, 10)
          .map(([peer, e]) => [peer, e.bytesIn, e.bytesOut, e.flows, e.rejected]),
      );
    }
    // The busier instance comes first.
    expect(section.Instances.map((i) => i.InstanceId)).toEqual([sample.web1, sample.web2].sort((a, b) => rowsOf(b, SCOPE.from, SCOPE.to).reduce((t, r) => t + Number(r.bytes), 0) - rowsOf(a, SCOPE.from, SCOPE.to).reduce((t, r) => t + Number(r.bytes), 0)));
  });

  it('lists as new the peers the instance never talked to in the baseline: the C&C and the attacker for web-1, the Tor node for web-2', () => {
    for (const id of [sample.web1, sample.web2]) {
      const baselinePeers = new Set(rowsOf(id, BASELINE_FROM, SCOPE.from).map(peerOf));
      const scopePeers = byPeer(rowsOf(id, SCOPE.from, SCOPE.to));
      const fresh = new Map([...scopePeers].filter(([peer]) => !baselinePeers.has(peer)));
      const view = instance(id);
      expect(view.Baseline).toMatchObject({ StartTime: BASELINE_FROM, EndTime: SCOPE.from, DataFrom: '2026-10-20T00:00:00.000Z', Mature: false, Peers: baselinePeers.size });
      expect(view.Baseline.Hours).toBe(new Set(rowsOf(id, BASELINE_FROM, SCOPE.from).map(hourOf)).size);
      expect(view.NewPeerCount).toBe(fresh.size);
      expect(view.NewPeers.map((p) => [p.Peer, p.BytesIn + p.BytesOut, p.Flows])).toEqual(
        ranked(fresh)
          .slice(0, 10)
          .map(([peer, e]) => [peer, e.bytesIn + e.bytesOut, e.flows]),
      );
    }
    expect(instance(sample.web1).NewPeers.map((p) => p.Peer)).toEqual(expect.arrayContaining([C2, ATTACKER]));
    expect(instance(sample.web2).NewPeers.map((p) => p.Peer)).toContain(TOR_NODE);
    expect(instance(sample.web1).NewPeers.map((p) => p.Peer)).not.toContain(TOR_NODE);
  });

  it('lists the ports not in the baseline, and the Tor port as suspicious', () => {
    for (const id of [sample.web1, sample.web2]) {
      const baselinePorts = new Set(rowsOf(id, BASELINE_FROM, SCOPE.from).map(portOf));
      const notInBaseline = new Set(rowsOf(id, SCOPE.from, SCOPE.to).map(portOf).filter((port) => !baselinePorts.has(port)));
      const view = instance(id);
      // Each listed port says NOT_IN_BASELINE exactly when the baseline lines never had it; every such port is listed while the list is not full.
      for (const port of view.UnusualPorts) expect(port.Reasons.includes(NOT_IN_BASELINE)).toBe(notInBaseline.has(port.Port));
      if (view.UnusualPortCount <= 10) expect(new Set(view.UnusualPorts.filter((p) => p.Reasons.includes(NOT_IN_BASELINE)).map((p) => p.Port))).toEqual(notInBaseline);
      for (const port of view.UnusualPorts) {
        const rows = rowsOf(id, SCOPE.from, SCOPE.to).filter((r) => portOf(r) === port.Port);
        expect([port.Bytes, port.Flows, port.RejectedFlows]).toEqual([rows.reduce((t, r) => t + Number(r.bytes), 0), rows.length, rows.filter((r) => r.action === 'REJECT').length]);
      }
    }
    const tor = instance(sample.web2).UnusualPorts.find((p) => p.Port === '6/9001');
    expect(tor?.Reasons).toEqual(expect.arrayContaining(['TOR']));
    expect(tor?.Peers).toContain(TOR_NODE);
  });

  it("lists the rejected traffic by peer and port: the attacker's SSH probes", () => {
    for (const id of [sample.web1, sample.web2]) {
      const rejected = rowsOf(id, SCOPE.from, SCOPE.to).filter((r) => r.action === 'REJECT');
      const groups = new Map<string, number>();
      for (const r of rejected) groups.set(`${peerOf(r)}|${portOf(r)}|${inbound(r) ? 'in' : 'out'}`, (groups.get(`${peerOf(r)}|${portOf(r)}|${inbound(r) ? 'in' : 'out'}`) ?? 0) + 1);
      const view = instance(id);
      expect(view.RejectedTrafficCount).toBe(groups.size);
      for (const r of view.RejectedTraffic) expect(r.Flows).toBe(groups.get(`${r.Peer}|${r.Port}|${r.Direction}`));
      const ssh = groups.get(`${ATTACKER}|6/22|in`);
      expect(ssh).toBeGreaterThan(0);
      expect(view.RejectedTraffic.find((r) => r.Peer === ATTACKER && r.Port === '6/22')?.Flows).toBe(ssh);
    }
  });

  it("reads only the instances' own items: their ENI mappings and their interfaces' hours", () => {
    const subjects = new Set(sample.reads);
    const enis = [...sample.owners].filter(([, i]) => i === sample.web1 || i === sample.web2).map(([eni]) => `flow-eni#${eni}`);
    for (const subject of subjects) expect(subject.startsWith('instance-enis#') || subject.startsWith('flow-eni#')).toBe(true);
    expect([...subjects].filter((s) => s.startsWith('flow-eni#') && !s.startsWith('flow-eni#instance:')).sort()).toEqual(enis.sort());
    expect([...subjects].some((s) => s.startsWith('flow-peers#') || s.startsWith('flow-account#'))).toBe(false);
  });
});

describe('the network section in the investigation report', () => {
  const session = (instanceId: string) => ({ sessionId: `ASIA${instanceId.slice(2, 18).toUpperCase()}`, issuerArn: `arn:aws:iam::${SAMPLE_ACCOUNT}:role/web-server-role`, instanceId }) as unknown as SessionView;
  const queries = {
    sessionsOfRole: () => Promise.resolve([session(sample.web1)]),
    sessionsFromOrigin: () => Promise.resolve([]),
    sessionActivity: () => Promise.resolve([]),
    accounts: () => Promise.resolve([SAMPLE_ACCOUNT]),
    iam: { history: () => Promise.resolve(undefined), snapshotAt: () => Promise.resolve(undefined) },
  } as unknown as TrailQueries;
  const input = { investigationId: '000000000000000000001', entityArn: `arn:aws:iam::${SAMPLE_ACCOUNT}:role/web-server-role`, entityType: 'IAM_ROLE', scopeStartTime: SCOPE.from, scopeEndTime: SCOPE.to, scope: { principalKey: 'unused' } } as unknown as StageInput;

  it('is in the ApiActivity stage output for an instance-profile role, and printed (escaped) by the CLI report', async () => {
    const deps = { queries, flows: new FlowQueries(sample.port), config: analysisConfigFromEnv({}) } as unknown as StageDependencies;
    const output = await apiActivity(input, deps);
    expect(output.network?.Instances.map((i) => i.InstanceId)).toEqual([sample.web1]);
    expect(output.network?.Instances[0]).toEqual(instance(sample.web1));
    // The output stays far below Step Functions' 256 KB payload limit.
    expect(Buffer.byteLength(JSON.stringify(output))).toBeLessThan(32 * 1024);
    const lines = investigationReport({
      investigation: { InvestigationId: input.investigationId, EntityArn: input.entityArn, EntityType: 'IAM_ROLE', ScopeStartTime: new Date(SCOPE.from), ScopeEndTime: new Date(SCOPE.to), $metadata: {} },
      indicators: [],
      executionOutput: { analysis: [output] },
    });
    const text = lines.join('\n');
    expect(text).toContain(`Network (VPC flow logs, ${SCOPE.from}`);
    expect(text).toMatch(new RegExp(`new peers \\(not in the baseline\\): ${instance(sample.web1).NewPeerCount}`));
    expect(lines.some((line) => line.includes(C2) && line.trim().startsWith(C2))).toBe(true);
    expect(text).toContain('rejected traffic:');
    // A hostile instance id (flow logs are written by whoever controls the instance) is printed inert.
    const hostile = structuredClone(output) as ApiActivitySummary;
    hostile.network!.Instances[0].InstanceId = 'i-\u001b[31mred\u0007';
    const printed = investigationReport({ investigation: { $metadata: {} }, indicators: [], executionOutput: { analysis: [hostile] } }).join('\n');
    expect(printed).not.toContain('\u001b');
    expect(printed).not.toContain('\u0007');
  });

  it('is left out for an entity whose sessions ran on no instance', async () => {
    const deps = { queries: { ...queries, sessionsOfRole: () => Promise.resolve([{ sessionId: 'ASIAX', issuerArn: 'x' }]) }, flows: new FlowQueries(sample.port), config: analysisConfigFromEnv({}) } as unknown as StageDependencies;
    expect((await apiActivity(input, deps)).network).toBeUndefined();
  });

  it('is served by POST /graph/getNetworkReport for an investigation and for one instance, in the documented shape', async () => {
    const investigation = { investigationId: input.investigationId, entityArn: input.entityArn, entityType: 'IAM_ROLE', scopeStartTime: SCOPE.from, scopeEndTime: SCOPE.to } as Investigation;
    const deps = {
      queries,
      flows: new FlowQueries(sample.port),
      config: analysisConfigFromEnv({}),
      investigations: { getInvestigation: (id: string) => Promise.resolve(id === investigation.investigationId ? investigation : undefined) },
      maxScopeDays: 30,
      now: () => sample.now,
    } as unknown as ProfileDependencies;
    const byInvestigation = await getNetworkReport(deps, { InvestigationId: input.investigationId });
    expectSchema('GetNetworkReportResponse', byInvestigation);
    expect(byInvestigation.Instances).toEqual([instance(sample.web1)]);
    expect(byInvestigation.EntityArn).toBe(input.entityArn);
    const byInstance = await getNetworkReport(deps, { EntityType: 'EC2_INSTANCE', EntityId: sample.web2, ScopeStartTime: SCOPE.from, ScopeEndTime: SCOPE.to });
    expectSchema('GetNetworkReportResponse', byInstance);
    expect(byInstance.Instances).toEqual([instance(sample.web2)]);
    await expect(getNetworkReport(deps, { InvestigationId: '999999999999999999999' })).rejects.toMatchObject({ statusCode: 404 });
    await expect(getNetworkReport(deps, { InvestigationId: input.investigationId, EntityId: sample.web1 })).rejects.toMatchObject({ statusCode: 400 });
  });
});
