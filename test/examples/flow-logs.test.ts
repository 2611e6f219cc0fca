import { gunzipSync } from 'node:zlib';
import { classifyLogKey } from '../../lambdas/core/cloudtrail/log-key';
import { type CloudTrailEvent, DEFAULT_SEED, generateFlowLogs, generateScenario, IP, type FlowLogSample, type ScenarioOutput } from '../../examples/generator';

/**
 * The sample VPC Flow Logs, read back as an ingester would (gunzip, header line, space-separated fields), and
 * checked against the CloudTrail sample they must agree with: same account, regions, instances and ENIs, and
 * the incident's addresses at the incident's times. Expectations come from the raw CloudTrail records and the
 * raw flow-log lines, not from the generator's own bookkeeping.
 */
const KEY =
  /^AWSLogs\/(\d{12})\/vpcflowlogs\/([a-z]{2}-[a-z]+-\d)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{12})_vpcflowlogs_([a-z]{2}-[a-z]+-\d)_(fl-[0-9a-f]{17})_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_([0-9a-f]{8})\.log\.gz$/;

interface ParsedFile {
  key: string;
  region: string;
  flowLogId: string;
  header: string[];
  rows: Record<string, string>[];
}

let scenario: ScenarioOutput;
let sample: FlowLogSample;
let files: ParsedFile[];
let trail: CloudTrailEvent[];

beforeAll(() => {
  scenario = generateScenario();
  sample = generateFlowLogs(scenario, DEFAULT_SEED);
  trail = scenario.objects
    .filter((o) => o.key.includes('/CloudTrail/'))
    .flatMap((o) => (JSON.parse(gunzipSync(o.body).toString('utf8')) as { Records: CloudTrailEvent[] }).Records);
  files = sample.objects.map((object) => {
    const match = KEY.exec(object.key);
    if (!match) throw new Error(`not the AWS flow-log key layout: ${object.key}`);
    const [header, ...lines] = gunzipSync(object.body).toString('utf8').trimEnd().split('\n');
    const fields = (header ?? '').split(' ');
    const rows = lines.map((line) => {
      const values = line.split(' ');
      if (values.length !== fields.length) throw new Error(`${object.key}: ${values.length} values for ${fields.length} fields: ${line}`);
      return Object.fromEntries(fields.map((f, i) => [f, values[i] as string]));
    });
    return { key: object.key, region: match[2] as string, flowLogId: match[8] as string, header: fields, rows };
  });
});

const DEFAULT_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const ok = (rows: Record<string, string>[]) => rows.filter((r) => r['log-status'] === 'OK');

describe('layout and formats', () => {
  it('uses the documented key layout, with the account, region and date of the key agreeing with the file name', () => {
    for (const { key } of files) {
      const m = KEY.exec(key) as RegExpExecArray;
      expect(m[1]).toBe('444455556666');
      expect(m[6]).toBe(m[1]);
      expect(m[7]).toBe(m[2]);
      expect(`${m[3]}${m[4]}${m[5]}`).toBe(`${m[9]}${m[10]}${m[11]}`);
      // Trailhound recognises them as flow logs (skipped until flow-log ingestion lands).
      expect(classifyLogKey(key).kind).toBe('vpc-flow-log');
    }
  });

  it('writes the default format (version 2) in every file but one, a custom version 5 format with the v3–v5 fields', () => {
    const custom = files.filter((f) => f.header.join(' ') !== DEFAULT_HEADER);
    expect(custom).toHaveLength(1);
    const [v5] = custom as [ParsedFile];
    expect(v5.header).toEqual(expect.arrayContaining(['vpc-id', 'subnet-id', 'instance-id', 'interface-id', 'pkt-srcaddr', 'pkt-dstaddr', 'flow-direction', 'traffic-path', 'tcp-flags']));
    expect(new Set(v5.rows.map((r) => r.version))).toEqual(new Set(['5']));
    for (const f of files.filter((x) => x !== v5)) expect(new Set(f.rows.map((r) => r.version))).toEqual(new Set(['2']));
  });

  it('holds NODATA and SKIPDATA records besides OK ones', () => {
    const statuses = new Set(files.flatMap((f) => f.rows.map((r) => r['log-status'])));
    expect(statuses).toEqual(new Set(['OK', 'NODATA', 'SKIPDATA']));
    for (const row of files.flatMap((f) => f.rows).filter((r) => r['log-status'] !== 'OK')) expect(row.srcaddr).toBe('-');
  });

  it('is deterministic: same seed, same bytes; another seed, other flows', () => {
    const again = generateFlowLogs(generateScenario(), DEFAULT_SEED);
    expect(again.objects.map((o) => o.key)).toEqual(sample.objects.map((o) => o.key));
    again.objects.forEach((o, i) => expect(o.body.equals(sample.objects[i]?.body ?? Buffer.alloc(0))).toBe(true));
    expect(generateFlowLogs(generateScenario(DEFAULT_SEED + 1), DEFAULT_SEED + 1).objects.map((o) => o.key)).not.toEqual(sample.objects.map((o) => o.key));
  });
});

describe('consistency with the CloudTrail sample', () => {
  /** ENI → instance, from the raw CloudTrail (RunInstances responses) and the custom-format file's instance-id field. */
  function eniOwners(): Map<string, string> {
    const owners = new Map<string, string>();
    for (const r of trail.filter((x) => x.eventName === 'RunInstances')) {
      const items = (r.responseElements as { instancesSet: { items: { instanceId: string; networkInterfaceSet?: { items: { networkInterfaceId: string }[] } }[] } }).instancesSet.items;
      for (const item of items) for (const eni of item.networkInterfaceSet?.items ?? []) owners.set(eni.networkInterfaceId, item.instanceId);
    }
    for (const row of files.flatMap((f) => f.rows)) if (row['instance-id'] && row['instance-id'] !== '-') owners.set(row['interface-id'] as string, row['instance-id']);
    return owners;
  }

  it('maps every ENI of the flow logs to an instance of the CloudTrail sample', () => {
    const owners = eniOwners();
    const trailInstances = new Set<string>();
    for (const r of trail) {
      const text = JSON.stringify(r);
      for (const id of text.match(/i-0[0-9a-f]{16}/g) ?? []) trailInstances.add(id);
    }
    const enis = new Set(files.flatMap((f) => f.rows.map((r) => r['interface-id'] as string)));
    expect(enis.size).toBe(6);
    for (const eni of enis) {
      expect(owners.get(eni)).toBeDefined();
      expect(trailInstances.has(owners.get(eni) as string)).toBe(true);
    }
    // The web servers (whose instance-profile sessions are in the trail) and the four instances the attacker started.
    const ownersInLogs = new Set([...enis].map((e) => owners.get(e)));
    const launched = trail.filter((r) => r.eventName === 'RunInstances').flatMap((r) => (r.responseElements as { instancesSet: { items: { instanceId: string }[] } }).instancesSet.items.map((i) => i.instanceId));
    expect(launched).toHaveLength(4);
    for (const id of [...launched, scenario.org.instances.web1.id, scenario.org.instances.web2.id]) expect(ownersInLogs.has(id)).toBe(true);
  });

  it('puts the web servers in us-east-1 and the attacker instances in eu-west-1, where CloudTrail has them', () => {
    const owners = eniOwners();
    const runRegion = trail.find((r) => r.eventName === 'RunInstances')?.awsRegion;
    for (const f of files) {
      for (const row of ok(f.rows)) {
        const instance = owners.get(row['interface-id'] as string);
        const web = instance === scenario.org.instances.web1.id || instance === scenario.org.instances.web2.id;
        expect(f.region).toBe(web ? scenario.org.instances.web1.region : runRegion);
      }
    }
  });

  it('shows the incident addresses only on the incident day, and SSH from the attacker accepted only after the security group change', () => {
    const incidentStart = Date.parse('2026-10-22T00:00:00Z') / 1000;
    const rows = files.flatMap((f) => ok(f.rows));
    const touching = (ip: string) => rows.filter((r) => r.srcaddr === ip || r.dstaddr === ip);
    for (const ip of [IP.attackerVps, IP.credentialReplayVps]) {
      expect(touching(ip).length).toBeGreaterThan(0);
      expect(touching(ip).every((r) => Number(r.start) >= incidentStart)).toBe(true);
    }
    const opened = Date.parse(trail.find((r) => r.eventName === 'AuthorizeSecurityGroupIngress')?.eventTime as string) / 1000;
    const launched = Date.parse(trail.find((r) => r.eventName === 'RunInstances')?.eventTime as string) / 1000;
    const ssh = rows.filter((r) => r.srcaddr === IP.attackerVps && r.dstport === '22');
    const web = ssh.filter((r) => r['interface-id'] === sample.interfaces.web1.networkInterfaceId || r['interface-id'] === sample.interfaces.web2.networkInterfaceId);
    expect(web.some((r) => r.action === 'REJECT')).toBe(true);
    expect(web.some((r) => r.action === 'ACCEPT')).toBe(true);
    for (const r of web) expect(r.action).toBe(Number(r.start) >= opened ? 'ACCEPT' : 'REJECT');
    // Nothing reaches the attacker's instances before RunInstances.
    const minerEnis = new Set(sample.interfaces.miners.map((m) => m.networkInterfaceId));
    for (const r of rows.filter((x) => minerEnis.has(x['interface-id'] as string))) expect(Number(r.start)).toBeGreaterThanOrEqual(launched);
  });

  it('has the C&C beacons of web-1 in both flow logs of that hour, identically', () => {
    const beacon = (r: Record<string, string>) => r.dstaddr === IP.credentialReplayVps || r.srcaddr === IP.credentialReplayVps;
    const v5 = files.find((f) => f.header.includes('instance-id')) as ParsedFile;
    const hour = files.find((f) => f !== v5 && f.region === v5.region && ok(f.rows).some(beacon)) as ParsedFile;
    const fields = ['interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action'];
    const project = (rows: Record<string, string>[]) => ok(rows).map((r) => fields.map((f) => r[f]).join(' ')).sort();
    expect(project(v5.rows)).toEqual(project(hour.rows));
    const beacons = ok(v5.rows).filter(beacon);
    expect(beacons.length).toBeGreaterThan(4);
    for (const r of beacons) {
      expect(r['instance-id']).toBe(scenario.org.instances.web1.id);
      expect(r['flow-direction']).toBe(r.dstaddr === IP.credentialReplayVps ? 'egress' : 'ingress');
    }
  });
});
