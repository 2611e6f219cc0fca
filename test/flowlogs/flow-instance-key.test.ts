import { gzipSync } from 'node:zlib';
import { compactFlowHour } from '../../lambdas/compact-hour/compact-flow-hour';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { mappingItems, type FlowInterfaceItem, type FlowManifestItem } from '../../lambdas/core/flowlogs/flow-items';
import { FlowQueries } from '../../lambdas/queries/flow-queries';
import { flowLogKey } from '../helpers/flow-logs';
import { okFlowLines, oneLogPerInterfaceHour, type RawFlow } from '../helpers/flow-lines';
import { FakeFlowStack } from './fake-flow-stack';

/**
 * Issue 10: one instance's traffic keyed `instance:<id>` by a flow log whose format has instance-id but no
 * interface-id, and by its ENI in another log. Once the ENI ↔ instance mapping is known (a line's instance-id
 * or a stored mapping, e.g. CloudTrail's), the interface-hour counts once, whichever key each log used.
 * Expected values are counted from the raw lines (test/helpers/flow-lines.ts), never through the code.
 */
const ACCOUNT = '111122223333';
const HOUR = '2026-03-01T10';
const T0 = Date.parse(`${HOUR}:00:00Z`) / 1000;
const AFTER = () => new Date('2026-03-01T13:00:00Z');
const INSTANCE = 'i-0aaaaaaaaaaaaaaa1';
const ENI_A = 'eni-0aaaaaaaaaaaaaaa1';
/** Another instance's interface in the ENI-keyed log: never touched by the instance's choice. */
const ENI_B = 'eni-0bbbbbbbbbbbbbbb2';
const OTHER_INSTANCE = 'i-0bbbbbbbbbbbbbbb2';
const OWN: Record<string, string> = { [ENI_A]: '10.1.0.10', [ENI_B]: '10.1.0.20' };
const LOG_INSTANCE = 'fl-0aaaaaaaaaaaaaaa0';
const LOG_ENI = 'fl-0bbbbbbbbbbbbbbb0';
const INSTANCE_HEADER = 'version account-id instance-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const ENI_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const V5_HEADER = 'version account-id instance-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const PEERS = ['203.0.113.5', '198.51.100.7', '192.0.2.44'];

interface Flow {
  eni: string;
  peer: string;
  inbound: boolean;
  bytes: number;
  packets: number;
  start: number;
  end: number;
  action: 'ACCEPT' | 'REJECT';
}

/** One flow per `step` seconds and peer over the hour. */
function flows(eni: string, step: number): Flow[] {
  const list: Flow[] = [];
  for (let t = 0; t < 3600; t += step)
    PEERS.forEach((peer, p) => list.push({ eni, peer, inbound: p !== 1, bytes: 700 + 13 * (t / 60) + 97 * p + step, packets: 2 + p, start: T0 + t, end: T0 + t + step - 1, action: p === 2 ? 'REJECT' : 'ACCEPT' }));
  return list;
}

function line(flow: Flow, ids: (string | number)[]): string {
  const ends = flow.inbound ? [flow.peer, OWN[flow.eni], 40000, 443] : [OWN[flow.eni], flow.peer, 40000, 443];
  return [...ids, ...ends, 6, flow.packets, flow.bytes, flow.start, flow.end, flow.action, 'OK'].join(' ');
}

const file = (header: string, lines: string[]) => gzipSync(`${header}\n${lines.join('\n')}\n`);
const instanceFile = (list: Flow[]) => file(INSTANCE_HEADER, list.map((f) => line(f, [2, ACCOUNT, INSTANCE])));
const eniFile = (list: Flow[]) => file(ENI_HEADER, list.map((f) => line(f, [2, ACCOUNT, f.eni])));
const v5File = (list: Flow[]) => file(V5_HEADER, list.map((f) => line(f, [5, ACCOUNT, f.eni === ENI_A ? INSTANCE : OTHER_INSTANCE, f.eni])));

const bytesOf = (rows: readonly RawFlow[]) => rows.reduce((sum, r) => sum + Number(r.bytes), 0);
const total = (item: FlowInterfaceItem, field: 'bytes' | 'flows') => item.totals.in[field] + item.totals.out[field] + item.totals.unknown[field];
const itemOf = (stack: FakeFlowStack, key: string) => stack.activity.get(`flow-eni#${key}|${HOUR}#${ACCOUNT}`) as unknown as FlowInterfaceItem | undefined;

async function compacted(files: Record<string, Buffer>, options: { cloudTrailMapping?: boolean } = {}) {
  const stack = new FakeFlowStack(AFTER);
  if (options.cloudTrailMapping) {
    // As the CloudTrail compaction writes it from RunInstances (not hour-keyed).
    const items = mappingItems(INSTANCE, ENI_A, ACCOUNT, 'cloudtrail', 0);
    await stack.compactionDeps().putItems([items.byInstance, items.byInterface]);
  }
  const raw = [];
  for (const [flowLogId, body] of Object.entries(files)) {
    const key = flowLogKey(ACCOUNT, T0, `h${flowLogId.slice(-4)}`, 'eu-west-1', flowLogId);
    stack.put(key, body, `e-${key}`);
    await ingestObject({ bucket: 'logs', key, etag: `e-${key}` }, stack.ingestDeps());
    raw.push(okFlowLines(key, body));
  }
  const outcome = await compactFlowHour(`flow#${ACCOUNT}#${HOUR}`, stack.compactionDeps());
  const volume = await new FlowQueries(stack.port()).instanceVolume(INSTANCE, { from: `${HOUR}:00:00Z`, to: `${HOUR}:59:59Z` });
  const volumeBytes = volume.series.reduce((sum, point) => sum + point.bytesIn + point.bytesOut + point.bytesUnknownDirection, 0);
  return { stack, raw, outcome, volume, volumeBytes };
}

const ofInstance = (rows: RawFlow[]) => rows.filter((r) => r['instance-id'] === INSTANCE || r['interface-id'] === ENI_A);

describe('flow compaction: an instance keyed by instance-id in one log and by ENI in another', () => {
  it('counts the hour once with a CloudTrail mapping: the instance-keyed log has more lines, its traffic is kept', async () => {
    const { stack, raw, outcome, volumeBytes } = await compacted({ [LOG_INSTANCE]: instanceFile(flows(ENI_A, 60)), [LOG_ENI]: eniFile([...flows(ENI_A, 600), ...flows(ENI_B, 300)]) }, { cloudTrailMapping: true });
    const counted = oneLogPerInterfaceHour(raw, { [ENI_A]: INSTANCE });
    const instanceLines = ofInstance(counted);
    expect(instanceLines.every((r) => r['instance-id'] === INSTANCE)).toBe(true);
    const all = raw.flatMap((log) => log.rows);
    // Without the fix both logs' lines of the instance would be summed: the two figures must differ.
    expect(bytesOf(ofInstance(all))).toBeGreaterThan(bytesOf(instanceLines));

    expect(volumeBytes).toBe(bytesOf(instanceLines));
    expect(itemOf(stack, ENI_A)).toBeUndefined();
    const kept = itemOf(stack, `instance:${INSTANCE}`) as FlowInterfaceItem;
    expect(total(kept, 'flows')).toBe(instanceLines.length);
    const eniALines = all.filter((r) => r['interface-id'] === ENI_A);
    expect(kept).toMatchObject({ flowLogId: LOG_INSTANCE, duplicateLogFlows: eniALines.length });
    // The other instance's interface is untouched.
    const b = itemOf(stack, ENI_B) as FlowInterfaceItem;
    expect(total(b, 'bytes')).toBe(bytesOf(all.filter((r) => r['interface-id'] === ENI_B)));
    expect(outcome).toMatchObject({ status: 'compacted', flows: counted.length, duplicateLogFlows: eniALines.length, interfaces: 2 });
    const manifest = stack.activity.get(`flow-account#${ACCOUNT}|${HOUR}#${ACCOUNT}`) as unknown as FlowManifestItem;
    expect(manifest).toMatchObject({ flows: counted.length, duplicateLogFlows: eniALines.length });
    expect(stack.mappingQueries).toBe(1);
  });

  it("counts the hour once when another log's own lines name the ENI's instance: the ENI-keyed log has more lines, its traffic is kept", async () => {
    const { stack, raw, outcome, volumeBytes } = await compacted({ [LOG_INSTANCE]: instanceFile(flows(ENI_A, 600)), [LOG_ENI]: v5File([...flows(ENI_A, 60), ...flows(ENI_B, 300)]) });
    const counted = oneLogPerInterfaceHour(raw, { [ENI_A]: INSTANCE });
    const instanceLines = ofInstance(counted);
    expect(instanceLines.every((r) => r['interface-id'] === ENI_A)).toBe(true);
    expect(bytesOf(ofInstance(raw.flatMap((log) => log.rows)))).toBeGreaterThan(bytesOf(instanceLines));

    expect(volumeBytes).toBe(bytesOf(instanceLines));
    expect(itemOf(stack, `instance:${INSTANCE}`)).toBeUndefined();
    const kept = itemOf(stack, ENI_A) as FlowInterfaceItem;
    expect(total(kept, 'bytes')).toBe(bytesOf(instanceLines));
    expect(kept).toMatchObject({ flowLogId: LOG_ENI, instanceId: INSTANCE, duplicateLogFlows: raw[0].rows.length });
    expect(outcome).toMatchObject({ flows: counted.length, duplicateLogFlows: raw[0].rows.length });
    // The lines named every ENI's instance: no stored mapping was read.
    expect(stack.mappingQueries).toBe(0);
  });

  it('on a tie keeps the ENI side, which names the interface', async () => {
    const { stack, volumeBytes, raw } = await compacted({ [LOG_INSTANCE]: instanceFile(flows(ENI_A, 300)), [LOG_ENI]: eniFile(flows(ENI_A, 300)) }, { cloudTrailMapping: true });
    expect(raw[0].rows.length).toBe(raw[1].rows.length);
    expect(itemOf(stack, `instance:${INSTANCE}`)).toBeUndefined();
    expect(volumeBytes).toBe(bytesOf(raw[1].rows));
  });

  it('without any known mapping drops nothing: no valid record is lost on a guess', async () => {
    const { stack, raw, outcome } = await compacted({ [LOG_INSTANCE]: instanceFile(flows(ENI_A, 60)), [LOG_ENI]: eniFile(flows(ENI_A, 600)) });
    expect(total(itemOf(stack, `instance:${INSTANCE}`) as FlowInterfaceItem, 'flows')).toBe(raw[0].rows.length);
    expect(total(itemOf(stack, ENI_A) as FlowInterfaceItem, 'flows')).toBe(raw[1].rows.length);
    expect(outcome).toMatchObject({ flows: raw[0].rows.length + raw[1].rows.length, duplicateLogFlows: 0 });
    expect(stack.mappingQueries).toBe(1);
  });
});
