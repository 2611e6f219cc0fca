import { interfaceRows } from '../core/flowlogs/flow-items';
import type { SessionView } from '../core/queries/session-view';
import { mapWithConcurrency } from '../shared/concurrency';
import type { FlowQueries } from './flow-queries';

/** Instances whose flows one investigation reads: an instance role's sessions name a few, not hundreds. */
export const MAX_INVESTIGATED_INSTANCES = 50;

/**
 * The peer addresses in the VPC flow logs of the instances an entity's sessions ran on (an EC2 instance
 * role's sessions name their instance), over the scope's whole hours: what the FLAGGED_IP_ADDRESS stage
 * checks beside the addresses the entity called AWS from. Reads each instance's interfaces' hour items.
 */
export async function instanceFlowPeers(flows: FlowQueries, sessions: readonly SessionView[], from: string, to: string): Promise<{ instances: string[]; peers: Set<string> }> {
  const instances = [...new Set(sessions.map((session) => session.instanceId).filter((id): id is string => typeof id === 'string'))].sort().slice(0, MAX_INVESTIGATED_INSTANCES);
  const peers = new Set<string>();
  await mapWithConcurrency(instances, 4, async (instanceId) => {
    const { items } = await flows.interfaceItems(await flows.interfacesOf(instanceId), { from, to });
    for (const item of items) {
      for (const [key] of interfaceRows(item)) {
        // Rows are <direction>|<action>|<peer>|<protocol>|<port>; `*` gathers flows folded by the caps.
        const peer = key.split('|')[2];
        if (peer && peer !== '*') peers.add(peer);
      }
    }
  });
  return { instances, peers };
}
