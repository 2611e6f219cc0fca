import { compareRelated, type RelatedEntity } from '../../core/graph/related';
import type { PeerInterface } from '../../core/flowlogs/flow-views';
import type { FlowQueries } from '../../queries/flow-queries';

/**
 * IP_ADDRESS → EC2_INSTANCE from the VPC flow logs: the instances (or, where no instance is known for it, the
 * network interface, as an EC2_INSTANCE entity whose id is the `eni-…`) that exchanged traffic with the
 * address, with bytes, packets, flows, rejected flows, ports and first and last seen. Read from the peer index
 * (one Query per account over the scope's hours) and the ENI → instance mapping (GetItem per interface).
 * Flow data is hourly: the scope is widened to the whole hours it overlaps.
 */
export async function flowPeersOf(flows: FlowQueries, address: string, fromMs: number, toMs: number): Promise<RelatedEntity[]> {
  const { interfaces } = await flows.peers(address, { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() });
  const byEntity = new Map<string, PeerInterface[]>();
  for (const view of interfaces) {
    const id = view.instanceId ?? view.interfaceId;
    byEntity.set(id, [...(byEntity.get(id) ?? []), view]);
  }
  return [...byEntity]
    .map(([id, views]): RelatedEntity => {
      const sum = (pick: (view: PeerInterface) => number) => views.reduce((total, view) => total + pick(view), 0);
      const first = views.map((v) => v.firstSeen).sort()[0];
      const last = views.map((v) => v.lastSeen).sort()[views.length - 1];
      return {
        EntityType: 'EC2_INSTANCE',
        EntityId: id,
        DisplayName: views[0].instanceId ? id : `${id} (no instance known)`,
        Relationship: 'FLOW_PEER',
        AccountId: views[0].accountId,
        CallCount: 0,
        FailedCallCount: 0,
        FirstSeenTime: first,
        LastSeenTime: last,
        Flow: {
          BytesIn: sum((v) => v.bytesIn),
          BytesOut: sum((v) => v.bytesOut),
          BytesUnknownDirection: sum((v) => v.bytesUnknownDirection),
          Packets: sum((v) => v.packets),
          Flows: sum((v) => v.flows),
          RejectedFlows: sum((v) => v.rejectedFlows),
          Ports: [...new Set(views.flatMap((v) => v.ports))].sort(),
          Interfaces: views.map((v) => v.interfaceId).sort(),
        },
      };
    })
    .sort(compareRelated);
}
