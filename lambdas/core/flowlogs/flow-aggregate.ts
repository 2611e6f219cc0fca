import { InterfaceAddresses, type Direction, type Resolved } from './direction';
import type { FlowRecord } from './flow-record';

/**
 * Folds one account-hour of flow records into one aggregate per network interface (ENI) and a peer index:
 * what the compaction stores, whatever the number of records or files. Records are assigned to the hour of
 * their `start`; the caller feeds the records of the hour's objects, each object once.
 */

/** One drill-down row: [bytes, packets, flows, first start, last end] (Unix seconds). */
export type FlowCounts = [number, number, number, number, number];

export interface DirectionTotals {
  bytes: number;
  packets: number;
  flows: number;
  rejectedBytes: number;
  rejectedPackets: number;
  rejectedFlows: number;
}

export interface InterfaceHour {
  interfaceId: string;
  instanceId?: string;
  vpcId?: string;
  subnetId?: string;
  totals: Record<Direction, DirectionTotals>;
  /** `<direction>|<ACCEPT|REJECT>|<peer>|<protocol>|<port>` → counts. The port is the lower of the two (the service's). */
  rows: ReadonlyMap<string, FlowCounts>;
  /** Flows folded into a `*` peer row because the interface's rows reached their cap. */
  cappedFlows: number;
  first: number;
  last: number;
  nodata: number;
  skipdata: number;
}

/** Per peer address: the interfaces it talked to, with [bytes in, bytes out, packets, flows, rejected flows, first, last]. */
export type PeerCounts = [number, number, number, number, number, number, number];

export interface FlowHour {
  accountId: string;
  hour: string;
  interfaces: InterfaceHour[];
  /** peer → interface id → counts. */
  peers: Record<string, Record<string, PeerCounts>>;
  /** Ports seen per peer and interface (at most MAX_PEER_PORTS each), `<protocol>/<port>`. */
  peerPorts: Record<string, Record<string, string[]>>;
  cappedPeers: number;
  counts: { flows: number; nodata: number; skipdata: number; outsideHour: number };
}

/** Live rows per interface and hour: a scanned host sees a new peer per probe, and memory must stay bounded. */
export const MAX_ROWS_PER_INTERFACE = 4000;
/** Distinct peer addresses per account-hour in the peer index. */
export const MAX_PEERS = 50_000;
export const MAX_PEER_PORTS = 8;
/** Peer-interface pairs per account-hour: what bounds the peer index's memory when every record pairs anew. */
export const MAX_PEER_PAIRS = 100_000;

const HOUR_SECONDS = 3600;

function emptyTotals(): DirectionTotals {
  return { bytes: 0, packets: 0, flows: 0, rejectedBytes: 0, rejectedPackets: 0, rejectedFlows: 0 };
}

interface InterfaceState extends InterfaceHour {
  addresses: InterfaceAddresses;
  rows: Map<string, FlowCounts>;
}

/** Protocol and port as one number (-1 for either when the record had none), and back to `<protocol>/<port>`. */
const PORT_SPAN = 65537;
const portCode = (protocol: number, port: number): number => (protocol + 1) * PORT_SPAN + (port + 1);
function portName(code: number): string {
  const protocol = Math.floor(code / PORT_SPAN);
  return `${protocol - 1}/${code - protocol * PORT_SPAN - 1}`;
}

export class FlowHourAggregator {
  readonly counts = { flows: 0, nodata: 0, skipdata: 0, outsideHour: 0 };
  private readonly interfaces = new Map<string, InterfaceState>();
  /** `<peer> <interface>` → counts, then the port codes seen (one entry per pair: few allocations per record). */
  private readonly pairs = new Map<string, [...PeerCounts, number[]]>();
  private readonly peerNames = new Set<string>();
  private cappedPeers = 0;
  private readonly hourStart: number;
  private readonly release = (record: FlowRecord, resolved: Resolved): void => this.fold(record, resolved);

  constructor(
    readonly accountId: string,
    readonly hour: string,
  ) {
    this.hourStart = Date.parse(`${hour}:00:00Z`) / 1000;
  }

  /** Adds a record of the object; `fallbackAccountId` is the object key's account, for formats without account-id. */
  add(record: FlowRecord, fallbackAccountId?: string): void {
    if ((record.accountId ?? fallbackAccountId) !== this.accountId || record.start < this.hourStart || record.start >= this.hourStart + HOUR_SECONDS) {
      this.counts.outsideHour++;
      return;
    }
    const id = record.interfaceId ?? `instance:${record.instanceId}`;
    const state = this.stateOf(id, record);
    if (record.logStatus !== 'OK') {
      if (record.logStatus === 'NODATA') {
        state.nodata++;
        this.counts.nodata++;
      } else {
        state.skipdata++;
        this.counts.skipdata++;
      }
      return;
    }
    const resolved = state.addresses.resolve(record, this.release);
    if (resolved) this.fold(record, resolved);
  }

  finish(): FlowHour {
    for (const state of this.interfaces.values()) state.addresses.flush(this.release);
    const interfaces = [...this.interfaces.values()]
      .map(({ addresses: _addresses, ...rest }): InterfaceHour => rest)
      .sort((a, b) => (a.interfaceId < b.interfaceId ? -1 : a.interfaceId > b.interfaceId ? 1 : 0));
    const peers: FlowHour['peers'] = {};
    const peerPorts: FlowHour['peerPorts'] = {};
    for (const [pair, entry] of [...this.pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const space = pair.indexOf(' ');
      const peer = pair.slice(0, space);
      const interfaceId = pair.slice(space + 1);
      (peers[peer] ??= {})[interfaceId] = entry.slice(0, 7) as PeerCounts;
      (peerPorts[peer] ??= {})[interfaceId] = entry[7].map(portName).sort();
    }
    return { accountId: this.accountId, hour: this.hour, interfaces, peers, peerPorts, cappedPeers: this.cappedPeers, counts: { ...this.counts } };
  }

  private stateOf(id: string, record: FlowRecord): InterfaceState {
    let state = this.interfaces.get(id);
    if (!state) {
      state = {
        interfaceId: id,
        totals: { in: emptyTotals(), out: emptyTotals(), unknown: emptyTotals() },
        rows: new Map(),
        cappedFlows: 0,
        first: record.start,
        last: record.end,
        nodata: 0,
        skipdata: 0,
        addresses: new InterfaceAddresses(),
      };
      this.interfaces.set(id, state);
    }
    // The first value seen wins, so the result does not depend on which record came last.
    if (record.instanceId && !state.instanceId) state.instanceId = record.instanceId;
    if (record.vpcId && !state.vpcId) state.vpcId = record.vpcId;
    if (record.subnetId && !state.subnetId) state.subnetId = record.subnetId;
    if (record.start < state.first) state.first = record.start;
    if (record.end > state.last) state.last = record.end;
    return state;
  }

  private fold(record: FlowRecord, { direction, peer }: Resolved): void {
    const state = this.interfaces.get(record.interfaceId ?? `instance:${record.instanceId}`) as InterfaceState;
    this.counts.flows++;
    const rejected = record.action === 'REJECT';
    const totals = state.totals[direction];
    totals.bytes += record.bytes;
    totals.packets += record.packets;
    totals.flows++;
    if (rejected) {
      totals.rejectedBytes += record.bytes;
      totals.rejectedPackets += record.packets;
      totals.rejectedFlows++;
    }
    const protocol = record.protocol ?? -1;
    const port = record.srcport !== undefined && record.dstport !== undefined ? Math.min(record.srcport, record.dstport) : (record.dstport ?? -1);
    const action = record.action ?? 'ACCEPT';
    let key = `${direction}|${action}|${peer}|${protocol}|${port}`;
    let row = state.rows.get(key);
    if (!row && state.rows.size >= MAX_ROWS_PER_INTERFACE) {
      state.cappedFlows++;
      key = `${direction}|${action}|*|*|*`;
      row = state.rows.get(key);
    }
    if (!row) state.rows.set(key, [record.bytes, record.packets, 1, record.start, record.end]);
    else {
      row[0] += record.bytes;
      row[1] += record.packets;
      row[2]++;
      if (record.start < row[3]) row[3] = record.start;
      if (record.end > row[4]) row[4] = record.end;
    }
    this.foldPeer(peer, state.interfaceId, direction, record, rejected, protocol, port);
  }

  private foldPeer(peer: string, interfaceId: string, direction: Direction, record: FlowRecord, rejected: boolean, protocol: number, port: number): void {
    const pair = `${peer} ${interfaceId}`;
    const counts = this.pairs.get(pair);
    const bytesIn = direction === 'in' ? record.bytes : 0;
    const bytesOut = direction === 'in' ? 0 : record.bytes;
    const code = portCode(protocol, port);
    if (!counts) {
      if (this.pairs.size >= MAX_PEER_PAIRS) {
        this.cappedPeers++;
        return;
      }
      if (!this.peerNames.has(peer)) {
        if (this.peerNames.size >= MAX_PEERS) {
          this.cappedPeers++;
          return;
        }
        this.peerNames.add(peer);
      }
      this.pairs.set(pair, [bytesIn, bytesOut, record.packets, 1, rejected ? 1 : 0, record.start, record.end, [code]]);
      return;
    }
    counts[0] += bytesIn;
    counts[1] += bytesOut;
    counts[2] += record.packets;
    counts[3]++;
    if (rejected) counts[4]++;
    if (record.start < counts[5]) counts[5] = record.start;
    if (record.end > counts[6]) counts[6] = record.end;
    const ports = counts[7];
    if (ports.length < MAX_PEER_PORTS && !ports.includes(code)) ports.push(code);
  }
}
