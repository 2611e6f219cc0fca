import { InterfaceAddresses, type Direction, type Resolved } from './direction';
import type { FlowRecord } from './flow-record';

/**
 * Folds one account-hour of flow records into one aggregate per network interface (ENI) and a peer index:
 * what the compaction stores, whatever the number of records or files. Records are assigned to the hour of
 * their `start`; the caller feeds the records of the hour's objects, each object once.
 */

/** One drill-down row: [bytes, packets, flows, first start, last end] (Unix seconds). */
export type FlowCounts = [number, number, number, number, number];
/** A drill-down row with its key (as stored): [key, bytes, packets, flows, first start, last end]. */
export type FlowRow = [string, ...FlowCounts];

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
  rows: readonly FlowRow[];
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

/** One drill-down row while aggregating; the rows of one peer and interface form a short list. */
class RowNode {
  constructor(
    /** Direction, action, protocol and port as one small integer (see rowCode). */
    readonly code: number,
    public bytes: number,
    public packets: number,
    public flows: number,
    public first: number,
    public last: number,
    public next: RowNode | undefined,
  ) {}
}

/**
 * What one interface holds about one peer: its drill-down rows and its peer-index counts. One object per
 * peer and interface, keyed by the peer's number: a record allocates nothing once its row exists.
 */
class PeerLink {
  rows: RowNode | undefined = undefined;
  paired = false;
  bytesIn = 0;
  bytesOut = 0;
  packets = 0;
  flows = 0;
  rejectedFlows = 0;
  first = 0;
  last = 0;
  ports: number[] = [];
}

interface InterfaceState extends Omit<InterfaceHour, 'rows'> {
  addresses: InterfaceAddresses;
  /** Peer number → what the interface holds about that peer. */
  links: Map<number, PeerLink>;
  /** The `*` rows (direction × action) of flows beyond the row cap. */
  stars: (RowNode | undefined)[];
  rowCount: number;
}

const DIRECTION_INDEX: Readonly<Record<Direction, number>> = { in: 0, out: 1, unknown: 2 };

/** Protocol and port as one number (-1 for either when the record had none), and back to `<protocol>/<port>`. */
const PORT_SPAN = 65537;
const portCode = (protocol: number, port: number): number => (protocol + 1) * PORT_SPAN + (port + 1);
function portName(code: number): string {
  const protocol = Math.floor(code / PORT_SPAN);
  return `${protocol - 1}/${code - protocol * PORT_SPAN - 1}`;
}
/** Direction, action and port code in one integer below 2^30: a V8 small integer, compared without allocation. */
const PORT_CODES = 257 * PORT_SPAN;
const rowCode = (directionAction: number, code: number): number => directionAction * PORT_CODES + code;
/** `<direction>|<action>|` of each direction-action number (direction × 2 + rejected). */
const ROW_PREFIXES = ['in|ACCEPT|', 'in|REJECT|', 'out|ACCEPT|', 'out|REJECT|', 'unknown|ACCEPT|', 'unknown|REJECT|'];

export class FlowHourAggregator {
  readonly counts = { flows: 0, nodata: 0, skipdata: 0, outsideHour: 0 };
  private readonly interfaces = new Map<string, InterfaceState>();
  /**
   * Peer address → number, given when a row or a peer-index pair first needs it (so bounded by the rows and
   * pairs held), and back. Records then aggregate on numbers, not on strings built per record.
   */
  private readonly peerIds = new Map<string, number>();
  private readonly peerNames: string[] = [];
  /** Per peer number: whether it has a pair in the peer index (the MAX_PEERS cap counts these). */
  private readonly peerPaired: boolean[] = [];
  private pairedPeers = 0;
  private pairs = 0;
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
    const state = this.stateOf(record);
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
    if (resolved) this.foldInto(state, record, resolved);
  }

  finish(): FlowHour {
    for (const state of this.interfaces.values()) state.addresses.flush(this.release);
    const states = [...this.interfaces.values()].sort((a, b) => (a.interfaceId < b.interfaceId ? -1 : a.interfaceId > b.interfaceId ? 1 : 0));
    const interfaces = states.map((state) => this.interfaceHour(state));
    // The peer index in the order of `<peer> <interface>` (a space sorts before any address character).
    const byPeer = new Map<number, { interfaceId: string; link: PeerLink }[]>();
    for (const state of states)
      for (const [peerId, link] of state.links) {
        if (!link.paired) continue;
        const list = byPeer.get(peerId);
        if (list) list.push({ interfaceId: state.interfaceId, link });
        else byPeer.set(peerId, [{ interfaceId: state.interfaceId, link }]);
      }
    const peers: FlowHour['peers'] = {};
    const peerPorts: FlowHour['peerPorts'] = {};
    const ordered = [...byPeer].map(([peerId, list]) => ({ peer: this.peerNames[peerId], list })).sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0));
    for (const { peer, list } of ordered) {
      const counts: Record<string, PeerCounts> = (peers[peer] = {});
      const ports: Record<string, string[]> = (peerPorts[peer] = {});
      for (const { interfaceId, link } of list) {
        counts[interfaceId] = [link.bytesIn, link.bytesOut, link.packets, link.flows, link.rejectedFlows, link.first, link.last];
        ports[interfaceId] = link.ports.map(portName).sort();
      }
    }
    return { accountId: this.accountId, hour: this.hour, interfaces, peers, peerPorts, cappedPeers: this.cappedPeers, counts: { ...this.counts } };
  }

  /** The interface's rows under their documented keys, `<direction>|<action>|<peer>|<protocol>|<port>`. */
  private interfaceHour(state: InterfaceState): InterfaceHour {
    const rows: FlowRow[] = [];
    const put = (peer: string, row: RowNode, protocolPort: string) => rows.push([ROW_PREFIXES[Math.floor(row.code / PORT_CODES)] + peer + protocolPort, row.bytes, row.packets, row.flows, row.first, row.last]);
    for (const [peerId, link] of state.links) {
      const peer = this.peerNames[peerId];
      for (let row = link.rows; row; row = row.next) {
        const ports = row.code % PORT_CODES;
        const protocol = Math.floor(ports / PORT_SPAN);
        put(peer, row, `|${protocol - 1}|${ports - protocol * PORT_SPAN - 1}`);
      }
    }
    for (const star of state.stars) if (star) put('*', star, '|*|*');
    const { interfaceId, instanceId, vpcId, subnetId, totals, cappedFlows, first, last, nodata, skipdata } = state;
    return { interfaceId, ...(instanceId ? { instanceId } : {}), ...(vpcId ? { vpcId } : {}), ...(subnetId ? { subnetId } : {}), totals, rows, cappedFlows, first, last, nodata, skipdata };
  }

  private stateOf(record: FlowRecord): InterfaceState {
    const id = record.interfaceId ?? `instance:${record.instanceId}`;
    let state = this.interfaces.get(id);
    if (!state) {
      state = {
        interfaceId: id,
        totals: { in: emptyTotals(), out: emptyTotals(), unknown: emptyTotals() },
        cappedFlows: 0,
        first: record.start,
        last: record.end,
        nodata: 0,
        skipdata: 0,
        addresses: new InterfaceAddresses(),
        links: new Map(),
        stars: [undefined, undefined, undefined, undefined, undefined, undefined],
        rowCount: 0,
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

  private fold(record: FlowRecord, resolved: Resolved): void {
    this.foldInto(this.interfaces.get(record.interfaceId ?? `instance:${record.instanceId}`) as InterfaceState, record, resolved);
  }

  private foldInto(state: InterfaceState, record: FlowRecord, { direction, peer }: Resolved): void {
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
    const ports = portCode(protocol, port);
    const directionAction = DIRECTION_INDEX[direction] * 2 + (rejected ? 1 : 0);
    const code = rowCode(directionAction, ports);
    const peerId = this.peerIds.get(peer);
    let link = peerId === undefined ? undefined : state.links.get(peerId);
    let row = link?.rows;
    while (row !== undefined && row.code !== code) row = row.next;
    if (row !== undefined) addTo(row, record);
    else if (state.rowCount >= MAX_ROWS_PER_INTERFACE) {
      state.cappedFlows++;
      const star = state.stars[directionAction];
      if (star) addTo(star, record);
      else {
        state.stars[directionAction] = new RowNode(code, record.bytes, record.packets, 1, record.start, record.end, undefined);
        state.rowCount++;
      }
    } else {
      link ??= this.linkOf(state, peer);
      link.rows = new RowNode(code, record.bytes, record.packets, 1, record.start, record.end, link.rows);
      state.rowCount++;
    }
    this.foldPeer(state, link, peer, direction, record, rejected, ports);
  }

  private linkOf(state: InterfaceState, peer: string): PeerLink {
    let peerId = this.peerIds.get(peer);
    if (peerId === undefined) {
      peerId = this.peerNames.length;
      this.peerIds.set(peer, peerId);
      this.peerNames.push(peer);
      this.peerPaired.push(false);
    }
    let link = state.links.get(peerId);
    if (!link) state.links.set(peerId, (link = new PeerLink()));
    return link;
  }

  private foldPeer(state: InterfaceState, known: PeerLink | undefined, peer: string, direction: Direction, record: FlowRecord, rejected: boolean, code: number): void {
    const bytesIn = direction === 'in' ? record.bytes : 0;
    const bytesOut = direction === 'in' ? 0 : record.bytes;
    if (known?.paired) {
      known.bytesIn += bytesIn;
      known.bytesOut += bytesOut;
      known.packets += record.packets;
      known.flows++;
      if (rejected) known.rejectedFlows++;
      if (record.start < known.first) known.first = record.start;
      if (record.end > known.last) known.last = record.end;
      const ports = known.ports;
      if (ports.length < MAX_PEER_PORTS && !ports.includes(code)) ports.push(code);
      return;
    }
    if (this.pairs >= MAX_PEER_PAIRS) {
      this.cappedPeers++;
      return;
    }
    const peerId = this.peerIds.get(peer);
    if (peerId === undefined || !this.peerPaired[peerId]) {
      if (this.pairedPeers >= MAX_PEERS) {
        this.cappedPeers++;
        return;
      }
    }
    const link = known ?? this.linkOf(state, peer);
    const id = this.peerIds.get(peer) as number;
    if (!this.peerPaired[id]) {
      this.peerPaired[id] = true;
      this.pairedPeers++;
    }
    this.pairs++;
    link.paired = true;
    link.bytesIn = bytesIn;
    link.bytesOut = bytesOut;
    link.packets = record.packets;
    link.flows = 1;
    link.rejectedFlows = rejected ? 1 : 0;
    link.first = record.start;
    link.last = record.end;
    link.ports = [code];
  }
}

function addTo(row: RowNode, record: FlowRecord): void {
  row.bytes += record.bytes;
  row.packets += record.packets;
  row.flows++;
  if (record.start < row.first) row.first = record.start;
  if (record.end > row.last) row.last = record.end;
}
