import type { FlowQueries } from '../../queries/flow-queries';
import { flowPeersOf } from './flow-relations';

/**
 * The profiles' VPC flow panels (README "VPC Flow Logs"): an instance's flow totals with its top peers and
 * ports; an address's instances. Flow data is hourly: the scope is widened to the whole hours it overlaps.
 */
export const FLOW_PANEL_TOP = 10;

export async function instanceFlowPanel(flows: FlowQueries, instanceId: string, from: string, to: string) {
  const view = await flows.instanceVolume(instanceId, { from, to, granularity: 'DAY' });
  const sum = (pick: (point: (typeof view.series)[number]) => number) => view.series.reduce((total, point) => total + pick(point), 0);
  const top = (list: typeof view.byPeer) => list.slice(0, FLOW_PANEL_TOP).map((b) => ({ Value: b.key, Bytes: b.bytes, Packets: b.packets, Flows: b.flows }));
  return {
    ScopeStartTime: view.from,
    ScopeEndTime: view.to,
    Interfaces: view.interfaces,
    BytesIn: sum((p) => p.bytesIn),
    BytesOut: sum((p) => p.bytesOut),
    BytesUnknownDirection: sum((p) => p.bytesUnknownDirection),
    PacketsIn: sum((p) => p.packetsIn),
    PacketsOut: sum((p) => p.packetsOut),
    Flows: sum((p) => p.flows),
    RejectedFlows: sum((p) => p.rejectedFlows),
    TopPeers: top(view.byPeer),
    TopPorts: top(view.byPort),
    CappedFlows: view.cappedFlows,
  };
}

export async function addressFlowPanel(flows: FlowQueries, address: string, from: string, to: string) {
  const instances = await flowPeersOf(flows, address, Date.parse(from), Date.parse(to));
  return {
    Instances: instances.map((entity) => ({
      EntityId: entity.EntityId,
      ...(entity.AccountId ? { AccountId: entity.AccountId } : {}),
      FirstSeenTime: entity.FirstSeenTime,
      LastSeenTime: entity.LastSeenTime,
      ...entity.Flow,
    })),
  };
}
