import { ipMatcher } from '../graph/ip-match';
import type { Direction } from './direction';
import { decodeBody, interfaceRows, type FlowInterfaceItem, type FlowManifestBody, type FlowManifestItem, type FlowPeersBody, type FlowPeersItem } from './flow-items';

/**
 * What the flow-log reads answer, folded from the stored hour items (pure: the reads live in
 * lambdas/queries/flow-queries.ts). Flow data is aggregated per hour, so its finest granularity is HOUR: a
 * scope is widened to the whole hours it overlaps, and the answer says so (`from`, `to`).
 */
export type FlowGranularity = 'HOUR' | 'DAY';

export interface FlowFilter {
  /** An address, a CIDR block or a glob (as the graph API's IP_ADDRESS queries). */
  peer?: string;
  port?: number;
  protocol?: number;
  direction?: Direction;
  action?: 'ACCEPT' | 'REJECT';
}

export interface VolumePoint {
  /** Start of the bucket (ISO). */
  time: string;
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
  flows: number;
  rejectedFlows: number;
  /** Bytes whose direction could not be told (default format, until the interface's address is known). */
  bytesUnknownDirection: number;
}

export interface Breakdown {
  key: string;
  bytes: number;
  packets: number;
  flows: number;
}

export interface InterfaceVolumeView {
  granularity: FlowGranularity;
  from: string;
  to: string;
  interfaces: string[];
  series: VolumePoint[];
  byPeer: Breakdown[];
  byPort: Breakdown[];
  byProtocol: Breakdown[];
  byDirection: Breakdown[];
  byAction: Breakdown[];
  /** Flows folded into `*` rows (caps): totals include them, a filter on peer or port cannot. */
  cappedFlows: number;
}

function bucketOf(hour: string, granularity: FlowGranularity): string {
  return granularity === 'DAY' ? `${hour.slice(0, 10)}T00:00:00.000Z` : `${hour}:00:00.000Z`;
}

function emptyPoint(time: string): VolumePoint {
  return { time, bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0, flows: 0, rejectedFlows: 0, bytesUnknownDirection: 0 };
}

function add(map: Map<string, Breakdown>, key: string, bytes: number, packets: number, flows: number): void {
  const entry = map.get(key) ?? { key, bytes: 0, packets: 0, flows: 0 };
  entry.bytes += bytes;
  entry.packets += packets;
  entry.flows += flows;
  map.set(key, entry);
}

const top = (map: Map<string, Breakdown>, limit: number): Breakdown[] => [...map.values()].sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : 1)).slice(0, limit);

/** Folds interface-hour items (of one or several interfaces) into a series and drill-down breakdowns. */
export function interfaceVolume(items: readonly FlowInterfaceItem[], scope: { from: string; to: string; granularity: FlowGranularity; filter?: FlowFilter; limit?: number }): InterfaceVolumeView {
  const { filter = {}, granularity, limit = 50 } = scope;
  const peerMatches = filter.peer ? ipMatcher(filter.peer) : undefined;
  const points = new Map<string, VolumePoint>();
  const maps = { peer: new Map<string, Breakdown>(), port: new Map<string, Breakdown>(), protocol: new Map<string, Breakdown>(), direction: new Map<string, Breakdown>(), action: new Map<string, Breakdown>() };
  let cappedFlows = 0;
  for (const item of items) {
    cappedFlows += item.cappedFlows;
    const time = bucketOf(item.hour, granularity);
    const point = points.get(time) ?? emptyPoint(time);
    points.set(time, point);
    for (const [key, bytes, packets, flows] of interfaceRows(item)) {
      const [direction, action, peer, protocol, port] = key.split('|');
      if (filter.direction && direction !== filter.direction) continue;
      if (filter.action && action !== filter.action) continue;
      if (filter.protocol !== undefined && protocol !== String(filter.protocol)) continue;
      if (filter.port !== undefined && port !== String(filter.port)) continue;
      if (peerMatches && (peer === '*' || !peerMatches(peer))) continue;
      if (direction === 'in') {
        point.bytesIn += bytes;
        point.packetsIn += packets;
      } else if (direction === 'out') {
        point.bytesOut += bytes;
        point.packetsOut += packets;
      } else point.bytesUnknownDirection += bytes;
      point.flows += flows;
      if (action === 'REJECT') point.rejectedFlows += flows;
      add(maps.peer, peer, bytes, packets, flows);
      add(maps.port, `${protocol}/${port}`, bytes, packets, flows);
      add(maps.protocol, protocol, bytes, packets, flows);
      add(maps.direction, direction, bytes, packets, flows);
      add(maps.action, action, bytes, packets, flows);
    }
  }
  return {
    granularity,
    from: scope.from,
    to: scope.to,
    interfaces: [...new Set(items.map((item) => item.interfaceId))].sort(),
    series: [...points.values()].sort((a, b) => (a.time < b.time ? -1 : 1)),
    byPeer: top(maps.peer, limit),
    byPort: top(maps.port, limit),
    byProtocol: top(maps.protocol, limit),
    byDirection: top(maps.direction, limit),
    byAction: top(maps.action, limit),
    cappedFlows,
  };
}

export interface PeerInterface {
  interfaceId: string;
  instanceId?: string;
  accountId: string;
  /** The matching peer addresses (a CIDR query may match several). */
  peers: string[];
  bytesIn: number;
  bytesOut: number;
  /** Bytes whose direction could not be told (peer index v2; a v1 index counted them as out). */
  bytesUnknownDirection: number;
  packets: number;
  flows: number;
  rejectedFlows: number;
  ports: string[];
  firstSeen: string;
  lastSeen: string;
}

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** The interfaces (and instances) that talked to an address or a CIDR block, from the hours' peer indexes. */
export function peersOf(items: readonly FlowPeersItem[], query: string): { interfaces: PeerInterface[]; truncatedPeers: number } {
  const matches = ipMatcher(query);
  const byInterface = new Map<string, PeerInterface & { first: number; last: number }>();
  let truncatedPeers = 0;
  for (const item of items) {
    const body = decodeBody<FlowPeersBody>(item.body);
    truncatedPeers += body.truncatedPeers;
    for (const [peer, entries] of Object.entries(body.peers)) {
      if (!matches(peer)) continue;
      for (const [index, bytesIn, bytesOut, packets, flows, rejected, first, last, ports, bytesUnknown = 0] of entries) {
        const [interfaceId, instanceId] = body.interfaces[index];
        const key = `${item.accountId}|${interfaceId}`;
        const view = byInterface.get(key) ?? { interfaceId, ...(instanceId ? { instanceId } : {}), accountId: item.accountId, peers: [], bytesIn: 0, bytesOut: 0, bytesUnknownDirection: 0, packets: 0, flows: 0, rejectedFlows: 0, ports: [], firstSeen: '', lastSeen: '', first: first, last: last };
        if (!view.peers.includes(peer)) view.peers.push(peer);
        view.bytesIn += bytesIn;
        view.bytesOut += bytesOut;
        view.bytesUnknownDirection += bytesUnknown;
        view.packets += packets;
        view.flows += flows;
        view.rejectedFlows += rejected;
        for (const port of ports) if (!view.ports.includes(port)) view.ports.push(port);
        view.first = Math.min(view.first, first);
        view.last = Math.max(view.last, last);
        byInterface.set(key, view);
      }
    }
  }
  const interfaces = [...byInterface.values()]
    .map(({ first, last, ...view }) => ({ ...view, peers: view.peers.sort(), ports: view.ports.sort(), firstSeen: iso(first), lastSeen: iso(last) }))
    .sort((a, b) => b.bytesIn + b.bytesOut + b.bytesUnknownDirection - (a.bytesIn + a.bytesOut + a.bytesUnknownDirection) || (a.interfaceId < b.interfaceId ? -1 : 1));
  return { interfaces, truncatedPeers };
}

export interface TrafficRank {
  /** The instance, or the interface when no instance is known for it. */
  instanceId?: string;
  interfaceIds: string[];
  accountId: string;
  bytesIn: number;
  bytesOut: number;
  bytesUnknownDirection: number;
  rejectedFlows: number;
}

/** The instances (or interfaces) with the most traffic, from the hours' manifests. */
export function topByTraffic(manifests: readonly FlowManifestItem[], limit: number, instanceOf: ReadonlyMap<string, string> = new Map()): { ranks: TrafficRank[]; truncatedInterfaces: number } {
  const byKey = new Map<string, TrafficRank>();
  let truncatedInterfaces = 0;
  for (const manifest of manifests) {
    const body = decodeBody<FlowManifestBody>(manifest.body);
    truncatedInterfaces += body.truncatedInterfaces;
    for (const [interfaceId, recordedInstance, bytesIn, bytesOut, bytesUnknown, rejected] of body.interfaces) {
      const instanceId = recordedInstance ?? instanceOf.get(interfaceId) ?? (interfaceId.startsWith('instance:') ? interfaceId.slice('instance:'.length) : undefined);
      const key = `${manifest.accountId}|${instanceId ?? interfaceId}`;
      const rank = byKey.get(key) ?? { ...(instanceId ? { instanceId } : {}), interfaceIds: [], accountId: manifest.accountId, bytesIn: 0, bytesOut: 0, bytesUnknownDirection: 0, rejectedFlows: 0 };
      if (!rank.interfaceIds.includes(interfaceId)) rank.interfaceIds.push(interfaceId);
      rank.bytesIn += bytesIn;
      rank.bytesOut += bytesOut;
      rank.bytesUnknownDirection += bytesUnknown;
      rank.rejectedFlows += rejected;
      byKey.set(key, rank);
    }
  }
  const total = (rank: TrafficRank): number => rank.bytesIn + rank.bytesOut + rank.bytesUnknownDirection;
  const ranks = [...byKey.values()].sort((a, b) => total(b) - total(a) || ((a.instanceId ?? a.interfaceIds[0]) < (b.instanceId ?? b.interfaceIds[0]) ? -1 : 1)).slice(0, limit);
  for (const rank of ranks) rank.interfaceIds.sort();
  return { ranks, truncatedInterfaces };
}
