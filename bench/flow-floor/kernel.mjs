// Tight plain-JS parse-and-aggregate kernel over gunzipped chunks: no object per record.
import { isIPv6 } from 'node:net';
const SP = 32, NL = 10, CR = 13, DASH = 45;
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
export const MAX_ROWS_PER_INTERFACE = 4000, MAX_PEERS = 50_000, MAX_PEER_PAIRS = 100_000, LINK_PORTS = 8, MAX_WAITING = 32;
const PORT_SPAN = 65537, PORT_CODES = 257 * PORT_SPAN;
const portCode = (protocol, port) => (protocol + 1) * PORT_SPAN + (port + 1);
const NONE = -1;
const FALLBACK_ACCOUNT = 111122223333;

function h2(a, b) {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
}
const isPrivate = (a) => { // a: IPv4 as u32, or >= 2^32 for IPv6 (treated as not private here unless fc/fd/fe8-b: see v6Private)
  if (a >= 4294967296) return false;
  const x = a >>> 24, y = (a >>> 16) & 255;
  return x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 100 && y >= 64 && y <= 127) || (x === 169 && y === 254);
};

// Module-level scratch "return registers".
let N = 0, A = 0;

// Two-int-key open-addressing map: Int32Array [a, b, value, pad] per slot, kept <= half full.
class Map2 {
  constructor(bits) { this.alloc(bits); }
  alloc(bits) { this.bits = bits; this.mask = (1 << bits) - 1; this.t = new Int32Array(4 << bits).fill(-1); this.size = 0; }
  clear() { this.t.fill(-1); this.size = 0; }
  get(a, b) {
    const t = this.t, mask = this.mask;
    for (let s = h2(a, b) & mask; ; s = (s + 1) & mask) {
      const i = s << 2, v = t[i + 2];
      if (v === -1) { this.miss = s; return -1; }
      if (t[i] === a && t[i + 1] === b) return v;
    }
  }
  /** After a get() miss. */
  put(a, b, v) {
    if ((this.size + 1) * 2 > (1 << this.bits)) { this.grow(); this.get(a, b); }
    const i = this.miss << 2;
    this.t[i] = a; this.t[i + 1] = b; this.t[i + 2] = v; this.size++;
  }
  grow() {
    const old = this.t;
    this.alloc(this.bits + 1);
    const size = this.size;
    for (let i = 0; i < old.length; i += 4) if (old[i + 2] !== -1) { this.get(old[i], old[i + 1]); const j = this.miss << 2; this.t[j] = old[i]; this.t[j + 1] = old[i + 1]; this.t[j + 2] = old[i + 2]; this.size++; }
  }
}

function growF(a, n) { const b = new Float64Array(n); b.set(a); return b; }
function growI(a, n, fill = 0) { const b = new Int32Array(n); if (fill) b.fill(fill); b.set(a); return b; }

export class JsKernel {
  constructor() {
    this.carry = Buffer.allocUnsafe(16 * 1024 + 1);
    // interface-id interner: bytes pool, table hash -> id
    this.ifTable = new Int32Array(1 << 12).fill(-1); this.ifMask = (1 << 12) - 1;
    this.ifPool = Buffer.alloc(1 << 16); this.ifPoolUsed = 0;
    this.ifOff = new Int32Array(2048); this.ifLen = new Int32Array(2048); this.ifNames = [];
    // peers: IPv4 u32 -> peer id; IPv6 via Map
    this.peerMap = new Map2(14); this.v6 = new Map(); this.v6Names = [];
    this.peerKeys = new Float64Array(1 << 14); // peer id -> address key
    this.links = new Map2(16); this.rows = new Map2(18); this.hiMap = new Map2(10);
    this.capRows = 1 << 16; this.capLinks = 1 << 15; this.capHi = 1 << 10; this.capPairs = 1 << 15;
    this.allocState();
    this.reset();
  }
  allocState() {
    this.rowNum = new Float64Array(this.capRows * 5); // bytes packets flows first last
    this.rowCode = new Int32Array(this.capRows); this.rowLink = new Int32Array(this.capRows); this.rowNext = new Int32Array(this.capRows);
    this.linkHi = new Int32Array(this.capLinks); this.linkPeer = new Int32Array(this.capLinks); this.linkHead = new Int32Array(this.capLinks); this.linkPair = new Int32Array(this.capLinks);
    this.pairNum = new Float64Array(this.capPairs * 7); this.pairPorts = new Int32Array(this.capPairs * 9);
    const H = this.capHi;
    this.hiTot = new Float64Array(H * 18); this.hiFirst = new Float64Array(H); this.hiLast = new Float64Array(H);
    this.hiInt = new Int32Array(H * 16); // 0 nodata 1 skipdata 2 rowCount 3 cappedFlows 4..9 stars 10 ownCount 11 candCount 12 waitCount 13 iface 14 hour
    this.hiOwn = new Float64Array(H * 4); this.hiCand = new Float64Array(H * 2);
    this.hiWait = []; this.ownOverflow = new Map();
  }
  reset() {
    this.peerMap.clear(); this.v6.clear(); this.v6Names.length = 0; this.peerCount = 0;
    this.links.clear(); this.rows.clear(); this.hiMap.clear();
    this.nRows = 0; this.nLinks = 0; this.nPairs = 0; this.nHi = 0;
    this.hiTot.fill(0); this.hiInt.fill(0); this.hiWait.length = 0; this.ownOverflow.clear();
    this.hours = []; // per hour index: { hour, account, flows, nodata, skipdata, outsideHour, pairs, pairedPeers, cappedPeers, paired: Map2 }
    this.lastHour = -1; this.lastHourIndex = -1;
    this.records = 0; this.rejected = 0; this.lines = 0;
  }
  beginFile() { this.carried = 0; this.header = true; }
  push(chunk) {
    let p = 0;
    const len = chunk.length;
    if (this.carried > 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) { chunk.copy(this.carry, this.carried); this.carried += len; return; }
      chunk.copy(this.carry, this.carried, 0, nl + 1);
      const c = this.carry; this.carried = 0;
      this.lineOrHeader(c, 0);
      p = nl + 1;
    }
    const last = chunk.lastIndexOf(NL);
    if (this.header && p <= last) { this.lineOrHeader(chunk, p); p = chunk.indexOf(NL, p) + 1; }
    while (p <= last) p = this.line(chunk, p);
    if (p < len) { chunk.copy(this.carry, 0, p); this.carried = len - p; }
  }
  endFile() { if (this.carried > 0) { this.carry[this.carried] = NL; this.lineOrHeader(this.carry, 0); this.carried = 0; } }
  lineOrHeader(b, p) {
    if (!this.header) { this.line(b, p); return; }
    this.header = false;
    let e = b.indexOf(NL, p); if (e > p && b[e - 1] === CR) e--;
    if (b.toString('latin1', p, e) !== HEADER) throw new Error('spike kernel: default format only');
  }
  skip(b, p) { this.rejected++; const e = b.indexOf(NL, p); return e + 1; }

  /** One line at p (ends with NL); returns the position after its NL. */
  line(b, p0) {
    this.lines++;
    let p = p0, c;
    // version
    if (b[p] === DASH) p++; else { const s = p; while ((c = b[p] - 48) >= 0 && c <= 9) p++; if (p === s) return this.skip(b, p0); }
    if (b[p++] !== SP) return this.skip(b, p0);
    // account-id: 12 digits or '-'
    let account;
    if (b[p] === DASH && b[p + 1] === SP) { account = FALLBACK_ACCOUNT; p++; } else {
      const s = p; let v = 0;
      while ((c = b[p] - 48) >= 0 && c <= 9) { v = v * 10 + c; p++; }
      if (p - s !== 12) return this.skip(b, p0);
      account = v;
    }
    if (b[p++] !== SP) return this.skip(b, p0);
    // interface-id, interned by bytes
    let iface;
    {
      const s = p; let h = 0x811c9dc5;
      while ((c = b[p]) !== SP && c !== NL) { h = Math.imul(h ^ c, 0x01000193); p++; }
      iface = this.internIface(b, s, p, h);
      if (iface < 0) return this.skip(b, p0);
    }
    if (b[p++] !== SP) return this.skip(b, p0);
    p = this.addr(b, p); if (p < 0 || b[p++] !== SP) return this.skip(b, p0); const src = A;
    p = this.addr(b, p); if (p < 0 || b[p++] !== SP) return this.skip(b, p0); const dst = A;
    p = num(b, p); if (p < 0 || b[p++] !== SP) return this.skip(b, p0); const srcport = N;
    p = num(b, p); if (p < 0 || b[p++] !== SP) return this.skip(b, p0); const dstport = N;
    p = num(b, p); if (p < 0 || b[p++] !== SP) return this.skip(b, p0); const protocol = N;
    p = num(b, p); if (p < 0 || b[p++] !== SP) return this.skip(b, p0); const packets = N < 0 ? 0 : N;
    p = num(b, p); if (p < 0 || b[p++] !== SP) return this.skip(b, p0); const bytes = N < 0 ? 0 : N;
    p = num(b, p); if (p < 0 || b[p++] !== SP) return this.skip(b, p0); const start = N;
    p = num(b, p); if (p < 0 || b[p++] !== SP) return this.skip(b, p0); const end = N;
    // action: 0 absent, 1 ACCEPT, 2 REJECT
    let action;
    if (b[p] === DASH && b[p + 1] === SP) { action = 0; p++; }
    else if (b[p] === 65 && b[p + 1] === 67 && b[p + 2] === 67 && b[p + 3] === 69 && b[p + 4] === 80 && b[p + 5] === 84) { action = 1; p += 6; }
    else if (b[p] === 82 && b[p + 1] === 69 && b[p + 2] === 74 && b[p + 3] === 69 && b[p + 4] === 67 && b[p + 5] === 84) { action = 2; p += 6; }
    else return this.skip(b, p0);
    if (b[p++] !== SP) return this.skip(b, p0);
    // log-status: 0 OK, 1 NODATA, 2 SKIPDATA
    let status;
    c = b[p];
    if (c === 79 && b[p + 1] === 75) { status = 0; p += 2; }
    else if (c === DASH) { status = 0; p++; }
    else if (c === 78 && b[p + 1] === 79 && b[p + 2] === 68 && b[p + 3] === 65 && b[p + 4] === 84 && b[p + 5] === 65) { status = 1; p += 6; }
    else if (c === 83 && b[p + 1] === 75 && b[p + 2] === 73 && b[p + 3] === 80 && b[p + 4] === 68 && b[p + 5] === 65 && b[p + 6] === 84 && b[p + 7] === 65) { status = 2; p += 8; }
    else return this.skip(b, p0);
    if (b[p] === CR) p++;
    if (b[p] !== NL) return this.skip(b, p0);
    // the checks of parseFlowColumns
    if (start < 0 || end < 0 || end < start || srcport > 65535 || dstport > 65535 || protocol > 255) return this.skip(b, p0);
    if (status === 0 && (src < 0 || dst < 0)) return this.skip(b, p0);
    this.records++;
    this.add(account, iface, src, dst, srcport, dstport, protocol, packets, bytes, start, end, action === 2, status);
    return p + 1;
  }

  /** IPv4 to u32 in A (or 2^32 + IPv6 id; -1 absent); returns the terminator's position or -1. */
  addr(b, p) {
    if (b[p] === DASH && b[p + 1] === SP) { A = -1; return p + 1; }
    const s = p;
    let v = 0;
    for (let octet = 0; ; octet++) {
      const first = p; let o = 0, c;
      while ((c = b[p] - 48) >= 0 && c <= 9 && p - first < 3) { o = o * 10 + c; p++; }
      const digits = p - first;
      if (digits === 0 || (digits > 1 && b[first] === 48) || o > 255) return this.addr6(b, s);
      v = v * 256 + o;
      if (octet === 3) break;
      if (b[p] !== 46) return this.addr6(b, s);
      p++;
    }
    const t = b[p];
    if (t !== SP && t !== NL) return this.addr6(b, s);
    A = v;
    return p;
  }
  addr6(b, s) {
    let e = s; while (b[e] !== SP && b[e] !== NL) e++;
    const text = b.toString('latin1', s, e);
    let id = this.v6.get(text);
    if (id === undefined) { if (e - s > 45 || !isIPv6(text)) return -1; id = this.v6Names.length; this.v6.set(text, id); this.v6Names.push(text); }
    A = 4294967296 + id;
    return e;
  }
  internIface(b, s, e, h) {
    const mask = this.ifMask, t = this.ifTable, pool = this.ifPool, len = e - s;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const id = t[slot];
      if (id === -1) break;
      if (this.ifLen[id] === len) {
        const off = this.ifOff[id]; let i = 0;
        while (i < len && pool[off + i] === b[s + i]) i++;
        if (i === len) return id;
      }
    }
    const text = b.toString('latin1', s, e);
    if (!(text === '-' || /^[a-z]{1,8}-[0-9a-f]{1,32}$/.test(text))) return -1;
    const id = this.ifNames.length;
    if (id * 2 >= t.length || id >= this.ifOff.length) throw new Error('spike: too many interfaces');
    b.copy(pool, this.ifPoolUsed, s, e); this.ifOff[id] = this.ifPoolUsed; this.ifLen[id] = len; this.ifPoolUsed += len;
    this.ifNames.push(text === '-' ? 'instance:undefined' : text);
    let slot = h & mask; while (t[slot] !== -1) slot = (slot + 1) & mask; t[slot] = id;
    return id;
  }

  hourOf(hourNumber, account) {
    if (hourNumber === this.lastHour) return this.lastHourIndex;
    let i = this.hours.findIndex((h) => h.hour === hourNumber);
    if (i < 0) { i = this.hours.length; this.hours.push({ hour: hourNumber, account, flows: 0, nodata: 0, skipdata: 0, outsideHour: 0, pairs: 0, pairedPeers: 0, cappedPeers: 0, paired: new Map2(12) }); }
    this.lastHour = hourNumber; this.lastHourIndex = i;
    return i;
  }
  hiOf(hour, iface, start, end) {
    let hi = this.hiMap.get(hour, iface);
    if (hi < 0) {
      hi = this.nHi++;
      if (hi >= this.capHi) this.growHi();
      this.hiMap.put(hour, iface, hi);
      const I = hi * 16; this.hiInt[I + 13] = iface; this.hiInt[I + 14] = hour;
      for (let k = 4; k < 10; k++) this.hiInt[I + k] = NONE;
      this.hiInt[I + 11] = -1; // candidates undefined
      this.hiFirst[hi] = start; this.hiLast[hi] = end;
    } else {
      if (start < this.hiFirst[hi]) this.hiFirst[hi] = start;
      if (end > this.hiLast[hi]) this.hiLast[hi] = end;
    }
    return hi;
  }
  growHi() { throw new Error('spike: too many interface-hours'); }

  add(account, iface, src, dst, srcport, dstport, protocol, packets, bytes, start, end, rejected, status) {
    const hour = this.hourOf(Math.floor(start / 3600), account);
    const H = this.hours[hour];
    if (H.account !== account) { H.outsideHour++; return; }
    const hi = this.hiOf(hour, iface, start, end);
    if (status !== 0) {
      if (status === 1) { this.hiInt[hi * 16]++; H.nodata++; } else { this.hiInt[hi * 16 + 1]++; H.skipdata++; }
      return;
    }
    // direction: 0 in, 1 out, 2 unknown; peer key in A
    const I = hi * 16, hiInt = this.hiInt;
    const d = this.byOwn(hi, src, dst);
    if (d >= 0) { this.fold(hi, H, d, A, src, dst, srcport, dstport, protocol, packets, bytes, start, end, rejected); return; }
    // candidates
    const cand = this.hiCand;
    let cc = hiInt[I + 11];
    if (cc === -1) { cand[hi * 2] = src; cand[hi * 2 + 1] = dst; cc = 2; }
    else {
      let n = 0; const c0 = cand[hi * 2], c1 = cand[hi * 2 + 1];
      if (cc > 0 && (c0 === src || c0 === dst)) cand[hi * 2 + n++] = c0;
      if (cc > 1 && (c1 === src || c1 === dst)) cand[hi * 2 + n++] = c1;
      cc = n;
    }
    if (cc === 1) {
      this.addOwn(hi, cand[hi * 2]);
      hiInt[I + 11] = -1;
      this.release(hi, H);
      let dd = this.byOwn(hi, src, dst);
      if (dd < 0) dd = byClass(src, dst);
      this.fold(hi, H, dd, A, src, dst, srcport, dstport, protocol, packets, bytes, start, end, rejected);
      return;
    }
    if (cc === 0) { cand[hi * 2] = src; cand[hi * 2 + 1] = dst; cc = 2; }
    hiInt[I + 11] = cc;
    const waiting = hiInt[I + 12];
    if (waiting >= MAX_WAITING) { const dd = byClass(src, dst); this.fold(hi, H, dd, A, src, dst, srcport, dstport, protocol, packets, bytes, start, end, rejected); return; }
    let w = this.hiWait[hi];
    if (!w) w = this.hiWait[hi] = new Float64Array(MAX_WAITING * 10);
    const o = waiting * 10;
    w[o] = src; w[o + 1] = dst; w[o + 2] = srcport; w[o + 3] = dstport; w[o + 4] = protocol; w[o + 5] = packets; w[o + 6] = bytes; w[o + 7] = start; w[o + 8] = end; w[o + 9] = rejected ? 1 : 0;
    hiInt[I + 12] = waiting + 1;
  }
  release(hi, H) {
    const n = this.hiInt[hi * 16 + 12];
    if (n === 0) return;
    this.hiInt[hi * 16 + 12] = 0;
    const w = this.hiWait[hi];
    for (let k = 0; k < n; k++) {
      const o = k * 10, src = w[o], dst = w[o + 1];
      let d = this.byOwn(hi, src, dst);
      if (d < 0) d = byClass(src, dst);
      this.fold(hi, H, d, A, src, dst, w[o + 2], w[o + 3], w[o + 4], w[o + 5], w[o + 6], w[o + 7], w[o + 8], w[o + 9] === 1);
    }
  }
  isOwn(hi, a) {
    const n = this.hiInt[hi * 16 + 10], own = this.hiOwn, o = hi * 4;
    for (let k = 0; k < n && k < 4; k++) if (own[o + k] === a) return true;
    if (n > 4) return this.ownOverflow.get(hi).has(a);
    return false;
  }
  addOwn(hi, a) {
    if (this.isOwn(hi, a)) return;
    const n = this.hiInt[hi * 16 + 10];
    if (n < 4) this.hiOwn[hi * 4 + n] = a;
    else { let s = this.ownOverflow.get(hi); if (!s) this.ownOverflow.set(hi, (s = new Set())); s.add(a); }
    this.hiInt[hi * 16 + 10] = n + 1;
  }
  /** 0 in (peer src), 1 out (peer dst), or -1; peer in A. */
  byOwn(hi, src, dst) {
    const srcOwn = this.isOwn(hi, src), dstOwn = this.isOwn(hi, dst);
    if (dstOwn && !srcOwn) { A = src; return 0; }
    if (srcOwn && !dstOwn) { A = dst; return 1; }
    return -1;
  }
  peerId(key) {
    // IPv4 u32 keys in the table as (key|0, 0); IPv6 keys as (id, 1)
    const a = key >= 4294967296 ? key - 4294967296 : key | 0, b = key >= 4294967296 ? 1 : 0;
    let id = this.peerMap.get(a, b);
    if (id < 0) { id = this.peerCount++; if (id >= this.peerKeys.length) this.peerKeys = growF(this.peerKeys, id * 2); this.peerKeys[id] = key; this.peerMap.put(a, b, id); }
    return id;
  }
  fold(hi, H, direction, peer, src, dst, srcport, dstport, protocol, packets, bytes, start, end, rejected) {
    H.flows++;
    const tot = this.hiTot, T = hi * 18 + direction * 6;
    tot[T] += bytes; tot[T + 1] += packets; tot[T + 2]++;
    if (rejected) { tot[T + 3] += bytes; tot[T + 4] += packets; tot[T + 5]++; }
    const port = srcport >= 0 && dstport >= 0 ? Math.min(srcport, dstport) : dstport;
    const ports = portCode(protocol, port);
    const da = direction * 2 + (rejected ? 1 : 0);
    const code = da * PORT_CODES + ports;
    const peerId = this.peerId(peer);
    let link = this.links.get(hi, peerId);
    const linkMiss = this.links.miss;
    let row = link === NONE ? NONE : this.rows.get(link, code);
    const I = hi * 16, hiInt = this.hiInt, rn = this.rowNum;
    if (row !== NONE) {
      const R = row * 5; rn[R] += bytes; rn[R + 1] += packets; rn[R + 2]++; if (start < rn[R + 3]) rn[R + 3] = start; if (end > rn[R + 4]) rn[R + 4] = end;
    } else if (hiInt[I + 2] >= MAX_ROWS_PER_INTERFACE) {
      hiInt[I + 3]++;
      const star = hiInt[I + 4 + da];
      if (star !== NONE) { const R = star * 5; rn[R] += bytes; rn[R + 1] += packets; rn[R + 2]++; if (start < rn[R + 3]) rn[R + 3] = start; if (end > rn[R + 4]) rn[R + 4] = end; }
      else { hiInt[I + 4 + da] = this.newRow(NONE, code, bytes, packets, start, end, NONE); hiInt[I + 2]++; }
    } else {
      const rowMiss = this.rows.miss;
      if (link === NONE) { link = this.newLink(hi, peerId); this.rows.get(link, code); }
      else this.rows.miss = rowMiss;
      const r = this.newRow(link, code, bytes, packets, start, end, this.linkHead[link]);
      this.rows.put(link, code, r);
      this.linkHead[link] = r;
      hiInt[I + 2]++;
    }
    // peer index
    const bytesIn = direction === 0 ? bytes : 0, bytesOut = direction === 0 ? 0 : bytes;
    const pair = link === NONE ? NONE : this.linkPair[link];
    if (pair !== NONE) { this.foldPair(pair, bytesIn, bytesOut, packets, rejected, start, end, ports); return; }
    if (H.pairs >= MAX_PEER_PAIRS) { H.cappedPeers++; return; }
    const pairedBefore = H.paired.get(peerId, 0);
    if (pairedBefore < 0 && H.pairedPeers >= MAX_PEERS) { H.cappedPeers++; return; }
    if (link === NONE) { if (this.links.get(hi, peerId) < 0) link = this.newLink(hi, peerId); else link = this.links.get(hi, peerId); }
    if (pairedBefore < 0) { H.paired.get(peerId, 0); H.paired.put(peerId, 0, 1); H.pairedPeers++; }
    H.pairs++;
    this.linkPair[link] = this.newPair(bytesIn, bytesOut, packets, rejected, start, end, ports);
  }
  newLink(hi, peerId) {
    const l = this.nLinks++;
    if (l >= this.capLinks) { const n = this.capLinks * 2; this.linkHi = growI(this.linkHi, n); this.linkPeer = growI(this.linkPeer, n); this.linkHead = growI(this.linkHead, n); this.linkPair = growI(this.linkPair, n); this.capLinks = n; }
    this.linkHi[l] = hi; this.linkPeer[l] = peerId; this.linkHead[l] = NONE; this.linkPair[l] = NONE;
    this.links.get(hi, peerId); this.links.put(hi, peerId, l);
    return l;
  }
  newRow(link, code, bytes, packets, start, end, next) {
    const r = this.nRows++;
    if (r >= this.capRows) { const n = this.capRows * 2; this.rowNum = growF(this.rowNum, n * 5); this.rowCode = growI(this.rowCode, n); this.rowLink = growI(this.rowLink, n); this.rowNext = growI(this.rowNext, n); this.capRows = n; }
    const R = r * 5, rn = this.rowNum;
    rn[R] = bytes; rn[R + 1] = packets; rn[R + 2] = 1; rn[R + 3] = start; rn[R + 4] = end;
    this.rowCode[r] = code; this.rowLink[r] = link; this.rowNext[r] = next;
    return r;
  }
  newPair(bytesIn, bytesOut, packets, rejected, start, end, port) {
    const p = this.nPairs++;
    if (p >= this.capPairs) { const n = this.capPairs * 2; this.pairNum = growF(this.pairNum, n * 7); this.pairPorts = growI(this.pairPorts, n * 9); this.capPairs = n; }
    const P = p * 7, d = this.pairNum;
    d[P] = bytesIn; d[P + 1] = bytesOut; d[P + 2] = packets; d[P + 3] = 1; d[P + 4] = rejected ? 1 : 0; d[P + 5] = start; d[P + 6] = end;
    const Q = p * 9; this.pairPorts[Q] = 1; this.pairPorts[Q + 1] = port;
    return p;
  }
  foldPair(p, bytesIn, bytesOut, packets, rejected, start, end, port) {
    const P = p * 7, d = this.pairNum;
    d[P] += bytesIn; d[P + 1] += bytesOut; d[P + 2] += packets; d[P + 3]++; if (rejected) d[P + 4]++;
    if (start < d[P + 5]) d[P + 5] = start; if (end > d[P + 6]) d[P + 6] = end;
    const Q = p * 9, pp = this.pairPorts, count = pp[Q];
    if (count >= LINK_PORTS) return;
    for (let i = 1; i <= count; i++) if (pp[Q + i] === port) return;
    pp[Q + 1 + count] = port; pp[Q] = count + 1;
  }
  /** finish(): release the waiting records (by address class), then the comparable summary. */
  finish() {
    for (let hi = 0; hi < this.nHi; hi++) {
      const I = hi * 16, n = this.hiInt[I + 12];
      if (n === 0) continue;
      this.hiInt[I + 12] = 0;
      const w = this.hiWait[hi], H = this.hours[this.hiInt[I + 14]];
      for (let k = 0; k < n; k++) { const o = k * 10, src = w[o], dst = w[o + 1]; let d = this.byOwn(hi, src, dst); if (d < 0) d = byClass(src, dst); this.fold(hi, H, d, A, src, dst, w[o + 2], w[o + 3], w[o + 4], w[o + 5], w[o + 6], w[o + 7], w[o + 8], w[o + 9] === 1); }
    }
    return this.summary();
  }
  summary() {
    const out = {};
    const sums = new Float64Array(this.nHi * 6); // rows: bytes packets flows, min first, max last, count
    for (let hi = 0; hi < this.nHi; hi++) { sums[hi * 6 + 3] = Infinity; sums[hi * 6 + 4] = -Infinity; }
    const rowHi = (r) => (this.rowLink[r] === NONE ? -1 : this.linkHi[this.rowLink[r]]);
    const starsOf = new Int32Array(this.nRows).fill(-1);
    for (let hi = 0; hi < this.nHi; hi++) for (let k = 0; k < 6; k++) { const s = this.hiInt[hi * 16 + 4 + k]; if (s !== NONE) starsOf[s] = hi; }
    for (let r = 0; r < this.nRows; r++) {
      const hi = this.rowLink[r] === NONE ? starsOf[r] : rowHi(r), R = r * 5, S = hi * 6;
      sums[S] += this.rowNum[R]; sums[S + 1] += this.rowNum[R + 1]; sums[S + 2] += this.rowNum[R + 2];
      if (this.rowNum[R + 3] < sums[S + 3]) sums[S + 3] = this.rowNum[R + 3]; if (this.rowNum[R + 4] > sums[S + 4]) sums[S + 4] = this.rowNum[R + 4]; sums[S + 5]++;
    }
    const pairSums = this.hours.map(() => [0, 0, 0, 0, 0, 0]);
    for (let l = 0; l < this.nLinks; l++) { const p = this.linkPair[l]; if (p === NONE) continue; const h = this.hiInt[this.linkHi[l] * 16 + 14], s = pairSums[h]; for (let k = 0; k < 5; k++) s[k] += this.pairNum[p * 7 + k]; s[5] += this.pairPorts[p * 9]; }
    this.hours.forEach((H, h) => {
      const hourKey = new Date(H.hour * 3_600_000).toISOString().slice(0, 13);
      const interfaces = {};
      out[hourKey] = { counts: { flows: H.flows, nodata: H.nodata, skipdata: H.skipdata, outsideHour: H.outsideHour }, pairs: H.pairs, cappedPeers: H.cappedPeers, pairSums: pairSums[h], interfaces };
    });
    for (let hi = 0; hi < this.nHi; hi++) {
      const I = hi * 16, H = this.hours[this.hiInt[I + 14]], hourKey = new Date(H.hour * 3_600_000).toISOString().slice(0, 13);
      const t = Array.from(this.hiTot.subarray(hi * 18, hi * 18 + 18));
      out[hourKey].interfaces[this.ifNames[this.hiInt[I + 13]]] = { totals: t, rows: this.hiInt[I + 2], rowSums: Array.from(sums.subarray(hi * 6, hi * 6 + 6)), cappedFlows: this.hiInt[I + 3], first: this.hiFirst[hi], last: this.hiLast[hi], nodata: this.hiInt[I], skipdata: this.hiInt[I + 1] };
    }
    return out;
  }
}
function byClass(src, dst) {
  const sp = isPrivate(src), dp = isPrivate(dst);
  if (dp && !sp) { A = src; return 0; }
  if (sp && !dp) { A = dst; return 1; }
  A = dst; return 2;
}
function num(b, p) {
  let c = b[p];
  if (c === DASH) { N = -1; return p + 1; }
  const s = p; let v = 0;
  while ((c = b[p] - 48) >= 0 && c <= 9) { v = v * 10 + c; p++; }
  if (p === s || p - s > 15) return -1;
  N = v; return p;
}
