// Correctness of the group-bys, against counts that do not come from them:
//  - records and total bytes/packets against the earlier spike's string-and-Map reference (summary-SHAPE.json,
//    itself checked equal to the project's FlowHourAggregator);
//  - every row (key, bytes, packets, flows, first, last) against a Map keyed by strings built here;
//  - hash (a), sort (b) and the wasm versions (c) row for row.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFiles, plainChunks } from './common.mjs';
import { ToArrays, runKernel } from './frontend.mjs';
import { HashAgg, SortAgg, rowArrays } from './agg-js.mjs';
import { WasmAgg } from './agg-wasm.mjs';
const shape = process.argv[2] ?? 'heavy-tail';
const plain = plainChunks(loadFiles(shape));
const k = new ToArrays(1_100_000); runKernel(k, plain);
const { n, kh, kl, vals } = k;
const ref = JSON.parse(readFileSync(join(import.meta.dirname, `summary-${shape}.json`), 'utf8'));
let refFlows = 0, refBytes = 0, refPackets = 0;
for (const h of Object.values(ref)) for (const i of Object.values(h.interfaces)) { refFlows += i.rowSums[2]; for (const d of [0, 6, 12]) { refBytes += i.totals[d]; refPackets += i.totals[d + 1]; } }
let bytes = 0, packets = 0; for (let i = 0; i < n; i++) { bytes += vals[i * 4]; packets += vals[i * 4 + 1]; }
console.log(shape, 'records', n, 'reference', refFlows, 'bytes', bytes === refBytes ? 'equal' : `DIFFERENT ${bytes} ${refBytes}`, 'packets', packets === refPackets ? 'equal' : 'DIFFERENT');
const m = new Map();
for (let i = 0; i < n; i++) {
  const key = `${kh[i]}:${kl[i]}`, o = i * 4, r = m.get(key);
  if (!r) m.set(key, [vals[o], vals[o + 1], 1, vals[o + 2], vals[o + 3]]);
  else { r[0] += vals[o]; r[1] += vals[o + 1]; r[2]++; r[3] = Math.min(r[3], vals[o + 2]); r[4] = Math.max(r[4], vals[o + 3]); }
}
console.log(shape, 'distinct rows (Map of strings)', m.size, `= ${((m.size / n) * 100).toFixed(1)}% new rows per record`);
function compare(name, out, rows) {
  let bad = rows === m.size ? 0 : 1; const seen = new Set();
  for (let r = 0; r < rows; r++) {
    const key = `${out.kh[r]}:${out.kl[r]}`, e = m.get(key);
    if (!e || seen.has(key) || e[0] !== out.bytes[r] || e[1] !== out.packets[r] || e[2] !== out.flows[r] || e[3] !== out.first[r] || e[4] !== out.last[r]) { if (bad++ < 3) console.log(' ', name, 'row', r, key, e, out.bytes[r], out.packets[r], out.flows[r], out.first[r], out.last[r]); }
    seen.add(key);
  }
  console.log(shape, name.padEnd(10), 'rows', rows, bad ? `${bad} DIFFERENCES` : 'EQUAL to the Map');
  return out;
}
const outs = {};
for (let round = 0; round < 2; round++) { // twice: the second run reuses the (emptied) tables
  const h = new HashAgg(n), s = new SortAgg(n), w = new WasmAgg(n);
  for (const [name, agg] of [['hash', h], ['sort', s]]) { const out = rowArrays(n); outs[name] = compare(`${name}#${round + 1}`, out, agg.run(n, kh, kl, vals, out)); if (name === 'hash') { const o2 = rowArrays(n); compare(`hash#${round + 1}b`, o2, agg.run(n, kh, kl, vals, o2)); } }
  console.log(shape, 'sort passes', s.passes);
  w.load(n, kh, kl, vals);
  for (const kind of ['hash', 'sort']) { for (let again = 0; again < 2; again++) compare(`wasm-${kind}#${again + 1}`, w.rows(), w.run(kind)); }
}
// the comparison can fail: one row's bytes off by one, and one row left out
{ const bad = rowArrays(n); for (const f of Object.keys(bad)) bad[f].set(outs.sort[f]); bad.bytes[7] += 1; compare('corrupted (expect 2 differences: count and one row)', bad, m.size - 1); }
// (a) and (b) equal, row for row, once both are in key order
const order = (o, rows) => Array.from({ length: rows }, (_, r) => r).sort((x, y) => o.kh[x] - o.kh[y] || o.kl[x] - o.kl[y]).map((r) => [o.kh[r], o.kl[r], o.bytes[r], o.packets[r], o.flows[r], o.first[r], o.last[r]].join());
console.log(shape, 'hash rows == sort rows:', JSON.stringify(order(outs.hash, m.size)) === JSON.stringify(order(outs.sort, m.size)) ? 'IDENTICAL' : 'DIFFERENT');
