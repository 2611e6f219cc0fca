import { parseIp } from '../analysis/ip-address';
import { decodeBody, type FlowPeersBody, type FlowPeersItem } from '../flowlogs/flow-items';
import { HOUR_MS, hourStartMs } from '../storage/hours';
import { queryMatcher, type FoundEntity } from './entity-search';

/**
 * searchEntities(IP_ADDRESS) over the VPC flow logs too (issue 10 §2): the peer addresses of the scope's
 * peer-index items (`flow-peers#<account>`, one per account-hour, as the hour indexes are) that match the query
 * (exact address in any spelling, CIDR or glob, as for CloudTrail addresses), merged with the CloudTrail answer:
 * one row per address, `Sources` saying which logs saw it. Times are per hour, as the hour indexes' are.
 */
export type AddressSource = 'CLOUDTRAIL' | 'VPC_FLOW_LOGS';

/**
 * The matching peers, and whether an hour's peer index had left peers out (the least busy, to fit its item):
 * addresses seen only in those hours may then be missing, which the answer's `Incomplete` says.
 */
export function searchFlowPeers(items: readonly FlowPeersItem[], query: string, fromMs: number, toMs: number): { found: FoundEntity[]; incomplete: boolean } {
  const matches = queryMatcher('IP_ADDRESS', query);
  const found = new Map<string, { first: number; last: number }>();
  let incomplete = false;
  for (const item of items) {
    const start = Math.max(hourStartMs(item.hour), fromMs);
    const end = Math.min(hourStartMs(item.hour) + HOUR_MS, toMs);
    if (end <= start) continue;
    const body = decodeBody<FlowPeersBody>(item.body);
    if (body.truncatedPeers > 0) incomplete = true;
    for (const peer of Object.keys(body.peers)) {
      const known = found.get(peer);
      if (known) {
        known.first = Math.min(known.first, start);
        known.last = Math.max(known.last, end);
      } else if (matches({ keys: [peer] })) found.set(peer, { first: start, last: end });
    }
  }
  return {
    found: [...found].map(([id, { first, last }]) => ({ EntityType: 'IP_ADDRESS', EntityId: id, DisplayName: id, FirstObservedTime: new Date(first).toISOString(), LastObservedTime: new Date(last).toISOString() })),
    incomplete,
  };
}

/** One key per address whatever its spelling (IPv6 compressed or not), so the two sources merge. */
function addressKey(id: string): string {
  const parsed = parseIp(id);
  return parsed ? `${parsed.kind()}:${parsed.toNormalizedString()}` : id;
}

/** CloudTrail's and the flow logs' addresses, one row each (CloudTrail's spelling kept), sorted by EntityId. */
export function mergeAddresses(cloudTrail: readonly FoundEntity[], flows: readonly FoundEntity[]): (FoundEntity & { Sources: AddressSource[] })[] {
  const merged = new Map<string, FoundEntity & { Sources: AddressSource[] }>();
  for (const entity of cloudTrail) merged.set(addressKey(entity.EntityId), { ...entity, Sources: ['CLOUDTRAIL'] });
  for (const entity of flows) {
    const key = addressKey(entity.EntityId);
    const known = merged.get(key);
    if (!known) {
      merged.set(key, { ...entity, Sources: ['VPC_FLOW_LOGS'] });
      continue;
    }
    known.Sources.push('VPC_FLOW_LOGS');
    if (entity.FirstObservedTime < known.FirstObservedTime) known.FirstObservedTime = entity.FirstObservedTime;
    if (entity.LastObservedTime > known.LastObservedTime) known.LastObservedTime = entity.LastObservedTime;
  }
  return [...merged.values()].sort((a, b) => (a.EntityId < b.EntityId ? -1 : a.EntityId > b.EntityId ? 1 : 0));
}
