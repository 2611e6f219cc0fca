import { gunzipSync } from 'node:zlib';
import { compactFlowHour } from '../../lambdas/compact-hour/compact-flow-hour';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { mappingItems } from '../../lambdas/core/flowlogs/flow-items';
import type { FlowItemsPort } from '../../lambdas/queries/flow-queries';
import { DEFAULT_SEED, generateFlowLogs, generateScenario, type CloudTrailEvent } from '../../examples/generator';
import { FakeFlowStack } from './fake-flow-stack';
import { oneLogPerInterfaceHour } from '../helpers/flow-lines';

/**
 * The bundled sample's flow logs (examples/README.md "VPC Flow Logs") ingested and compacted by the real
 * pipeline over an in-memory stack, beside the raw lines (gunzip, split on spaces, the header naming the fields)
 * from which tests count what the answers must be, never through the code under test.
 */
export const SAMPLE_ACCOUNT = '444455556666';
export const C2 = '139.180.133.61';
export const ATTACKER = '45.137.21.9';
export const TOR_NODE = '198.51.100.23';

export type Raw = Record<string, string>;

export interface SampleFlows {
  stack: FakeFlowStack;
  /** The read port, recording every subject it was asked for. */
  port: FlowItemsPort;
  reads: string[];
  /**
   * The OK lines that count: per hour and interface, those of one flow log (the one with the most OK lines of
   * the interface in the hour, the lower flow-log id on a tie; README "VPC Flow Logs"). The sample's audit log
   * repeats the web log's flows of the C&C hour: they count once.
   */
  rows: Raw[];
  /** ENI → instance, from RunInstances responses and the custom format's instance-id. */
  owners: Map<string, string>;
  web1: string;
  web2: string;
  now: number;
  /** The scenario's CloudTrail log objects (key, gzip body). */
  trailObjects: { key: string; body: Buffer }[];
}

function readRaw(body: Buffer): Raw[] {
  const [header, ...lines] = gunzipSync(body).toString('utf8').trimEnd().split('\n');
  const fields = header.split(' ');
  return lines.map((line) => Object.fromEntries(line.split(' ').map((value, i) => [fields[i], value])));
}

export async function loadSampleFlows(): Promise<SampleFlows> {
  const scenario = generateScenario();
  const sample = generateFlowLogs(scenario, DEFAULT_SEED);
  const last = Math.max(...sample.objects.map((o) => Date.parse(o.key.match(/_(\d{8}T\d{4})Z_/)![1].replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})$/, '$1-$2-$3T$4:$5:00Z'))));
  const now = last + 2 * 3_600_000;
  const stack = new FakeFlowStack(() => new Date(now));
  for (const object of sample.objects) stack.put(object.key, object.body);
  for (const object of sample.objects) await ingestObject({ bucket: 'logs', key: object.key }, stack.ingestDeps());
  for (const hourKey of [...stack.hourObjects.keys()].sort()) await compactFlowHour(hourKey, stack.compactionDeps());
  const files = sample.objects.map((object) => ({ flowLogId: /_(fl-[0-9a-f]+)_/.exec(object.key)![1], rows: readRaw(object.body).filter((r) => r['log-status'] === 'OK') }));
  const rows = oneLogPerInterfaceHour(files);
  const owners = new Map<string, string>();
  const trailObjects = scenario.objects.filter((o) => o.key.includes('/CloudTrail/') && !o.key.includes('Digest'));
  const trail = trailObjects.flatMap((o) => (JSON.parse(gunzipSync(o.body).toString('utf8')) as { Records: CloudTrailEvent[] }).Records);
  for (const r of trail.filter((x) => x.eventName === 'RunInstances')) {
    const items = (r.responseElements as { instancesSet: { items: { instanceId: string; networkInterfaceSet?: { items: { networkInterfaceId: string }[] } }[] } }).instancesSet.items;
    for (const item of items) {
      for (const eni of item.networkInterfaceSet?.items ?? []) {
        owners.set(eni.networkInterfaceId, item.instanceId);
        const mapping = mappingItems(item.instanceId, eni.networkInterfaceId, SAMPLE_ACCOUNT, 'cloudtrail', 4_000_000_000);
        await stack.compactionDeps().putItems([mapping.byInstance, mapping.byInterface]);
      }
    }
  }
  // Any log's instance-id maps its interface, whichever log's traffic counts.
  for (const row of files.flatMap((file) => file.rows)) if (row['instance-id'] && row['instance-id'] !== '-') owners.set(row['interface-id'], row['instance-id']);
  const inner = stack.port();
  const reads: string[] = [];
  const port: FlowItemsPort = {
    query: (subject, from, to) => (reads.push(subject), inner.query(subject, from, to)),
    get: (subject, slot) => (reads.push(subject), inner.get(subject, slot)),
  };
  return { stack, port, reads, rows, owners, web1: scenario.org.instances.web1.id, web2: scenario.org.instances.web2.id, now, trailObjects };
}

/** The hour (ISO) a raw line's flow starts in: the storage files a flow under the hour of its start. */
export const hourOf = (r: Raw): string => new Date(Math.floor(Number(r.start) / 3600) * 3_600_000).toISOString();
/** The service port as the storage keys it: the lower of the two ports, with the protocol. */
export const portOf = (r: Raw): string => `${r.protocol}/${Math.min(Number(r.srcport), Number(r.dstport))}`;

/** An interface's own address: the one address every line of the interface carries (source or destination). */
export function ownAddresses(rows: readonly Raw[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const perEni = counts.get(r['interface-id']) ?? new Map<string, number>();
    for (const address of new Set([r.srcaddr, r.dstaddr])) perEni.set(address, (perEni.get(address) ?? 0) + 1);
    counts.set(r['interface-id'], perEni);
  }
  return new Map([...counts].map(([eni, perEni]) => [eni, [...perEni].sort((a, b) => b[1] - a[1])[0][0]]));
}

/** What a flow evidence row should say, counted from raw lines: directions are the interface's (`own` addresses). */
export interface RawFlowEvidence {
  bytesIn: number;
  bytesOut: number;
  packets: number;
  flows: number;
  rejected: number;
  ports: Set<string>;
}

/** The raw lines folded into evidence rows by `keyOf` (e.g. interface and hour), independently of the code under test. */
export function rawFlowEvidence(rows: readonly Raw[], own: ReadonlyMap<string, string>, keyOf: (r: Raw) => string): Map<string, RawFlowEvidence> {
  const expected = new Map<string, RawFlowEvidence>();
  for (const r of rows) {
    const key = keyOf(r);
    const e = expected.get(key) ?? { bytesIn: 0, bytesOut: 0, packets: 0, flows: 0, rejected: 0, ports: new Set<string>() };
    if (r.dstaddr === own.get(r['interface-id'])) e.bytesIn += Number(r.bytes);
    else e.bytesOut += Number(r.bytes);
    e.packets += Number(r.packets);
    e.flows += 1;
    if (r.action === 'REJECT') e.rejected += 1;
    e.ports.add(portOf(r));
    expected.set(key, e);
  }
  return expected;
}
