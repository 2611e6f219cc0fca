// Group-by of n records on 64-bit keys (kh, kl: u32 each) with values vals[4i..4i+3] = bytes, packets, start, end,
// into rows: out.kh, out.kl, out.bytes, out.packets, out.flows, out.first, out.last. Returns the row count.
// No parsing here: the keys come pre-parsed in typed arrays.

/** Output arrays for up to n rows. */
export function rowArrays(n) {
  return { kh: new Uint32Array(n), kl: new Uint32Array(n), bytes: new Float64Array(n), packets: new Float64Array(n), flows: new Uint32Array(n), first: new Float64Array(n), last: new Float64Array(n) };
}

// ---- (a) open-addressing hash, the counts inside the slot ----
// Slot: 32 bytes = u32 [kh, kl, flows (0 = empty), first, last, packets] + f64 bytes at byte 24 (f64 index slot*4+3).
// Packets are a u32 per row here (a real kernel would need a spill for a row past 2^32 packets in a batch).
// Half a cache line per slot; the table is at most half full (2^bits >= 2n). Linear probing.
export class HashAgg {
  constructor(n) {
    this.bits = Math.max(4, Math.ceil(Math.log2(2 * n)));
    const buf = new ArrayBuffer(32 << this.bits);
    this.t = new Uint32Array(buf); this.f = new Float64Array(buf);
  }
  run(n, kh, kl, vals, out) {
    const t = this.t, f = this.f, shift = 32 - this.bits, mask = (1 << this.bits) - 1;
    for (let i = 0; i < n; i++) {
      const a = kh[i], b = kl[i], o = i * 4;
      let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca77); h ^= h >>> 16; h = Math.imul(h, 0xc2b2ae35);
      let s = h >>> shift;
      for (;;) {
        const j = s * 8;
        if (t[j + 2] === 0) { // new row: its first touch
          t[j] = a; t[j + 1] = b; t[j + 2] = 1; t[j + 3] = vals[o + 2]; t[j + 4] = vals[o + 3]; t[j + 5] = vals[o + 1];
          f[s * 4 + 3] = vals[o];
          break;
        }
        if (t[j] === a && t[j + 1] === b) {
          t[j + 2]++; t[j + 5] += vals[o + 1]; f[s * 4 + 3] += vals[o];
          const st = vals[o + 2], en = vals[o + 3];
          if (st < t[j + 3]) t[j + 3] = st; if (en > t[j + 4]) t[j + 4] = en;
          break;
        }
        s = (s + 1) & mask;
      }
    }
    // per-row results: one scan of the table, which also empties it for the next batch
    let r = 0;
    const ok = out.kh, ol = out.kl, ob = out.bytes, op = out.packets, of = out.flows, ofi = out.first, ola = out.last;
    for (let s = 0, end = 1 << this.bits; s < end; s++) {
      const j = s * 8, flows = t[j + 2];
      if (flows === 0) continue;
      ok[r] = t[j]; ol[r] = t[j + 1]; of[r] = flows; ofi[r] = t[j + 3]; ola[r] = t[j + 4]; ob[r] = f[s * 4 + 3]; op[r] = t[j + 5];
      t[j + 2] = 0; r++;
    }
    return r;
  }
}

// ---- (b) sort-based: LSD radix sort of (kh, kl, record index) by 11/11/10-bit digits, then a linear reduce ----
// One pass over the keys builds all six histograms; a digit that is the same for every key skips its pass.
const DIGITS = [[0, 0, 11], [0, 11, 11], [0, 22, 10], [1, 0, 11], [1, 11, 11], [1, 22, 10]]; // [word: 0 kl 1 kh, shift, bits]
export class SortAgg {
  constructor(n) {
    this.h = [0, 1].map(() => new Uint32Array(n)); this.l = [0, 1].map(() => new Uint32Array(n)); this.x = [0, 1].map(() => new Uint32Array(n));
    this.count = new Uint32Array(6 * 2048);
    this.passes = 0;
  }
  run(n, kh, kl, vals, out) {
    const [sh, sl, sx] = this.sort(n, kh, kl);
    return this.reduce(n, sh, sl, sx, vals, out);
  }
  /** Returns the sorted keys and each one's record index (null: the records were in order already). */
  sort(n, kh, kl) {
    const count = this.count; count.fill(0);
    for (let i = 0; i < n; i++) {
      const a = kh[i], b = kl[i];
      count[b & 2047]++; count[2048 + ((b >>> 11) & 2047)]++; count[4096 + (b >>> 22)]++;
      count[6144 + (a & 2047)]++; count[8192 + ((a >>> 11) & 2047)]++; count[10240 + (a >>> 22)]++;
    }
    let sh = kh, sl = kl, sx = null, side = 0, passes = 0;
    for (let d = 0; d < 6; d++) {
      const [word, shift, bits] = DIGITS[d], base = d * 2048, size = 1 << bits;
      let single = false;
      for (let k = 0; k < size; k++) { const c = count[base + k]; if (c === n) { single = true; break; } if (c !== 0) break; }
      if (single) continue;
      // counts -> starting offsets
      for (let k = 0, sum = 0; k < size; k++) { const c = count[base + k]; count[base + k] = sum; sum += c; }
      const dh = this.h[side], dl = this.l[side], dx = this.x[side];
      const m = size - 1;
      if (sx === null) {
        for (let i = 0; i < n; i++) { const a = sh[i], b = sl[i], k = base + (((word ? a : b) >>> shift) & m); const p = count[k]++; dh[p] = a; dl[p] = b; dx[p] = i; }
      } else if (word === 0) {
        for (let i = 0; i < n; i++) { const b = sl[i], p = count[base + ((b >>> shift) & m)]++; dh[p] = sh[i]; dl[p] = b; dx[p] = sx[i]; }
      } else {
        for (let i = 0; i < n; i++) { const a = sh[i], p = count[base + ((a >>> shift) & m)]++; dh[p] = a; dl[p] = sl[i]; dx[p] = sx[i]; }
      }
      sh = dh; sl = dl; sx = dx; side ^= 1; passes++;
    }
    this.passes = passes;
    return [sh, sl, sx];
  }
  reduce(n, sh, sl, sx, vals, out) {
    // linear reduce over the sorted keys, values gathered by record index
    const ok = out.kh, ol = out.kl, ob = out.bytes, op = out.packets, of = out.flows, ofi = out.first, ola = out.last;
    let r = -1, ph = -1, pl = -1;
    for (let i = 0; i < n; i++) {
      const a = sh[i], b = sl[i], o = (sx === null ? i : sx[i]) * 4;
      const bytes = vals[o], packets = vals[o + 1], st = vals[o + 2], en = vals[o + 3];
      if (a !== ph || b !== pl) { r++; ok[r] = a; ol[r] = b; ob[r] = bytes; op[r] = packets; of[r] = 1; ofi[r] = st; ola[r] = en; ph = a; pl = b; }
      else { ob[r] += bytes; op[r] += packets; of[r]++; if (st < ofi[r]) ofi[r] = st; if (en > ola[r]) ola[r] = en; }
    }
    return r + 1;
  }
}
