/**
 * The aggregator's rows, peer links and peer-index pairs in typed arrays, addressed by index. An hour at the
 * caps holds about half a million rows: as objects they cost the garbage collector a trace of every one at
 * every major collection and about three times the bytes; in typed arrays they are plain memory it never
 * looks into. Each entry's fields sit side by side (a fixed stride): a record touches a row, a link and a
 * pair at random places in tables far larger than the CPU caches, and one field per array would cost a cache
 * miss per field. Entries live in fixed chunks that are never copied: fresh memory is the dearest thing the
 * fold does (the first touch of each page), and growing one array by doubling touches twice the final size.
 */

/** Entries per chunk (a power of two). */
const CHUNK_BITS = 13;
const CHUNK = 1 << CHUNK_BITS;
const IN_CHUNK = CHUNK - 1;

const NONE = -1;


/** Open addressing for entries keyed by two integers; kept at most half full, so that a probe ends soon. */
function slotOf(a: number, b: number): number {
  let hash = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77);
  hash ^= hash >>> 15;
  return Math.imul(hash, 0x2c1b3c6d) ^ (hash >>> 13);
}

/**
 * Open-addressing slots over a table's entries, placed only when a lookup asks: the entries added since the last
 * lookup are placed then (all again when the slots must grow, kept at most half full). A table filled and never
 * searched (the WebAssembly kernel's results, wasm-flow-hour.ts) costs no hashing.
 */
class LazyIndex {
  private slots = new Int32Array(2048).fill(NONE);
  private placed = 0;

  /** The slots with entries 0..size-1 placed; `hashOf` gives an entry's hash, or undefined to leave it out. */
  slotsFor(size: number, hashOf: (entry: number) => number | undefined): Int32Array {
    if (this.placed === size) return this.slots;
    let length = this.slots.length;
    while (size * 2 >= length) length *= 2;
    if (length !== this.slots.length) {
      this.slots = new Int32Array(length).fill(NONE);
      this.placed = 0;
    }
    const slots = this.slots;
    const mask = length - 1;
    for (let entry = this.placed; entry < size; entry++) {
      const hash = hashOf(entry);
      if (hash === undefined) continue;
      let slot = hash & mask;
      while (slots[slot] !== NONE) slot = (slot + 1) & mask;
      slots[slot] = entry;
    }
    this.placed = size;
    return slots;
  }
}

// A row's fields: [code, link, next, bytes, packets, flows, first, last].
const ROW_STRIDE = 8;
const CODE = 0;
const LINK = 1;
const NEXT = 2;
const BYTES = 3;
const PACKETS = 4;
const FLOWS = 5;
const FIRST = 6;
const LAST = 7;

/**
 * Drill-down rows: [code, bytes, packets, flows, first, last] of a peer link (or of an interface's `*` rows,
 * link -1), chained per link through `next` for reading out, and found by (link, code).
 */
export class RowTable {
  size = 0;
  private readonly chunks: Float64Array[] = [];
  private readonly index = new LazyIndex();
  private readonly hashOfRow = (row: number): number | undefined => (this.link(row) === NONE ? undefined : slotOf(this.link(row), this.code(row)));

  /** A new row of one flow; returns its index. `link` -1 rows are not indexed (the caller keeps them). */
  add(link: number, code: number, bytes: number, packets: number, first: number, last: number, next: number): number {
    const row = this.size++;
    if (row >> CHUNK_BITS === this.chunks.length) this.chunks.push(new Float64Array(CHUNK * ROW_STRIDE));
    const base = (row & IN_CHUNK) * ROW_STRIDE;
    const data = this.chunks[row >> CHUNK_BITS];
    data[base + CODE] = code;
    data[base + LINK] = link;
    data[base + NEXT] = next;
    data[base + BYTES] = bytes;
    data[base + PACKETS] = packets;
    data[base + FLOWS] = 1;
    data[base + FIRST] = first;
    data[base + LAST] = last;
    return row;
  }

  /** A row of counts already folded elsewhere (the WebAssembly kernel's, wasm-flow-hour.ts); returns its index. */
  addFolded(link: number, code: number, bytes: number, packets: number, flows: number, first: number, last: number, next: number): number {
    const row = this.add(link, code, bytes, packets, first, last, next);
    this.chunks[row >> CHUNK_BITS][(row & IN_CHUNK) * ROW_STRIDE + FLOWS] = flows;
    return row;
  }

  fold(row: number, bytes: number, packets: number, first: number, last: number): void {
    const base = (row & IN_CHUNK) * ROW_STRIDE;
    const data = this.chunks[row >> CHUNK_BITS];
    data[base + BYTES] += bytes;
    data[base + PACKETS] += packets;
    data[base + FLOWS]++;
    if (first < data[base + FIRST]) data[base + FIRST] = first;
    if (last > data[base + LAST]) data[base + LAST] = last;
  }

  /** The row of a link and a code, or -1. */
  find(link: number, code: number): number {
    const slots = this.index.slotsFor(this.size, this.hashOfRow);
    const mask = slots.length - 1;
    for (let slot = slotOf(link, code) & mask; ; slot = (slot + 1) & mask) {
      const row = slots[slot];
      if (row === NONE) return row;
      const data = this.chunks[row >> CHUNK_BITS];
      const base = (row & IN_CHUNK) * ROW_STRIDE;
      if (data[base + CODE] === code && data[base + LINK] === link) return row;
    }
  }

  code(row: number): number {
    return this.chunks[row >> CHUNK_BITS][(row & IN_CHUNK) * ROW_STRIDE + CODE];
  }
  link(row: number): number {
    return this.chunks[row >> CHUNK_BITS][(row & IN_CHUNK) * ROW_STRIDE + LINK];
  }
  next(row: number): number {
    return this.chunks[row >> CHUNK_BITS][(row & IN_CHUNK) * ROW_STRIDE + NEXT];
  }
  bytes(row: number): number {
    return this.chunks[row >> CHUNK_BITS][(row & IN_CHUNK) * ROW_STRIDE + BYTES];
  }
  packets(row: number): number {
    return this.chunks[row >> CHUNK_BITS][(row & IN_CHUNK) * ROW_STRIDE + PACKETS];
  }
  flows(row: number): number {
    return this.chunks[row >> CHUNK_BITS][(row & IN_CHUNK) * ROW_STRIDE + FLOWS];
  }
  first(row: number): number {
    return this.chunks[row >> CHUNK_BITS][(row & IN_CHUNK) * ROW_STRIDE + FIRST];
  }
  last(row: number): number {
    return this.chunks[row >> CHUNK_BITS][(row & IN_CHUNK) * ROW_STRIDE + LAST];
  }
}

/** Ports kept per peer-index pair (the peer index's MAX_PEER_PORTS). */
export const LINK_PORTS = 8;

// A link's fields: [interface, peer, head of its rows, its pair or -1].
const LINK_STRIDE = 4;
const IFACE = 0;
const PEER = 1;
const ROWS = 2;
const PAIR = 3;

/**
 * What one interface holds about one peer: the head of its rows, and its peer-index pair once it has one.
 * Found by (interface number, peer number).
 */
export class LinkTable {
  size = 0;
  private readonly chunks: Int32Array[] = [];
  private readonly index = new LazyIndex();
  private readonly hashOfLink = (link: number): number => slotOf(this.iface(link), this.peer(link));

  /** The link of an interface and a peer, or -1. */
  find(iface: number, peer: number): number {
    const slots = this.index.slotsFor(this.size, this.hashOfLink);
    const mask = slots.length - 1;
    for (let slot = slotOf(iface, peer) & mask; ; slot = (slot + 1) & mask) {
      const link = slots[slot];
      if (link === NONE) return link;
      const data = this.chunks[link >> CHUNK_BITS];
      const base = (link & IN_CHUNK) * LINK_STRIDE;
      if (data[base + IFACE] === iface && data[base + PEER] === peer) return link;
    }
  }

  /** A new link, without pair or rows (the caller checked there is none). */
  add(iface: number, peer: number): number {
    const link = this.size++;
    if (link >> CHUNK_BITS === this.chunks.length) this.chunks.push(new Int32Array(CHUNK * LINK_STRIDE));
    const data = this.chunks[link >> CHUNK_BITS];
    const base = (link & IN_CHUNK) * LINK_STRIDE;
    data[base + IFACE] = iface;
    data[base + PEER] = peer;
    data[base + ROWS] = NONE;
    data[base + PAIR] = NONE;
    return link;
  }

  iface(link: number): number {
    return this.chunks[link >> CHUNK_BITS][(link & IN_CHUNK) * LINK_STRIDE + IFACE];
  }
  peer(link: number): number {
    return this.chunks[link >> CHUNK_BITS][(link & IN_CHUNK) * LINK_STRIDE + PEER];
  }
  rows(link: number): number {
    return this.chunks[link >> CHUNK_BITS][(link & IN_CHUNK) * LINK_STRIDE + ROWS];
  }
  setRows(link: number, row: number): void {
    this.chunks[link >> CHUNK_BITS][(link & IN_CHUNK) * LINK_STRIDE + ROWS] = row;
  }
  pair(link: number): number {
    return this.chunks[link >> CHUNK_BITS][(link & IN_CHUNK) * LINK_STRIDE + PAIR];
  }
  setPair(link: number, pair: number): void {
    this.chunks[link >> CHUNK_BITS][(link & IN_CHUNK) * LINK_STRIDE + PAIR] = pair;
  }
}

// A pair's fields, 96 bytes: 7 numbers [bytes in, bytes out, packets, flows, rejected flows, first, last],
// then as 32-bit integers the port count and the ports (port codes fit: below 2^25).
const PAIR_BYTES = 96;
const PAIR_NUMBERS = PAIR_BYTES / 8;
const PAIR_INTS = PAIR_BYTES / 4;
const BYTES_IN = 0;
const BYTES_OUT = 1;
const PAIR_PACKETS = 2;
const PAIR_FLOWS = 3;
const REJECTED_FLOWS = 4;
const PAIR_FIRST = 5;
const PAIR_LAST = 6;
const PORT_COUNT = 14;
const PORTS = 15;

/** The peer index's counts of a peer-interface pair (bounded by MAX_PEER_PAIRS, far fewer than links). */
export class PairTable {
  size = 0;
  private readonly numbers: Float64Array[] = [];
  private readonly ints: Int32Array[] = [];

  /** A new pair of one flow. */
  add(bytesIn: number, bytesOut: number, packets: number, rejected: boolean, first: number, last: number, port: number): number {
    const pair = this.size++;
    if (pair >> CHUNK_BITS === this.numbers.length) {
      const buffer = new ArrayBuffer(CHUNK * PAIR_BYTES);
      this.numbers.push(new Float64Array(buffer));
      this.ints.push(new Int32Array(buffer));
    }
    const data = this.numbers[pair >> CHUNK_BITS];
    const base = (pair & IN_CHUNK) * PAIR_NUMBERS;
    data[base + BYTES_IN] = bytesIn;
    data[base + BYTES_OUT] = bytesOut;
    data[base + PAIR_PACKETS] = packets;
    data[base + PAIR_FLOWS] = 1;
    data[base + REJECTED_FLOWS] = rejected ? 1 : 0;
    data[base + PAIR_FIRST] = first;
    data[base + PAIR_LAST] = last;
    const ints = this.ints[pair >> CHUNK_BITS];
    const at = (pair & IN_CHUNK) * PAIR_INTS;
    ints[at + PORT_COUNT] = 1;
    ints[at + PORTS] = port;
    return pair;
  }

  /**
   * A pair of counts already folded elsewhere (the WebAssembly kernel's, wasm-flow-hour.ts), without ports: add
   * them with addPort (at most LINK_PORTS, in order).
   */
  addFolded(bytesIn: number, bytesOut: number, packets: number, flows: number, rejectedFlows: number, first: number, last: number): number {
    const pair = this.add(bytesIn, bytesOut, packets, false, first, last, 0);
    const data = this.numbers[pair >> CHUNK_BITS];
    const base = (pair & IN_CHUNK) * PAIR_NUMBERS;
    data[base + PAIR_FLOWS] = flows;
    data[base + REJECTED_FLOWS] = rejectedFlows;
    this.ints[pair >> CHUNK_BITS][(pair & IN_CHUNK) * PAIR_INTS + PORT_COUNT] = 0;
    return pair;
  }

  /** Appends a port code to a folded pair's list (the caller keeps to LINK_PORTS distinct codes). */
  addPort(pair: number, code: number): void {
    const ints = this.ints[pair >> CHUNK_BITS];
    const at = (pair & IN_CHUNK) * PAIR_INTS;
    const count = ints[at + PORT_COUNT];
    if (count >= LINK_PORTS) return;
    ints[at + PORTS + count] = code;
    ints[at + PORT_COUNT] = count + 1;
  }

  fold(pair: number, bytesIn: number, bytesOut: number, packets: number, rejected: boolean, first: number, last: number, port: number): void {
    const data = this.numbers[pair >> CHUNK_BITS];
    const base = (pair & IN_CHUNK) * PAIR_NUMBERS;
    data[base + BYTES_IN] += bytesIn;
    data[base + BYTES_OUT] += bytesOut;
    data[base + PAIR_PACKETS] += packets;
    data[base + PAIR_FLOWS]++;
    if (rejected) data[base + REJECTED_FLOWS]++;
    if (first < data[base + PAIR_FIRST]) data[base + PAIR_FIRST] = first;
    if (last > data[base + PAIR_LAST]) data[base + PAIR_LAST] = last;
    // At most LINK_PORTS ports, each once.
    const ints = this.ints[pair >> CHUNK_BITS];
    const at = (pair & IN_CHUNK) * PAIR_INTS;
    const count = ints[at + PORT_COUNT];
    if (count >= LINK_PORTS) return;
    for (let i = 0; i < count; i++) if (ints[at + PORTS + i] === port) return;
    ints[at + PORTS + count] = port;
    ints[at + PORT_COUNT] = count + 1;
  }

  /** [bytes in, bytes out, packets, flows, rejected flows, first, last]. */
  counts(pair: number): [number, number, number, number, number, number, number] {
    const d = this.numbers[pair >> CHUNK_BITS];
    const base = (pair & IN_CHUNK) * PAIR_NUMBERS;
    return [d[base + BYTES_IN], d[base + BYTES_OUT], d[base + PAIR_PACKETS], d[base + PAIR_FLOWS], d[base + REJECTED_FLOWS], d[base + PAIR_FIRST], d[base + PAIR_LAST]];
  }

  portsOf(pair: number): number[] {
    const ints = this.ints[pair >> CHUNK_BITS];
    const at = (pair & IN_CHUNK) * PAIR_INTS;
    const count = ints[at + PORT_COUNT];
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(ints[at + PORTS + i]);
    return ports;
  }
}
