// Trailhound's flow kernel (a copy of bench/flow-floor/as/whole.ts, extended for wasm-flow-hour.ts): everything after
// gunzip for one flow log's account-hour, default format (version 2), IPv4. Build: node lambdas/core/flowlogs/wasm/build.mjs.
// Extensions over the bench copy: setTarget() (one account-hour; other records counted in `outside`), lines with an
// IPv6 address counted in `unsupported` (not rejected), layout() (where the results lie, for the JS reader).
// JS copies each gunzipped chunk (<= 64 KB) in at inputAt() + carried() and calls push(len); this module splits
// lines (the header skipped), parses and checks every field (parseFlowColumns's rules; bad lines counted),
// interns interface ids, keeps one state per (hour, interface) as FlowHourAggregator does (one aggregator per
// hour of `start`), learns each interface's own address (direction.ts: up to 32 records held until it is known,
// then by address class), sums per-interface totals per direction, and appends one key + values per folded
// record. finish() releases the held records, radix-sorts the keys and reduces them into rows and peer-index
// pairs with flow-aggregate.ts's caps: 4000 live rows per interface-hour by first arrival (later keys fold into
// a `*` row per direction-action), pairs' port lists (first 8 distinct port codes by arrival), 100,000 pairs and
// 50,000 paired peers per hour by first arrival.
//
// Key (u64): interface-hour (10 bits) | peer IPv4 (32) | direction*2+rejected (3) | code (19): the (protocol, port)
// pair's number in this hour's code dictionary (CODEVAL: (protocol + 1) * 65537 + port + 1, flow-row-view.ts's portCode).
// A record's place in the append order is its arrival (the order FlowHourAggregator folds them in: held records
// at their release), and the LSD sort is stable, so the first record of each group is its first arrival.
// Limits of this spike (abort): 1024 interface-hours, 2^19 distinct (protocol, port) codes, 2048 interfaces, 16 hours, 8 own
// addresses per interface; IPv6 addresses and start/end >= 2^32 are rejected as lines (counted apart for the latter).

const SP: u32 = 32, NL: u32 = 10, CR: u32 = 13, DASH: u32 = 45;
const MAX_ROWS: i32 = 4000, MAX_PEERS: i32 = 50000, MAX_PAIRS: i32 = 100000, LINK_PORTS: i32 = 8, MAX_WAITING: i32 = 32;
const MAX_IH: i32 = 1024, MAX_IF: i32 = 2048, MAX_HOURS: i32 = 16, IF_SLOTS: u32 = 4096, MAX_OWN: i32 = 8;
const CARRY_MAX: usize = 16384, INPUT_BYTES: usize = 16384 + 65536 + 64;
const IH_STRIDE: usize = 512, WAIT_STRIDE: usize = 48, HOUR_STRIDE: usize = 64;
// per interface-hour struct offsets
const I_IFACE = 0, I_HOUR = 4, I_FIRST = 8, I_LAST = 12, I_NODATA = 16, I_SKIP = 20, I_OWNN = 24, I_CC = 28, I_CAND = 32, I_WAIT = 40,
  I_ROWCOUNT = 44, I_CAPPED = 48, I_RS = 52, I_RE = 56, I_PS = 60, I_PE = 64, I_OWN = 68, I_LIVE = 100, I_TOT = 104, I_STAR = 248, I_RANK = 488;
// per hour struct offsets
const H_NUM = 0, H_ACCT = 8, H_FLOWS = 16, H_NODATA = 20, H_SKIP = 24, H_OUT = 28, H_PAIRS = 32, H_PEERS = 36, H_CAPPED = 40, H_NPAIRS = 44, H_WALK = 48;

let INPUT: usize = 0, IFTAB: usize = 0, IFPOOL: usize = 0, IFOFF: usize = 0, IFLEN: usize = 0, IHOF: usize = 0, IH: usize = 0, WAIT: usize = 0;
let HOURS: usize = 0, COUNT: usize = 0, HEADER: usize = 0, OUT: usize = 0, CODETAB: usize = 0, CODEVAL: usize = 0;
/** Distinct (protocol, port) codes a run can number (the key's 19 bits), and the hash slots that find them. */
const MAX_CODES: i32 = 1 << 19, CODE_SLOT_BITS: u32 = 20;
let CAP: i32 = 0, KEYS: usize = 0, VALS: usize = 0, KEYS2: usize = 0, IDX0: usize = 0, IDX1: usize = 0;
let R_KEY: usize = 0, R_SEQ: usize = 0, R_FLOWS: usize = 0, R_BYTES: usize = 0, R_PACKETS: usize = 0, R_FIRST: usize = 0, R_LAST: usize = 0;
let P_IH: usize = 0, P_PEER: usize = 0, P_SEQ: usize = 0, P_FLOWS: usize = 0, P_REJ: usize = 0, P_FIRST: usize = 0, P_LAST: usize = 0, P_RS: usize = 0;
let P_NPORTS: usize = 0, P_PORTS: usize = 0, P_IN: usize = 0, P_OUT: usize = 0, P_PACKETS: usize = 0, P_KEPT: usize = 0;
let BITS: usize = 0, PEERSET: usize = 0, PEERSET_MAX: u32 = 0;
// The kept pairs gathered in the peer index's order (gatherPairs): read by JS front to back, at most G_CAP.
let G_IH: usize = 0, G_PEER: usize = 0, G_FLOWS: usize = 0, G_REJ: usize = 0, G_FIRST: usize = 0, G_LAST: usize = 0, G_NPORTS: usize = 0;
let G_PORTS: usize = 0, G_IN: usize = 0, G_OUT: usize = 0, G_PACKETS: usize = 0, G_CAP: i32 = 0;
let HEADER_LEN: i32 = 0, STRKEY: usize = 0, IHLIST: usize = 0, ORDER: usize = 0, nOrder: i32 = 0;

// run state
let N: i32 = 0, nIf: i32 = 0, nIh: i32 = 0, nHours: i32 = 0, lastHourNum: i64 = -1, lastHour: i32 = -1, nCodes: i32 = 0, poolUsed: i32 = 0;
let nRows: i32 = 0, nPairs: i32 = 0;
export let records: i32 = 0;
export let rejected: i32 = 0;
export let blank: i32 = 0;
export let unsupported: i32 = 0;
export let formatError: i32 = 0;
export let outside: i32 = 0;
let targetOn: bool = false, TARGET_ACCT: u64 = 0, TARGET_HOUR: i64 = 0;
/** Folds only records of this account and hour of start (FlowHourAggregator's filter); the others count in `outside`. */
export function setTarget(hi: u32, lo: u32, hourNum: i32): void { targetOn = true; TARGET_ACCT = (<u64>hi << 32) | lo; TARGET_HOUR = <i64>hourNum; }
let carriedBytes: i32 = 0, header: bool = true, skipping: bool = false;
let FALLBACK: u64 = 111122223333;
let acctLo: u64 = 0, acctHi: u32 = 0xffffffff, acctValue: u64 = 0;

@inline function align(p: usize): usize { return (p + 63) & ~<usize>63; }

/** Lays out memory for `cap` folded records (grown once; reused by every run). */
export function init(cap: i32, headerLen: i32): void {
  CAP = cap; HEADER_LEN = headerLen;
  let at: usize = align(__heap_base + 64);
  INPUT = at; at = align(at + INPUT_BYTES + 16);
  HEADER = at; at = align(at + 1024);
  IFTAB = at; at = align(at + (<usize>IF_SLOTS << 2));
  IFPOOL = at; at = align(at + 65536);
  IFOFF = at; at = align(at + (<usize>MAX_IF << 2));
  IFLEN = at; at = align(at + (<usize>MAX_IF << 2));
  IHOF = at; at = align(at + (<usize>(MAX_HOURS * MAX_IF) << 2));
  IH = at; at = align(at + <usize>MAX_IH * IH_STRIDE);
  WAIT = at; at = align(at + <usize>MAX_IH * <usize>MAX_WAITING * WAIT_STRIDE);
  HOURS = at; at = align(at + <usize>MAX_HOURS * HOUR_STRIDE);
  COUNT = at; at = align(at + 6 * 2048 * 4);
  OUT = at; at = align(at + 64 * 8);
  CODETAB = at; at = align(at + (<usize>1 << CODE_SLOT_BITS) * 4);
  CODEVAL = at; at = align(at + <usize>MAX_CODES * 4);
  STRKEY = at; at = align(at + 256 * 4);
  IHLIST = at; at = align(at + <usize>MAX_IH * 4);
  const n = <usize>cap;
  KEYS = at; at = align(at + n * 8);
  KEYS2 = at; at = align(at + n * 8);
  VALS = at; at = align(at + n * 24);
  IDX0 = at; at = align(at + n * 4);
  IDX1 = at; at = align(at + n * 4);
  R_KEY = at; at = align(at + n * 8);
  R_SEQ = at; at = align(at + n * 4);
  R_FLOWS = at; at = align(at + n * 4);
  R_BYTES = at; at = align(at + n * 8);
  R_PACKETS = at; at = align(at + n * 8);
  R_FIRST = at; at = align(at + n * 4);
  R_LAST = at; at = align(at + n * 4);
  P_IH = at; at = align(at + n * 4);
  P_PEER = at; at = align(at + n * 4);
  P_SEQ = at; at = align(at + n * 4);
  P_FLOWS = at; at = align(at + n * 4);
  P_REJ = at; at = align(at + n * 4);
  P_FIRST = at; at = align(at + n * 4);
  P_LAST = at; at = align(at + n * 4);
  P_RS = at; at = align(at + n * 4 + 4);
  P_NPORTS = at; at = align(at + n * 4);
  P_PORTS = at; at = align(at + n * 32);
  P_IN = at; at = align(at + n * 8);
  P_OUT = at; at = align(at + n * 8);
  P_PACKETS = at; at = align(at + n * 8);
  P_KEPT = at; at = align(at + n);
  BITS = at; at = align(at + (n >> 3) + 64);
  PEERSET_MAX = 1 << 21;
  PEERSET = at; at = align(at + (<usize>PEERSET_MAX << 3));
  // One hour (setTarget) keeps at most MAX_PAIRS pairs; more (several hours, no target) abort in gatherPairs.
  G_CAP = min(cap, MAX_PAIRS);
  const g = <usize>G_CAP;
  G_IH = at; at = align(at + g * 4);
  G_PEER = at; at = align(at + g * 4);
  G_FLOWS = at; at = align(at + g * 4);
  G_REJ = at; at = align(at + g * 4);
  G_FIRST = at; at = align(at + g * 4);
  G_LAST = at; at = align(at + g * 4);
  G_NPORTS = at; at = align(at + g * 4);
  G_PORTS = at; at = align(at + g * 32);
  G_IN = at; at = align(at + g * 8);
  G_OUT = at; at = align(at + g * 8);
  G_PACKETS = at; at = align(at + g * 8);
  const need = <i32>((at + 65535) >> 16) - memory.size();
  if (need > 0) memory.grow(need);
  for (let o = 0; o < 256; o++) store<u32>(STRKEY + (<usize>o << 2), o < 10 ? <u32>(o + 1) << 8 : o < 100 ? (<u32>(o / 10 + 1) << 8) | <u32>(o % 10 + 1) << 4 : (<u32>(o / 100 + 1) << 8) | (<u32>((o / 10) % 10 + 1) << 4) | <u32>(o % 10 + 1));
}
export function inputAt(): usize { return INPUT; }
export function headerAt(): usize { return HEADER; }
export function outAt(): usize { return OUT; }
export function carried(): i32 { return carriedBytes; }
export function setFallback(hi: u32, lo: u32): void { FALLBACK = (<u64>hi << 32) | lo; }

export function reset(): void {
  N = 0; nIf = 0; nIh = 0; nHours = 0; lastHourNum = -1; lastHour = -1; nCodes = 0; poolUsed = 0; nRows = 0; nPairs = 0;
  records = 0; rejected = 0; blank = 0; unsupported = 0; formatError = 0; outside = 0; acctLo = 0; acctHi = 0xffffffff;
  memory.fill(IFTAB, 0, <usize>IF_SLOTS << 2);
  memory.fill(IHOF, 0xff, <usize>(MAX_HOURS * MAX_IF) << 2);
  memory.fill(CODETAB, 0, (<usize>1 << CODE_SLOT_BITS) * 4);
  memory.fill(HOURS, 0, <usize>MAX_HOURS * HOUR_STRIDE);
}
export function beginFile(): void { carriedBytes = 0; header = true; skipping = false; }

// ---- line split ----
export function push(len: i32): void {
  let p: usize = INPUT;
  const end: usize = INPUT + <usize>carriedBytes + <usize>len;
  if (skipping) {
    while (p < end && load<u8>(p) != NL) p++;
    if (p == end) { carriedBytes = 0; return; }
    p++; skipping = false; rejected++;
  }
  let last: usize = end;
  while (last > p && load<u8>(last - 1) != NL) last--;
  // [p, last) holds whole lines
  if (last > p) {
    if (header) p = headerLine(p);
    while (p < last) p = line(p);
  }
  const rest = end - p;
  if (rest > CARRY_MAX) { skipping = true; carriedBytes = 0; }
  else { if (rest > 0 && p != INPUT) memory.copy(INPUT, p, rest); carriedBytes = <i32>rest; }
}
export function endFile(): void {
  if (skipping) { rejected++; skipping = false; }
  if (carriedBytes > 0) {
    store<u8>(INPUT + <usize>carriedBytes, NL);
    if (header) headerLine(INPUT); else line(INPUT);
    carriedBytes = 0;
  }
}
function headerLine(p: usize): usize {
  header = false;
  let e = p; while (load<u8>(e) != NL) e++;
  let t = e; if (t > p && load<u8>(t - 1) == CR) t--;
  if (<i32>(t - p) != HEADER_LEN || memory.compare(p, HEADER, <usize>HEADER_LEN) != 0) formatError++;
  return e + 1;
}

/** A line that is not a record: blank (whitespace only) or rejected. Returns the position after its newline. */
function bad(p0: usize): usize {
  let p = p0, white = true, c: u32;
  while ((c = load<u8>(p)) != NL) { if (!(c == SP || c == 9 || c == 11 || c == 12 || c == CR)) white = false; p++; }
  if (white) blank++; else rejected++;
  return p + 1;
}

/** A line whose address at t did not parse as IPv4: `unsupported` when the token holds a `:` (IPv6), else rejected. */
function badAddress(p0: usize, t: usize): usize {
  let c: u32;
  while ((c = load<u8>(t)) != SP && c != NL) {
    if (c == 58) { let p = t; while (load<u8>(p) != NL) p++; unsupported++; return p + 1; }
    t++;
  }
  return bad(p0);
}

let A: u32 = 0, ABSENT: bool = false, NUM: i64 = 0;
/** IPv4 (dotted quad, no leading zeros) or `-`; returns the position after it, or 0. */
@inline function addr(p: usize): usize {
  if (load<u8>(p) == DASH && load<u8>(p + 1) == SP) { ABSENT = true; return p + 1; }
  ABSENT = false;
  let v: u32 = 0, c: u32 = 0;
  for (let octet = 0; octet < 4; octet++) {
    const first = p; let o: u32 = 0;
    while (p - first < 3 && (c = <u32>load<u8>(p) - 48) < 10) { o = o * 10 + c; p++; }
    const digits = p - first;
    if (digits == 0 || (digits > 1 && load<u8>(first) == 48) || o > 255) return 0;
    v = (v << 8) | o;
    if (octet < 3) { if (load<u8>(p) != 46) return 0; p++; }
  }
  A = v; return p;
}
/** A number of 1-15 digits or `-` (-1); returns the position after it, or 0. Eight digits at a time (SWAR). */
const POW10: StaticArray<u64> = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000];
@inline function eight(v: u64): u64 { // digit values in bytes, the first in the low byte
  v = ((v & 0x0f0f0f0f0f0f0f0f) * 2561) >> 8;
  v = ((v & 0x00ff00ff00ff00ff) * 6553601) >> 16;
  return ((v & 0x0000ffff0000ffff) * 42949672960001) >> 32;
}
@inline function num(p: usize): usize {
  const x = load<u64>(p), d = x - 0x3030303030303030;
  const m = ((d + 0x7676767676767676) | d) & 0x8080808080808080; // high bit of each byte that is no digit
  if (m != 0) {
    const len = <u32>ctz(m) >> 3;
    if (len == 0) { if ((<u32>x & 0xffff) == 0x202d) { NUM = -1; return p + 1; } return 0; }
    NUM = <i64>eight(d << (<u64>(8 - len) << 3)); return p + len;
  }
  const high = eight(d);
  const x2 = load<u64>(p + 8), d2 = x2 - 0x3030303030303030;
  const m2 = ((d2 + 0x7676767676767676) | d2) & 0x8080808080808080;
  if (m2 == 0) return 0;
  const len2 = <u32>ctz(m2) >> 3;
  if (len2 == 0) { NUM = <i64>high; return p + 8; }
  if (len2 > 7) return 0;
  NUM = <i64>(high * unchecked(POW10[len2]) + eight(d2 << (<u64>(8 - len2) << 3))); return p + 8 + len2;
}

/** One line at p0 (a newline follows it in the buffer); returns the position after its newline. */
function line(p0: usize): usize {
  let p = p0, c: u32 = 0;
  // version: not checked (any bytes up to the first space, as the JS parser takes it)
  while ((c = load<u8>(p)) != SP && c != NL) p++;
  if (c != SP) return bad(p0);
  p++;
  // account-id: 12 digits, or `-` (the object key's account)
  let acct: u64 = 0;
  if (load<u64>(p) == acctLo && load<u32>(p, 8) == acctHi && load<u8>(p, 12) == SP) { acct = acctValue; p += 12; } // the last line's account
  else if (load<u8>(p) == DASH && load<u8>(p + 1) == SP) { acct = FALLBACK; p++; }
  else {
    const s = p; while ((c = <u32>load<u8>(p) - 48) < 10) { acct = acct * 10 + <u64>c; p++; }
    if (p - s != 12) return bad(p0);
    acctLo = load<u64>(s); acctHi = load<u32>(s, 8); acctValue = acct;
  }
  if (load<u8>(p) != SP) return bad(p0);
  p++;
  // interface-id, interned by its bytes
  const is = p;
  while ((c = load<u8>(p)) > SP && c < 127) p++;
  if (c != SP) return bad(p0);
  // hashed 8 bytes at a time (the bytes past the id masked off)
  let hh: u64 = 0x9e3779b97f4a7c15, q = is;
  for (; q + 8 <= p; q += 8) hh = (hh ^ load<u64>(q)) * 0xff51afd7ed558ccd;
  if (q < p) hh = (hh ^ (load<u64>(q) & ((<u64>1 << (<u64>(p - q) << 3)) - 1))) * 0xff51afd7ed558ccd;
  const iface = intern(is, p, <u32>(hh >> 32) ^ <u32>hh);
  if (iface < 0) return bad(p0);
  p++;
  let t = p;
  p = addr(p); if (p == 0 || load<u8>(p) != SP) return badAddress(p0, t);
  const src = A, srcAbsent = ABSENT; p++;
  t = p;
  p = addr(p); if (p == 0 || load<u8>(p) != SP) return badAddress(p0, t);
  const dst = A, dstAbsent = ABSENT; p++;
  p = num(p); if (p == 0 || load<u8>(p) != SP) return bad(p0); const srcport = NUM; p++;
  p = num(p); if (p == 0 || load<u8>(p) != SP) return bad(p0); const dstport = NUM; p++;
  p = num(p); if (p == 0 || load<u8>(p) != SP) return bad(p0); const protocol = NUM; p++;
  p = num(p); if (p == 0 || load<u8>(p) != SP) return bad(p0); const packets = NUM < 0 ? 0 : NUM; p++;
  p = num(p); if (p == 0 || load<u8>(p) != SP) return bad(p0); const bytes = NUM < 0 ? 0 : NUM; p++;
  p = num(p); if (p == 0 || load<u8>(p) != SP) return bad(p0); const start = NUM; p++;
  p = num(p); if (p == 0 || load<u8>(p) != SP) return bad(p0); const end = NUM; p++;
  // action
  let rej: u32 = 0;
  if (load<u8>(p) == DASH && load<u8>(p + 1) == SP) p++;
  else if (load<u32>(p) == 0x45434341 && load<u16>(p + 4) == 0x5450) p += 6; // ACCEPT
  else if (load<u32>(p) == 0x454a4552 && load<u16>(p + 4) == 0x5443) { rej = 1; p += 6; } // REJECT
  else return bad(p0);
  if (load<u8>(p) != SP) return bad(p0);
  p++;
  // log-status: 0 OK (or `-`), 1 NODATA, 2 SKIPDATA
  let status = 0;
  c = load<u8>(p);
  if (c == DASH) p++;
  else if (c == 79 && load<u8>(p + 1) == 75) p += 2;
  else if (load<u32>(p) == 0x41444f4e && load<u16>(p + 4) == 0x4154) { status = 1; p += 6; }
  else if (load<u64>(p) == 0x4154414450494b53) { status = 2; p += 8; }
  else return bad(p0);
  if (load<u8>(p) == CR) p++;
  if (load<u8>(p) != NL) return bad(p0);
  // A line longer than the JS splitter's 16 KB is no record there (read-text.ts MAX_LINE_BYTES), even whole in a chunk.
  if (p - p0 > CARRY_MAX) return bad(p0);
  if (start < 0 || end < 0 || end < start || srcport > 65535 || dstport > 65535 || protocol > 255) return bad(p0);
  if (status == 0 && (srcAbsent || dstAbsent)) return bad(p0);
  if (end > 0xffffffff) { unsupported++; return p + 1; }
  records++;
  add(acct, iface, src, dst, <i32>srcport, <i32>dstport, <i32>protocol, <f64>packets, <f64>bytes, <u32>start, <u32>end, rej, status);
  return p + 1;
}

/** Whether len bytes at a and b are equal, 8 at a time (both may be read 8 bytes past their end). */
@inline function same(a: usize, b: usize, len: i32): bool {
  let i = 0;
  for (; i + 8 <= len; i += 8) if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  if (i == len) return true;
  const mask: u64 = (<u64>1 << (<u64>(len - i) << 3)) - 1;
  return ((load<u64>(a + <usize>i) ^ load<u64>(b + <usize>i)) & mask) == 0;
}
/** The interface's number, or -1 when its id is no resource id (`[a-z]{1,8}-[0-9a-f]{1,32}` or `-`). */
/** The number of a (protocol, port) value ((protocol + 1) * 65537 + port + 1), numbered at its first sight. */
@inline function codeOf(value: u32): u32 {
  const mask: u32 = (1 << CODE_SLOT_BITS) - 1;
  let slot = (value * 0x9e3779b1) >> (32 - CODE_SLOT_BITS);
  while (true) {
    const at = CODETAB + (<usize>slot << 2);
    const id1 = load<u32>(at);
    if (id1 == 0) {
      const id = nCodes++;
      if (id >= MAX_CODES) abort();
      store<u32>(at, <u32>id + 1);
      store<u32>(CODEVAL + (<usize>id << 2), value);
      return <u32>id;
    }
    if (load<u32>(CODEVAL + (<usize>(id1 - 1) << 2)) == value) return id1 - 1;
    slot = (slot + 1) & mask;
  }
}
function intern(s: usize, e: usize, h: u32): i32 {
  const len = <i32>(e - s);
  let slot = h & (IF_SLOTS - 1);
  while (true) {
    const id1 = load<i32>(IFTAB + (<usize>slot << 2));
    if (id1 == 0) break;
    const id = id1 - 1;
    if (load<i32>(IFLEN + (<usize>id << 2)) == len && same(IFPOOL + <usize>load<i32>(IFOFF + (<usize>id << 2)), s, len)) return id;
    slot = (slot + 1) & (IF_SLOTS - 1);
  }
  if (!(len == 1 && load<u8>(s) == DASH)) {
    let i = s;
    while (i < e && load<u8>(i) - 0x61 < 26) i++;
    const prefix = i - s;
    if (prefix < 1 || prefix > 8 || i >= e || load<u8>(i) != DASH) return -1;
    const hex = e - i - 1;
    if (hex < 1 || hex > 32) return -1;
    for (i++; i < e; i++) { const b = load<u8>(i); if (!(b - 48 < 10 || b - 0x61 < 6)) return -1; }
  }
  const id = nIf++;
  if (id >= MAX_IF || <usize>poolUsed + <usize>len + 8 > 65536) abort();
  memory.copy(IFPOOL + <usize>poolUsed, s, <usize>len);
  store<i32>(IFOFF + (<usize>id << 2), poolUsed); store<i32>(IFLEN + (<usize>id << 2), len); poolUsed += len;
  store<i32>(IFTAB + (<usize>slot << 2), id + 1);
  return id;
}

@inline function isPrivate(a: u32): bool {
  const x = a >> 24, y = (a >> 16) & 255;
  return x == 10 || (x == 172 && y - 16 < 16) || (x == 192 && y == 168) || (x == 100 && y - 64 < 64) || (x == 169 && y == 254);
}
let PEER: u32 = 0;
function isOwn(I: usize, a: u32): bool {
  const n = load<i32>(I, I_OWNN);
  for (let k = 0; k < n; k++) if (load<u32>(I + I_OWN + (<usize>k << 2)) == a) return true;
  return false;
}
/** 0 in (peer src), 1 out (peer dst), -1 not known. */
@inline function byOwn(I: usize, src: u32, dst: u32): i32 {
  if (load<i32>(I, I_OWNN) == 0) return -1;
  const so = isOwn(I, src), dO = isOwn(I, dst);
  if (dO && !so) { PEER = src; return 0; }
  if (so && !dO) { PEER = dst; return 1; }
  return -1;
}
@inline function byClass(src: u32, dst: u32): i32 {
  const sp = isPrivate(src), dp = isPrivate(dst);
  if (dp && !sp) { PEER = src; return 0; }
  if (sp && !dp) { PEER = dst; return 1; }
  PEER = dst; return 2;
}

function hourOf(hourNum: i64, acct: u64): i32 {
  for (let h = 0; h < nHours; h++) if (load<i64>(HOURS + <usize>h * HOUR_STRIDE, H_NUM) == hourNum) { lastHourNum = hourNum; lastHour = h; return h; }
  const h = nHours++;
  if (h >= MAX_HOURS) abort();
  const H = HOURS + <usize>h * HOUR_STRIDE;
  memory.fill(H, 0, HOUR_STRIDE);
  store<i64>(H, hourNum, H_NUM); store<u64>(H, acct, H_ACCT);
  lastHourNum = hourNum; lastHour = h;
  return h;
}

function add(acct: u64, iface: i32, src: u32, dst: u32, srcport: i32, dstport: i32, protocol: i32, packets: f64, bytes: f64, start: u32, end: u32, rej: u32, status: i32): void {
  const hourNum = <i64>(start / 3600);
  if (targetOn && (acct != TARGET_ACCT || hourNum != TARGET_HOUR)) { outside++; return; }
  const h = hourNum == lastHourNum ? lastHour : hourOf(hourNum, acct);
  const H = HOURS + <usize>h * HOUR_STRIDE;
  if (load<u64>(H, H_ACCT) != acct) { store<i32>(H, load<i32>(H, H_OUT) + 1, H_OUT); return; }
  const slot = IHOF + ((<usize>h * <usize>MAX_IF + <usize>iface) << 2);
  let ih = load<i32>(slot);
  let I: usize;
  if (ih < 0) {
    ih = nIh++;
    if (ih >= MAX_IH) abort();
    store<i32>(slot, ih);
    I = IH + <usize>ih * IH_STRIDE;
    memory.fill(I, 0, IH_STRIDE);
    store<i32>(I, iface, I_IFACE); store<i32>(I, h, I_HOUR); store<u32>(I, start, I_FIRST); store<u32>(I, end, I_LAST); store<i32>(I, -1, I_CC);
  } else {
    I = IH + <usize>ih * IH_STRIDE;
    if (start < load<u32>(I, I_FIRST)) store<u32>(I, start, I_FIRST);
    if (end > load<u32>(I, I_LAST)) store<u32>(I, end, I_LAST);
  }
  if (status != 0) {
    if (status == 1) { store<i32>(I, load<i32>(I, I_NODATA) + 1, I_NODATA); store<i32>(H, load<i32>(H, H_NODATA) + 1, H_NODATA); }
    else { store<i32>(I, load<i32>(I, I_SKIP) + 1, I_SKIP); store<i32>(H, load<i32>(H, H_SKIP) + 1, H_SKIP); }
    return;
  }
  // the row's code: the (protocol, port) pair's number in the code dictionary
  const port = srcport >= 0 && dstport >= 0 ? min(srcport, dstport) : dstport;
  const pcode = codeOf(<u32>(protocol + 1) * 65537 + <u32>(port + 1));
  // direction (direction.ts, formats without flow-direction)
  let d = byOwn(I, src, dst);
  if (d >= 0) { fold(ih, I, H, d, PEER, pcode, rej, bytes, packets, start, end); return; }
  let cc = load<i32>(I, I_CC);
  if (cc < 0) { store<u32>(I, src, I_CAND); store<u32>(I, dst, I_CAND + 4); cc = 2; }
  else {
    const c0 = load<u32>(I, I_CAND), c1 = load<u32>(I, I_CAND + 4);
    let k = 0;
    if (c0 == src || c0 == dst) { store<u32>(I + I_CAND + (<usize>k << 2), c0); k++; }
    if (c1 == src || c1 == dst) { store<u32>(I + I_CAND + (<usize>k << 2), c1); k++; }
    cc = k;
  }
  if (cc == 1) {
    addOwn(I, load<u32>(I, I_CAND));
    store<i32>(I, -1, I_CC);
    release(ih, I, H);
    d = byOwn(I, src, dst);
    if (d < 0) d = byClass(src, dst);
    fold(ih, I, H, d, PEER, pcode, rej, bytes, packets, start, end);
    return;
  }
  if (cc == 0) { store<u32>(I, src, I_CAND); store<u32>(I, dst, I_CAND + 4); cc = 2; }
  store<i32>(I, cc, I_CC);
  const waiting = load<i32>(I, I_WAIT);
  if (waiting >= MAX_WAITING) { d = byClass(src, dst); fold(ih, I, H, d, PEER, pcode, rej, bytes, packets, start, end); return; }
  const w = WAIT + (<usize>ih * <usize>MAX_WAITING + <usize>waiting) * WAIT_STRIDE;
  store<u32>(w, src); store<u32>(w, dst, 4); store<u32>(w, pcode, 8); store<u32>(w, rej, 12); store<u32>(w, start, 16); store<u32>(w, end, 20);
  store<f64>(w, bytes, 24); store<f64>(w, packets, 32);
  store<i32>(I, waiting + 1, I_WAIT);
}
function addOwn(I: usize, a: u32): void {
  if (isOwn(I, a)) return;
  const n = load<i32>(I, I_OWNN);
  if (n >= MAX_OWN) abort();
  store<u32>(I + I_OWN + (<usize>n << 2), a);
  store<i32>(I, n + 1, I_OWNN);
}
/** The held records, in the order they came, by own address else by address class. */
function release(ih: i32, I: usize, H: usize): void {
  const n = load<i32>(I, I_WAIT);
  if (n == 0) return;
  store<i32>(I, 0, I_WAIT);
  for (let k = 0; k < n; k++) {
    const w = WAIT + (<usize>ih * <usize>MAX_WAITING + <usize>k) * WAIT_STRIDE;
    const src = load<u32>(w), dst = load<u32>(w, 4);
    let d = byOwn(I, src, dst);
    if (d < 0) d = byClass(src, dst);
    fold(ih, I, H, d, PEER, load<u32>(w, 8), load<u32>(w, 12), load<f64>(w, 24), load<f64>(w, 32), load<u32>(w, 16), load<u32>(w, 20));
  }
}
/** A resolved record: totals per direction, then its key and values appended (its index is its arrival). */
@inline function fold(ih: i32, I: usize, H: usize, d: i32, peer: u32, pcode: u32, rej: u32, bytes: f64, packets: f64, start: u32, end: u32): void {
  store<i32>(H, load<i32>(H, H_FLOWS) + 1, H_FLOWS);
  const T = I + I_TOT + <usize>d * 48;
  store<f64>(T, load<f64>(T) + bytes); store<f64>(T, load<f64>(T, 8) + packets, 8); store<f64>(T, load<f64>(T, 16) + 1, 16);
  if (rej) { store<f64>(T, load<f64>(T, 24) + bytes, 24); store<f64>(T, load<f64>(T, 32) + packets, 32); store<f64>(T, load<f64>(T, 40) + 1, 40); }
  const da = <u32>d * 2 + rej;
  const n = N++;
  if (n >= CAP) abort();
  store<u64>(KEYS + (<usize>n << 3), (<u64>ih << 54) | (<u64>peer << 22) | (<u64>da << 19) | <u64>pcode);
  const v = VALS + <usize>n * 24;
  store<f64>(v, bytes); store<f64>(v, packets, 8); store<u32>(v, start, 16); store<u32>(v, end, 20);
}

// ---- end of the batch: release, sort, reduce, caps ----
let SK: usize = 0, SX: usize = 0;
export function sortKeys(): void {
  const n = N, c = COUNT;
  memory.fill(c, 0, 6 * 2048 * 4);
  for (let i = 0; i < n; i++) {
    const k = load<u64>(KEYS + (<usize>i << 3));
    for (let d = 0; d < 6; d++) { const p = c + (<usize>d << 13) + (<usize>((k >> (<u64>d * 11)) & 2047) << 2); store<u32>(p, load<u32>(p) + 1); }
  }
  let sk = KEYS, sx: usize = 0, side = 0;
  for (let d = 0; d < 6; d++) {
    const base = c + (<usize>d << 13), shift = <u64>d * 11;
    let single = false;
    for (let k = 0; k < 2048; k++) { const v = load<u32>(base + (<usize>k << 2)); if (v == <u32>n) { single = true; break; } if (v != 0) break; }
    if (single) continue;
    let sum: u32 = 0;
    for (let k = 0; k < 2048; k++) { const p = base + (<usize>k << 2), v = load<u32>(p); store<u32>(p, sum); sum += v; }
    const dk = sk == KEYS ? KEYS2 : KEYS, dx = side ? IDX1 : IDX0;
    for (let i = 0; i < n; i++) {
      const k = load<u64>(sk + (<usize>i << 3));
      const p = base + (<usize>((k >> shift) & 2047) << 2), at = load<u32>(p);
      store<u32>(p, at + 1);
      store<u64>(dk + (<usize>at << 3), k); store<u32>(dx + (<usize>at << 2), sx ? load<u32>(sx + (<usize>i << 2)) : <u32>i);
    }
    sk = dk; sx = dx; side ^= 1;
  }
  SK = sk; SX = sx;
}

export let touch: u32 = 0;
const AHEAD = 16;
export function reduce(): void {
  const n = N;
  for (let ih = 0; ih < nIh; ih++) { const I = IH + <usize>ih * IH_STRIDE; store<i32>(I, 0, I_RS); store<i32>(I, 0, I_RE); store<i32>(I, 0, I_PS); store<i32>(I, 0, I_PE); }
  let r: i32 = -1, q: i32 = -1, pk: u64 = 0, ppk: u64 = 0, pih: i32 = -1;
  let rb: f64 = 0, rp: f64 = 0, rf: u32 = 0, rfi: u32 = 0, rla: u32 = 0;
  let qi: f64 = 0, qo: f64 = 0, qp: f64 = 0, qf: u32 = 0, qr: u32 = 0, qfi: u32 = 0, qla: u32 = 0, qs: u32 = 0;
  for (let i = 0; i < n; i++) {
    const k = load<u64>(SK + (<usize>i << 3));
    const x: u32 = SX ? load<u32>(SX + (<usize>i << 2)) : <u32>i;
    if (SX) touch += load<u8>(VALS + <usize>load<u32>(SX + (<usize>(i + AHEAD < n ? i + AHEAD : n - 1) << 2)) * 24); // start the miss AHEAD records early
    const v = VALS + <usize>x * 24;
    const bytes = load<f64>(v), packets = load<f64>(v, 8), st = load<u32>(v, 16), en = load<u32>(v, 20);
    if (r < 0 || k != pk) {
      if (r >= 0) { const r4 = <usize>r << 2, r8 = <usize>r << 3; store<u32>(R_FLOWS + r4, rf); store<f64>(R_BYTES + r8, rb); store<f64>(R_PACKETS + r8, rp); store<u32>(R_FIRST + r4, rfi); store<u32>(R_LAST + r4, rla); }
      r++;
      store<u64>(R_KEY + (<usize>r << 3), k); store<u32>(R_SEQ + (<usize>r << 2), x);
      rb = 0; rp = 0; rf = 0; rfi = st; rla = en;
      const kp = k >> 22;
      if (q < 0 || kp != ppk) {
        if (q >= 0) closePair(q, qi, qo, qp, qf, qr, qfi, qla, qs);
        q++;
        const ih = <i32>(k >> 54);
        store<u32>(P_IH + (<usize>q << 2), ih); store<u32>(P_PEER + (<usize>q << 2), <u32>(kp & 0xffffffff)); store<u32>(P_RS + (<usize>q << 2), r);
        qi = 0; qo = 0; qp = 0; qf = 0; qr = 0; qfi = st; qla = en; qs = x;
        if (ih != pih) {
          if (pih >= 0) { const J = IH + <usize>pih * IH_STRIDE; store<i32>(J, r, I_RE); store<i32>(J, q, I_PE); }
          const J = IH + <usize>ih * IH_STRIDE; store<i32>(J, r, I_RS); store<i32>(J, q, I_PS);
          pih = ih;
        }
        ppk = kp;
      } else if (x < qs) qs = x;
      pk = k;
    }
    rb += bytes; rp += packets; rf++; if (st < rfi) rfi = st; if (en > rla) rla = en;
    const da = <u32>(k >> 19) & 7;
    if (da < 2) qi += bytes; else qo += bytes;
    qp += packets; qf++; qr += da & 1; if (st < qfi) qfi = st; if (en > qla) qla = en;
  }
  if (r >= 0) {
    const r4 = <usize>r << 2, r8 = <usize>r << 3; store<u32>(R_FLOWS + r4, rf); store<f64>(R_BYTES + r8, rb); store<f64>(R_PACKETS + r8, rp); store<u32>(R_FIRST + r4, rfi); store<u32>(R_LAST + r4, rla);
    closePair(q, qi, qo, qp, qf, qr, qfi, qla, qs);
    const J = IH + <usize>pih * IH_STRIDE; store<i32>(J, r + 1, I_RE); store<i32>(J, q + 1, I_PE);
  }
  nRows = r + 1; nPairs = q + 1;
  store<u32>(P_RS + (<usize>nPairs << 2), nRows);
}
@inline function closePair(q: i32, qi: f64, qo: f64, qp: f64, qf: u32, qr: u32, qfi: u32, qla: u32, qs: u32): void {
  const q4 = <usize>q << 2, q8 = <usize>q << 3;
  store<f64>(P_IN + q8, qi); store<f64>(P_OUT + q8, qo); store<f64>(P_PACKETS + q8, qp); store<u32>(P_FLOWS + q4, qf); store<u32>(P_REJ + q4, qr);
  store<u32>(P_FIRST + q4, qfi); store<u32>(P_LAST + q4, qla); store<u32>(P_SEQ + q4, qs); store<u8>(P_KEPT + <usize>q, 1);
}

/** Rows of an interface-hour beyond MAX_ROWS live ones (by first arrival) fold into its `*` row of their direction-action. */
export function rowCaps(): void {
  let any = false;
  for (let ih = 0; ih < nIh; ih++) {
    const I = IH + <usize>ih * IH_STRIDE, rc = load<i32>(I, I_RE) - load<i32>(I, I_RS);
    store<i32>(I, 0, I_LIVE); store<i32>(I, 0, I_CAPPED);
    memory.fill(I + I_STAR, 0, 240);
    if (rc > MAX_ROWS) { any = true; store<i32>(I, MAX_ROWS, I_ROWCOUNT); } else store<i32>(I, rc, I_ROWCOUNT);
  }
  if (!any) return;
  // rows of capped interface-hours, marked at their first record's arrival, then walked in arrival order
  memory.fill(BITS, 0, (<usize>N >> 3) + 8);
  for (let ih = 0; ih < nIh; ih++) {
    const I = IH + <usize>ih * IH_STRIDE, rs = load<i32>(I, I_RS), re = load<i32>(I, I_RE);
    if (re - rs <= MAX_ROWS) continue;
    for (let r = rs; r < re; r++) {
      const s = load<u32>(R_SEQ + (<usize>r << 2));
      const b = BITS + (<usize>(s >> 5) << 2); store<u32>(b, load<u32>(b) | (1 << (s & 31)));
      store<u32>(IDX0 + (<usize>s << 2), r);
    }
  }
  const words = (N + 31) >> 5;
  for (let wi = 0; wi < words; wi++) {
    let m = load<u32>(BITS + (<usize>wi << 2));
    while (m != 0) {
      const s = (<u32>wi << 5) + ctz(m); m &= m - 1;
      const r = load<u32>(IDX0 + (<usize>s << 2));
      const k = load<u64>(R_KEY + (<usize>r << 3));
      const I = IH + <usize>(k >> 54) * IH_STRIDE;
      const live = load<i32>(I, I_LIVE);
      if (live < MAX_ROWS) { store<i32>(I, live + 1, I_LIVE); continue; }
      const da = <usize>(k >> 19) & 7, S = I + I_STAR + da * 40;
      const r4 = <usize>r << 2, r8 = <usize>r << 3, flows = load<u32>(R_FLOWS + r4);
      const first = <f64>load<u32>(R_FIRST + r4), last = <f64>load<u32>(R_LAST + r4);
      if (load<f64>(S, 16) == 0) { store<i32>(I, load<i32>(I, I_ROWCOUNT) + 1, I_ROWCOUNT); store<f64>(S, first, 24); store<f64>(S, last, 32); }
      else { if (first < load<f64>(S, 24)) store<f64>(S, first, 24); if (last > load<f64>(S, 32)) store<f64>(S, last, 32); }
      store<f64>(S, load<f64>(S) + load<f64>(R_BYTES + r8)); store<f64>(S, load<f64>(S, 8) + load<f64>(R_PACKETS + r8), 8); store<f64>(S, load<f64>(S, 16) + <f64>flows, 16);
      store<i32>(I, load<i32>(I, I_CAPPED) + <i32>flows, I_CAPPED);
      store<u32>(R_FLOWS + r4, 0); // no longer a live row
    }
  }
}

/** Per hour, pairs by first arrival: at most MAX_PAIRS, and a pair of a new peer only while fewer than MAX_PEERS are paired. */
export function pairCaps(): void {
  let walks = 0;
  for (let h = 0; h < nHours; h++) { const H = HOURS + <usize>h * HOUR_STRIDE; store<i32>(H, 0, H_NPAIRS); store<i32>(H, 0, H_WALK); store<i32>(H, 0, H_PAIRS); store<i32>(H, 0, H_PEERS); store<i32>(H, 0, H_CAPPED); }
  for (let ih = 0; ih < nIh; ih++) {
    const I = IH + <usize>ih * IH_STRIDE, H = HOURS + <usize>load<i32>(I, I_HOUR) * HOUR_STRIDE;
    store<i32>(H, load<i32>(H, H_NPAIRS) + load<i32>(I, I_PE) - load<i32>(I, I_PS), H_NPAIRS);
  }
  for (let h = 0; h < nHours; h++) {
    const H = HOURS + <usize>h * HOUR_STRIDE, np = load<i32>(H, H_NPAIRS);
    if (np > MAX_PEERS) { store<i32>(H, 1, H_WALK); walks++; } else store<i32>(H, np, H_PAIRS);
  }
  if (walks == 0) return;
  let size: u32 = 1 << 17; while (size < <u32>(walks * MAX_PEERS * 2) && size < PEERSET_MAX) size <<= 1;
  const mask = size - 1;
  memory.fill(PEERSET, 0, <usize>size << 3);
  memory.fill(BITS, 0, (<usize>N >> 3) + 8);
  for (let ih = 0; ih < nIh; ih++) {
    const I = IH + <usize>ih * IH_STRIDE;
    if (load<i32>(HOURS + <usize>load<i32>(I, I_HOUR) * HOUR_STRIDE, H_WALK) == 0) continue;
    const ps = load<i32>(I, I_PS), pe = load<i32>(I, I_PE);
    for (let q = ps; q < pe; q++) {
      const s = load<u32>(P_SEQ + (<usize>q << 2));
      const b = BITS + (<usize>(s >> 5) << 2); store<u32>(b, load<u32>(b) | (1 << (s & 31)));
      store<u32>(IDX1 + (<usize>s << 2), q);
    }
  }
  const words = (N + 31) >> 5;
  for (let wi = 0; wi < words; wi++) {
    let m = load<u32>(BITS + (<usize>wi << 2));
    while (m != 0) {
      const s = (<u32>wi << 5) + ctz(m); m &= m - 1;
      const q = load<u32>(IDX1 + (<usize>s << 2));
      const h = load<i32>(IH + <usize>load<u32>(P_IH + (<usize>q << 2)) * IH_STRIDE, I_HOUR), H = HOURS + <usize>h * HOUR_STRIDE;
      const pairs = load<i32>(H, H_PAIRS);
      let keep = false;
      if (pairs < MAX_PAIRS) {
        const key: u64 = (<u64>(h + 1) << 32) | <u64>load<u32>(P_PEER + (<usize>q << 2));
        let hs = <u32>((key * 0x9e3779b97f4a7c15) >> 40) & mask;
        let found = false;
        while (true) {
          const e = load<u64>(PEERSET + (<usize>hs << 3));
          if (e == 0) break;
          if (e == key) { found = true; break; }
          hs = (hs + 1) & mask;
        }
        if (found) keep = true;
        else if (load<i32>(H, H_PEERS) < MAX_PEERS) { keep = true; store<u64>(PEERSET + (<usize>hs << 3), key); store<i32>(H, load<i32>(H, H_PEERS) + 1, H_PEERS); }
      }
      if (keep) store<i32>(H, pairs + 1, H_PAIRS);
      else { store<u8>(P_KEPT + <usize>q, 0); store<i32>(H, load<i32>(H, H_CAPPED) + <i32>load<u32>(P_FLOWS + (<usize>q << 2)), H_CAPPED); }
    }
  }
}

/** Each kept pair's ports: its first LINK_PORTS distinct port codes by arrival (a port's arrival: its earliest row's). */
export function pairPorts(): void {
  for (let q = 0; q < nPairs; q++) {
    if (load<u8>(P_KEPT + <usize>q) == 0) continue;
    const rs = load<u32>(P_RS + (<usize>q << 2)), re = load<u32>(P_RS + (<usize>(q + 1) << 2));
    const P = P_PORTS + (<usize>q << 5);
    if (re - rs == 1) { store<u32>(P, <u32>load<u64>(R_KEY + (<usize>rs << 3)) & 0x7ffff); store<i32>(P_NPORTS + (<usize>q << 2), 1); continue; }
    let count = 0, after: u32 = 0;
    while (count < LINK_PORTS) {
      let best: u32 = 0xffffffff, bestCode: u32 = 0;
      for (let r = rs; r < re; r++) {
        const s = load<u32>(R_SEQ + (<usize>r << 2));
        if (s >= best) continue;
        const code = <u32>load<u64>(R_KEY + (<usize>r << 3)) & 0x7ffff;
        let listed = false;
        for (let j = 0; j < count; j++) if (load<u32>(P + (<usize>j << 2)) == code) { listed = true; break; }
        if (!listed) { best = s; bestCode = code; }
      }
      if (best == 0xffffffff) break;
      store<u32>(P + (<usize>count << 2), bestCode); count++;
    }
    store<i32>(P_NPORTS + (<usize>q << 2), count);
  }
}
@inline function portCode(pcode: u32): f64 {
  return <f64>load<i32>(CODEVAL + (<usize>pcode << 2));
}

export function releaseAll(): void {
  for (let ih = 0; ih < nIh; ih++) { const I = IH + <usize>ih * IH_STRIDE; release(ih, I, HOURS + <usize>load<i32>(I, I_HOUR) * HOUR_STRIDE); }
}
/** A 48-bit key in the order of the IPv4 address's text ("10.0.0.4" < "10.0.0.40" < "9.1.1.1"): per octet its 1-3
 *  digits + 1, 4 bits each, padded with 0 on the right (a shorter octet's `.` or ` ` sorts before any digit). */
@inline function textKey(a: u32): u64 {
  return (<u64>load<u32>(STRKEY + (<usize>(a >> 24) << 2)) << 36) | (<u64>load<u32>(STRKEY + (<usize>((a >> 16) & 255) << 2)) << 24)
    | (<u64>load<u32>(STRKEY + (<usize>((a >> 8) & 255) << 2)) << 12) | <u64>load<u32>(STRKEY + (<usize>(a & 255) << 2));
}
/** Whether interface a's id sorts before b's (bytes, a prefix first). */
function idBefore(a: i32, b: i32): bool {
  const la = load<i32>(IFLEN + (<usize>a << 2)), lb = load<i32>(IFLEN + (<usize>b << 2));
  const pa = IFPOOL + <usize>load<i32>(IFOFF + (<usize>a << 2)), pb = IFPOOL + <usize>load<i32>(IFOFF + (<usize>b << 2));
  const n = min(la, lb);
  for (let i = 0; i < n; i++) { const x = load<u8>(pa + <usize>i), y = load<u8>(pb + <usize>i); if (x != y) return x < y; }
  return la < lb;
}
/** The peer index's order (flow-aggregate.ts peerIndex): per hour, kept pairs by peer address text, then interface id. */
export function peerOrder(): void {
  // each hour's interfaces ranked by id (insertion sort: an hour has few)
  for (let h = 0; h < nHours; h++) {
    let m = 0;
    for (let ih = 0; ih < nIh; ih++) {
      const I = IH + <usize>ih * IH_STRIDE;
      if (load<i32>(I, I_HOUR) != h) continue;
      const f = load<i32>(I, I_IFACE);
      let j = m++;
      while (j > 0 && idBefore(f, load<i32>(IH + <usize>load<i32>(IHLIST + (<usize>(j - 1) << 2)) * IH_STRIDE, I_IFACE))) { store<i32>(IHLIST + (<usize>j << 2), load<i32>(IHLIST + (<usize>(j - 1) << 2))); j--; }
      store<i32>(IHLIST + (<usize>j << 2), ih);
    }
    for (let j = 0; j < m; j++) store<i32>(IH + <usize>load<i32>(IHLIST + (<usize>j << 2)) * IH_STRIDE, j, I_RANK);
  }
  let m = 0;
  for (let q = 0; q < nPairs; q++) {
    if (load<u8>(P_KEPT + <usize>q) == 0) continue;
    const I = IH + <usize>load<u32>(P_IH + (<usize>q << 2)) * IH_STRIDE;
    store<u64>(KEYS + (<usize>m << 3), (<u64>load<i32>(I, I_HOUR) << 58) | (textKey(load<u32>(P_PEER + (<usize>q << 2))) << 10) | <u64>load<i32>(I, I_RANK));
    store<u32>(IDX0 + (<usize>m << 2), q); m++;
  }
  nOrder = m;
  // LSD radix sort, 6 passes of 11 bits, constant digits skipped
  const c = COUNT;
  memory.fill(c, 0, 6 * 2048 * 4);
  for (let i = 0; i < m; i++) {
    const k = load<u64>(KEYS + (<usize>i << 3));
    for (let d = 0; d < 6; d++) { const p = c + (<usize>d << 13) + (<usize>((k >> (<u64>d * 11)) & 2047) << 2); store<u32>(p, load<u32>(p) + 1); }
  }
  let sk = KEYS, sx = IDX0;
  for (let d = 0; d < 6; d++) {
    const base = c + (<usize>d << 13), shift = <u64>d * 11;
    let single = false;
    for (let k = 0; k < 2048; k++) { const v = load<u32>(base + (<usize>k << 2)); if (v == <u32>m) { single = true; break; } if (v != 0) break; }
    if (single) continue;
    let sum: u32 = 0;
    for (let k = 0; k < 2048; k++) { const p = base + (<usize>k << 2), v = load<u32>(p); store<u32>(p, sum); sum += v; }
    const dk = sk == KEYS ? KEYS2 : KEYS, dx = sx == IDX0 ? IDX1 : IDX0;
    for (let i = 0; i < m; i++) {
      const k = load<u64>(sk + (<usize>i << 3));
      const p = base + (<usize>((k >> shift) & 2047) << 2), at = load<u32>(p);
      store<u32>(p, at + 1);
      store<u64>(dk + (<usize>at << 3), k); store<u32>(dx + (<usize>at << 2), load<u32>(sx + (<usize>i << 2)));
    }
    sk = dk; sx = dx;
  }
  ORDER = sx;
}
/**
 * The kept pairs copied into the G_ columns in the peer index's order, ports as final codes ((protocol + 1) * 65537 +
 * port + 1): the reader then goes front to back, where ORDER's jumps across the P_ columns cost a cache miss each.
 */
export function gatherPairs(): void {
  if (nOrder > G_CAP) abort();
  for (let i = 0; i < nOrder; i++) {
    const q = <usize>load<u32>(ORDER + (<usize>i << 2));
    const i4 = <usize>i << 2, i8 = <usize>i << 3, q4 = q << 2, q8 = q << 3;
    store<u32>(G_IH + i4, load<u32>(P_IH + q4));
    store<u32>(G_PEER + i4, load<u32>(P_PEER + q4));
    store<u32>(G_FLOWS + i4, load<u32>(P_FLOWS + q4));
    store<u32>(G_REJ + i4, load<u32>(P_REJ + q4));
    store<u32>(G_FIRST + i4, load<u32>(P_FIRST + q4));
    store<u32>(G_LAST + i4, load<u32>(P_LAST + q4));
    store<f64>(G_IN + i8, load<f64>(P_IN + q8));
    store<f64>(G_OUT + i8, load<f64>(P_OUT + q8));
    store<f64>(G_PACKETS + i8, load<f64>(P_PACKETS + q8));
    const n = load<i32>(P_NPORTS + q4);
    store<i32>(G_NPORTS + i4, n);
    for (let j = 0; j < n; j++) store<u32>(G_PORTS + (<usize>i << 5) + (<usize>j << 2), <u32>portCode(load<u32>(P_PORTS + (q << 5) + (<usize>j << 2))));
  }
}
/** Where the results lie (u32 each, at outAt() + 256), read by wasm-flow-hour.ts in this order. */
export function layout(): void {
  const o = OUT + 256;
  const H = HOURS;
  // no allocation here: the stub runtime's heap starts where init() lays out its memory
  store<u32>(o, <u32>IH, 0);
  store<u32>(o, <u32>IFPOOL, 4);
  store<u32>(o, <u32>IFOFF, 8);
  store<u32>(o, <u32>IFLEN, 12);
  store<u32>(o, <u32>R_KEY, 16);
  store<u32>(o, <u32>R_FLOWS, 20);
  store<u32>(o, <u32>R_BYTES, 24);
  store<u32>(o, <u32>R_PACKETS, 28);
  store<u32>(o, <u32>R_FIRST, 32);
  store<u32>(o, <u32>R_LAST, 36);
  store<u32>(o, <u32>P_IH, 40);
  store<u32>(o, <u32>P_PEER, 44);
  store<u32>(o, <u32>P_FLOWS, 48);
  store<u32>(o, <u32>P_REJ, 52);
  store<u32>(o, <u32>P_FIRST, 56);
  store<u32>(o, <u32>P_LAST, 60);
  store<u32>(o, <u32>P_NPORTS, 64);
  store<u32>(o, <u32>P_PORTS, 68);
  store<u32>(o, <u32>P_IN, 72);
  store<u32>(o, <u32>P_OUT, 76);
  store<u32>(o, <u32>P_PACKETS, 80);
  store<u32>(o, <u32>CODEVAL, 84);
  store<u32>(o, <u32>ORDER, 88);
  store<u32>(o, <u32>nIh, 92);
  store<u32>(o, <u32>nOrder, 96);
  store<u32>(o, <u32>nHours, 100);
  store<u32>(o, <u32>nIf, 104);
  store<u32>(o, nHours > 0 ? load<u32>(H, H_FLOWS) : 0, 108);
  store<u32>(o, nHours > 0 ? load<u32>(H, H_NODATA) : 0, 112);
  store<u32>(o, nHours > 0 ? load<u32>(H, H_SKIP) : 0, 116);
  store<u32>(o, nHours > 0 ? load<u32>(H, H_CAPPED) : 0, 120);
  store<u32>(o, <u32>outside, 124);
  store<u32>(o, <u32>IH_STRIDE, 128);
  store<u32>(o, <u32>I_IFACE, 132);
  store<u32>(o, <u32>I_FIRST, 136);
  store<u32>(o, <u32>I_LAST, 140);
  store<u32>(o, <u32>I_NODATA, 144);
  store<u32>(o, <u32>I_SKIP, 148);
  store<u32>(o, <u32>I_CAPPED, 152);
  store<u32>(o, <u32>I_RS, 156);
  store<u32>(o, <u32>I_RE, 160);
  store<u32>(o, <u32>I_TOT, 164);
  store<u32>(o, <u32>I_STAR, 168);
  store<u32>(o, <u32>G_IH, 172);
  store<u32>(o, <u32>G_PEER, 176);
  store<u32>(o, <u32>G_FLOWS, 180);
  store<u32>(o, <u32>G_REJ, 184);
  store<u32>(o, <u32>G_FIRST, 188);
  store<u32>(o, <u32>G_LAST, 192);
  store<u32>(o, <u32>G_NPORTS, 196);
  store<u32>(o, <u32>G_PORTS, 200);
  store<u32>(o, <u32>G_IN, 204);
  store<u32>(o, <u32>G_OUT, 208);
  store<u32>(o, <u32>G_PACKETS, 212);
  store<u32>(o, <u32>nCodes, 216);
}
export function finish(): i32 {
  releaseAll();
  sortKeys();
  reduce();
  rowCaps();
  pairCaps();
  pairPorts();
  peerOrder();
  gatherPairs();
  layout();
  return records;
}

