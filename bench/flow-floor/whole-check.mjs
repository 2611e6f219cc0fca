// Correctness of as/whole.wasm (or the .wasm given) on data/SHAPE: every total the production core gives
// (whole-prod.ts: FlowHourAggregator, as bench/flow-core-run.ts drives it) must be equal. Exit 1 otherwise.
//   node whole-check.mjs SHAPE [WASM]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadFiles } from './common.mjs';
import { Whole } from './whole.mjs';
const [shape = 'heavy-tail', wasm] = process.argv.slice(2);
const root = join(import.meta.dirname, '../..');
const prod = JSON.parse(execFileSync('npx', ['tsx', 'bench/flow-floor/whole-prod.ts', shape], { cwd: root, encoding: 'utf8' }));
const kernel = new Whole(1_100_000, wasm ?? undefined);
await kernel.run(loadFiles(shape));
const mine = kernel.summary();
let bad = 0;
console.log(`${shape}: ${wasm ?? 'as/whole.wasm'} against FlowHourAggregator`);
for (const [name, expected] of Object.entries(prod)) {
  const ok = mine[name] === expected;
  if (!ok) bad++;
  console.log(`  ${ok ? 'ok  ' : 'DIFF'} ${name.padEnd(16)} production ${String(expected).padStart(14)}  wasm ${String(mine[name]).padStart(14)}`);
}
console.log(`  (wasm only: blank ${mine.blank}, unsupported ${mine.unsupported}, formatError ${mine.formatError}, records appended ${mine.appended})`);
console.log(bad === 0 ? `${shape}: PASS (${Object.keys(prod).length} totals equal)` : `${shape}: FAIL (${bad} totals differ)`);
process.exit(bad === 0 ? 0 : 1);
