// The group-bys again, now also building the peer index: one pair per (interface-hour, peer) with bytes in,
// bytes out, packets, flows, rejected flows, first, last (the ports list of kernel2's pairs is left out of both).
// Keys re-packed in (interface-hour, peer, code) order, so that a sort leaves each pair's rows next to each other:
//   kh = interface-hour << 22 | peer >>> 10;   kl = (peer & 1023) << 22 | code (protocol index, direction+action, port+1)
import { SortAgg, HashAgg } from './agg-js.mjs';
export function repack(n, kh, kl) {
  const h = new Uint32Array(n), l = new Uint32Array(n);
  for (let i = 0; i < n; i++) { h[i] = ((kh[i] >>> 22) << 22) | (kl[i] >>> 10); l[i] = ((kl[i] & 1023) << 22) | (kh[i] & 0x3fffff); }
  return { kh: h, kl: l };
}
export function pairArrays(n) {
  return { kh: new Uint32Array(n), kl: new Uint32Array(n), bytesIn: new Float64Array(n), bytesOut: new Float64Array(n), packets: new Float64Array(n), flows: new Uint32Array(n), rejected: new Uint32Array(n), first: new Float64Array(n), last: new Float64Array(n) };
}
/** Sort, then one reduce that closes a row when the key changes and a pair when its top 42 bits change. */
export class SortPairs extends SortAgg {
  run(n, kh, kl, vals, out, pairs) {
    const [sh, sl, sx] = this.sort(n, kh, kl);
    const ok = out.kh, ol = out.kl, ob = out.bytes, op = out.packets, of = out.flows, ofi = out.first, ola = out.last;
    const qh = pairs.kh, ql = pairs.kl, qi = pairs.bytesIn, qo = pairs.bytesOut, qp = pairs.packets, qf = pairs.flows, qr = pairs.rejected, qfi = pairs.first, qla = pairs.last;
    let r = -1, q = -1, ph = -1, pl = -1, pp = -1;
    for (let i = 0; i < n; i++) {
      const a = sh[i], b = sl[i], o = (sx === null ? i : sx[i]) * 4;
      const bytes = vals[o], packets = vals[o + 1], st = vals[o + 2], en = vals[o + 3];
      const inbound = ((b >>> 17) & 7) < 2, rejected = (b >>> 17) & 1;
      if (a !== ph || b !== pl) {
        r++; ok[r] = a; ol[r] = b; ob[r] = bytes; op[r] = packets; of[r] = 1; ofi[r] = st; ola[r] = en;
        const p = b >>> 22;
        if (a !== ph || p !== pp) { q++; qh[q] = a; ql[q] = p; qi[q] = 0; qo[q] = 0; qp[q] = 0; qf[q] = 0; qr[q] = 0; qfi[q] = st; qla[q] = en; pp = p; }
        ph = a; pl = b;
      } else { ob[r] += bytes; op[r] += packets; of[r]++; if (st < ofi[r]) ofi[r] = st; if (en > ola[r]) ola[r] = en; }
      if (inbound) qi[q] += bytes; else qo[q] += bytes;
      qp[q] += packets; qf[q]++; qr[q] += rejected; if (st < qfi[q]) qfi[q] = st; if (en > qla[q]) qla[q] = en;
    }
    this.pairCount = q + 1;
    return r + 1;
  }
}
/**
 * Hash: the row table as before, plus a pair table probed per record (64-byte slots: u32 [kh, peer low bits,
 * flows (0 = empty), rejected, first, last], f64 at 3..5 bytes in, bytes out, packets), then both scanned out.
 */
export class HashPairs extends HashAgg {
  constructor(n) {
    super(n);
    this.pbits = this.bits; // as the row table: at most half full whatever the share of new pairs
    const buf = new ArrayBuffer(64 << this.pbits); this.pt = new Uint32Array(buf); this.pf = new Float64Array(buf);
  }
  run(n, kh, kl, vals, out, pairs) {
    const t = this.pt, f = this.pf, shift = 32 - this.pbits, mask = (1 << this.pbits) - 1;
    let used = 0;
    for (let i = 0; i < n; i++) {
      const a = kh[i], b = kl[i], p = b >>> 22, o = i * 4;
      const inbound = ((b >>> 17) & 7) < 2, rejected = (b >>> 17) & 1, bytes = vals[o];
      let h = Math.imul(a ^ Math.imul(p, 0x9e3779b1), 0x85ebca77); h ^= h >>> 16; h = Math.imul(h, 0xc2b2ae35);
      let s = h >>> shift;
      for (;;) {
        const j = s * 16, F = s * 8;
        if (t[j + 2] === 0) {
          t[j] = a; t[j + 1] = p; t[j + 2] = 1; t[j + 3] = rejected; t[j + 4] = vals[o + 2]; t[j + 5] = vals[o + 3];
          f[F + 3] = inbound ? bytes : 0; f[F + 4] = inbound ? 0 : bytes; f[F + 5] = vals[o + 1];
          if (++used * 2 > mask) throw new Error('spike: pair table over half full (grow not written)');
          break;
        }
        if (t[j] === a && t[j + 1] === p) {
          t[j + 2]++; t[j + 3] += rejected; if (inbound) f[F + 3] += bytes; else f[F + 4] += bytes; f[F + 5] += vals[o + 1];
          const st = vals[o + 2], en = vals[o + 3]; if (st < t[j + 4]) t[j + 4] = st; if (en > t[j + 5]) t[j + 5] = en;
          break;
        }
        s = (s + 1) & mask;
      }
    }
    let q = 0;
    for (let s = 0, end = 1 << this.pbits; s < end; s++) {
      const j = s * 16, F = s * 8, flows = t[j + 2];
      if (flows === 0) continue;
      pairs.kh[q] = t[j]; pairs.kl[q] = t[j + 1]; pairs.flows[q] = flows; pairs.rejected[q] = t[j + 3]; pairs.first[q] = t[j + 4]; pairs.last[q] = t[j + 5];
      pairs.bytesIn[q] = f[F + 3]; pairs.bytesOut[q] = f[F + 4]; pairs.packets[q] = f[F + 5];
      t[j + 2] = 0; q++;
    }
    this.pairCount = q;
    return super.run(n, kh, kl, vals, out);
  }
}
