// The whole wasm kernel end to end against bare, run.mjs's method: one fresh process per call, the files in memory,
// a warm-up, then RUNS rounds interleaved (bare, gunzip, whole, whole-plain), best CPU of each (process CPU, all threads).
//   node --expose-gc whole-run.mjs SHAPE [RUNS]
// whole        = gunzip (common.mjs, 64 KB chunks) + everything after it in as/whole.wasm: the figure that counts.
// whole-plain  = the same kernel fed already-gunzipped 64 KB chunks (its own cost; finish() = release, sort, reduce, caps).
import { loadavg } from 'node:os';
import { bare, bestOf, gunzipOnly, loadFiles, plainChunks } from './common.mjs';
import { Whole } from './whole.mjs';
const [shape = 'heavy-tail', runsText] = process.argv.slice(2);
const runs = Number(runsText ?? 3);
const files = loadFiles(shape), plain = plainChunks(files);
const kernel = new Whole(1_100_000), kernel2 = new Whole(1_100_000);
let finishCpu = Infinity;
function plainRun() {
  const w = kernel2.w, mem = kernel2.mem, input = kernel2.input;
  w.reset();
  for (const cs of plain) { w.beginFile(); for (const c of cs) { mem.set(c, input + w.carried()); w.push(c.length); } w.endFile(); }
  const c = process.cpuUsage(); w.finish(); const u = process.cpuUsage(c);
  finishCpu = Math.min(finishCpu, (u.user + u.system) / 1e6);
  return w.records.value;
}
const load = [loadavg()];
globalThis.gc?.();
const best = await bestOf({ bare: () => bare(files), gunzip: () => gunzipOnly(files), whole: () => kernel.run(files), 'whole-plain': plainRun }, runs);
load.push(loadavg());
const records = best.bare.count;
if (best.whole.count !== records) throw new Error(`whole parsed ${best.whole.count} records, bare counted ${records}`);
const perM = (s) => (s / records) * 1e6;
console.log(`${shape}: best of ${runs} after a warm-up, load average ${load.map((l) => l.map((x) => x.toFixed(2)).join(' ')).join(' -> ')}`);
for (const [name, b] of Object.entries(best)) console.log(`  ${name.padEnd(12)} ${String(b.count).padStart(9)}  ${perM(b.cpu).toFixed(3)} s CPU/M  ${perM(b.wall).toFixed(3)} s wall/M   ${((best.bare.cpu / b.cpu) * 100).toFixed(1)}% of bare CPU  ${((best.bare.wall / b.wall) * 100).toFixed(1)}% wall   (best CPU run: ${b.sys.toFixed(3)} s sys, ${b.gc.toFixed(3)} s GC, ${b.faults} faults)`);
const bareM = Math.min(perM(best.bare.cpu), perM(best.gunzip.cpu) + 0.017);
console.log(`  finish() alone (in whole-plain): ${perM(finishCpu).toFixed(3)} s CPU/M`);
console.log(`  RESULT ${shape} whole ${perM(best.whole.cpu).toFixed(3)} s/M = ${((perM(best.bare.cpu) / perM(best.whole.cpu)) * 100).toFixed(1)}% of bare (${perM(best.bare.cpu).toFixed(3)}); gunzip + whole-plain ${(perM(best.gunzip.cpu) + perM(best['whole-plain'].cpu)).toFixed(3)} s/M = ${((perM(best.bare.cpu) / (perM(best.gunzip.cpu) + perM(best['whole-plain'].cpu))) * 100).toFixed(1)}%; bare as min(bare, gunzip + split 0.017) ${bareM.toFixed(3)} -> whole ${((bareM / perM(best.whole.cpu)) * 100).toFixed(1)}%`);
