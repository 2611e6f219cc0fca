import { InterfaceAddresses, type Direction, type Resolved } from './direction';
import type { FlowRecord } from './flow-record';
import { LINK_PORTS, LinkTable, PairTable, RowTable } from './flow-tables';
import { attachRowView, InterfaceRowView, portCode, rowCode } from './flow-row-view';
import { attachPeerView, PeerIndexView, tablePairList } from './peer-index-view';

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
  /**
   * peer → interface id → counts. In an hour from `finish()` these records (and `peerPorts`) are built from
   * the pair table only when read; the stored peer index is encoded from the table (peer-index-view.ts).
   */
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
export const MAX_PEER_PORTS = LINK_PORTS;
/** Peer-interface pairs per account-hour: what bounds the peer index's memory when every record pairs anew. */
export const MAX_PEER_PAIRS = 100_000;

const HOUR_SECONDS = 3600;

function emptyTotals(): DirectionTotals {
  return { bytes: 0, packets: 0, flows: 0, rejectedBytes: 0, rejectedPackets: 0, rejectedFlows: 0 };
}

interface InterfaceState extends Omit<InterfaceHour, 'rows'> {
  /** The interface's number in the link table. */
  index: number;
  addresses: InterfaceAddresses;
  /** The `*` rows (direction × action) of flows beyond the row cap, -1 until one is needed. */
  stars: number[];
  rowCount: number;
}

const NONE = -1;
const DIRECTION_INDEX: Readonly<Record<Direction, number>> = { in: 0, out: 1, unknown: 2 };

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
  private readonly rows = new RowTable();
  private readonly links = new LinkTable();
  private readonly pairTable = new PairTable();
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
    // Each interface's links, in the order they were made.
    const linksOf: number[][] = states.map(() => []);
    const { links } = this;
    for (let link = 0; link < links.size; link++) linksOf[links.iface(link)].push(link);
    const interfaces = states.map((state) => this.interfaceHour(state, linksOf[state.index]));
    // `peers` and `peerPorts` hold their places in the key order; attachPeerView makes them the view's lazily built records.
    const hour: FlowHour = { accountId: this.accountId, hour: this.hour, interfaces, peers: {}, peerPorts: {}, cappedPeers: this.cappedPeers, counts: { ...this.counts } };
    return attachPeerView(hour, this.peerIndex(states, linksOf));
  }

  /**
   * The peer index in the order of `<peer> <interface>` (a space sorts before any address character): per
   * peer, its paired links in interface order, in one array (a counting sort by peer number; no object or
   * array per peer or pair).
   */
  private peerIndex(states: readonly InterfaceState[], linksOf: readonly number[][]): PeerIndexView {
    const links = this.links;
    const peerStarts = new Int32Array(this.peerNames.length + 1);
    for (let link = 0; link < links.size; link++) if (links.pair(link) !== NONE) peerStarts[links.peer(link) + 1]++;
    for (let peerId = 0; peerId < this.peerNames.length; peerId++) peerStarts[peerId + 1] += peerStarts[peerId];
    const pairLinks = new Int32Array(peerStarts[this.peerNames.length]);
    const filled = peerStarts.slice(0, this.peerNames.length);
    const interfaceIds: string[] = [];
    for (const state of states) {
      interfaceIds[state.index] = state.interfaceId;
      for (const link of linksOf[state.index]) if (links.pair(link) !== NONE) pairLinks[filled[links.peer(link)]++] = link;
    }
    const paired: number[] = [];
    for (let peerId = 0; peerId < this.peerNames.length; peerId++) if (peerStarts[peerId + 1] > peerStarts[peerId]) paired.push(peerId);
    const names = this.peerNames;
    paired.sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
    return new PeerIndexView(Int32Array.from(paired), peerStarts, names, tablePairList(pairLinks, interfaceIds, links, this.pairTable));
  }

  /**
   * The interface's hour. Its rows stay in the tables (a view, see flow-row-view.ts): `rows` builds their
   * documented keys only when read, and the stored item is encoded from the view.
   */
  private interfaceHour(state: InterfaceState, links: readonly number[]): InterfaceHour {
    const table = this.rows;
    let count = 0;
    for (const star of state.stars) if (star !== NONE) count++;
    for (const link of links) for (let row = this.links.rows(link); row !== NONE; row = table.next(row)) count++;
    const order = new Int32Array(count);
    let at = 0;
    for (const link of links) for (let row = this.links.rows(link); row !== NONE; row = table.next(row)) order[at++] = row;
    for (const star of state.stars) if (star !== NONE) order[at++] = star;
    const { interfaceId, instanceId, vpcId, subnetId, totals, cappedFlows, first, last, nodata, skipdata } = state;
    // `rows` holds its place in the key order; attachRowView makes it the view's lazily built list.
    const hour = { interfaceId, ...(instanceId ? { instanceId } : {}), ...(vpcId ? { vpcId } : {}), ...(subnetId ? { subnetId } : {}), totals, rows: [] as FlowRow[], cappedFlows, first, last, nodata, skipdata };
    return attachRowView(hour, new InterfaceRowView(order, table, this.links, this.peerNames));
  }

  private stateOf(record: FlowRecord): InterfaceState {
    const id = record.interfaceId ?? `instance:${record.instanceId}`;
    let state = this.interfaces.get(id);
    if (!state) {
      state = {
        interfaceId: id,
        index: this.interfaces.size,
        totals: { in: emptyTotals(), out: emptyTotals(), unknown: emptyTotals() },
        cappedFlows: 0,
        first: record.start,
        last: record.end,
        nodata: 0,
        skipdata: 0,
        addresses: new InterfaceAddresses(),
        stars: [NONE, NONE, NONE, NONE, NONE, NONE],
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

  private foldInto(state: InterfaceState, record: FlowRecord, resolved: Resolved): void {
    const direction = resolved.direction;
    const peer = resolved.peer;
    this.counts.flows++;
    const rejected = record.action === 'REJECT';
    const { bytes, packets, start, end } = record;
    const totals = state.totals[direction];
    totals.bytes += bytes;
    totals.packets += packets;
    totals.flows++;
    if (rejected) {
      totals.rejectedBytes += bytes;
      totals.rejectedPackets += packets;
      totals.rejectedFlows++;
    }
    const protocol = record.protocol ?? -1;
    const port = record.srcport !== undefined && record.dstport !== undefined ? Math.min(record.srcport, record.dstport) : (record.dstport ?? -1);
    const ports = portCode(protocol, port);
    const directionAction = DIRECTION_INDEX[direction] * 2 + (rejected ? 1 : 0);
    const code = rowCode(directionAction, ports);
    const peerId = this.peerIds.get(peer);
    let link = peerId === undefined ? NONE : this.links.find(state.index, peerId);
    const row = link === NONE ? NONE : this.rows.find(link, code);
    if (row !== NONE) this.rows.fold(row, bytes, packets, start, end);
    else if (state.rowCount >= MAX_ROWS_PER_INTERFACE) {
      state.cappedFlows++;
      const star = state.stars[directionAction];
      if (star !== NONE) this.rows.fold(star, bytes, packets, start, end);
      else {
        state.stars[directionAction] = this.rows.add(NONE, code, bytes, packets, start, end, NONE);
        state.rowCount++;
      }
    } else {
      if (link === NONE) link = this.linkOf(state, peer);
      this.links.setRows(link, this.rows.add(link, code, bytes, packets, start, end, this.links.rows(link)));
      state.rowCount++;
    }
    this.foldPeer(state, link, peer, direction, record, rejected, ports);
  }

  private linkOf(state: InterfaceState, peer: string): number {
    let peerId = this.peerIds.get(peer);
    if (peerId === undefined) {
      peerId = this.peerNames.length;
      this.peerIds.set(peer, peerId);
      this.peerNames.push(peer);
      this.peerPaired.push(false);
    }
    const link = this.links.find(state.index, peerId);
    return link === NONE ? this.links.add(state.index, peerId) : link;
  }

  private foldPeer(state: InterfaceState, known: number, peer: string, direction: Direction, record: FlowRecord, rejected: boolean, code: number): void {
    const bytesIn = direction === 'in' ? record.bytes : 0;
    const bytesOut = direction === 'in' ? 0 : record.bytes;
    const links = this.links;
    const knownPair = known === NONE ? NONE : links.pair(known);
    if (knownPair !== NONE) {
      this.pairTable.fold(knownPair, bytesIn, bytesOut, record.packets, rejected, record.start, record.end, code);
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
    const link = known !== NONE ? known : this.linkOf(state, peer);
    const id = this.peerIds.get(peer) as number;
    if (!this.peerPaired[id]) {
      this.peerPaired[id] = true;
      this.pairedPeers++;
    }
    this.pairs++;
    links.setPair(link, this.pairTable.add(bytesIn, bytesOut, record.packets, rejected, record.start, record.end, code));
  }
}
