// Summary of whole-results.log: per shape, every process's best bare / gunzip / whole / whole-plain / finish (CPU s per
// million records) and whole's % of bare in that process; then the medians and the quietest process (lowest bare),
// per kernel commit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const text = readFileSync(join(import.meta.dirname, 'whole-results.log'), 'utf8');
const runs = [];
let cur = null;
for (const line of text.split('\n')) {
  let m;
  if ((m = line.match(/^== (\S+) (\S+) \S+ \S+ +(\S+) as\/whole\.wasm +node whole-run\.mjs (\S+)/))) runs.push((cur = { time: m[1], load: m[2], commit: m[3], shape: m[4] }));
  else if (cur && (m = line.match(/^ {2}(bare|gunzip|whole|whole-plain) +\d+ +([\d.]+) s CPU\/M/))) cur[m[1]] = Number(m[2]);
  else if (cur && (m = line.match(/finish\(\) alone .*: ([\d.]+)/))) cur.finish = Number(m[1]);
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const commit of [...new Set(runs.map((r) => r.commit))]) for (const shape of ['heavy-tail', 'uniform']) {
  const rs = runs.filter((r) => r.shape === shape && r.commit === commit && r.whole);
  if (rs.length === 0) continue;
  console.log(`${shape}, kernel ${commit}: ${rs.length} processes (CPU s per million records; % = bare / whole in the same process)`);
  for (const r of rs) console.log(`  ${r.time} load ${r.load} ${r.commit}  bare ${r.bare.toFixed(3)}  gunzip ${r.gunzip.toFixed(3)}  whole ${r.whole.toFixed(3)}  whole-plain ${r['whole-plain'].toFixed(3)} (finish ${r.finish.toFixed(3)})  ${((r.bare / r.whole) * 100).toFixed(1)}% of bare`);
  const pct = rs.map((r) => (r.bare / r.whole) * 100);
  const quiet = rs.reduce((a, b) => (b.bare < a.bare ? b : a));
  console.log(`  median ${median(pct).toFixed(1)}%, min ${Math.min(...pct).toFixed(1)}%, max ${Math.max(...pct).toFixed(1)}%; minima: bare ${Math.min(...rs.map((r) => r.bare)).toFixed(3)}, whole ${Math.min(...rs.map((r) => r.whole)).toFixed(3)} (${((Math.min(...rs.map((r) => r.bare)) / Math.min(...rs.map((r) => r.whole))) * 100).toFixed(1)}%), whole-plain ${Math.min(...rs.map((r) => r['whole-plain'])).toFixed(3)}, finish ${Math.min(...rs.map((r) => r.finish)).toFixed(3)}`);
  console.log(`  quietest process (lowest bare, ${quiet.time}): ${((quiet.bare / quiet.whole) * 100).toFixed(1)}% of bare`);
}
