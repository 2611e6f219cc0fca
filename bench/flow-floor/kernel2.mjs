// Kernel v2: the same parser (kernel.mjs) with the aggregation's data inline in its hash slots, so that a
// record touches ~2 cache lines of the big tables (its row slot; its link slot + pair) instead of ~6, and
// the row and link probes do not depend on each other (rows keyed by interface-hour, peer address, code).
import { JsKernel, MAX_ROWS_PER_INTERFACE, MAX_PEERS, MAX_PEER_PAIRS, LINK_PORTS } from './kernel.mjs';
const PORT_SPAN = 65537, PORT_CODES = 257 * PORT_SPAN;
const NONE = -1;
const IFACE_CAP = 2048;
function h3(a, b, c) {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
  h ^= h >>> 15; h = Math.imul(h, 0x2c1b3c6d); return h ^ (h >>> 13);
}
// Row slot: 64 bytes = 16 int32 = 8 float64. int32: [0] addr, [1] hi|v6<<20, [2] code, [3] generation; float64 [2..6]: bytes packets flows first last.
const RS = 16;
// Link slot: 16 bytes: [addr, hi|v6, generation, pair index or -1].
// Pair: 128 bytes = 32 int32 = 16 float64: float64 [0..6] bytesIn bytesOut packets flows rejected first last; int32 [14] ports count, [15..22] ports.
export class JsKernel2 extends JsKernel {
  constructor() {
    super();
    this.rowBits = 21; this.rowBuf = new ArrayBuffer((RS * 4) << this.rowBits); this.ri = new Int32Array(this.rowBuf); this.rf = new Float64Array(this.rowBuf);
    this.linkBits = 20; this.li = new Int32Array(4 << this.linkBits);
    this.pairBuf = new ArrayBuffer(128 * 262144); this.pi = new Int32Array(this.pairBuf); this.pf = new Float64Array(this.pairBuf);
    this.rowOrder = new Int32Array(1 << 20);
    this.gen = 0;
    this.hiIndex = new Int32Array(16 * IFACE_CAP);
  }
  reset() {
    super.reset();
    this.gen = (this.gen ?? 0) + 1; this.rowCount = 0; this.linkCount = 0; this.pairCount = 0;
    this.hiIndex?.fill(-1);
  }
  hiOf(hour, iface, start, end) {
    const at = hour * IFACE_CAP + iface;
    let hi = this.hiIndex[at];
    if (hi < 0) {
      hi = this.nHi++;
      if (hi >= this.capHi) this.growHi();
      this.hiIndex[at] = hi;
      const I = hi * 16; this.hiInt[I + 13] = iface; this.hiInt[I + 14] = hour;
      for (let k = 4; k < 10; k++) this.hiInt[I + k] = NONE;
      this.hiInt[I + 11] = -1;
      this.hiFirst[hi] = start; this.hiLast[hi] = end;
    } else {
      if (start < this.hiFirst[hi]) this.hiFirst[hi] = start;
      if (end > this.hiLast[hi]) this.hiLast[hi] = end;
    }
    return hi;
  }
  fold(hi, H, direction, peer, src, dst, srcport, dstport, protocol, packets, bytes, start, end, rejected) {
    H.flows++;
    const tot = this.hiTot, T = hi * 18 + direction * 6;
    tot[T] += bytes; tot[T + 1] += packets; tot[T + 2]++;
    if (rejected) { tot[T + 3] += bytes; tot[T + 4] += packets; tot[T + 5]++; }
    const port = srcport >= 0 && dstport >= 0 ? Math.min(srcport, dstport) : dstport;
    const ports = (protocol + 1) * PORT_SPAN + (port + 1);
    const da = direction * 2 + (rejected ? 1 : 0);
    const code = da * PORT_CODES + ports;
    const v6 = peer >= 4294967296;
    const a = v6 ? peer - 4294967296 : peer | 0, b = v6 ? hi | 0x100000 : hi;
    const gen = this.gen;
    // row probe
    const ri = this.ri, rmask = (1 << this.rowBits) - 1;
    let rs = h3(a, b, code) & rmask, found = false;
    for (;; rs = (rs + 1) & rmask) {
      const i = rs * RS;
      if (ri[i + 3] !== gen) break;
      if (ri[i] === a && ri[i + 1] === b && ri[i + 2] === code) { found = true; break; }
    }
    // link probe (independent of the row's)
    const li = this.li, lmask = (1 << this.linkBits) - 1;
    let ls = h3(a, b, 0x5bd1e995) & lmask, linked = false;
    for (;; ls = (ls + 1) & lmask) {
      const i = ls << 2;
      if (li[i + 2] !== gen) break;
      if (li[i] === a && li[i + 1] === b) { linked = true; break; }
    }
    const I = hi * 16, hiInt = this.hiInt, rf = this.rf;
    if (found) {
      const R = rs * 8; rf[R + 2] += bytes; rf[R + 3] += packets; rf[R + 4]++; if (start < rf[R + 5]) rf[R + 5] = start; if (end > rf[R + 6]) rf[R + 6] = end;
    } else if (hiInt[I + 2] >= MAX_ROWS_PER_INTERFACE) {
      hiInt[I + 3]++;
      const star = hiInt[I + 4 + da];
      if (star !== NONE) { const R = star * 8; rf[R + 2] += bytes; rf[R + 3] += packets; rf[R + 4]++; if (start < rf[R + 5]) rf[R + 5] = start; if (end > rf[R + 6]) rf[R + 6] = end; }
      else { // a star row: keyed (0, hi | 1<<21, da) so that no record's key equals it
        let s = h3(0, hi | 0x200000, da) & rmask; while (ri[s * RS + 3] === gen) s = (s + 1) & rmask;
        this.putRow(s, 0, hi | 0x200000, da, bytes, packets, start, end); hiInt[I + 4 + da] = s; hiInt[I + 2]++;
      }
    } else {
      if (!linked) { this.putLink(ls, a, b); linked = true; }
      this.putRow(rs, a, b, code, bytes, packets, start, end);
      hiInt[I + 2]++;
    }
    // peer index
    const bytesIn = direction === 0 ? bytes : 0, bytesOut = direction === 0 ? 0 : bytes;
    const pair = linked ? li[(ls << 2) + 3] : NONE;
    if (pair !== NONE) {
      const pf = this.pf, P = pair * 16;
      pf[P] += bytesIn; pf[P + 1] += bytesOut; pf[P + 2] += packets; pf[P + 3]++; if (rejected) pf[P + 4]++;
      if (start < pf[P + 5]) pf[P + 5] = start; if (end > pf[P + 6]) pf[P + 6] = end;
      const pi = this.pi, Q = pair * 32, count = pi[Q + 14];
      if (count >= LINK_PORTS) return;
      for (let k = 0; k < count; k++) if (pi[Q + 15 + k] === ports) return;
      pi[Q + 15 + count] = ports; pi[Q + 14] = count + 1;
      return;
    }
    if (H.pairs >= MAX_PEER_PAIRS) { H.cappedPeers++; return; }
    const pairedBefore = H.paired.get(a, b >>> 20);
    if (pairedBefore < 0 && H.pairedPeers >= MAX_PEERS) { H.cappedPeers++; return; }
    if (!linked) this.putLink(ls, a, b);
    if (pairedBefore < 0) { H.paired.get(a, b >>> 20); H.paired.put(a, b >>> 20, 1); H.pairedPeers++; }
    H.pairs++;
    const p = this.pairCount++;
    if ((p + 1) * 128 > this.pairBuf.byteLength) this.growPairs();
    li[(ls << 2) + 3] = p;
    const pf = this.pf, P = p * 16;
    pf[P] = bytesIn; pf[P + 1] = bytesOut; pf[P + 2] = packets; pf[P + 3] = 1; pf[P + 4] = rejected ? 1 : 0; pf[P + 5] = start; pf[P + 6] = end;
    this.pi[p * 32 + 14] = 1; this.pi[p * 32 + 15] = ports;
  }
  putRow(s, a, b, code, bytes, packets, start, end) {
    const i = s * RS, R = s * 8, ri = this.ri, rf = this.rf;
    ri[i] = a; ri[i + 1] = b; ri[i + 2] = code; ri[i + 3] = this.gen;
    rf[R + 2] = bytes; rf[R + 3] = packets; rf[R + 4] = 1; rf[R + 5] = start; rf[R + 6] = end;
    const n = this.rowCount++;
    if (n >= this.rowOrder.length) { const o = new Int32Array(n * 2); o.set(this.rowOrder); this.rowOrder = o; }
    this.rowOrder[n] = s;
    if (this.rowCount * 4 > 3 << this.rowBits) throw new Error('spike: row table full (grow not written)');
  }
  putLink(s, a, b) {
    const i = s << 2; this.li[i] = a; this.li[i + 1] = b; this.li[i + 2] = this.gen; this.li[i + 3] = NONE;
    if (++this.linkCount * 4 > 3 << this.linkBits) throw new Error('spike: link table full (grow not written)');
  }
  growPairs() { const nb = new ArrayBuffer(this.pairBuf.byteLength * 2); new Uint8Array(nb).set(new Uint8Array(this.pairBuf)); this.pairBuf = nb; this.pi = new Int32Array(nb); this.pf = new Float64Array(nb); }
  summary() {
    const out = {};
    const sums = new Float64Array(this.nHi * 6);
    for (let hi = 0; hi < this.nHi; hi++) { sums[hi * 6 + 3] = Infinity; sums[hi * 6 + 4] = -Infinity; }
    const ri = this.ri, rf = this.rf;
    for (let n = 0; n < this.rowCount; n++) {
      const s = this.rowOrder[n], hi = ri[s * RS + 1] & 0xfffff, R = s * 8, S = hi * 6;
      sums[S] += rf[R + 2]; sums[S + 1] += rf[R + 3]; sums[S + 2] += rf[R + 4];
      if (rf[R + 5] < sums[S + 3]) sums[S + 3] = rf[R + 5]; if (rf[R + 6] > sums[S + 4]) sums[S + 4] = rf[R + 6]; sums[S + 5]++;
    }
    const pairSums = this.hours.map(() => [0, 0, 0, 0, 0, 0]);
    const li = this.li;
    for (let s = 0; s < 1 << this.linkBits; s++) {
      const i = s << 2; if (li[i + 2] !== this.gen || li[i + 3] === NONE) continue;
      const p = li[i + 3], h = this.hiInt[(li[i + 1] & 0xfffff) * 16 + 14], x = pairSums[h];
      for (let k = 0; k < 5; k++) x[k] += this.pf[p * 16 + k]; x[5] += this.pi[p * 32 + 14];
    }
    this.hours.forEach((H, h) => { out[new Date(H.hour * 3_600_000).toISOString().slice(0, 13)] = { counts: { flows: H.flows, nodata: H.nodata, skipdata: H.skipdata, outsideHour: H.outsideHour }, pairs: H.pairs, cappedPeers: H.cappedPeers, pairSums: pairSums[h], interfaces: {} }; });
    for (let hi = 0; hi < this.nHi; hi++) {
      const I = hi * 16, H = this.hours[this.hiInt[I + 14]], hourKey = new Date(H.hour * 3_600_000).toISOString().slice(0, 13);
      out[hourKey].interfaces[this.ifNames[this.hiInt[I + 13]]] = { totals: Array.from(this.hiTot.subarray(hi * 18, hi * 18 + 18)), rows: this.hiInt[I + 2], rowSums: Array.from(sums.subarray(hi * 6, hi * 6 + 6)), cappedFlows: this.hiInt[I + 3], first: this.hiFirst[hi], last: this.hiLast[hi], nodata: this.hiInt[I], skipdata: this.hiInt[I + 1] };
    }
    return out;
  }
}
