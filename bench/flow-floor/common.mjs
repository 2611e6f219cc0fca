// Shared harness: the gzip files in memory, the same 64 KB source chunks and gunzip as
// /work/main/bench/flow-core-run.ts (read-text's decompressed: createGunzip({ chunkSize: 64 KB })),
// the bare floor (gunzip + LineSplitter-equivalent), and CPU/wall timing of the whole process (all threads).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { PerformanceObserver } from 'node:perf_hooks';
// GC pauses of the main thread, summed (entries arrive asynchronously: read after the next macrotask)
let gcMs = 0;
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration; }).observe({ entryTypes: ['gc'] });
const tick = () => new Promise((resolve) => setImmediate(resolve));
export const CHUNK = 64 * 1024;
export function loadFiles(shape) {
  const dir = join(import.meta.dirname, 'data', shape);
  return readdirSync(dir).filter((n) => n.endsWith('.log.gz')).sort().map((n) => readFileSync(join(dir, n)));
}
function* chunks(file) { for (let o = 0; o < file.length; o += CHUNK) yield file.subarray(o, o + CHUNK); }
export async function* gunzipped(file) {
  const input = Readable.from(chunks(file));
  const inflater = createGunzip({ chunkSize: CHUNK });
  input.pipe(inflater);
  for await (const chunk of inflater) yield chunk;
}
/** Gunzipped 64 KB chunks held in memory, to time parts without gunzip. */
export const plainChunks = (files) => files.map((f) => { const b = gunzipSync(f); const cs = []; for (let o = 0; o < b.length; o += CHUNK) cs.push(b.subarray(o, o + CHUNK)); return cs; });
const carry = Buffer.allocUnsafe(16 * 1024);
/** Split one chunk into lines as LineSplitter does (indexOf per line, a copy for a line cut by the chunk edge). */
function split(chunk, state) {
  let start = 0, lines = 0;
  for (;;) {
    const end = chunk.indexOf(10, start);
    if (end < 0) break;
    if (state.carried > 0) { chunk.copy(carry, state.carried, start, end); state.carried = 0; }
    lines++;
    start = end + 1;
  }
  if (start < chunk.length) { chunk.copy(carry, state.carried, start); state.carried += chunk.length - start; }
  return lines;
}
/** The floor: gunzip + line split, counting records (lines minus the header). */
export async function bare(files) {
  let lines = 0;
  for (const file of files) { const state = { carried: 0 }; for await (const chunk of gunzipped(file)) lines += split(chunk, state); if (state.carried > 0) lines++; }
  return lines - files.length;
}
/** Gunzip alone: the same stream, the chunks not looked at (their bytes counted). */
export async function gunzipOnly(files) { let bytes = 0; for (const file of files) for await (const chunk of gunzipped(file)) bytes += chunk.length; return bytes; }
/** Line split alone, over chunks gunzipped beforehand. */
export function splitOnly(plain) { let lines = 0; for (const cs of plain) { const state = { carried: 0 }; for (const c of cs) lines += split(c, state); if (state.carried > 0) lines++; } return lines - plain.length; }
export async function timed(work) {
  // No forced GC here: a full GC just before a bare run makes it cost 0.13 s more (probe-gc.mjs: the heap and
  // allocator start cold), which is worse than the garbage a previous work may leave.
  await tick(); const g = gcMs;
  const t = process.hrtime.bigint(), c = process.cpuUsage(), f = process.resourceUsage().minorPageFault;
  const count = await work();
  const u = process.cpuUsage(c);
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  await tick(); const gc = (gcMs - g) / 1000;
  return { count, wall, gc, cpu: (u.user + u.system) / 1e6, sys: u.system / 1e6, faults: process.resourceUsage().minorPageFault - f };
}
/** Runs each named work once to warm up, then `runs` rounds interleaved (a, b, c, a, b, c…); best CPU and best wall of each. */
export async function bestOf(works, runs) {
  for (const fn of Object.values(works)) await fn();
  const best = {};
  for (let r = 0; r < runs; r++) for (const [name, fn] of Object.entries(works)) {
    const t = await timed(fn);
    const b = (best[name] ??= { count: t.count, wall: Infinity, cpu: Infinity });
    if (b.count !== t.count) throw new Error(`${name}: count changed ${b.count} -> ${t.count}`);
    b.wall = Math.min(b.wall, t.wall); if (t.cpu < b.cpu) { b.cpu = t.cpu; b.sys = t.sys; b.faults = t.faults; b.gc = t.gc; }
  }
  return best;
}
