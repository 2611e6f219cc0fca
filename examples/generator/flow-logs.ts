import { gzip } from './delivery';
import { IP } from './network';
import { EU_DEFAULT_SUBNET, euPublicIp, primaryInterface, WEB_SUBNETS, type NetworkInterface } from './network-interfaces';
import { WORKLOAD_ACCOUNT } from './org';
import { Prng } from './prng';
import { INCIDENT_DAY as INCIDENT_DAY_MS, type ScenarioOutput } from './scenario';
import { HOUR, MINUTE, SECOND } from './time';
import type { GeneratedObject } from './types';

/**
 * VPC Flow Logs of the sample organisation, consistent with its CloudTrail sample (scenario.ts): the web
 * servers' ENIs in the workload account's us-east-1 VPC from 2026-10-20 (two days of baseline) to the incident
 * day, and the attacker's four eu-west-1 instances from their RunInstances on. The incident shows in them:
 *
 * | when (2026-10-22) | ENI | traffic | GuardDuty fixture (test/fixtures/guardduty/ec2-findings.jsonl) |
 * | --- | --- | --- | --- |
 * | 16:41–16:58 | web-1 | beacons to 139.180.133.61:443 (where its credentials are replayed from) | Backdoor:EC2/C&CActivity.B |
 * | before the SSH rule | web-1, web-2 | SSH from 45.137.21.9, REJECT | |
 * | after AuthorizeSecurityGroupIngress | web-1 | SSH from 45.137.21.9, ACCEPT | |
 * | 18:31–18:44 | web-1 | uploads to 45.137.21.9:443 | Trojan:EC2/DropPoint |
 * | 19:02–19:20 | web-2 | Tor entry node 198.51.100.23:9001 | UnauthorizedAccess:EC2/TorClient |
 * | from launch | 4 × c5.4xlarge | SSH from 45.137.21.9, then a mining pool 203.0.113.50:3333 | CryptoCurrency:EC2/BitcoinTool.B |
 *
 * Three flow logs, one file per log and hour (AWS delivers every 5 or 10 minutes; one file an hour keeps the
 * sample small, as the CloudTrail sample does):
 * - `fl-…web` (us-east-1, the web VPC): the default format, version 2;
 * - `fl-…miners` (eu-west-1, the default VPC): the default format;
 * - `fl-…audit` (us-east-1, the web subnets): a custom format with version 5 fields in a non-default order,
 *   one file, the hour of the C&C beacons. It is the only source that names the web servers' instances
 *   (`instance-id`): they were launched before the CloudTrail sample begins, whereas the attacker's ENIs are
 *   in their RunInstances responses.
 * Same seed, same bytes (the stream is forked from the scenario's seed; gzip as delivery.ts writes it).
 */

export const FLOW_LOG_FIRST_DAY_MS = INCIDENT_DAY_MS - 2 * 24 * HOUR;
const SKIPDATA_HOUR_MS = FLOW_LOG_FIRST_DAY_MS + 27 * HOUR;

export const DEFAULT_FORMAT_FIELDS = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'] as const;

/** The custom format of the audit flow log: every version 3–5 field the issue names, in an order of its own. */
export const CUSTOM_FORMAT_FIELDS = [
  'version', 'vpc-id', 'subnet-id', 'instance-id', 'interface-id', 'account-id', 'type', 'srcaddr', 'dstaddr', 'srcport', 'dstport',
  'pkt-srcaddr', 'pkt-dstaddr', 'protocol', 'bytes', 'packets', 'start', 'end', 'action', 'tcp-flags', 'log-status', 'region', 'az-id',
  'sublocation-type', 'sublocation-id', 'pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path',
] as const;

type Field = (typeof CUSTOM_FORMAT_FIELDS)[number] | (typeof DEFAULT_FORMAT_FIELDS)[number];

/** One flow as the generator knows it; each format prints the fields it has. */
export interface Flow {
  eni: NetworkInterface;
  /** Addresses as seen on the ENI: the private address, not the public one NAT'd by the internet gateway. */
  srcaddr: string;
  dstaddr: string;
  srcport: number;
  dstport: number;
  /** IANA protocol number: 6 TCP, 17 UDP, 1 ICMP. */
  protocol: number;
  packets: number;
  bytes: number;
  /** Seconds since the epoch: the aggregation window's first and last packet. */
  start: number;
  end: number;
  action: 'ACCEPT' | 'REJECT';
  direction: 'ingress' | 'egress';
  tcpFlags: number;
  awsService?: string;
}

export interface FlowLogFile {
  key: string;
  accountId: string;
  region: string;
  flowLogId: string;
  fields: readonly Field[];
  /** Records, excluding the header line. */
  lines: string[];
  /** Flows per ENI id (NODATA/SKIPDATA lines excluded), for tests' independent counts. */
  flows: Flow[];
  /** NODATA and SKIPDATA lines. */
  statusLines: number;
  body: Buffer;
}

const TCP = 6;
const UDP = 17;
/** Users of the web site (the app users of the CloudTrail sample) and a few more consumer networks. */
const WEB_CLIENTS = [...IP.appUsers, '81.2.69.142', '24.48.0.1', '93.184.7.24', IP.bobHome];
/** SSM and S3 endpoints in us-east-1 the instances talk to (their agents' calls are in the CloudTrail sample). */
const SSM_ENDPOINTS = ['52.46.145.233', '52.46.152.190'];
const S3_ENDPOINT = '52.217.104.36';
/** Internet scanners knocking on closed ports: documentation addresses, as the GuardDuty fixtures use. */
const SCANNERS = ['198.51.100.77', '198.51.100.12', '203.0.113.201'];
const TOR_ENTRY = '198.51.100.23';
const MINING_POOL = '203.0.113.50';
const AMAZON_DNS = 53;

function flowLogId(label: string): string {
  return `fl-0${new Prng(`flow-log-id/${label}`).hex(16)}`;
}

export const FLOW_LOG_IDS = { web: flowLogId('web'), miners: flowLogId('miners'), audit: flowLogId('audit') };

function stamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

/** `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz` */
export function flowLogKey(accountId: string, region: string, id: string, deliveredMs: number, hash: string): string {
  const iso = new Date(deliveredMs).toISOString();
  return `AWSLogs/${accountId}/vpcflowlogs/${region}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${accountId}_vpcflowlogs_${region}_${id}_${stamp(deliveredMs)}_${hash}.log.gz`;
}

function value(field: Field, flow: Flow): string {
  const eni = flow.eni;
  switch (field) {
    case 'version':
      return '5';
    case 'account-id':
      return WORKLOAD_ACCOUNT;
    case 'interface-id':
      return eni.networkInterfaceId;
    case 'vpc-id':
      return eni.subnet.vpcId;
    case 'subnet-id':
      return eni.subnet.subnetId;
    case 'instance-id':
      return eni.instanceId;
    case 'type':
      return 'IPv4';
    case 'srcaddr':
    case 'pkt-srcaddr':
      return flow.srcaddr;
    case 'dstaddr':
    case 'pkt-dstaddr':
      return flow.dstaddr;
    case 'srcport':
      return String(flow.srcport);
    case 'dstport':
      return String(flow.dstport);
    case 'protocol':
      return String(flow.protocol);
    case 'packets':
      return String(flow.packets);
    case 'bytes':
      return String(flow.bytes);
    case 'start':
      return String(flow.start);
    case 'end':
      return String(flow.end);
    case 'action':
      return flow.action;
    case 'log-status':
      return 'OK';
    case 'tcp-flags':
      return String(flow.tcpFlags);
    case 'region':
      return eni.subnet.region;
    case 'az-id':
      return eni.subnet.azId;
    case 'sublocation-type':
    case 'sublocation-id':
    case 'pkt-src-aws-service':
      return '-';
    case 'pkt-dst-aws-service':
      return flow.direction === 'egress' && flow.awsService ? flow.awsService : '-';
    case 'flow-direction':
      return flow.direction;
    case 'traffic-path':
      // 8: through an internet gateway; ingress records have no traffic path.
      return flow.direction === 'egress' ? '8' : '-';
  }
}

function line(fields: readonly Field[], flow: Flow): string {
  // The default format prints version 2; the same Flow is printed with the custom format's version 5.
  return fields.map((field) => (field === 'version' && fields === DEFAULT_FORMAT_FIELDS ? '2' : value(field, flow))).join(' ');
}

function statusLine(fields: readonly Field[], eni: NetworkInterface, start: number, end: number, status: 'NODATA' | 'SKIPDATA'): string {
  return fields
    .map((field) => {
      if (field === 'version') return fields === DEFAULT_FORMAT_FIELDS ? '2' : '5';
      if (field === 'account-id') return WORKLOAD_ACCOUNT;
      if (field === 'interface-id') return eni.networkInterfaceId;
      if (field === 'start') return String(start);
      if (field === 'end') return String(end);
      if (field === 'log-status') return status;
      return '-';
    })
    .join(' ');
}

/** A TCP connection within one aggregation window: the request flow and the response flow, as two records. */
function tcpExchange(
  prng: Prng,
  eni: NetworkInterface,
  at: number,
  peer: string,
  options: { inbound: boolean; localPort?: number; remotePort?: number; bytesOut: number; bytesIn: number; action?: 'ACCEPT' | 'REJECT'; awsService?: string },
): Flow[] {
  const start = Math.floor(at / SECOND);
  const end = start + prng.int(1, 59);
  const ephemeral = prng.int(32768, 60999);
  const action = options.action ?? 'ACCEPT';
  const packetsOf = (bytes: number) => Math.max(1, Math.ceil(bytes / 1400));
  if (options.inbound) {
    const port = options.localPort ?? 443;
    const request: Flow = { eni, srcaddr: peer, dstaddr: eni.privateIp, srcport: ephemeral, dstport: port, protocol: TCP, packets: packetsOf(options.bytesIn), bytes: options.bytesIn, start, end, action, direction: 'ingress', tcpFlags: action === 'ACCEPT' ? 19 : 2 };
    if (action === 'REJECT') return [request];
    return [request, { eni, srcaddr: eni.privateIp, dstaddr: peer, srcport: port, dstport: ephemeral, protocol: TCP, packets: packetsOf(options.bytesOut), bytes: options.bytesOut, start, end, action, direction: 'egress', tcpFlags: 19 }];
  }
  const port = options.remotePort ?? 443;
  return [
    { eni, srcaddr: eni.privateIp, dstaddr: peer, srcport: ephemeral, dstport: port, protocol: TCP, packets: packetsOf(options.bytesOut), bytes: options.bytesOut, start, end, action, direction: 'egress', tcpFlags: 19, ...(options.awsService ? { awsService: options.awsService } : {}) },
    { eni, srcaddr: peer, dstaddr: eni.privateIp, srcport: port, dstport: ephemeral, protocol: TCP, packets: packetsOf(options.bytesIn), bytes: options.bytesIn, start, end, action, direction: 'ingress', tcpFlags: 19 },
  ];
}

function dnsQuery(prng: Prng, eni: NetworkInterface, at: number): Flow[] {
  const resolver = `${eni.subnet.prefix}.0.2`;
  const start = Math.floor(at / SECOND);
  const port = prng.int(32768, 60999);
  const bytes = prng.int(60, 90);
  return [
    { eni, srcaddr: eni.privateIp, dstaddr: resolver, srcport: port, dstport: AMAZON_DNS, protocol: UDP, packets: 1, bytes, start, end: start + 1, action: 'ACCEPT', direction: 'egress', tcpFlags: 0 },
    { eni, srcaddr: resolver, dstaddr: eni.privateIp, srcport: AMAZON_DNS, dstport: port, protocol: UDP, packets: 1, bytes: bytes + prng.int(16, 120), start, end: start + 1, action: 'ACCEPT', direction: 'ingress', tcpFlags: 0 },
  ];
}

/** What the incident adds to the hour starting at `hourStart`, per ENI. */
interface IncidentTimes {
  sshOpenedMs: number;
  launchMs: number;
}

function webHour(prng: Prng, eni: NetworkInterface, isWeb1: boolean, hourStart: number, incident: IncidentTimes): Flow[] {
  const flows: Flow[] = [];
  const at = () => hourStart + prng.int(0, 59) * MINUTE + prng.int(0, 59) * SECOND;
  const hourOfDay = new Date(hourStart).getUTCHours();
  // Office hours in Europe (the app's users) are busier.
  const visitors = prng.int(3, 6) + (hourOfDay >= 7 && hourOfDay <= 21 ? prng.int(2, 5) : 0);
  for (let i = 0; i < visitors; i++) flows.push(...tcpExchange(prng, eni, at(), prng.pick(WEB_CLIENTS), { inbound: true, bytesIn: prng.int(600, 4_000), bytesOut: prng.int(8_000, 250_000) }));
  flows.push(...tcpExchange(prng, eni, at(), prng.pick(SSM_ENDPOINTS), { inbound: false, bytesOut: prng.int(1_500, 6_000), bytesIn: prng.int(2_000, 9_000), awsService: 'AMAZON' }));
  if (prng.chance(0.3)) flows.push(...tcpExchange(prng, eni, at(), S3_ENDPOINT, { inbound: false, bytesOut: prng.int(800, 2_000), bytesIn: prng.int(20_000, 400_000), awsService: 'S3' }));
  flows.push(...dnsQuery(prng, eni, at()));
  for (let i = prng.int(0, 2); i > 0; i--) flows.push(...tcpExchange(prng, eni, at(), prng.pick(SCANNERS), { inbound: true, localPort: prng.pick([22, 23, 3389, 445]), bytesIn: 60, bytesOut: 0, action: 'REJECT' }));

  const day = INCIDENT_DAY_MS;
  const within = (from: number, to: number) => hourStart < to && hourStart + HOUR > from;
  if (hourStart < day) return flows;
  if (isWeb1 && within(day + 16 * HOUR + 41 * MINUTE, day + 16 * HOUR + 59 * MINUTE)) {
    // A beacon every 2 minutes, small and regular: what C&C traffic looks like.
    for (let t = day + 16 * HOUR + 41 * MINUTE + 12 * SECOND; t <= day + 16 * HOUR + 58 * MINUTE + 40 * SECOND; t += 2 * MINUTE + prng.int(-5, 5) * SECOND) {
      flows.push(...tcpExchange(prng, eni, t, IP.credentialReplayVps, { inbound: false, bytesOut: prng.int(500, 900), bytesIn: prng.int(300, 700) }));
    }
  }
  // SSH attempts from the attacker's server: refused until the security group rule, accepted on web-1 after it.
  if (within(incident.sshOpenedMs - 40 * MINUTE, incident.sshOpenedMs + 30 * MINUTE)) {
    for (let t = Math.max(hourStart, incident.sshOpenedMs - 40 * MINUTE); t < Math.min(hourStart + HOUR, incident.sshOpenedMs + 30 * MINUTE); t += 7 * MINUTE + prng.int(0, 60) * SECOND) {
      const open = t >= incident.sshOpenedMs;
      if (open && !isWeb1) continue;
      flows.push(...tcpExchange(prng, eni, t, IP.attackerVps, { inbound: true, localPort: 22, bytesIn: open ? prng.int(4_000, 30_000) : 60, bytesOut: open ? prng.int(6_000, 90_000) : 0, action: open ? 'ACCEPT' : 'REJECT' }));
    }
  }
  if (isWeb1 && within(day + 18 * HOUR + 31 * MINUTE, day + 18 * HOUR + 45 * MINUTE)) {
    for (let t = day + 18 * HOUR + 31 * MINUTE + 27 * SECOND; t <= day + 18 * HOUR + 44 * MINUTE + 9 * SECOND; t += 4 * MINUTE + prng.int(0, 30) * SECOND) {
      // The drop point: large uploads, small answers.
      flows.push(...tcpExchange(prng, eni, t, IP.attackerVps, { inbound: false, bytesOut: prng.int(2_000_000, 24_000_000), bytesIn: prng.int(20_000, 90_000) }));
    }
  }
  if (!isWeb1 && within(day + 19 * HOUR + 2 * MINUTE, day + 19 * HOUR + 21 * MINUTE)) {
    for (let t = day + 19 * HOUR + 2 * MINUTE + 18 * SECOND; t <= day + 19 * HOUR + 20 * MINUTE + 51 * SECOND; t += 3 * MINUTE + prng.int(0, 40) * SECOND) {
      flows.push(...tcpExchange(prng, eni, t, TOR_ENTRY, { inbound: false, remotePort: 9001, bytesOut: prng.int(5_000, 40_000), bytesIn: prng.int(10_000, 120_000) }));
    }
  }
  return flows;
}

function minerHour(prng: Prng, eni: NetworkInterface, hourStart: number, launchMs: number): Flow[] {
  const flows: Flow[] = [];
  const from = Math.max(hourStart, launchMs + 2 * MINUTE);
  if (from >= hourStart + HOUR) return flows;
  if (hourStart <= launchMs) flows.push(...tcpExchange(prng, eni, launchMs + prng.int(2, 4) * MINUTE, IP.attackerVps, { inbound: true, localPort: 22, bytesIn: prng.int(20_000, 60_000), bytesOut: prng.int(30_000, 120_000) }));
  // Stratum mining keeps one connection open; each 60-second aggregation window logs it again.
  for (let t = from + 4 * MINUTE; t < hourStart + HOUR; t += MINUTE * prng.int(4, 6)) {
    flows.push(...tcpExchange(prng, eni, t, MINING_POOL, { inbound: false, remotePort: 3333, bytesOut: prng.int(3_000, 9_000), bytesIn: prng.int(2_000, 6_000) }));
  }
  return flows;
}

function file(prng: Prng, accountId: string, region: string, id: string, hourStart: number, fields: readonly Field[], flows: Flow[], status: { eni: NetworkInterface; kind: 'NODATA' | 'SKIPDATA' }[]): FlowLogFile {
  const sorted = [...flows].sort((a, b) => a.start - b.start || a.eni.networkInterfaceId.localeCompare(b.eni.networkInterfaceId));
  const lines = sorted.map((flow) => line(fields, flow));
  for (const { eni, kind } of status) {
    const start = Math.floor(hourStart / SECOND) + prng.int(0, 3000);
    lines.push(statusLine(fields, eni, start, start + 60, kind));
  }
  // Delivered a few minutes after the hour, as flow logs are published after their aggregation windows close.
  const delivered = hourStart + HOUR + prng.int(2, 9) * MINUTE;
  const key = flowLogKey(accountId, region, id, delivered, prng.hex(8));
  const body = gzip(`${fields.join(' ')}\n${lines.join('\n')}\n`);
  return { key, accountId, region, flowLogId: id, fields, lines, flows: sorted, statusLines: status.length, body };
}

export interface FlowLogSample {
  files: FlowLogFile[];
  objects: GeneratedObject[];
  interfaces: { web1: NetworkInterface; web2: NetworkInterface; miners: NetworkInterface[] };
}

/** The flow logs of a generated scenario (same seed, same bytes). */
export function generateFlowLogs(scenario: ScenarioOutput, seed: string | number): FlowLogSample {
  const prng = new Prng(`flow-logs/${seed}`);
  const { web1: w1, web2: w2 } = scenario.org.instances;
  const web1 = primaryInterface(w1.id, WEB_SUBNETS.a, { privateIp: `10.20.${w1.privateTail.replace('-', '.')}`, publicIp: w1.publicIp });
  const web2 = primaryInterface(w2.id, WEB_SUBNETS.b, { privateIp: `10.20.${w2.privateTail.replace('-', '.')}`, publicIp: w2.publicIp });
  const sshRule = scenario.records.find((r) => r.eventName === 'AuthorizeSecurityGroupIngress');
  const launch = scenario.records.find((r) => r.eventName === 'RunInstances' && r.awsRegion === 'eu-west-1');
  if (!sshRule || !launch) throw new Error('the scenario has no AuthorizeSecurityGroupIngress or RunInstances: the flow logs would not match it');
  const launched = ((launch.responseElements as { instancesSet: { items: { instanceId: string }[] } }).instancesSet.items ?? []).map((i) => i.instanceId);
  const miners = launched.map((id) => primaryInterface(id, EU_DEFAULT_SUBNET, { publicIp: euPublicIp(id) }));
  const incident: IncidentTimes = { sshOpenedMs: Date.parse(sshRule.eventTime), launchMs: Date.parse(launch.eventTime) };

  const files: FlowLogFile[] = [];
  const beaconHour = INCIDENT_DAY_MS + 16 * HOUR;
  let beaconFlows: Flow[] = [];
  for (let hour = FLOW_LOG_FIRST_DAY_MS; hour < INCIDENT_DAY_MS + 24 * HOUR; hour += HOUR) {
    const hourPrng = prng.fork(`web/${hour}`);
    const flows = [...webHour(hourPrng, web1, true, hour, incident), ...webHour(hourPrng, web2, false, hour, incident)];
    if (hour === beaconHour) beaconFlows = flows;
    // Now and then an aggregation window with no traffic on an ENI; once, a window whose records were dropped
    // (SKIPDATA: an internal capacity limit), at a fixed hour so that every seed has one.
    const status = [...(hourPrng.chance(0.08) ? [{ eni: web2, kind: 'NODATA' as const }] : []), ...(hour === SKIPDATA_HOUR_MS ? [{ eni: web1, kind: 'SKIPDATA' as const }] : [])];
    files.push(file(hourPrng, WORKLOAD_ACCOUNT, 'us-east-1', FLOW_LOG_IDS.web, hour, DEFAULT_FORMAT_FIELDS, flows, status));
  }
  for (let hour = Math.floor(incident.launchMs / HOUR) * HOUR; hour < INCIDENT_DAY_MS + 24 * HOUR; hour += HOUR) {
    const hourPrng = prng.fork(`miners/${hour}`);
    const flows = miners.flatMap((eni) => minerHour(hourPrng, eni, hour, incident.launchMs));
    files.push(file(hourPrng, WORKLOAD_ACCOUNT, 'eu-west-1', FLOW_LOG_IDS.miners, hour, DEFAULT_FORMAT_FIELDS, flows, []));
  }
  // The audit flow log watches the same ENIs: the same flows as the web flow log's file of that hour, in its own format.
  files.push(file(prng.fork('audit'), WORKLOAD_ACCOUNT, 'us-east-1', FLOW_LOG_IDS.audit, beaconHour, CUSTOM_FORMAT_FIELDS, beaconFlows, [{ eni: web2, kind: 'NODATA' }]));

  const objects = files.map(({ key, body }) => ({ key, body })).sort((a, b) => a.key.localeCompare(b.key));
  return { files, objects, interfaces: { web1, web2, miners } };
}
