// Parse-only kernel in AssemblyScript: the default-format line scan, number and IPv4 parsing, checks.
// Input: complete lines at [0, len) of memory (JS copies each gunzipped chunk in). No aggregation:
// results are summed into globals so that nothing is optimized away.
export let records: i32 = 0;
export let rejected: i32 = 0;
export let sumBytes: f64 = 0;
export let sumKeys: u32 = 0;
const INPUT: usize = 65536; // lines start here (first page left free)

@inline function digit(c: u32): bool { return c - 48 < 10; }

export function inputAt(): usize { return INPUT; }

export function parse(len: i32): void {
  let p: usize = INPUT;
  const end: usize = INPUT + <usize>len;
  while (p < end) {
    const p0 = p;
    let ok = true;
    // version
    while (digit(load<u8>(p))) p++;
    if (load<u8>(p) != 32) ok = false; p++;
    // account: 12 digits
    let acct: u64 = 0; const a0 = p;
    while (digit(load<u8>(p))) { acct = acct * 10 + <u64>(load<u8>(p) - 48); p++; }
    if (p - a0 != 12 || load<u8>(p) != 32) ok = false; p++;
    // interface id: FNV hash
    let h: u32 = 0x811c9dc5;
    let c: u32;
    while ((c = load<u8>(p)) != 32 && c != 10) { h = (h ^ c) * 0x01000193; p++; }
    p++;
    // two IPv4 addresses
    let addrs: u32 = 0;
    for (let k = 0; k < 2; k++) {
      let v: u32 = 0;
      if (load<u8>(p) == 45) { p += 2; continue; }
      for (let octet = 0; octet < 4; octet++) {
        const first = p; let o: u32 = 0;
        while (digit(c = load<u8>(p)) && p - first < 3) { o = o * 10 + (c - 48); p++; }
        const digits = p - first;
        if (digits == 0 || (digits > 1 && load<u8>(first) == 48) || o > 255) ok = false;
        v = (v << 8) | o;
        if (octet < 3) { if (load<u8>(p) != 46) { ok = false; break; } p++; }
      }
      if (load<u8>(p) != 32) ok = false; p++;
      addrs ^= v;
    }
    // 7 numbers
    let srcport: f64 = 0, dstport: f64 = 0, protocol: f64 = 0, packets: f64 = 0, bytes: f64 = 0, start: f64 = 0, fin: f64 = 0;
    for (let k = 0; k < 7; k++) {
      let v: u64 = 0; const s = p;
      if (load<u8>(p) == 45) { p++; v = <u64>-1; } else { while (digit(c = load<u8>(p))) { v = v * 10 + <u64>(c - 48); p++; } if (p == s || p - s > 15) ok = false; }
      if (load<u8>(p) != 32) ok = false; p++;
      const f = v == <u64>-1 ? -1.0 : <f64>v;
      if (k == 0) srcport = f; else if (k == 1) dstport = f; else if (k == 2) protocol = f; else if (k == 3) packets = f; else if (k == 4) bytes = f; else if (k == 5) start = f; else fin = f;
    }
    // action
    let rej = false;
    const w = load<u32>(p); const w2 = load<u16>(p + 4);
    if (w == 0x45434341 && w2 == 0x5450) { /* ACCEPT */ } else if (w == 0x454a4552 && w2 == 0x5443) rej = true; else ok = false;
    p += 6;
    if (load<u8>(p) != 32) ok = false; p++;
    // status
    let status = 0;
    if (load<u16>(p) == 0x4b4f) { p += 2; } else if (load<u32>(p) == 0x41544f4e && load<u16>(p + 4) == 0x4154) { status = 1; p += 6; } else ok = false;
    if (load<u8>(p) == 13) p++;
    if (load<u8>(p) != 10) ok = false;
    if (start < 0 || fin < start || srcport > 65535 || dstport > 65535 || protocol > 255) ok = false;
    if (!ok) { rejected++; p = p0; while (load<u8>(p) != 10) p++; p++; continue; }
    p++;
    records++;
    sumBytes += bytes + packets + (rej ? 1 : 0) + <f64>status;
    sumKeys += h ^ addrs ^ <u32>acct;
  }
}
