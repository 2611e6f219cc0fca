// bare ten times in a row: CPU (user, sys), wall, and the machine's steal time over each run (/proc/stat).
import { readFileSync } from 'node:fs';
import { bare, loadFiles, timed } from './common.mjs';
const files = loadFiles(process.argv[2] ?? 'heavy-tail');
const steal = () => Number(readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/)[8]) / 100;
for (let i = 0; i < 10; i++) { const s = steal(); const t = await timed(() => bare(files)); console.log(`bare cpu ${t.cpu.toFixed(3)} (sys ${t.sys.toFixed(3)}) wall ${t.wall.toFixed(3)} steal ${(steal() - s).toFixed(2)} s, faults ${t.faults}`); }
