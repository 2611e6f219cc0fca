import { ipMatcher } from '../graph/ip-match';
import { interfaceRows, type FlowInterfaceItem } from './flow-items';
import type { FlowEvidence } from './network-types';

/**
 * The flow evidence of an address flagged from the flow logs (FLAGGED_IP_ADDRESS, issue 10 §2): per instance,
 * interface and hour, the traffic the entity's instances exchanged with it, folded from the interfaces' hour
 * items (pure: lambdas/queries/flow-evidence.ts reads them). Directions are the instance's: BytesIn is what it
 * received from the address.
 */
export type { FlowEvidence } from './network-types';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The order rows are listed and paged in (listIndicatorEvidence's NextToken names the last one given). */
export function compareFlowEvidence(a: Pick<FlowEvidence, 'Hour' | 'InstanceId' | 'InterfaceId'>, b: Pick<FlowEvidence, 'Hour' | 'InstanceId' | 'InterfaceId'>): number {
  return byString(a.Hour, b.Hour) || byString(a.InstanceId, b.InstanceId) || byString(a.InterfaceId, b.InterfaceId);
}

export function flowEvidenceRows(items: readonly FlowInterfaceItem[], address: string, instanceOf: (interfaceId: string) => string): FlowEvidence[] {
  const matches = ipMatcher(address);
  const rows = new Map<string, FlowEvidence>();
  for (const item of items) {
    for (const [key, bytes, packets, flows] of interfaceRows(item)) {
      const [direction, action, peer, protocol, port] = key.split('|');
      if (peer === '*' || !matches(peer)) continue;
      const id = `${item.interfaceId}|${item.hour}`;
      const row = rows.get(id) ?? { InstanceId: item.instanceId ?? instanceOf(item.interfaceId), InterfaceId: item.interfaceId, Hour: `${item.hour}:00:00.000Z`, BytesIn: 0, BytesOut: 0, BytesUnknownDirection: 0, Packets: 0, Flows: 0, RejectedFlows: 0, Ports: [] };
      if (direction === 'in') row.BytesIn += bytes;
      else if (direction === 'out') row.BytesOut += bytes;
      else row.BytesUnknownDirection += bytes;
      row.Packets += packets;
      row.Flows += flows;
      if (action === 'REJECT') row.RejectedFlows += flows;
      const service = `${protocol}/${port}`;
      if (port !== '*' && !row.Ports.includes(service)) row.Ports.push(service);
      rows.set(id, row);
    }
  }
  return [...rows.values()].map((row) => ({ ...row, Ports: row.Ports.sort() })).sort(compareFlowEvidence);
}

/**
 * The flow evidence CSV (listIndicatorEvidence with EvidenceKind FLOWS and `Accept: text/csv`): one row per
 * instance, interface and hour, in page order; Ports joined with spaces as the other flow CSVs do. Every cell
 * goes through toCsv's formula neutralisation (core/graph/csv.ts).
 */
export const FLOW_EVIDENCE_CSV_HEADER = ['Hour', 'InstanceId', 'InterfaceId', 'BytesIn', 'BytesOut', 'BytesUnknownDirection', 'Packets', 'Flows', 'RejectedFlows', 'Ports'] as const;

export function flowEvidenceCsvRows(rows: readonly FlowEvidence[]): (string | number)[][] {
  return rows.map((row) => [row.Hour, row.InstanceId, row.InterfaceId, row.BytesIn, row.BytesOut, row.BytesUnknownDirection, row.Packets, row.Flows, row.RejectedFlows, row.Ports.join(' ')]);
}
