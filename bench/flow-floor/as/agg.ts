// The two group-bys of agg-js.mjs in AssemblyScript, over arrays that JS places in this module's memory
// (a parser in the same module would write them there directly). Same layouts, same results.
let N: i32 = 0, KH: usize = 0, KL: usize = 0, VALS: usize = 0, H0: usize = 0, L0: usize = 0, X0: usize = 0, H1: usize = 0, L1: usize = 0, X1: usize = 0;
let COUNT: usize = 0, TABLE: usize = 0, BITS: i32 = 0, OH: usize = 0, OL: usize = 0, OB: usize = 0, OP: usize = 0, OF: usize = 0, OFI: usize = 0, OLA: usize = 0;
export let passes: i32 = 0;
export function setup(n: i32, kh: usize, kl: usize, vals: usize, h0: usize, l0: usize, x0: usize, h1: usize, l1: usize, x1: usize, count: usize, table: usize, bits: i32, oh: usize, ol: usize, ob: usize, op: usize, ofl: usize, ofi: usize, ola: usize): void {
  N = n; KH = kh; KL = kl; VALS = vals; H0 = h0; L0 = l0; X0 = x0; H1 = h1; L1 = l1; X1 = x1; COUNT = count; TABLE = table; BITS = bits;
  OH = oh; OL = ol; OB = ob; OP = op; OF = ofl; OFI = ofi; OLA = ola;
}
// Slot: 32 bytes: u32 kh@0 kl@4 flows@8 (0 = empty) first@12 last@16 packets@20, f64 bytes@24.
export function hashRun(): i32 {
  const n = N, t = TABLE, shift: u32 = 32 - <u32>BITS, mask: u32 = (1 << BITS) - 1;
  for (let i = 0; i < n; i++) {
    const a = load<u32>(KH + (<usize>i << 2)), b = load<u32>(KL + (<usize>i << 2)), v = VALS + (<usize>i << 5);
    let h: u32 = (a ^ (b * 0x9e3779b1)) * 0x85ebca77; h ^= h >> 16; h *= 0xc2b2ae35;
    let s: u32 = h >> shift;
    while (true) {
      const j = t + (<usize>s << 5);
      const flows = load<u32>(j, 8);
      if (flows == 0) {
        store<u32>(j, a); store<u32>(j, b, 4); store<u32>(j, 1, 8);
        store<u32>(j, <u32>load<f64>(v, 16), 12); store<u32>(j, <u32>load<f64>(v, 24), 16); store<u32>(j, <u32>load<f64>(v, 8), 20);
        store<f64>(j, load<f64>(v), 24);
        break;
      }
      if (load<u32>(j) == a && load<u32>(j, 4) == b) {
        store<u32>(j, flows + 1, 8); store<u32>(j, load<u32>(j, 20) + <u32>load<f64>(v, 8), 20); store<f64>(j, load<f64>(j, 24) + load<f64>(v), 24);
        const st = <u32>load<f64>(v, 16), en = <u32>load<f64>(v, 24);
        if (st < load<u32>(j, 12)) store<u32>(j, st, 12);
        if (en > load<u32>(j, 16)) store<u32>(j, en, 16);
        break;
      }
      s = (s + 1) & mask;
    }
  }
  // per-row results: one scan of the table, emptying it for the next batch
  let r: usize = 0;
  const end: usize = <usize>1 << BITS;
  for (let s: usize = 0; s < end; s++) {
    const j = t + (s << 5), flows = load<u32>(j, 8);
    if (flows == 0) continue;
    store<u32>(OH + (r << 2), load<u32>(j)); store<u32>(OL + (r << 2), load<u32>(j, 4)); store<u32>(OF + (r << 2), flows);
    store<f64>(OFI + (r << 3), <f64>load<u32>(j, 12)); store<f64>(OLA + (r << 3), <f64>load<u32>(j, 16));
    store<f64>(OP + (r << 3), <f64>load<u32>(j, 20)); store<f64>(OB + (r << 3), load<f64>(j, 24));
    store<u32>(j, 0, 8); r++;
  }
  return <i32>r;
}
// LSD radix sort of (kh, kl, index) by 11/11/10-bit digits (kl first), digits equal for all keys skipped; then a reduce.
let SH: usize = 0, SL: usize = 0, SX: usize = 0;
function sortKeys(): void {
  const n = N, c = COUNT;
  memory.fill(c, 0, 6 * 2048 * 4);
  for (let i = 0; i < n; i++) {
    const a = load<u32>(KH + (<usize>i << 2)), b = load<u32>(KL + (<usize>i << 2));
    const p0 = c + ((<usize>b & 2047) << 2), p1 = c + 8192 + (<usize>((b >> 11) & 2047) << 2), p2 = c + 16384 + (<usize>(b >> 22) << 2);
    store<u32>(p0, load<u32>(p0) + 1); store<u32>(p1, load<u32>(p1) + 1); store<u32>(p2, load<u32>(p2) + 1);
    const q0 = c + 24576 + ((<usize>a & 2047) << 2), q1 = c + 32768 + (<usize>((a >> 11) & 2047) << 2), q2 = c + 40960 + (<usize>(a >> 22) << 2);
    store<u32>(q0, load<u32>(q0) + 1); store<u32>(q1, load<u32>(q1) + 1); store<u32>(q2, load<u32>(q2) + 1);
  }
  let sh = KH, sl = KL, sx: usize = 0, side = 0, np = 0;
  for (let d = 0; d < 6; d++) {
    const word = d >= 3, shift: u32 = <u32>(d % 3) * 11, bits: u32 = d % 3 == 2 ? 10 : 11, size: u32 = 1 << bits, m: u32 = size - 1, base = c + (<usize>d << 13);
    let single = false;
    for (let k: u32 = 0; k < size; k++) { const v = load<u32>(base + (<usize>k << 2)); if (v == <u32>n) { single = true; break; } if (v != 0) break; }
    if (single) continue;
    let sum: u32 = 0;
    for (let k: u32 = 0; k < size; k++) { const p = base + (<usize>k << 2), v = load<u32>(p); store<u32>(p, sum); sum += v; }
    const dh = side ? H1 : H0, dl = side ? L1 : L0, dx = side ? X1 : X0;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2, a = load<u32>(sh + o), b = load<u32>(sl + o);
      const p = base + (<usize>(((word ? a : b) >> shift) & m) << 2), at = load<u32>(p);
      store<u32>(p, at + 1);
      const q = <usize>at << 2;
      store<u32>(dh + q, a); store<u32>(dl + q, b); store<u32>(dx + q, sx ? load<u32>(sx + o) : <u32>i);
    }
    sh = dh; sl = dl; sx = dx; side ^= 1; np++;
  }
  passes = np; SH = sh; SL = sl; SX = sx;
}
export function sortRun(): i32 {
  sortKeys();
  const n = N, sh = SH, sl = SL, sx = SX;
  let r: isize = -1, ph: u32 = 0, pl: u32 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2, a = load<u32>(sh + o), b = load<u32>(sl + o), v = VALS + ((sx ? <usize>load<u32>(sx + o) : <usize>i) << 5);
    const bytes = load<f64>(v), packets = load<f64>(v, 8), st = load<f64>(v, 16), en = load<f64>(v, 24);
    if (r < 0 || a != ph || b != pl) {
      r++; const r4 = <usize>r << 2, r8 = <usize>r << 3;
      store<u32>(OH + r4, a); store<u32>(OL + r4, b); store<u32>(OF + r4, 1); store<f64>(OB + r8, bytes); store<f64>(OP + r8, packets); store<f64>(OFI + r8, st); store<f64>(OLA + r8, en);
      ph = a; pl = b;
    } else {
      const r4 = <usize>r << 2, r8 = <usize>r << 3;
      store<u32>(OF + r4, load<u32>(OF + r4) + 1); store<f64>(OB + r8, load<f64>(OB + r8) + bytes); store<f64>(OP + r8, load<f64>(OP + r8) + packets);
      if (st < load<f64>(OFI + r8)) store<f64>(OFI + r8, st);
      if (en > load<f64>(OLA + r8)) store<f64>(OLA + r8, en);
    }
  }
  return <i32>(r + 1);
}

// Pairs (the peer index): keys in (interface-hour, peer, code) order; a pair closes when the top 42 bits change.
let QH: usize = 0, QL: usize = 0, QI: usize = 0, QO: usize = 0, QP: usize = 0, QF: usize = 0, QR: usize = 0, QFI: usize = 0, QLA: usize = 0;
export let pairCount: i32 = 0;
export function setupPairs(qh: usize, ql: usize, qi: usize, qo: usize, qp: usize, qf: usize, qr: usize, qfi: usize, qla: usize): void {
  QH = qh; QL = ql; QI = qi; QO = qo; QP = qp; QF = qf; QR = qr; QFI = qfi; QLA = qla;
}
export function sortPairsRun(): i32 {
  sortKeys();
  const n = N, sh = SH, sl = SL, sx = SX;
  let r: isize = -1, q: isize = -1, ph: u32 = 0, pl: u32 = 0, pp: u32 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2, a = load<u32>(sh + o), b = load<u32>(sl + o), v = VALS + ((sx ? <usize>load<u32>(sx + o) : <usize>i) << 5);
    const bytes = load<f64>(v), packets = load<f64>(v, 8), st = load<f64>(v, 16), en = load<f64>(v, 24);
    if (r < 0 || a != ph || b != pl) {
      r++; const r4 = <usize>r << 2, r8 = <usize>r << 3;
      store<u32>(OH + r4, a); store<u32>(OL + r4, b); store<u32>(OF + r4, 1); store<f64>(OB + r8, bytes); store<f64>(OP + r8, packets); store<f64>(OFI + r8, st); store<f64>(OLA + r8, en);
      const p = b >> 22;
      if (q < 0 || a != ph || p != pp) {
        q++; const q4 = <usize>q << 2, q8 = <usize>q << 3;
        store<u32>(QH + q4, a); store<u32>(QL + q4, p); store<f64>(QI + q8, 0); store<f64>(QO + q8, 0); store<f64>(QP + q8, 0); store<u32>(QF + q4, 0); store<u32>(QR + q4, 0);
        store<f64>(QFI + q8, st); store<f64>(QLA + q8, en); pp = p;
      }
      ph = a; pl = b;
    } else {
      const r4 = <usize>r << 2, r8 = <usize>r << 3;
      store<u32>(OF + r4, load<u32>(OF + r4) + 1); store<f64>(OB + r8, load<f64>(OB + r8) + bytes); store<f64>(OP + r8, load<f64>(OP + r8) + packets);
      if (st < load<f64>(OFI + r8)) store<f64>(OFI + r8, st);
      if (en > load<f64>(OLA + r8)) store<f64>(OLA + r8, en);
    }
    const da = (b >> 17) & 7, q4 = <usize>q << 2, q8 = <usize>q << 3;
    if (da < 2) store<f64>(QI + q8, load<f64>(QI + q8) + bytes); else store<f64>(QO + q8, load<f64>(QO + q8) + bytes);
    store<f64>(QP + q8, load<f64>(QP + q8) + packets); store<u32>(QF + q4, load<u32>(QF + q4) + 1); store<u32>(QR + q4, load<u32>(QR + q4) + (da & 1));
    if (st < load<f64>(QFI + q8)) store<f64>(QFI + q8, st);
    if (en > load<f64>(QLA + q8)) store<f64>(QLA + q8, en);
  }
  pairCount = <i32>(q + 1);
  return <i32>(r + 1);
}
