import fc from 'fast-check';
import { FlowHourAggregator, MAX_ROWS_PER_INTERFACE, type FlowHour, type InterfaceHour } from '../../lambdas/core/flowlogs/flow-aggregate';
import { decodeBody, interfaceItem, peersItem } from '../../lambdas/core/flowlogs/flow-items';
import type { FlowRecord } from '../../lambdas/core/flowlogs/flow-record';
import { rowViewOf } from '../../lambdas/core/flowlogs/flow-row-view';
import { mergeFlowLogs } from '../../lambdas/core/flowlogs/merge-flow-logs';
import { peerViewOf } from '../../lambdas/core/flowlogs/peer-index-view';

/**
 * The items of an hour are encoded straight from the aggregator's tables (flow-item-rows.ts). They must be
 * byte for byte the items of the reference path, which sorts and folds the documented FlowRow list: here the
 * same hour is encoded both ways, the reference from a plain copy whose rows were read out of `rows`.
 * Inputs: random interfaces, IPv4 and IPv6 peers, ports and protocols (some absent), actions, directions
 * given or learned, bytes from a small range (ties, broken by key), body limits small enough to fold, and
 * interfaces past the live row cap (`*` rows).
 */
const ACCOUNT = '111122223333';
const HOUR = '2026-03-01T10';
const T0 = Date.parse(`${HOUR}:00:00Z`) / 1000;
const EXPIRES = 1_900_000_000;
const eniOf = (index: number) => `eni-0${String(index).padStart(16, '0')}`;
const PEERS = ['198.51.100.7', '198.51.100.70', '203.0.113.9', '10.1.2.3', '172.31.0.5', '2001:db8::1', '2001:db8::1:0', 'fd00::5', '100.64.0.1', '8.8.8.8'];

const flow = fc.record({
  eni: fc.integer({ min: 0, max: 3 }),
  peer: fc.integer({ min: 0, max: PEERS.length - 1 }),
  /** A peer beyond the list: many distinct rows. */
  extraPeer: fc.option(fc.integer({ min: 0, max: 5000 }), { freq: 2 }),
  inbound: fc.boolean(),
  withDirection: fc.boolean(),
  protocol: fc.option(fc.constantFrom(6, 17, 1, 0, 255), { freq: 8 }),
  srcport: fc.option(fc.integer({ min: 0, max: 65535 }), { freq: 8 }),
  dstport: fc.option(fc.constantFrom(22, 443, 80, 0, 65535), { freq: 8 }),
  action: fc.constantFrom<FlowRecord['action']>('ACCEPT', 'REJECT', undefined),
  bytes: fc.integer({ min: 0, max: 50 }),
  packets: fc.integer({ min: 0, max: 9 }),
  offset: fc.integer({ min: 0, max: 3599 }),
});
type Flow = typeof flow extends fc.Arbitrary<infer T> ? T : never;

function recordOf(f: Flow): FlowRecord {
  const own = f.peer >= 5 ? `fd00::${f.eni + 10}` : `10.0.0.${f.eni + 10}`;
  const peer = f.extraPeer === null ? PEERS[f.peer] : `192.0.${f.extraPeer >> 8}.${f.extraPeer & 255}`;
  const [srcaddr, dstaddr] = f.inbound ? [peer, own] : [own, peer];
  return {
    accountId: ACCOUNT,
    interfaceId: eniOf(f.eni),
    srcaddr,
    dstaddr,
    ...(f.srcport === null ? {} : { srcport: f.srcport }),
    ...(f.dstport === null ? {} : { dstport: f.dstport }),
    ...(f.protocol === null ? {} : { protocol: f.protocol }),
    packets: f.packets,
    bytes: f.bytes,
    start: T0 + f.offset,
    end: T0 + f.offset + 30,
    ...(f.action ? { action: f.action } : {}),
    logStatus: 'OK',
    ...(f.withDirection ? { flowDirection: f.inbound ? ('ingress' as const) : ('egress' as const) } : {}),
  };
}

/** Records of one interface to distinct peers, past the live row cap. */
function capFill(eni: number, seed: number): FlowRecord[] {
  return Array.from({ length: MAX_ROWS_PER_INTERFACE + 300 }, (_, i) => ({
    accountId: ACCOUNT,
    interfaceId: eniOf(eni),
    srcaddr: `198.18.${i >> 8}.${i & 255}`,
    dstaddr: `10.0.0.${eni + 10}`,
    srcport: 40000,
    dstport: [22, 443][(i + seed) % 2],
    protocol: 6,
    packets: 1,
    bytes: (i * 7 + seed) % 40,
    start: T0 + (i % 3000),
    end: T0 + (i % 3000) + 5,
    action: (i + seed) % 5 === 0 ? ('REJECT' as const) : ('ACCEPT' as const),
    logStatus: 'OK' as const,
    ...((i + seed) % 3 === 0 ? {} : { flowDirection: 'ingress' as const }),
  }));
}

/** The interface as a plain object, rows read out of `rows` (deep copies): no view, so the reference path. */
function plain(iface: InterfaceHour): InterfaceHour {
  return { ...iface, rows: iface.rows.map((row) => [...row] as typeof row) };
}

function plainHour(hour: FlowHour): FlowHour {
  return { ...hour, interfaces: hour.interfaces.map(plain) };
}

describe('interface items encoded from the tables', () => {
  it('equal the reference items (sort and fold of the FlowRow list), and so does the peer index', () => {
    fc.assert(
      fc.property(fc.array(flow, { minLength: 1, maxLength: 400 }), fc.option(fc.integer({ min: 0, max: 1000 }), { freq: 3 }), fc.integer({ min: 150, max: 6000 }), (flows, fill, maxBodyBytes) => {
        const aggregator = new FlowHourAggregator(ACCOUNT, HOUR);
        for (const f of flows) aggregator.add(recordOf(f));
        if (fill !== null) for (const record of capFill(fill % 4, fill)) aggregator.add(record);
        const hour = aggregator.finish();
        const reference = plainHour(hour);
        for (const [index, iface] of hour.interfaces.entries()) {
          expect(rowViewOf(iface)).toBeDefined();
          expect(rowViewOf(reference.interfaces[index])).toBeUndefined();
          const fast = interfaceItem(hour, iface, EXPIRES, undefined, maxBodyBytes);
          const slow = interfaceItem(reference, reference.interfaces[index], EXPIRES, undefined, maxBodyBytes);
          expect(decodeBody(fast.body)).toEqual(decodeBody(slow.body));
          expect(fast).toEqual(slow);
        }
        // The peer index too: from the pair table (the view) and from the documented records (the reference).
        expect(peerViewOf(hour)).toBeDefined();
        expect(peerViewOf(reference)).toBeUndefined();
        expect(peersItem(hour, EXPIRES)).toEqual(peersItem(reference, EXPIRES));
      }),
      { numRuns: 60 },
    );
  });

  it('fold when the body is over its limit, and the cap made `*` rows (the test reaches both cases)', () => {
    const aggregator = new FlowHourAggregator(ACCOUNT, HOUR);
    for (const record of capFill(1, 3)) aggregator.add(record);
    const hour = aggregator.finish();
    const iface = hour.interfaces[0];
    expect(iface.cappedFlows).toBeGreaterThan(0);
    expect(iface.rows.some(([key]) => key.includes('|*|*|*'))).toBe(true);
    const item = interfaceItem(hour, iface, EXPIRES, undefined, 2000);
    expect(item.cappedFlows).toBeGreaterThan(iface.cappedFlows);
    expect(item).toEqual(interfaceItem(plainHour(hour), plain(iface), EXPIRES, undefined, 2000));
  });

  it('keep their view through a merge of two flow logs that completes an interface\'s identity', () => {
    const base = capFill(2, 1).slice(0, 3000);
    const logs = ['fl-0aaaaaaaaaaaaaaa0', 'fl-0bbbbbbbbbbbbbbb0'].map((flowLogId, log) => {
      const aggregator = new FlowHourAggregator(ACCOUNT, HOUR);
      // The first log has more flows (its traffic is kept); only the second names the instance.
      for (const record of log === 0 ? base : base.slice(0, 100)) aggregator.add(log === 0 ? record : { ...record, instanceId: 'i-0abc' });
      return { flowLogId, hour: aggregator.finish() };
    });
    const merged = mergeFlowLogs(ACCOUNT, HOUR, logs);
    const iface = merged.interfaces[0];
    expect(iface.instanceId).toBe('i-0abc');
    expect(merged.sources[iface.interfaceId].flowLogId).toBe('fl-0aaaaaaaaaaaaaaa0');
    expect(rowViewOf(iface)).toBeDefined();
    expect(iface.rows).toEqual(logs[0].hour.interfaces[0].rows);
    expect(interfaceItem(merged, iface, EXPIRES, merged.sources[iface.interfaceId], 3000)).toEqual(interfaceItem(plainHour(merged), plain(iface), EXPIRES, merged.sources[iface.interfaceId], 3000));
  });
});
