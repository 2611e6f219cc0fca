import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { emptyBaselineFold, foldBaseline, instanceNetwork, NETWORK_LIST_LIMIT, NOT_IN_BASELINE, SUSPICIOUS_PORTS } from '../../lambdas/core/flowlogs/network-report';
import type { FlowInterfaceItem } from '../../lambdas/core/flowlogs/flow-items';
import type { FlowRow } from '../../lambdas/core/flowlogs/flow-aggregate';

/**
 * The network section's fold over random interface-hour rows (the earlier row-by-row body layout, which the
 * readers still accept): totals are the rows' sums, every peer is either in the baseline or counted new, every
 * listed port has the reasons its definition gives, and rejected traffic adds up, whatever the rows.
 */
const T0 = Date.parse('2026-01-01T00:00:00Z') / 1000;
const peer = fc.oneof(fc.constantFrom('198.51.100.1', '198.51.100.2', '203.0.113.9', '2001:db8::1', '*'), fc.ipV4());
const row = fc
  .record({
    direction: fc.constantFrom('in', 'out', 'unknown'),
    action: fc.constantFrom('ACCEPT', 'REJECT'),
    peer,
    protocol: fc.constantFrom('6', '17', '1'),
    port: fc.oneof(fc.constantFrom('22', '443', '9001', '3333', '23'), fc.integer({ min: 0, max: 65535 }).map(String)),
    bytes: fc.integer({ min: 0, max: 1e9 }),
    packets: fc.integer({ min: 1, max: 1e6 }),
    flows: fc.integer({ min: 1, max: 1000 }),
    first: fc.integer({ min: 0, max: 3599 }),
  })
  .map((r): FlowRow => [r.peer === '*' ? `${r.direction}|${r.action}|*|*|*` : `${r.direction}|${r.action}|${r.peer}|${r.protocol}|${r.port}`, r.bytes, r.packets, r.flows, T0 + r.first, T0 + r.first]);

function item(hour: string, rows: FlowRow[]): FlowInterfaceItem {
  // Distinct keys per item, as the storage writes them.
  const unique = [...new Map(rows.map((r) => [r[0], r])).values()];
  return { hour, interfaceId: 'eni-0123456789abcdef0', cappedFlows: 0, body: gzipSync(JSON.stringify(unique)) } as unknown as FlowInterfaceItem;
}

const parts = (key: string) => key.split('|');

describe('instanceNetwork over random rows', () => {
  it('adds up, and calls new exactly what the baseline lacks', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60 }), fc.array(row, { maxLength: 60 }), (scopeRows, baselineRows) => {
        const scope = [item('2026-01-01T00', scopeRows)];
        const baselineItems = baselineRows.length ? [item('2025-12-31T00', baselineRows)] : [];
        const fold = foldBaseline(emptyBaselineFold(), baselineItems);
        const view = instanceNetwork({ instanceId: 'i-0123456789abcdef0', interfaces: ['eni-0123456789abcdef0'], scopeItems: scope, baseline: fold, baselineWindow: { from: '2025-11-17T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' }, scopeStart: '2026-01-01T00:00:00.000Z', minBaselineDays: 14 });
        const rows = [...new Map(scopeRows.map((r) => [r[0], r])).values()];
        const base = [...new Map(baselineRows.map((r) => [r[0], r])).values()];
        const sum = (list: FlowRow[], pick: (r: FlowRow) => number) => list.reduce((t, r) => t + pick(r), 0);
        expect(view.BytesIn).toBe(sum(rows.filter((r) => parts(r[0])[0] === 'in'), (r) => r[1]));
        expect(view.BytesOut).toBe(sum(rows.filter((r) => parts(r[0])[0] === 'out'), (r) => r[1]));
        expect(view.Flows).toBe(sum(rows, (r) => r[3]));
        expect(view.RejectedFlows).toBe(sum(rows.filter((r) => parts(r[0])[1] === 'REJECT'), (r) => r[3]));
        const peers = new Set(rows.map((r) => parts(r[0])[2]).filter((p) => p !== '*'));
        expect(view.Peers).toBe(peers.size);
        expect(view.TopPeers.length).toBe(Math.min(NETWORK_LIST_LIMIT, peers.size));
        const basePeers = new Set(base.map((r) => parts(r[0])[2]));
        expect(view.NewPeerCount).toBe(base.length ? [...peers].filter((p) => !basePeers.has(p)).length : 0);
        for (const p of view.NewPeers) expect(basePeers.has(p.Peer)).toBe(false);
        const basePorts = new Set(base.filter((r) => parts(r[0])[4] !== '*').map((r) => `${parts(r[0])[3]}/${parts(r[0])[4]}`));
        const scopePorts = new Set(rows.filter((r) => parts(r[0])[4] !== '*').map((r) => `${parts(r[0])[3]}/${parts(r[0])[4]}`));
        const unusual = [...scopePorts].filter((p) => (base.length && !basePorts.has(p)) || SUSPICIOUS_PORTS[p]);
        expect(view.UnusualPortCount).toBe(unusual.length);
        for (const p of view.UnusualPorts) expect(p.Reasons).toEqual([...(base.length && !basePorts.has(p.Port) ? [NOT_IN_BASELINE] : []), ...(SUSPICIOUS_PORTS[p.Port] ? [SUSPICIOUS_PORTS[p.Port]] : [])]);
        // Rejected traffic by peer, port and direction: the rows that are not folded `*` rows.
        const rejected = rows.filter((r) => parts(r[0])[1] === 'REJECT' && parts(r[0])[2] !== '*');
        expect(view.RejectedTrafficCount).toBe(new Set(rejected.map((r) => `${parts(r[0])[2]}|${parts(r[0])[3]}/${parts(r[0])[4]}|${parts(r[0])[0]}`)).size);
        if (view.RejectedTrafficCount <= NETWORK_LIST_LIMIT) expect(view.RejectedTraffic.reduce((t, r) => t + r.Flows, 0)).toBe(sum(rejected, (r) => r[3]));
        expect(view.Baseline.Hours).toBe(base.length ? 1 : 0);
      }),
      { numRuns: 200 },
    );
  });
});
