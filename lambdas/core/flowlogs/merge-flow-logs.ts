import { MAX_PEER_PAIRS, MAX_PEERS, type FlowHour, type InterfaceHour, type PeerCounts } from './flow-aggregate';
import { interfaceInstances, sameTrafficDrops } from './instance-keys';

/**
 * Two flow logs can watch the same network interface (a VPC-level log and a subnet- or ENI-level one, each
 * with its own format and aggregation interval), and each delivers the same traffic. Counting both would
 * double every byte, so an account-hour counts, per interface, the traffic of ONE flow log: the one with the
 * most flows for that interface in the hour (a log that dropped records, SKIPDATA, or started late has
 * fewer), ties broken by the lower flow-log id. The compaction folds each flow log's files apart (one
 * FlowHourAggregator per log) and merges the results here; the flows of the other logs on that interface
 * are counted as `duplicateLogFlows`, never added. An instance keyed `instance:<id>` in one log (a format
 * without interface-id) and by its ENIs in another is one traffic too, once the mapping is known
 * (instance-keys.ts): one side is kept, the other counted as duplicates.
 */

/** One flow log's aggregate of the account-hour. */
export interface LogHour {
  flowLogId: string;
  hour: FlowHour;
}

/** Which flow log counts for an interface, and what the others delivered for it (left out). */
export interface InterfaceSource {
  flowLogId: string;
  /** OK flows of the other flow logs on this interface in the hour: the same traffic, not counted again. */
  duplicateLogFlows: number;
}

export interface MergedFlowHour extends FlowHour {
  /** Interface id → the flow log whose traffic is kept. */
  sources: Record<string, InterfaceSource>;
  counts: FlowHour['counts'] & { duplicateLogFlows: number };
}

const flowsOf = (iface: InterfaceHour): number => iface.totals.in.flows + iface.totals.out.flows + iface.totals.unknown.flows;
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `storedMappings`: instance → its ENIs as stored (CloudTrail, earlier hours), for the instances instancesToResolve names. */
export function mergeFlowLogs(accountId: string, hour: string, logs: readonly LogHour[], storedMappings: ReadonlyMap<string, readonly string[]> = new Map()): MergedFlowHour {
  const ordered = [...logs].sort((a, b) => byString(a.flowLogId, b.flowLogId));
  if (ordered.length <= 1) return single(accountId, hour, ordered[0]);

  // 1. Per interface, the log with the most flows (the first in id order on a tie), and the others' flows.
  const chosen = new Map<string, { log: LogHour; iface: InterfaceHour; flows: number }>();
  const offered = new Map<string, number>();
  for (const log of ordered)
    for (const iface of log.hour.interfaces) {
      const flows = flowsOf(iface);
      offered.set(iface.interfaceId, (offered.get(iface.interfaceId) ?? 0) + flows);
      const current = chosen.get(iface.interfaceId);
      if (!current || flows > current.flows) chosen.set(iface.interfaceId, { log, iface, flows });
    }
  // 1b. An instance's `instance:<id>` traffic and its ENIs' traffic in another log: one side only.
  const chargedTo = new Map<string, number>();
  for (const [dropped, keeper] of sameTrafficDrops(chosen, interfaceInstances(ordered, storedMappings))) {
    chosen.delete(dropped);
    chargedTo.set(keeper, (chargedTo.get(keeper) ?? 0) + (offered.get(dropped) ?? 0));
  }

  // 2. The kept interfaces; what identifies them (instance, VPC, subnet) is the union of what the logs say:
  // a custom format's instance-id names the instance even when the default-format log's traffic is kept.
  const sources: Record<string, InterfaceSource> = {};
  const interfaces: InterfaceHour[] = [];
  let duplicateLogFlows = 0;
  let flows = 0;
  let nodata = 0;
  let skipdata = 0;
  for (const interfaceId of [...chosen.keys()].sort(byString)) {
    const { log, iface, flows: kept } = chosen.get(interfaceId) as { log: LogHour; iface: InterfaceHour; flows: number };
    const duplicates = (offered.get(interfaceId) ?? 0) - kept + (chargedTo.get(interfaceId) ?? 0);
    sources[interfaceId] = { flowLogId: log.flowLogId, duplicateLogFlows: duplicates };
    duplicateLogFlows += duplicates;
    flows += kept;
    nodata += iface.nodata;
    skipdata += iface.skipdata;
    interfaces.push(withIdentity(iface, ordered));
  }

  // 3. The peer index: only the kept log's pairs of each interface, then the stored caps over the union.
  const peers: FlowHour['peers'] = {};
  const peerPorts: FlowHour['peerPorts'] = {};
  let cappedPeers = 0;
  for (const log of ordered)
    for (const [peer, byInterface] of Object.entries(log.hour.peers))
      for (const [interfaceId, counts] of Object.entries(byInterface)) {
        if (sources[interfaceId]?.flowLogId !== log.flowLogId) continue;
        (peers[peer] ??= {})[interfaceId] = counts;
        (peerPorts[peer] ??= {})[interfaceId] = log.hour.peerPorts[peer]?.[interfaceId] ?? [];
      }
  // A log's own capped pairs cannot be told apart by interface: those of every log whose traffic is kept
  // somewhere are counted (an upper bound).
  const keptLogs = new Set(Object.values(sources).map((source) => source.flowLogId));
  for (const log of ordered) if (keptLogs.has(log.flowLogId)) cappedPeers += log.hour.cappedPeers;
  cappedPeers += capPeers(peers, peerPorts);

  const outsideHour = ordered.reduce((sum, log) => sum + log.hour.counts.outsideHour, 0);
  return {
    accountId,
    hour,
    interfaces,
    peers: sortedKeys(peers),
    peerPorts: sortedKeys(peerPorts),
    cappedPeers,
    counts: { flows, nodata, skipdata, outsideHour, duplicateLogFlows },
    sources,
  };
}

/** One flow log (or none): its aggregate as it is. */
function single(accountId: string, hour: string, log: LogHour | undefined): MergedFlowHour {
  if (!log) return { accountId, hour, interfaces: [], peers: {}, peerPorts: {}, cappedPeers: 0, counts: { flows: 0, nodata: 0, skipdata: 0, outsideHour: 0, duplicateLogFlows: 0 }, sources: {} };
  const sources: Record<string, InterfaceSource> = {};
  for (const iface of log.hour.interfaces) sources[iface.interfaceId] = { flowLogId: log.flowLogId, duplicateLogFlows: 0 };
  // Copied by descriptors, not spread: a spread would build the peer records an aggregator's hour keeps in
  // its pair table (and drop the view its peer index is encoded from, peer-index-view.ts).
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(log.hour)) as FlowHour;
  return Object.assign(copy, { counts: { ...log.hour.counts, duplicateLogFlows: 0 }, sources });
}

function withIdentity(iface: InterfaceHour, logs: readonly LogHour[]): InterfaceHour {
  if (iface.instanceId && iface.vpcId && iface.subnetId) return iface;
  let { instanceId, vpcId, subnetId } = iface;
  for (const log of logs) {
    const other = log.hour.interfaces.find((candidate) => candidate.interfaceId === iface.interfaceId);
    if (!other) continue;
    instanceId ??= other.instanceId;
    vpcId ??= other.vpcId;
    subnetId ??= other.subnetId;
  }
  const identity = { ...(instanceId ? { instanceId } : {}), ...(vpcId ? { vpcId } : {}), ...(subnetId ? { subnetId } : {}) };
  // Copied by descriptors, not spread: a spread would build the rows an aggregator's hour keeps in its
  // tables (and drop the view its item is encoded from, flow-row-view.ts).
  return Object.assign(Object.defineProperties({}, Object.getOwnPropertyDescriptors(iface)), identity) as InterfaceHour;
}

/**
 * Each aggregator holds at most MAX_PEERS peers and MAX_PEER_PAIRS pairs; the union of several may hold more.
 * The peers with the fewest bytes go first (as the stored index is cut to size); returns the flows dropped.
 */
function capPeers(peers: FlowHour['peers'], peerPorts: FlowHour['peerPorts']): number {
  const names = Object.keys(peers);
  let pairs = 0;
  for (const name of names) pairs += Object.keys(peers[name]).length;
  if (names.length <= MAX_PEERS && pairs <= MAX_PEER_PAIRS) return 0;
  const bytesOf = (name: string): number => Object.values(peers[name]).reduce((sum, counts: PeerCounts) => sum + counts[0] + counts[1], 0);
  const ranked = names.map((name) => ({ name, bytes: bytesOf(name) })).sort((a, b) => a.bytes - b.bytes || byString(a.name, b.name));
  let dropped = 0;
  let peerCount = names.length;
  for (const { name } of ranked) {
    if (peerCount <= MAX_PEERS && pairs <= MAX_PEER_PAIRS) break;
    for (const counts of Object.values(peers[name])) {
      dropped += counts[3];
      pairs--;
    }
    delete peers[name];
    delete peerPorts[name];
    peerCount--;
  }
  return dropped;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const key of Object.keys(record).sort(byString)) sorted[key] = record[key];
  return sorted;
}
