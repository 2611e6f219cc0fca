// One process per shape: bare interleaved with every part, warm-up then best of RUNS, CPU and wall.
//   node run.mjs heavy-tail|uniform [RUNS]      parts of the core on the real files
//   node run.mjs ratio heavy-tail [RUNS]        the group-bys alone at 5/20/65/95% new rows per record
// Every figure is divided by the files' 1,008,000 records (bare's count), so that parts add up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { bare, bestOf, gunzipOnly, loadFiles, plainChunks, splitOnly } from './common.mjs';
import { ParseOnly, ToArrays, runKernel } from './frontend.mjs';
import { HashAgg, SortAgg, rowArrays } from './agg-js.mjs';
import { WasmAgg } from './agg-wasm.mjs';
import { repack, pairArrays, SortPairs, HashPairs } from './agg-pairs.mjs';
const [mode, arg, runsText] = process.argv.slice(2);
const shape = mode === 'ratio' ? arg ?? 'heavy-tail' : mode;
const runs = Number((mode === 'ratio' ? runsText : arg) ?? 3);
const files = loadFiles(shape), plain = plainChunks(files);
const front = new ToArrays(1_100_000); runKernel(front, plain);
const load = [loadavg()];
const report = (title, best, records) => {
  load.push(loadavg());
  console.log(`${title}: best of ${runs} after a warm-up, load average ${load.map((l) => l.map((x) => x.toFixed(2)).join(' ')).join(' -> ')}`);
  const perM = (s) => (s / records) * 1e6;
  for (const [name, b] of Object.entries(best)) console.log(`  ${name.padEnd(16)} ${String(b.count).padStart(9)}  ${perM(b.cpu).toFixed(3)} s CPU/M  ${perM(b.wall).toFixed(3)} s wall/M   ${((best.bare.cpu / b.cpu) * 100).toFixed(1)}% of bare CPU  ${((best.bare.wall / b.wall) * 100).toFixed(1)}% wall   (best CPU run: ${b.sys.toFixed(3)} s sys, ${b.gc.toFixed(3)} s GC pauses, ${b.faults} page faults)`);
  return perM;
};
/** The group-bys as timed works on the given arrays (wasm: the arrays copied into its memory beforehand, untimed). */
// One of each, reused for every key set of the same n (the wasm module's memory only grows).
const cache = new Map();
function aggs(n) {
  if (!cache.has(n)) cache.set(n, { out: rowArrays(n), pout: pairArrays(n), hash: new HashAgg(n), sort: new SortAgg(n), wasm: new WasmAgg(n), wasmPairs: new WasmAgg(n), hashPairs: new HashPairs(n), sortPairs: new SortPairs(n) });
  return cache.get(n);
}
function aggWorks(n, kh, kl, vals) {
  const { out, pout, hash, sort, wasm, wasmPairs, hashPairs, sortPairs } = aggs(n);
  wasm.load(n, kh, kl, vals);
  // with the peer index: the same records, keys in (interface-hour, peer, code) order
  const p = repack(n, kh, kl);
  wasmPairs.load(n, p.kh, p.kl, vals);
  return {
    'hash-js': () => hash.run(n, kh, kl, vals, out),
    'sort-js': () => sort.run(n, kh, kl, vals, out),
    'hash-wasm': () => wasm.run('hash'),
    'sort-wasm': () => wasm.run('sort'),
    'hash+pairs-js': () => hashPairs.run(n, p.kh, p.kl, vals, out, pout),
    'sort+pairs-js': () => sortPairs.run(n, p.kh, p.kl, vals, out, pout),
    'sort+pairs-wasm': () => wasmPairs.run('sort+pairs'),
  };
}
if (mode !== 'ratio') {
  const { instance } = await WebAssembly.instantiate(readFileSync(join(import.meta.dirname, 'as/parse.wasm')), { env: { abort() { throw new Error('abort'); } } });
  const w = instance.exports, at = w.inputAt(), mem = new Uint8Array(w.memory.buffer);
  // the earlier spike's parse-only wasm (parse-bench.mjs): each chunk's whole lines copied in, then parsed
  const parseWasm = () => {
    w.records.value = 0;
    for (const cs of plain) {
      let carried = 0, header = true;
      for (const c of cs) {
        const last = c.lastIndexOf(10);
        if (last < 0) { mem.set(c, at + carried); carried += c.length; continue; }
        mem.set(c.subarray(0, last + 1), at + carried);
        let len = carried + last + 1, from = 0;
        if (header) { header = false; from = mem.indexOf(10, at) + 1 - at; }
        if (from > 0) { mem.copyWithin(at, at + from, at + len); len -= from; }
        w.parse(len);
        mem.set(c.subarray(last + 1), at); carried = c.length - last - 1;
      }
    }
    return w.records.value;
  };
  const parseJs = new ParseOnly();
  const works = {
    bare: () => bare(files),
    gunzip: () => gunzipOnly(files),
    split: () => splitOnly(plain),
    'parse-js': () => runKernel(parseJs, plain),
    'parse-wasm': parseWasm,
    'front-js': () => { runKernel(front, plain); return front.n; },
    ...aggWorks(front.n, front.kh, front.kl, front.vals),
  };
  // ONLY=a,b: bare and those parts only (to find what disturbs what)
  if (process.env.ONLY) for (const name of Object.keys(works)) if (name !== 'bare' && !process.env.ONLY.split(',').includes(name)) delete works[name];
  globalThis.gc?.();
  const best = await bestOf(works, runs);
  const records = best.bare.count;
  const perM = report(`${shape} (${front.n} records folded; hash/sort counts are rows)`, best, records);
  if (process.env.ONLY) process.exit(0);
  const c = (name) => perM(best[name].cpu);
  // bare cannot cost less than its own two parts; when a disturbed bare run reads above gunzip + split, the
  // lower figure is used (it makes every % below smaller: the pessimistic choice for the question asked).
  const bareM = Math.min(c('bare'), c('gunzip') + c('split'));
  const aggJs = Math.min(c('hash-js'), c('sort-js')), aggWasm = Math.min(c('hash-wasm'), c('sort-wasm'));
  const pairsJs = Math.min(c('hash+pairs-js'), c('sort+pairs-js')), pairsWasm = c('sort+pairs-wasm');
  const resolve = c('front-js') - c('parse-js');
  const sums = {
    'JS: gunzip + front-js (parse+resolve) + best JS group-by': c('gunzip') + c('front-js') + aggJs,
    'wasm: gunzip + parse-wasm + JS resolve (front-js - parse-js) + best wasm group-by': c('gunzip') + c('parse-wasm') + resolve + aggWasm,
    'floor of floors: gunzip + parse-wasm + best wasm group-by (no resolve)': c('gunzip') + c('parse-wasm') + aggWasm,
    'JS with the peer index: gunzip + front-js + best JS rows+pairs': c('gunzip') + c('front-js') + pairsJs,
    'wasm with the peer index: gunzip + parse-wasm + JS resolve + wasm sort+pairs': c('gunzip') + c('parse-wasm') + resolve + pairsWasm,
  };
  console.log(`  sums, CPU s per million records (bare taken as ${bareM.toFixed(3)} = min(bare ${c('bare').toFixed(3)}, gunzip + split ${(c('gunzip') + c('split')).toFixed(3)}); 50% of bare = ${(2 * bareM).toFixed(3)}):`);
  for (const [name, s] of Object.entries(sums)) console.log(`    ${s.toFixed(3)} s  ${((bareM / s) * 100).toFixed(1)}% of bare   ${name}`);
} else {
  // Keys with a chosen share of new rows: m distinct keys of the shape (topped up with real interface-hour/port
  // words and random peers when the shape has too few), each used once, the rest of the n records drawn uniformly
  // from them, shuffled; values copied from random real records. Seeded, so reruns see the same keys.
  const n = front.n;
  const real = rowArrays(n), distinct = new HashAgg(n).run(n, front.kh, front.kl, front.vals, real);
  let seed = 12345; const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const poolH = new Uint32Array(n), poolL = new Uint32Array(n); poolH.set(real.kh.subarray(0, distinct)); poolL.set(real.kl.subarray(0, distinct));
  const seen = new Set(); for (let r = 0; r < distinct; r++) seen.add(`${poolH[r]}:${poolL[r]}`);
  let pool = distinct;
  const sets = [];
  for (const ratio of [0.05, 0.2, 0.65, 0.95]) {
    const m = Math.round(ratio * n);
    while (pool < m) { const h = poolH[Math.floor(rand() * distinct)], l = Math.floor(rand() * 4294967296); const k = `${h}:${l}`; if (seen.has(k)) continue; seen.add(k); poolH[pool] = h; poolL[pool] = l; pool++; }
    // choose m of the pool (a partial shuffle), then records
    const idx = Uint32Array.from({ length: pool }, (_, i) => i);
    for (let i = 0; i < m; i++) { const j = i + Math.floor(rand() * (pool - i)); const t = idx[i]; idx[i] = idx[j]; idx[j] = t; }
    const kh = new Uint32Array(n), kl = new Uint32Array(n), vals = new Float64Array(4 * n);
    for (let i = 0; i < n; i++) { const row = idx[i < m ? i : Math.floor(rand() * m)]; kh[i] = poolH[row]; kl[i] = poolL[row]; }
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); let t = kh[i]; kh[i] = kh[j]; kh[j] = t; t = kl[i]; kl[i] = kl[j]; kl[j] = t; }
    for (let i = 0; i < n; i++) { const r = Math.floor(rand() * n) * 4; vals.set(front.vals.subarray(r, r + 4), i * 4); }
    sets.push({ ratio, m, kh, kl, vals });
  }
  // The generator's Set of ~1M strings must be garbage before timing: a large live JS heap makes the mark-compacts that
  // gunzip's external memory triggers cost 0.2 s per bare run (measured: GC pauses column).
  seen.clear(); globalThis.gc?.();
  for (const { ratio, m, kh, kl, vals } of sets) {
    const best = await bestOf({ bare: () => bare(files), ...aggWorks(n, kh, kl, vals) }, runs);
    report(`${shape} keys, ${(ratio * 100).toFixed(0)}% new rows (${m} rows in ${n} records)`, best, best.bare.count);
  }
}
