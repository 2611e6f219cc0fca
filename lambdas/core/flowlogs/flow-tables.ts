/**
 * The aggregator's rows and peer links as columns of typed arrays, addressed by index. An hour at the caps
 * holds about half a million rows: as objects they cost the garbage collector a trace of every one at every
 * major collection and about three times the bytes; as columns they are plain memory it never looks into.
 */

const NONE = -1;

function grown<T extends Int32Array | Float64Array | Uint8Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array);
  return next;
}

/**
 * Drill-down rows: [code, bytes, packets, flows, first, last] of a peer link (or of an interface's `*` rows,
 * link -1), chained per link through `next` for reading out, and found by (link, code) through an
 * open-addressing table: one probe per record instead of a walk along the link's rows.
 */
export class RowTable {
  size = 0;
  link = new Int32Array(1024);
  code = new Int32Array(1024);
  next = new Int32Array(1024);
  bytes = new Float64Array(1024);
  packets = new Float64Array(1024);
  flows = new Float64Array(1024);
  first = new Float64Array(1024);
  last = new Float64Array(1024);
  private slots = new Int32Array(2048).fill(NONE);

  /** A new row of one flow; returns its index. `link` -1 rows are not indexed (the caller keeps them). */
  add(link: number, code: number, bytes: number, packets: number, first: number, last: number, next: number): number {
    if (this.size === this.code.length) this.grow();
    const row = this.size++;
    this.link[row] = link;
    this.code[row] = code;
    this.next[row] = next;
    this.bytes[row] = bytes;
    this.packets[row] = packets;
    this.flows[row] = 1;
    this.first[row] = first;
    this.last[row] = last;
    if (link !== NONE) this.place(row);
    return row;
  }

  fold(row: number, bytes: number, packets: number, first: number, last: number): void {
    this.bytes[row] += bytes;
    this.packets[row] += packets;
    this.flows[row]++;
    if (first < this.first[row]) this.first[row] = first;
    if (last > this.last[row]) this.last[row] = last;
  }

  /** The row of a link and a code, or -1. */
  find(link: number, code: number): number {
    const mask = this.slots.length - 1;
    for (let slot = slotOf(link, code) & mask; ; slot = (slot + 1) & mask) {
      const row = this.slots[slot];
      if (row === NONE || (this.code[row] === code && this.link[row] === link)) return row;
    }
  }

  private place(row: number): void {
    const mask = this.slots.length - 1;
    let slot = slotOf(this.link[row], this.code[row]) & mask;
    while (this.slots[slot] !== NONE) slot = (slot + 1) & mask;
    this.slots[slot] = row;
  }

  private grow(): void {
    const capacity = this.code.length * 2;
    this.link = grown(this.link, capacity);
    this.code = grown(this.code, capacity);
    this.next = grown(this.next, capacity);
    this.bytes = grown(this.bytes, capacity);
    this.packets = grown(this.packets, capacity);
    this.flows = grown(this.flows, capacity);
    this.first = grown(this.first, capacity);
    this.last = grown(this.last, capacity);
    // Kept at most half full, so that a probe ends soon.
    this.slots = new Int32Array(capacity * 2).fill(NONE);
    for (let row = 0; row < this.size; row++) if (this.link[row] !== NONE) this.place(row);
  }
}

/** Ports kept per peer link (the peer index's MAX_PEER_PORTS). */
export const LINK_PORTS = 8;

/**
 * What one interface holds about one peer: the head of its rows, and its peer-index counts once paired.
 * Found by (interface number, peer number) through an open-addressing table.
 */
export class LinkTable {
  size = 0;
  iface = new Int32Array(1024);
  peer = new Int32Array(1024);
  rows = new Int32Array(1024);
  paired = new Uint8Array(1024);
  bytesIn = new Float64Array(1024);
  bytesOut = new Float64Array(1024);
  packets = new Float64Array(1024);
  flows = new Float64Array(1024);
  rejectedFlows = new Float64Array(1024);
  first = new Float64Array(1024);
  last = new Float64Array(1024);
  portCount = new Uint8Array(1024);
  ports = new Int32Array(1024 * LINK_PORTS);
  private slots = new Int32Array(2048).fill(NONE);

  /** The link of an interface and a peer, or -1. */
  find(iface: number, peer: number): number {
    const mask = this.slots.length - 1;
    for (let slot = slotOf(iface, peer) & mask; ; slot = (slot + 1) & mask) {
      const link = this.slots[slot];
      if (link === NONE || (this.iface[link] === iface && this.peer[link] === peer)) return link;
    }
  }

  /** A new link, not paired, without rows (the caller checked there is none). */
  add(iface: number, peer: number): number {
    if (this.size === this.iface.length) this.grow();
    const link = this.size++;
    this.iface[link] = iface;
    this.peer[link] = peer;
    this.rows[link] = NONE;
    this.place(link);
    return link;
  }

  /** Adds a port code to the link's (at most LINK_PORTS, each once). */
  addPort(link: number, code: number): void {
    const count = this.portCount[link];
    if (count >= LINK_PORTS) return;
    const base = link * LINK_PORTS;
    for (let i = 0; i < count; i++) if (this.ports[base + i] === code) return;
    this.ports[base + count] = code;
    this.portCount[link] = count + 1;
  }

  portsOf(link: number): number[] {
    const base = link * LINK_PORTS;
    return Array.from(this.ports.subarray(base, base + this.portCount[link]));
  }

  private place(link: number): void {
    const mask = this.slots.length - 1;
    let slot = slotOf(this.iface[link], this.peer[link]) & mask;
    while (this.slots[slot] !== NONE) slot = (slot + 1) & mask;
    this.slots[slot] = link;
  }

  private grow(): void {
    const capacity = this.iface.length * 2;
    this.iface = grown(this.iface, capacity);
    this.peer = grown(this.peer, capacity);
    this.rows = grown(this.rows, capacity);
    this.paired = grown(this.paired, capacity);
    this.bytesIn = grown(this.bytesIn, capacity);
    this.bytesOut = grown(this.bytesOut, capacity);
    this.packets = grown(this.packets, capacity);
    this.flows = grown(this.flows, capacity);
    this.rejectedFlows = grown(this.rejectedFlows, capacity);
    this.first = grown(this.first, capacity);
    this.last = grown(this.last, capacity);
    this.portCount = grown(this.portCount, capacity);
    this.ports = grown(this.ports, capacity * LINK_PORTS);
    // Kept at most half full, so that a probe ends soon.
    this.slots = new Int32Array(capacity * 2).fill(NONE);
    for (let link = 0; link < this.size; link++) this.place(link);
  }
}

function slotOf(iface: number, peer: number): number {
  let hash = Math.imul(iface, 0x9e3779b1) ^ Math.imul(peer, 0x85ebca77);
  hash ^= hash >>> 15;
  return Math.imul(hash, 0x2c1b3c6d) ^ (hash >>> 13);
}
