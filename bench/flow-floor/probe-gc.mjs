// Does a forced full GC (node --expose-gc) just before a bare run make that run cost more? Alternating, 6 pairs.
import { bare, loadFiles } from './common.mjs';
const files = loadFiles(process.argv[2] ?? 'heavy-tail');
const cpu = async (fn) => { const c = process.cpuUsage(); await fn(); const u = process.cpuUsage(c); return (u.user + u.system) / 1e6; };
await bare(files);
const r = { plain: [], afterGc: [] };
for (let i = 0; i < 6; i++) { r.plain.push(await cpu(() => bare(files))); globalThis.gc(); r.afterGc.push(await cpu(() => bare(files))); }
for (const [k, v] of Object.entries(r)) console.log(k.padEnd(8), 'min', Math.min(...v).toFixed(3), ' all', v.map((x) => x.toFixed(3)).join(' '));
