// Throwaway (2026-12-02): the WebAssembly core with its adapter (WasmFlowHour: kernel + copy into the tables
// and views, per account-hour as the compaction folds) against bare and against the JS core, CPU time, in one
// fresh process per shape: `npx tsx bench/flow-floor/adapter-run.ts bench/flow-floor/data/heavy-tail [ROUNDS]`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowHourAggregator } from '../../lambdas/core/flowlogs/flow-aggregate';
import { decompressed, LineSplitter, readFlowText } from '../../lambdas/core/flowlogs/read-text';
import { WasmFlowHour } from '../../lambdas/core/flowlogs/wasm-flow-hour';

const ACCOUNT = '111122223333';
const dir = process.argv[2];
const rounds = Number(process.argv[3] ?? 5);
const files = readdirSync(dir).filter((name) => name.endsWith('.log.gz')).sort().map((name) => readFileSync(join(dir, name)));
async function* chunks(file: Buffer): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < file.length; offset += 65536) yield file.subarray(offset, offset + 65536);
}
/** The hours each file's records start in (the compaction reads a file for every hour it registered for). */
const hoursOf = new Map<string, number[]>();

async function bare(): Promise<number> {
  let lines = 0;
  const sink = { line: () => void lines++, oversize: () => void lines++ };
  for (const file of files) {
    const splitter = new LineSplitter(sink);
    for await (const chunk of decompressed(chunks(file))) splitter.push(chunk);
    splitter.end();
  }
  return lines - files.length;
}

async function jsCore(): Promise<number> {
  const hours = new Map<number, FlowHourAggregator>();
  let records = 0;
  for (const file of files)
    await readFlowText(chunks(file), {
      add: (record) => {
        records++;
        const hourNumber = Math.floor(record.start / 3600);
        let aggregator = hours.get(hourNumber);
        if (!aggregator) hours.set(hourNumber, (aggregator = new FlowHourAggregator(ACCOUNT, new Date(hourNumber * 3_600_000).toISOString().slice(0, 13))));
        aggregator.add(record, ACCOUNT);
      },
      reject: () => undefined,
    });
  for (const aggregator of hours.values()) aggregator.finish();
  return records;
}

const kernel = new WasmFlowHour(1_100_000);
async function wasmCore(): Promise<number> {
  let flows = 0;
  for (const [hour, indexes] of hoursOf) {
    kernel.begin(ACCOUNT, hour);
    for (const index of indexes) {
      kernel.beginFile(ACCOUNT);
      for await (const chunk of decompressed(chunks(files[index]))) kernel.push(chunk);
      kernel.endFile();
    }
    const result = kernel.finish();
    if (!result.supported) throw new Error(result.reason);
    flows += result.hour.counts.flows + result.hour.counts.nodata;
  }
  return flows;
}

function cpu(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
}

async function main(): Promise<void> {
  // Which hours each file holds, from one JS pass (not timed).
  for (const [index, file] of files.entries()) {
    const hours = new Set<string>();
    await readFlowText(chunks(file), { add: (record) => void hours.add(new Date(Math.floor(record.start / 3600) * 3_600_000).toISOString().slice(0, 13)), reject: () => undefined });
    for (const hour of hours) hoursOf.set(hour, [...(hoursOf.get(hour) ?? []), index]);
  }
  const best: Record<string, number> = { bare: Infinity, wasm: Infinity, js: Infinity };
  const counts: Record<string, number> = {};
  const work: [string, () => Promise<number>][] = [['bare', bare], ['wasm', wasmCore], ['js', jsCore]];
  for (const [name, run] of work) counts[name] = await run(); // warm-up
  for (let round = 0; round < rounds; round++)
    for (const [name, run] of work) {
      const before = cpu();
      counts[name] = await run();
      best[name] = Math.min(best[name], cpu() - before);
    }
  const perMillion = (name: string): number => (best[name] / counts.bare) * 1e6;
  console.log(`${dir.split('/').pop()}: ${counts.bare} lines, ${hoursOf.size} hours, best of ${rounds} (CPU s per million records)`);
  for (const name of ['bare', 'wasm', 'js']) console.log(`  ${name.padEnd(5)} ${perMillion(name).toFixed(3)}  ${((best.bare / best[name]) * 100).toFixed(1)}% of bare  (count ${counts[name]})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
