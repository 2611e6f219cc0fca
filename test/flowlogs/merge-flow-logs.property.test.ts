import fc from 'fast-check';
import { FlowHourAggregator, MAX_PEERS } from '../../lambdas/core/flowlogs/flow-aggregate';
import type { FlowRecord } from '../../lambdas/core/flowlogs/flow-record';
import { mergeFlowLogs } from '../../lambdas/core/flowlogs/merge-flow-logs';
import { peerViewOf } from '../../lambdas/core/flowlogs/peer-index-view';

/**
 * Random flows of a few interfaces, delivered by two flow logs whose coverage overlaps: per interface, the
 * merged hour holds the sum of the chosen log's records (the log with the most records for it, the lower id
 * on a tie), never the sum of both. The expectation is counted from the generated records, not by the code.
 */
const ACCOUNT = '111122223333';
const HOUR = '2026-03-01T10';
const T0 = Date.parse(`${HOUR}:00:00Z`) / 1000;
const LOGS = ['fl-0aaaaaaaaaaaaaaa0', 'fl-0bbbbbbbbbbbbbbb0'];
const eniOf = (index: number) => `eni-0${String(index).padStart(16, '0')}`;

const generated = fc.record({
  eni: fc.integer({ min: 0, max: 3 }),
  /** Which logs delivered it: a flow both logs watch is in both. */
  logs: fc.constantFrom<number[]>([0], [1], [0, 1]),
  peer: fc.integer({ min: 0, max: 5 }),
  inbound: fc.boolean(),
  /** v5 formats give the direction; default-format records leave it to the address learning. */
  withDirection: fc.boolean(),
  bytes: fc.integer({ min: 0, max: 1_000_000 }),
  packets: fc.integer({ min: 1, max: 1000 }),
  offset: fc.integer({ min: 0, max: 3599 }),
  rejected: fc.boolean(),
});

type Generated = typeof generated extends fc.Arbitrary<infer T> ? T : never;

function recordOf(flow: Generated): FlowRecord {
  const own = `10.0.0.${flow.eni + 10}`;
  const peer = `198.51.100.${flow.peer + 1}`;
  const [srcaddr, dstaddr] = flow.inbound ? [peer, own] : [own, peer];
  return {
    accountId: ACCOUNT,
    interfaceId: eniOf(flow.eni),
    srcaddr,
    dstaddr,
    srcport: 40000,
    dstport: 443,
    protocol: 6,
    packets: flow.packets,
    bytes: flow.bytes,
    start: T0 + flow.offset,
    end: T0 + flow.offset + 30,
    action: flow.rejected ? 'REJECT' : 'ACCEPT',
    logStatus: 'OK',
    ...(flow.withDirection ? { flowDirection: flow.inbound ? ('ingress' as const) : ('egress' as const) } : {}),
  };
}

describe('mergeFlowLogs', () => {
  it("gives each interface the chosen log's bytes, never both logs' sum", () => {
    fc.assert(
      fc.property(fc.array(generated, { minLength: 1, maxLength: 80 }), (flows) => {
        const hours = LOGS.map((flowLogId, index) => {
          const aggregator = new FlowHourAggregator(ACCOUNT, HOUR);
          for (const flow of flows) if (flow.logs.includes(index)) aggregator.add(recordOf(flow));
          return { flowLogId, hour: aggregator.finish() };
        });
        const merged = mergeFlowLogs(ACCOUNT, HOUR, [hours[1], hours[0]]);
        const enis = [...new Set(flows.map((flow) => flow.eni))].sort();
        expect(merged.interfaces.map((iface) => iface.interfaceId)).toEqual(enis.map(eniOf));
        let duplicates = 0;
        for (const eni of enis) {
          const perLog = [0, 1].map((log) => flows.filter((flow) => flow.eni === eni && flow.logs.includes(log)));
          const chosen = perLog[1].length > perLog[0].length ? 1 : 0;
          const bytes = perLog.map((list) => list.reduce((sum, flow) => sum + flow.bytes, 0));
          const iface = merged.interfaces.find((candidate) => candidate.interfaceId === eniOf(eni));
          const totals = iface?.totals;
          const stored = (totals?.in.bytes ?? 0) + (totals?.out.bytes ?? 0) + (totals?.unknown.bytes ?? 0);
          expect(stored).toBe(bytes[chosen]);
          if (perLog[0].length > 0 && perLog[1].length > 0 && bytes[0] + bytes[1] !== bytes[chosen]) expect(stored).not.toBe(bytes[0] + bytes[1]);
          expect(merged.sources[eniOf(eni)]).toEqual({ flowLogId: LOGS[chosen], duplicateLogFlows: perLog[1 - chosen].length });
          duplicates += perLog[1 - chosen].length;
          // The peer index of the interface: the chosen log's pairs, adding up to the same bytes and flows.
          const pairs = Object.values(merged.peers).flatMap((byInterface) => (byInterface[eniOf(eni)] ? [byInterface[eniOf(eni)]] : []));
          expect(pairs.reduce((sum, counts) => sum + counts[0] + counts[1], 0)).toBe(bytes[chosen]);
          expect(pairs.reduce((sum, counts) => sum + counts[3], 0)).toBe(perLog[chosen].length);
        }
        expect(merged.counts.duplicateLogFlows).toBe(duplicates);
        expect(merged.counts.flows).toBe(merged.interfaces.reduce((sum, iface) => sum + iface.totals.in.flows + iface.totals.out.flows + iface.totals.unknown.flows, 0));
      }),
      { numRuns: 200 },
    );
  });

  it('counts an instance once when one log keys it by instance-id and the other by its ENIs, whichever side has more flows', () => {
    // Instance i-…1 has ENIs 0 and 1 (the stored mapping knows them); ENI 2 is another instance's. Log 0 keys by
    // instance-id only (a format without interface-id), log 1 by ENI: the same traffic, counted once.
    const INSTANCE = 'i-0aaaaaaaaaaaaaaa1';
    const mapping = new Map([[INSTANCE, [eniOf(0), eniOf(1)]]]);
    fc.assert(
      fc.property(fc.array(generated, { minLength: 1, maxLength: 60 }), (flows) => {
        const hours = LOGS.map((flowLogId, index) => {
          const aggregator = new FlowHourAggregator(ACCOUNT, HOUR);
          for (const flow of flows) {
            if (!flow.logs.includes(index)) continue;
            const record = recordOf({ ...flow, eni: flow.eni % 3 });
            if (index === 0 && flow.eni % 3 < 2) aggregator.add({ ...record, interfaceId: undefined, instanceId: INSTANCE });
            else aggregator.add(record);
          }
          return { flowLogId, hour: aggregator.finish() };
        });
        const merged = mergeFlowLogs(ACCOUNT, HOUR, hours, mapping);
        const ofInstance = (log: number) => flows.filter((flow) => flow.eni % 3 < 2 && flow.logs.includes(log));
        const [byInstanceKey, byEnis] = [ofInstance(0), ofInstance(1)];
        const keptFlows = (ids: string[]) => merged.interfaces.filter((iface) => ids.includes(iface.interfaceId)).reduce((sum, iface) => sum + iface.totals.in.flows + iface.totals.out.flows + iface.totals.unknown.flows, 0);
        const instanceFlows = keptFlows([`instance:${INSTANCE}`, eniOf(0), eniOf(1)]);
        // One side only: the instance key's flows, or its ENIs' (those on a tie).
        expect(instanceFlows).toBe(byInstanceKey.length > byEnis.length ? byInstanceKey.length : byEnis.length);
        const keys = merged.interfaces.map((iface) => iface.interfaceId);
        expect(keys.includes(`instance:${INSTANCE}`) && (keys.includes(eniOf(0)) || keys.includes(eniOf(1)))).toBe(false);
        // Nothing lost, nothing added: what is not counted is a duplicate.
        const offered = flows.reduce((sum, flow) => sum + flow.logs.length, 0);
        expect(merged.counts.flows + merged.counts.duplicateLogFlows).toBe(offered);
      }),
      { numRuns: 200 },
    );
  });

  it('is the one log as it is when only one delivered the hour', () => {
    const aggregator = new FlowHourAggregator(ACCOUNT, HOUR);
    aggregator.add(recordOf({ eni: 1, logs: [0], peer: 2, inbound: true, withDirection: true, bytes: 500, packets: 2, offset: 10, rejected: false }));
    const hour = aggregator.finish();
    const merged = mergeFlowLogs(ACCOUNT, HOUR, [{ flowLogId: LOGS[0], hour }]);
    expect(merged).toMatchObject({ interfaces: hour.interfaces, peers: hour.peers, counts: { ...hour.counts, duplicateLogFlows: 0 } });
    // Its peer index is still encoded from the aggregator's pair table.
    expect(peerViewOf(merged)).toBeDefined();
    expect(peerViewOf(merged)).toBe(peerViewOf(hour));
    expect(mergeFlowLogs(ACCOUNT, HOUR, [])).toMatchObject({ interfaces: [], peers: {}, counts: { flows: 0, duplicateLogFlows: 0 } });
  });

  it('keeps the merged peer index within the stored caps, dropping the peers with the fewest bytes', () => {
    // Two logs over two interfaces, 30,000 peers each: each log is within MAX_PEERS, their union is not.
    const perLog = 30_000;
    const hours = LOGS.map((flowLogId, log) => {
      const aggregator = new FlowHourAggregator(ACCOUNT, HOUR);
      for (let i = 0; i < perLog; i++) {
        const peer = `100.${64 + log}.${Math.floor(i / 250)}.${i % 250}`;
        aggregator.add({ accountId: ACCOUNT, interfaceId: eniOf(log), srcaddr: peer, dstaddr: `10.0.0.${log + 10}`, srcport: 40000, dstport: 443, protocol: 6, packets: 1, bytes: 1 + log * perLog + i, start: T0 + 5, end: T0 + 6, action: 'ACCEPT', logStatus: 'OK', flowDirection: 'ingress' });
      }
      return { flowLogId, hour: aggregator.finish() };
    });
    const merged = mergeFlowLogs(ACCOUNT, HOUR, hours);
    const peers = Object.keys(merged.peers);
    expect(peers).toHaveLength(MAX_PEERS);
    expect(merged.cappedPeers).toBe(2 * perLog - MAX_PEERS);
    // Bytes grow with the index: the first log's first 10,000 peers (the fewest bytes) are the ones dropped.
    expect(merged.peers['100.64.0.0']).toBeUndefined();
    expect(merged.peers['100.65.0.0']).toBeDefined();
    // The interfaces' totals are never capped.
    expect(merged.interfaces.map((iface) => iface.totals.in.flows)).toEqual([perLog, perLog]);
  });
});
