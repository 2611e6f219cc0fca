import { gunzipSync, gzipSync } from 'node:zlib';
import { compactFlowHour } from '../../lambdas/compact-hour/compact-flow-hour';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { decodeBody, interfaceRows, type FlowInterfaceItem, type FlowManifestBody, type FlowManifestItem, type FlowPeersBody } from '../../lambdas/core/flowlogs/flow-items';
import { decodeState } from '../../lambdas/core/flowlogs/flow-manifest-state';
import { flowLogKey } from '../helpers/flow-logs';
import { FakeFlowStack } from './fake-flow-stack';

/**
 * Two flow logs over the same interface (a default-format log with 1-minute records, and a custom version 5
 * log with 10-minute records that began ten minutes into the hour) and a third log over another interface,
 * in one account-hour. Per interface only one flow log counts: the one with the most lines for it. Every
 * expected value is counted here from the raw lines (gunzip, split, the header naming the fields).
 */
const ACCOUNT = '111122223333';
const HOUR = '2026-03-01T10';
const T0 = Date.parse(`${HOUR}:00:00Z`) / 1000;
const AFTER = () => new Date('2026-03-01T13:00:00Z');
const ENI_A = 'eni-0aaaaaaaaaaaaaaa1';
const ENI_B = 'eni-0bbbbbbbbbbbbbbb2';
const ENI_C = 'eni-0ccccccccccccccc3';
const OWN: Record<string, string> = { [ENI_A]: '10.1.0.10', [ENI_B]: '10.1.0.20', [ENI_C]: '10.1.0.30' };
/** The lower id, but the fewer lines: the other log's traffic must be the one kept. */
const LOG_V5 = 'fl-0aaaaaaaaaaaaaaa0';
const LOG_V2 = 'fl-0bbbbbbbbbbbbbbb0';
const LOG_OTHER = 'fl-0ccccccccccccccc0';
const V2_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const V5_HEADER = 'version vpc-id subnet-id instance-id interface-id account-id srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction traffic-path';
const PEERS = ['203.0.113.5', '198.51.100.7', '192.0.2.44'];

interface Flow {
  eni: string;
  peer: string;
  inbound: boolean;
  port: number;
  bytes: number;
  packets: number;
  start: number;
  end: number;
  action: 'ACCEPT' | 'REJECT';
}

/** One flow per minute and peer: the traffic both logs of ENI_A capture. */
function minuteFlows(eni: string, minutes: number, peers = PEERS): Flow[] {
  const flows: Flow[] = [];
  for (let m = 0; m < minutes; m++)
    peers.forEach((peer, p) => flows.push({ eni, peer, inbound: p !== 1, port: p === 2 ? 22 : 443, bytes: 1000 + 37 * m + 101 * p, packets: 3 + p, start: T0 + 60 * m, end: T0 + 60 * m + 59, action: p === 2 ? 'REJECT' : 'ACCEPT' }));
  return flows;
}

/** The same flows in 10-minute records (one per window and peer), from the second window on. */
function tenMinuteFlows(flows: Flow[]): Flow[] {
  const windows = new Map<string, Flow>();
  for (const flow of flows) {
    const window = Math.floor((flow.start - T0) / 600);
    if (window === 0) continue;
    const key = `${window} ${flow.peer}`;
    const record = windows.get(key);
    if (record) {
      record.bytes += flow.bytes;
      record.packets += flow.packets;
      record.end = Math.max(record.end, flow.end);
    } else windows.set(key, { ...flow, start: T0 + 600 * window });
  }
  return [...windows.values()];
}

const ends = (flow: Flow) => (flow.inbound ? [flow.peer, OWN[flow.eni], 40000, flow.port] : [OWN[flow.eni], flow.peer, 40000, flow.port]);

function v2File(flows: Flow[]): Buffer {
  const lines = flows.map((f) => [2, ACCOUNT, f.eni, ...ends(f), 6, f.packets, f.bytes, f.start, f.end, f.action, 'OK'].join(' '));
  return gzipSync(`${V2_HEADER}\n${lines.join('\n')}\n`);
}

function v5File(flows: Flow[], nodataEni?: string): Buffer {
  const lines = flows.map((f) => {
    const [src, dst, sport, dport] = ends(f);
    return [5, 'vpc-0123456789abcdef0', 'subnet-0123456789abcdef0', 'i-0aaaaaaaaaaaaaaa1', f.eni, ACCOUNT, src, dst, sport, dport, src, dst, 6, f.bytes, f.packets, f.start, f.end, f.action, 2, 'OK', f.inbound ? 'ingress' : 'egress', 1].join(' ');
  });
  if (nodataEni) lines.push([5, '-', '-', '-', nodataEni, ACCOUNT, '-', '-', '-', '-', '-', '-', '-', '-', '-', T0 + 30, T0 + 90, '-', '-', 'NODATA', '-', '-'].join(' '));
  return gzipSync(`${V5_HEADER}\n${lines.join('\n')}\n`);
}

type Raw = Record<string, string>;
/** The independent view: the lines of a file under its header's names. */
function raw(file: Buffer): Raw[] {
  const [header, ...lines] = gunzipSync(file).toString('utf8').trimEnd().split('\n');
  const names = header.split(' ');
  return lines.map((line) => Object.fromEntries(line.split(' ').map((value, i) => [names[i], value])));
}
const okLines = (file: Buffer, eni: string) => raw(file).filter((r) => r['interface-id'] === eni && r['log-status'] === 'OK');
const bytesOf = (rows: Raw[]) => rows.reduce((sum, r) => sum + Number(r.bytes), 0);

interface Fixture {
  stack: FakeFlowStack;
  files: Record<string, Buffer>;
  keys: Record<string, string>;
}

async function ingest(stack: FakeFlowStack, key: string, file: Buffer, etag = `e-${key}`): Promise<void> {
  stack.put(key, file, etag);
  await ingestObject({ bucket: 'logs', key, etag }, stack.ingestDeps());
}

async function fixture(): Promise<Fixture> {
  const stack = new FakeFlowStack(AFTER);
  const traffic = minuteFlows(ENI_A, 60);
  const files: Record<string, Buffer> = { [LOG_V2]: v2File(traffic), [LOG_V5]: v5File(tenMinuteFlows(traffic), ENI_A), [LOG_OTHER]: v2File(minuteFlows(ENI_B, 30, PEERS.slice(0, 2))) };
  const keys = Object.fromEntries(Object.keys(files).map((id) => [id, flowLogKey(ACCOUNT, T0, `h${id.slice(-4)}`, 'eu-west-1', id)]));
  for (const id of Object.keys(files)) await ingest(stack, keys[id], files[id]);
  return { stack, files, keys };
}

const interfaceItem = (stack: FakeFlowStack, eni: string) => stack.activity.get(`flow-eni#${eni}|${HOUR}#${ACCOUNT}`) as unknown as FlowInterfaceItem | undefined;
const manifestOf = (stack: FakeFlowStack) => stack.activity.get(`flow-account#${ACCOUNT}|${HOUR}#${ACCOUNT}`) as unknown as FlowManifestItem;
const total = (item: FlowInterfaceItem, field: 'bytes' | 'flows') => item.totals.in[field] + item.totals.out[field] + item.totals.unknown[field];

describe('flow compaction: an interface watched by two flow logs counts one', () => {
  it("keeps the traffic of the log with the most lines for the interface, whatever its format, and counts the other's as duplicates", async () => {
    const { stack, files } = await fixture();
    const outcome = await compactFlowHour(`flow#${ACCOUNT}#${HOUR}`, stack.compactionDeps());
    const v2 = okLines(files[LOG_V2], ENI_A);
    const v5 = okLines(files[LOG_V5], ENI_A);
    expect(v2.length).toBeGreaterThan(v5.length);
    expect(bytesOf(v2)).not.toBe(bytesOf(v5));
    expect(outcome).toMatchObject({ status: 'compacted', flowLogs: 3, interfaces: 2, duplicateLogFlows: v5.length });

    const a = interfaceItem(stack, ENI_A) as FlowInterfaceItem;
    expect(total(a, 'bytes')).toBe(bytesOf(v2));
    expect(total(a, 'bytes')).not.toBe(bytesOf(v2) + bytesOf(v5));
    expect(a.totals.in.bytes).toBe(bytesOf(v2.filter((r) => r.dstaddr === OWN[ENI_A])));
    expect(a.totals.out.bytes).toBe(bytesOf(v2.filter((r) => r.srcaddr === OWN[ENI_A])));
    expect(total(a, 'flows')).toBe(v2.length);
    expect(a.totals.in.rejectedFlows + a.totals.out.rejectedFlows).toBe(v2.filter((r) => r.action === 'REJECT').length);
    expect(interfaceRows(a).reduce((sum, row) => sum + row[1], 0)).toBe(bytesOf(v2));
    expect(a).toMatchObject({ flowLogId: LOG_V2, duplicateLogFlows: v5.length });
    // The NODATA line is the other log's: not this interface's hour in the kept log.
    expect(a.nodata).toBe(raw(files[LOG_V2]).filter((r) => r['interface-id'] === ENI_A && r['log-status'] === 'NODATA').length);
    // The instance the version 5 log names is kept, though its traffic is not.
    expect(a.instanceId).toBe('i-0aaaaaaaaaaaaaaa1');
    expect(stack.activity.get(`eni-instance#${ENI_A}|instance`)).toMatchObject({ instanceId: 'i-0aaaaaaaaaaaaaaa1' });

    const b = interfaceItem(stack, ENI_B) as FlowInterfaceItem;
    const other = okLines(files[LOG_OTHER], ENI_B);
    expect(total(b, 'bytes')).toBe(bytesOf(other));
    expect(b).toMatchObject({ flowLogId: LOG_OTHER, duplicateLogFlows: 0 });

    // The peer index holds the kept log's pairs only.
    const peers = decodeBody<FlowPeersBody>(stack.query(`flow-peers#${ACCOUNT}`)[0].body as Uint8Array);
    for (const peer of PEERS) {
      const kept = v2.filter((r) => r.srcaddr === peer || r.dstaddr === peer);
      const entry = peers.peers[peer].find(([index]) => peers.interfaces[index][0] === ENI_A);
      expect(entry && entry[1] + entry[2]).toBe(bytesOf(kept));
      expect(entry && entry[4]).toBe(kept.length);
    }

    const manifest = manifestOf(stack);
    expect(manifest).toMatchObject({ flows: v2.length + other.length, duplicateLogFlows: v5.length, flowLogs: { [LOG_V2]: 1, [LOG_OTHER]: 1 } });
    const body = decodeBody<FlowManifestBody>(manifest.body);
    expect(body.interfaces.find(([id]) => id === ENI_A)?.[6]).toBe(v5.length);
  });

  it('chooses the same log whatever the order the files arrived in', async () => {
    const first = await fixture();
    await compactFlowHour(`flow#${ACCOUNT}#${HOUR}`, first.stack.compactionDeps());
    const second = new FakeFlowStack(AFTER);
    for (const id of [LOG_OTHER, LOG_V5, LOG_V2]) await ingest(second, first.keys[id], first.files[id]);
    await compactFlowHour(`flow#${ACCOUNT}#${HOUR}`, second.compactionDeps());
    const strip = (stack: FakeFlowStack) => [...stack.activity.entries()].filter(([key]) => key.startsWith('flow-eni#') || key.startsWith('flow-peers#')).sort();
    expect(strip(second)).toEqual(strip(first.stack));
  });
});

describe('flow compaction: a recompacted hour', () => {
  it('deletes the item of an interface that is no longer in the hour (an object replaced)', async () => {
    const { stack, files, keys } = await fixture();
    await compactFlowHour(`flow#${ACCOUNT}#${HOUR}`, stack.compactionDeps());
    expect(interfaceItem(stack, ENI_B)).toBeDefined();
    expect(decodeState(manifestOf(stack), []).interfaces).toEqual([ENI_A, ENI_B]);
    // The third log's object is replaced: its hour now holds ENI_C's traffic, no longer ENI_B's.
    const replacement = v2File(minuteFlows(ENI_C, 20, PEERS.slice(1)));
    await ingest(stack, keys[LOG_OTHER], replacement, 'e-replaced');
    const outcome = await compactFlowHour(`flow#${ACCOUNT}#${HOUR}`, stack.compactionDeps());
    expect(outcome).toMatchObject({ status: 'compacted', interfaces: 2, goneInterfaces: 1 });
    expect(interfaceItem(stack, ENI_B)).toBeUndefined();
    expect(total(interfaceItem(stack, ENI_C) as FlowInterfaceItem, 'bytes')).toBe(bytesOf(okLines(replacement, ENI_C)));
    expect(total(interfaceItem(stack, ENI_A) as FlowInterfaceItem, 'bytes')).toBe(bytesOf(okLines(files[LOG_V2], ENI_A)));
    expect(decodeState(manifestOf(stack), []).interfaces).toEqual([ENI_A, ENI_C]);
    const peers = decodeBody<FlowPeersBody>(stack.query(`flow-peers#${ACCOUNT}`)[0].body as Uint8Array);
    expect(peers.interfaces.map(([id]) => id)).toEqual([ENI_A, ENI_C]);
  });

  it('keeps the earlier objects once their registrations have expired, and a late file of another log changes no count twice', async () => {
    const { stack, files, keys } = await fixture();
    await compactFlowHour(`flow#${ACCOUNT}#${HOUR}`, stack.compactionDeps());
    stack.hourObjects.delete(`flow#${ACCOUNT}#${HOUR}`);
    // A late file of the version 5 log: its first ten minutes. It now has fewer lines than the other log still.
    const late = v5File(minuteFlows(ENI_A, 10).map((flow) => ({ ...flow, start: T0 + 10, end: T0 + 599 })).slice(0, 3));
    const lateKey = flowLogKey(ACCOUNT, T0 + 3000, 'late', 'eu-west-1', LOG_V5);
    await ingest(stack, lateKey, late);
    const outcome = await compactFlowHour(`flow#${ACCOUNT}#${HOUR}`, stack.compactionDeps());
    expect(outcome).toMatchObject({ status: 'compacted', objects: 4, goneInterfaces: 0, duplicateLogFlows: okLines(files[LOG_V5], ENI_A).length + okLines(late, ENI_A).length });
    expect(total(interfaceItem(stack, ENI_A) as FlowInterfaceItem, 'bytes')).toBe(bytesOf(okLines(files[LOG_V2], ENI_A)));
    expect(total(interfaceItem(stack, ENI_B) as FlowInterfaceItem, 'bytes')).toBe(bytesOf(okLines(files[LOG_OTHER], ENI_B)));
    expect(decodeState(manifestOf(stack), []).objects.map((o) => o.objectKey).sort()).toEqual([...Object.values(keys), lateKey].map((key) => `s3://logs/${key}`).sort());
  });
});
