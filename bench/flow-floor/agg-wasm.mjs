// Loads as/agg.wasm and lays out its memory for n records: inputs, sort buffers, counts, hash table, rows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const { instance } = await WebAssembly.instantiate(readFileSync(join(import.meta.dirname, 'as/agg.wasm')), { env: { abort() { throw new Error('abort'); } } });
const w = instance.exports;
let free = 65536; // each instance lays out its own region of the module's memory
export class WasmAgg {
  constructor(n) {
    this.n = n; this.bits = Math.max(4, Math.ceil(Math.log2(2 * n)));
    let at = free; const take = (bytes) => { const p = at; at += Math.ceil(bytes / 64) * 64; return p; };
    const u = 4 * n, d = 8 * n;
    this.at = { kh: take(u), kl: take(u), vals: take(32 * n), h0: take(u), l0: take(u), x0: take(u), h1: take(u), l1: take(u), x1: take(u), count: take(6 * 2048 * 4), table: take(32 << this.bits), oh: take(u), ol: take(u), ob: take(d), op: take(d), of: take(u), ofi: take(d), ola: take(d), qh: take(u), ql: take(u), qi: take(d), qo: take(d), qp: take(d), qf: take(u), qr: take(u), qfi: take(d), qla: take(d) };
    const pages = Math.ceil(at / 65536) - w.memory.buffer.byteLength / 65536;
    if (pages > 0) w.memory.grow(pages);
    new Uint8Array(w.memory.buffer, this.at.table, 32 << this.bits).fill(0);
    free = at;
  }
  /** The module's globals point at this instance's region. */
  select() {
    const a = this.at, n = this.n;
    w.setup(n, a.kh, a.kl, a.vals, a.h0, a.l0, a.x0, a.h1, a.l1, a.x1, a.count, a.table, this.bits, a.oh, a.ol, a.ob, a.op, a.of, a.ofi, a.ola);
    w.setupPairs(a.qh, a.ql, a.qi, a.qo, a.qp, a.qf, a.qr, a.qfi, a.qla);
  }
  /** Copies the records in (untimed: a wasm parser would write them here itself). */
  load(n, kh, kl, vals) {
    const b = w.memory.buffer, a = this.at;
    new Uint32Array(b, a.kh, n).set(kh.subarray(0, n)); new Uint32Array(b, a.kl, n).set(kl.subarray(0, n)); new Float64Array(b, a.vals, 4 * n).set(vals.subarray(0, 4 * n));
  }
  run(kind) { this.select(); return kind === 'hash' ? w.hashRun() : kind === 'sort' ? w.sortRun() : w.sortPairsRun(); }
  get pairCount() { return w.pairCount.value; }
  get passes() { return w.passes.value; }
  rows() {
    const b = w.memory.buffer, a = this.at, n = this.n;
    return { kh: new Uint32Array(b, a.oh, n), kl: new Uint32Array(b, a.ol, n), bytes: new Float64Array(b, a.ob, n), packets: new Float64Array(b, a.op, n), flows: new Uint32Array(b, a.of, n), first: new Float64Array(b, a.ofi, n), last: new Float64Array(b, a.ola, n) };
  }
  pairs() {
    const b = w.memory.buffer, a = this.at, n = this.n;
    return { kh: new Uint32Array(b, a.qh, n), kl: new Uint32Array(b, a.ql, n), bytesIn: new Float64Array(b, a.qi, n), bytesOut: new Float64Array(b, a.qo, n), packets: new Float64Array(b, a.qp, n), flows: new Uint32Array(b, a.qf, n), rejected: new Uint32Array(b, a.qr, n), first: new Float64Array(b, a.qfi, n), last: new Float64Array(b, a.qla, n) };
  }
}
