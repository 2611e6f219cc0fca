import { interfaceRows, type FlowInterfaceItem } from './flow-items';
import type { InstanceNetwork, NetworkPeer } from './network-types';

export type { InstanceNetwork, NetworkBaseline, NetworkPeer, NetworkPort, NetworkSection, RejectedTraffic } from './network-types';

/**
 * The investigation report's network section (issue 10 §3), folded from an instance's interface-hour items
 * (pure: the reads are in lambdas/queries/instance-network.ts). Per instance: its top peers, the peers and
 * ports of the scope that its own flows of the baseline never showed, the ports on a list of well-known
 * suspicious services, and its rejected traffic by peer and port. Lists are short by construction (the
 * stage's output and the API answer stay small whatever the traffic): counts say how many were left out.
 */
export const NETWORK_LIST_LIMIT = 10;
/** At most this many ports per peer row (the peer index keeps 8 too). */
export const PEER_PORTS_LIMIT = 8;

/**
 * Services whose port is suspicious on a cloud server whatever its history: command and control, anonymity
 * networks, mining pools, backdoors, clear-text or exposed remote administration. The port is the flow's service
 * port, the lower of its two ports (README "VPC Flow Logs"), so a flow between two high ports may land on one
 * of these numbers by chance: a reason to look, not a verdict.
 */
export const SUSPICIOUS_PORTS: Readonly<Record<string, string>> = {
  '6/23': 'TELNET',
  '6/1080': 'SOCKS_PROXY',
  '6/1337': 'BACKDOOR',
  '6/31337': 'BACKDOOR',
  '6/4444': 'BACKDOOR',
  '6/3389': 'REMOTE_ADMIN',
  '6/5900': 'REMOTE_ADMIN',
  '6/5985': 'REMOTE_ADMIN',
  '6/5986': 'REMOTE_ADMIN',
  '6/6667': 'IRC',
  '6/6697': 'IRC',
  '6/9001': 'TOR',
  '6/9030': 'TOR',
  '6/9050': 'TOR',
  '6/9051': 'TOR',
  '6/9150': 'TOR',
  '6/3333': 'MINING_POOL',
  '6/5555': 'MINING_POOL',
  '6/7777': 'MINING_POOL',
  '6/14444': 'MINING_POOL',
  '6/14433': 'MINING_POOL',
  '6/45700': 'MINING_POOL',
  '6/8333': 'CRYPTOCURRENCY_P2P',
  '6/30303': 'CRYPTOCURRENCY_P2P',
};

/** Why a port is listed: not in the instance's baseline, and/or one of SUSPICIOUS_PORTS' services. */
export const NOT_IN_BASELINE = 'NOT_IN_BASELINE';

/** What the baseline reading keeps: sets, not rows, so a 45-day window folds chunk by chunk in bounded memory. */
export interface BaselineFold {
  peers: Set<string>;
  ports: Set<string>;
  hours: Set<string>;
  firstHour?: string;
  cappedFlows: number;
}

export function emptyBaselineFold(): BaselineFold {
  return { peers: new Set(), ports: new Set(), hours: new Set(), cappedFlows: 0 };
}

/** Folds one chunk of baseline items into the sets. */
export function foldBaseline(fold: BaselineFold, items: readonly FlowInterfaceItem[]): BaselineFold {
  for (const item of items) {
    fold.hours.add(item.hour);
    if (fold.firstHour === undefined || item.hour < fold.firstHour) fold.firstHour = item.hour;
    fold.cappedFlows += item.cappedFlows;
    for (const [key] of interfaceRows(item)) {
      const [, , peer, protocol, port] = key.split('|');
      if (peer !== '*') fold.peers.add(peer);
      if (port !== '*') fold.ports.add(`${protocol}/${port}`);
    }
  }
  return fold;
}

interface PeerAcc {
  peer: string;
  bytesIn: number;
  bytesOut: number;
  bytesUnknown: number;
  packets: number;
  flows: number;
  rejected: number;
  ports: Map<string, number>;
  first: number;
  last: number;
}

interface PortAcc {
  port: string;
  bytes: number;
  flows: number;
  rejected: number;
  peers: Map<string, number>;
}

interface RejectAcc {
  peer: string;
  port: string;
  direction: string;
  flows: number;
  packets: number;
  bytes: number;
  first: number;
  last: number;
}

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
const byValueDesc = (map: Map<string, number>, limit: number): string[] =>
  [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit).map(([key]) => key);

function peerView(acc: PeerAcc): NetworkPeer {
  return {
    Peer: acc.peer,
    BytesIn: acc.bytesIn,
    BytesOut: acc.bytesOut,
    BytesUnknownDirection: acc.bytesUnknown,
    Packets: acc.packets,
    Flows: acc.flows,
    RejectedFlows: acc.rejected,
    Ports: byValueDesc(acc.ports, PEER_PORTS_LIMIT),
    FirstSeen: iso(acc.first),
    LastSeen: iso(acc.last),
  };
}

const peerBytes = (acc: PeerAcc): number => acc.bytesIn + acc.bytesOut + acc.bytesUnknown;
const byBytes = (a: PeerAcc, b: PeerAcc): number => peerBytes(b) - peerBytes(a) || b.flows - a.flows || (a.peer < b.peer ? -1 : 1);

export interface InstanceNetworkInput {
  instanceId: string;
  interfaces: readonly string[];
  /** The instance's interface-hour items of the scope's whole hours. */
  scopeItems: readonly FlowInterfaceItem[];
  baseline: BaselineFold;
  baselineWindow: { from: string; to: string };
  /** The scope's first hour start (ISO), against which maturity is measured. */
  scopeStart: string;
  minBaselineDays: number;
}

/** One instance's network section. */
export function instanceNetwork(input: InstanceNetworkInput): InstanceNetwork {
  const peers = new Map<string, PeerAcc>();
  const ports = new Map<string, PortAcc>();
  const rejects = new Map<string, RejectAcc>();
  const totals = { bytesIn: 0, bytesOut: 0, bytesUnknown: 0, flows: 0, rejected: 0, capped: 0 };
  for (const item of input.scopeItems) {
    totals.capped += item.cappedFlows;
    for (const [key, bytes, packets, flows, first, last] of interfaceRows(item)) {
      const [direction, action, peer, protocol, portNumber] = key.split('|');
      const rejected = action === 'REJECT' ? flows : 0;
      if (direction === 'in') totals.bytesIn += bytes;
      else if (direction === 'out') totals.bytesOut += bytes;
      else totals.bytesUnknown += bytes;
      totals.flows += flows;
      totals.rejected += rejected;
      if (peer === '*') continue;
      const port = `${protocol}/${portNumber}`;
      const acc = peers.get(peer) ?? { peer, bytesIn: 0, bytesOut: 0, bytesUnknown: 0, packets: 0, flows: 0, rejected: 0, ports: new Map(), first, last };
      if (direction === 'in') acc.bytesIn += bytes;
      else if (direction === 'out') acc.bytesOut += bytes;
      else acc.bytesUnknown += bytes;
      acc.packets += packets;
      acc.flows += flows;
      acc.rejected += rejected;
      acc.first = Math.min(acc.first, first);
      acc.last = Math.max(acc.last, last);
      if (portNumber !== '*') acc.ports.set(port, (acc.ports.get(port) ?? 0) + bytes);
      peers.set(peer, acc);
      if (portNumber !== '*') {
        const portAcc = ports.get(port) ?? { port, bytes: 0, flows: 0, rejected: 0, peers: new Map() };
        portAcc.bytes += bytes;
        portAcc.flows += flows;
        portAcc.rejected += rejected;
        portAcc.peers.set(peer, (portAcc.peers.get(peer) ?? 0) + bytes);
        ports.set(port, portAcc);
      }
      if (action === 'REJECT') {
        const rejectKey = `${peer}|${port}|${direction}`;
        const reject = rejects.get(rejectKey) ?? { peer, port, direction, flows: 0, packets: 0, bytes: 0, first, last };
        reject.flows += flows;
        reject.packets += packets;
        reject.bytes += bytes;
        reject.first = Math.min(reject.first, first);
        reject.last = Math.max(reject.last, last);
        rejects.set(rejectKey, reject);
      }
    }
  }
  const { baseline } = input;
  const hasBaseline = baseline.hours.size > 0;
  const sortedPeers = [...peers.values()].sort(byBytes);
  const newPeers = hasBaseline ? sortedPeers.filter((acc) => !baseline.peers.has(acc.peer)) : [];
  const unusual = [...ports.values()]
    .map((acc) => ({ acc, reasons: [...(hasBaseline && !baseline.ports.has(acc.port) ? [NOT_IN_BASELINE] : []), ...(SUSPICIOUS_PORTS[acc.port] ? [SUSPICIOUS_PORTS[acc.port]] : [])] }))
    .filter(({ reasons }) => reasons.length > 0)
    .sort((a, b) => b.reasons.length - a.reasons.length || b.acc.bytes - a.acc.bytes || b.acc.flows - a.acc.flows || (a.acc.port < b.acc.port ? -1 : 1));
  const rejected = [...rejects.values()].sort((a, b) => b.flows - a.flows || b.packets - a.packets || (`${a.peer}|${a.port}` < `${b.peer}|${b.port}` ? -1 : 1));
  const dataFrom = baseline.firstHour ? `${baseline.firstHour}:00:00.000Z` : undefined;
  return {
    InstanceId: input.instanceId,
    Interfaces: [...input.interfaces].sort(),
    BytesIn: totals.bytesIn,
    BytesOut: totals.bytesOut,
    BytesUnknownDirection: totals.bytesUnknown,
    Flows: totals.flows,
    RejectedFlows: totals.rejected,
    CappedFlows: totals.capped,
    Peers: peers.size,
    TopPeers: sortedPeers.slice(0, NETWORK_LIST_LIMIT).map(peerView),
    Baseline: {
      StartTime: input.baselineWindow.from,
      EndTime: input.baselineWindow.to,
      ...(dataFrom ? { DataFrom: dataFrom } : {}),
      Hours: baseline.hours.size,
      Mature: dataFrom !== undefined && Date.parse(input.scopeStart) - Date.parse(dataFrom) >= input.minBaselineDays * 86_400_000,
      Peers: baseline.peers.size,
      Ports: baseline.ports.size,
      CappedFlows: baseline.cappedFlows,
    },
    NewPeers: newPeers.slice(0, NETWORK_LIST_LIMIT).map(peerView),
    NewPeerCount: newPeers.length,
    UnusualPorts: unusual.slice(0, NETWORK_LIST_LIMIT).map(({ acc, reasons }) => ({ Port: acc.port, Reasons: reasons, Bytes: acc.bytes, Flows: acc.flows, RejectedFlows: acc.rejected, Peers: byValueDesc(acc.peers, 5) })),
    UnusualPortCount: unusual.length,
    RejectedTraffic: rejected.slice(0, NETWORK_LIST_LIMIT).map((r) => ({ Peer: r.peer, Port: r.port, Direction: r.direction, Flows: r.flows, Packets: r.packets, Bytes: r.bytes, FirstSeen: iso(r.first), LastSeen: iso(r.last) })),
    RejectedTrafficCount: rejected.length,
  };
}

