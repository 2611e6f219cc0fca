import type { FlowHour, FlowRow, InterfaceHour } from '../../lambdas/core/flowlogs/flow-aggregate';
import { interfaceItem, interfaceRows } from '../../lambdas/core/flowlogs/flow-items';

/** Folding an item's rows to fit leaves the hour's own rows as they were: the same hour gives the same item twice. */
test('interfaceItem of plain rows does not change them', () => {
  const t0 = Date.parse('2026-03-01T10:00:00Z') / 1000;
  const rows: FlowRow[] = [['in|ACCEPT|*|*|*', 1_000_000, 10, 7, t0, t0 + 60]];
  for (let i = 0; i < 400; i++) rows.push([`in|ACCEPT|198.51.${i >> 8}.${i & 255}|6|${1000 + i}`, 1000 + i * 37, 1, 1, t0 + i, t0 + i + 9]);
  const totals = { bytes: 0, packets: 0, flows: 0, rejectedBytes: 0, rejectedPackets: 0, rejectedFlows: 0 };
  const iface: InterfaceHour = { interfaceId: 'eni-0a', totals: { in: totals, out: totals, unknown: totals }, rows, cappedFlows: 7, first: t0, last: t0 + 500, nodata: 0, skipdata: 0 };
  const hour: FlowHour = { accountId: '111122223333', hour: '2026-03-01T10', interfaces: [iface], peers: {}, peerPorts: {}, cappedPeers: 0, counts: { flows: 407, nodata: 0, skipdata: 0, outsideHour: 0 } };
  const before = JSON.stringify(rows);
  const first = interfaceItem(hour, iface, 1, undefined, 1500);
  expect(first.cappedFlows).toBeGreaterThan(7);
  const star = interfaceRows(first).find((row) => row[0] === 'in|ACCEPT|*|*|*');
  expect(star?.[3]).toBe(first.cappedFlows);
  expect(JSON.stringify(rows)).toBe(before);
  expect(Buffer.from(interfaceItem(hour, iface, 1, undefined, 1500).body)).toEqual(Buffer.from(first.body));
});
