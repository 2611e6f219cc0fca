// Reads results.log: per block (shape or ratio), each part's CPU s per million records over all runs (processes):
// the least disturbed figure (min of the runs' best-of-3), the range, and the sums recomputed from the minima.
import { readFileSync } from 'node:fs';
const text = readFileSync(new URL('./results.log', import.meta.url), 'utf8');
const blocks = new Map();
let current = null;
for (const line of text.split('\n')) {
  const head = line.match(/^(\S+(?: keys, \d+% new rows)?)[ (].*best of (\d+).*load average (.*)$/);
  if (head) { current = { parts: {}, sums: [], load: head[3] }; const list = blocks.get(head[1]) ?? []; list.push(current); blocks.set(head[1], list); continue; }
  const part = line.match(/^  (\S+)\s+\d+\s+([\d.]+) s CPU\/M/);
  if (part && current) { current.parts[part[1]] = Number(part[2]); continue; }
  const sum = line.match(/^    ([\d.]+) s\s+([\d.]+)% of bare\s+(.*)$/);
  if (sum && current) current.sums.push(`${sum[1]} s  ${sum[2]}%  ${sum[3]}`);
  const base = line.match(/bare taken as ([\d.]+)/);
  if (base && current) current.bareTaken = Number(base[1]);
}
const sumsOf = (m) => {
  const bare = Math.min(m.bare, m.gunzip + m.split), resolve = m['front-js'] - m['parse-js'];
  const aggJs = Math.min(m['hash-js'], m['sort-js']), aggWasm = Math.min(m['hash-wasm'], m['sort-wasm']), pairsJs = Math.min(m['hash+pairs-js'], m['sort+pairs-js']);
  return [bare, {
    'JS: gunzip + front-js + best JS group-by': m.gunzip + m['front-js'] + aggJs,
    'JS, no group-by at all: gunzip + front-js': m.gunzip + m['front-js'],
    'wasm: gunzip + parse-wasm + JS resolve + best wasm group-by': m.gunzip + m['parse-wasm'] + resolve + aggWasm,
    'JS with the peer index: gunzip + front-js + best JS rows+pairs': m.gunzip + m['front-js'] + pairsJs,
    'wasm with the peer index: gunzip + parse-wasm + JS resolve + wasm sort+pairs': m.gunzip + m['parse-wasm'] + resolve + m['sort+pairs-wasm'],
    'floor of floors: gunzip + parse-wasm + best wasm group-by (no resolve)': m.gunzip + m['parse-wasm'] + aggWasm,
  }];
};
for (const [name, runs] of blocks) {
  const min = {};
  console.log(`${name}: ${runs.length} runs, loads ${runs.map((r) => r.load.split(' ')[0]).join(', ')} (1-min load at each start)`);
  for (const p of Object.keys(runs[0].parts)) {
    const all = runs.map((r) => r.parts[p]).filter((x) => x !== undefined);
    min[p] = Math.min(...all);
    console.log(`  ${p.padEnd(16)} ${min[p].toFixed(3)} s/M  ${((Math.min(min.bare, (min.gunzip ?? Infinity) + (min.split ?? 0)) / min[p]) * 100).toFixed(0).padStart(5)}% of bare   runs ${all.map((x) => x.toFixed(3)).join(' ')}`);
  }
  if (min['front-js'] === undefined) continue;
  const [bare, sums] = sumsOf(min);
  console.log(`  sums (bare taken as ${bare.toFixed(3)}, 50% of bare = ${(2 * bare).toFixed(3)} s/M):`);
  for (const [k, v] of Object.entries(sums)) console.log(`    ${v.toFixed(3)} s/M  ${((bare / v) * 100).toFixed(1)}% of bare   ${k}`);
}
