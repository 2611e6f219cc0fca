// Rows and pairs of SortPairs and HashPairs against Maps keyed by strings built here from the records.
import { loadFiles, plainChunks } from './common.mjs';
import { ToArrays, runKernel } from './frontend.mjs';
import { rowArrays } from './agg-js.mjs';
import { repack, pairArrays, SortPairs, HashPairs } from './agg-pairs.mjs';
import { WasmAgg } from './agg-wasm.mjs';
const shape = process.argv[2] ?? 'heavy-tail';
const k = new ToArrays(1_100_000); runKernel(k, plainChunks(loadFiles(shape)));
const n = k.n, vals = k.vals, { kh, kl } = repack(n, k.kh, k.kl);
const rows = new Map(), pairs = new Map();
for (let i = 0; i < n; i++) {
  const o = i * 4, da = (kl[i] >>> 17) & 7, b = vals[o], st = vals[o + 2], en = vals[o + 3];
  const rk = `${kh[i]}:${kl[i]}`, r = rows.get(rk);
  if (!r) rows.set(rk, [b, vals[o + 1], 1, st, en]); else { r[0] += b; r[1] += vals[o + 1]; r[2]++; r[3] = Math.min(r[3], st); r[4] = Math.max(r[4], en); }
  // the pair's key from the unpacked fields: interface-hour and peer
  const pk = `${k.kh[i] >>> 22}:${k.kl[i]}`, p = pairs.get(pk);
  const bin = da < 2 ? b : 0, bout = da < 2 ? 0 : b;
  if (!p) pairs.set(pk, [bin, bout, vals[o + 1], 1, da & 1, st, en]); else { p[0] += bin; p[1] += bout; p[2] += vals[o + 1]; p[3]++; p[4] += da & 1; p[5] = Math.min(p[5], st); p[6] = Math.max(p[6], en); }
}
console.log(shape, 'records', n, 'rows', rows.size, 'pairs', pairs.size);
// the wasm sort+pairs behind the same interface (records copied in once)
class WasmPairs { constructor() { this.w = new WasmAgg(n); this.w.load(n, kh, kl, vals); } run(_n, _h, _l, _v, out, pout) { const c = this.w.run('sort+pairs'); Object.assign(out, this.w.rows()); Object.assign(pout, this.w.pairs()); this.pairCount = this.w.pairCount; return c; } }
for (const [name, agg] of [['sort+pairs', new SortPairs(n)], ['hash+pairs', new HashPairs(n)], ['wasm-sort+pairs', new WasmPairs()]]) for (let round = 1; round <= 2; round++) {
  const out = rowArrays(n), pout = pairArrays(n), count = agg.run(n, kh, kl, vals, out, pout);
  verify(`${name}#${round}`, count, out, pout, agg.pairCount);
  if (name === 'sort+pairs' && round === 2) { pout.bytesIn[3] += 1; out.flows[9]++; verify('corrupted: one row, one pair (expect 2 differences)', count, out, pout, agg.pairCount); }
}
function verify(name, count, out, pout, pairCount) {
  let bad = count === rows.size && pairCount === pairs.size ? 0 : 1;
  for (let r = 0; r < count; r++) { const e = rows.get(`${out.kh[r]}:${out.kl[r]}`); if (!e || e.join() !== [out.bytes[r], out.packets[r], out.flows[r], out.first[r], out.last[r]].join()) bad++; }
  for (let q = 0; q < pairCount; q++) {
    const peer = (((pout.kh[q] & 0x3fffff) << 10) | pout.kl[q]) >>> 0, e = pairs.get(`${pout.kh[q] >>> 22}:${peer}`);
    if (!e || e.join() !== [pout.bytesIn[q], pout.bytesOut[q], pout.packets[q], pout.flows[q], pout.rejected[q], pout.first[q], pout.last[q]].join()) { if (bad++ < 3) console.log(' ', name, q, e, pout.bytesIn[q], pout.flows[q]); }
  }
  console.log(shape, name, 'rows', count, 'pairs', pairCount, bad ? `${bad} DIFFERENCES` : 'EQUAL to the Maps');
}
