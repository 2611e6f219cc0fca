import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowHourAggregator, type FlowHour } from '../lambdas/core/flowlogs/flow-aggregate';
import { interfaceItem, peersItem } from '../lambdas/core/flowlogs/flow-items';
import { decompressed, LineSplitter, readFlowText, splitLines } from '../lambdas/core/flowlogs/read-text';
import { parseFlowLogKey } from '../lambdas/core/flowlogs/flow-key';
import { foldFlowLog, type FlowCore, type FlowLogFile } from '../lambdas/compact-hour/fold-flow-log';

/**
 * Child process of the flow benchmark, one per shape so that no figure carries another run's heap: reads the
 * gzip files of DIR into memory, runs the parse-and-aggregate core once and takes the process's peak RSS
 * (the kernel's high-water mark, not a sample), then times bare and core runs interleaved (bare, core, bare,
 * core…) so that a change of the machine's load hits both, and keeps the best of each. Bare and core read
 * the same bytes in the same 64 KB chunks through the same gunzip (read-text's `decompressed`).
 * The core is the compaction's own fold (fold-flow-log.ts): per account-hour, the files ingestion registered
 * for it, folded by the WebAssembly kernel; the JavaScript core (its fallback) is timed beside it.
 * Prints one JSON line.
 */
const ACCOUNT = '111122223333';
const SOURCE_CHUNK_BYTES = 64 * 1024;

async function* chunks(file: Buffer): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < file.length; offset += SOURCE_CHUNK_BYTES) yield file.subarray(offset, offset + SOURCE_CHUNK_BYTES);
}

/** Gunzip and cut into lines, as the core does (LineSplitter, byte ranges), counting them: the floor. */
async function bareLines(files: readonly Buffer[]): Promise<number> {
  let lines = 0;
  const sink = { line: () => void lines++, oversize: () => void lines++ };
  for (const file of files) {
    const splitter = new LineSplitter(sink);
    for await (const chunk of decompressed(chunks(file))) splitter.push(chunk);
    splitter.end();
  }
  return lines - files.length;
}

/** Gunzip and a string per line (splitLines): the baseline of the earlier benchmark runs. */
async function bareStrings(files: readonly Buffer[]): Promise<number> {
  let lines = 0;
  for (const file of files) for await (const line of splitLines(decompressed(chunks(file)), () => undefined)) if (line.length >= 0) lines++;
  return lines - files.length;
}

/** The files ingestion would register per account-hour, with their record counts in it (one JS pass, not timed). */
async function registrations(files: readonly Buffer[]): Promise<Map<string, FlowLogFile[]>> {
  const byHour = new Map<string, FlowLogFile[]>();
  for (const [index, file] of files.entries()) {
    const perHour = new Map<string, number>();
    await readFlowText(chunks(file), { add: (record) => void perHour.set(hourOf(record.start), (perHour.get(hourOf(record.start)) ?? 0) + 1), reject: () => undefined });
    // A name as VPC Flow Logs gives it (the fold reads the file's account and format from it).
    const key = `${ACCOUNT}_vpcflowlogs_eu-west-1_fl-0bench00000000000_20260301T1000Z_f${index}.log.gz`;
    const name = parseFlowLogKey(key);
    if (!name) throw new Error(`not a flow log key: ${key}`);
    for (const [hour, records] of perHour) byHour.set(hour, [...(byHour.get(hour) ?? []), { objectKey: `s3://bench/${key}`, bucket: 'bench', key: String(index), name, records }]);
  }
  return byHour;
}

const hourOf = (start: number): string => new Date(Math.floor(start / 3600) * 3_600_000).toISOString().slice(0, 13);

/** The compaction's fold of every account-hour by one core; returns the records folded. */
async function compactionFold(files: readonly Buffer[], registered: Map<string, FlowLogFile[]>, core: FlowCore): Promise<number> {
  const open = async (_bucket: string, key: string) => ({ format: 'text' as const, body: chunks(files[Number(key)]) });
  let records = 0;
  for (const [hour, hourFiles] of registered) {
    const folded = await foldFlowLog(hourFiles, ACCOUNT, hour, open, core);
    if (core === 'kernel' && folded.core !== 'kernel') throw new Error(`the kernel did not fold ${hour}: ${folded.fallbackReason}`);
    const { counts } = folded.hour;
    records += counts.flows + counts.nodata + counts.skipdata;
    folded.release();
  }
  return records;
}

/** Gunzip, split, parse and check, into a sink that only counts: the parser's share. */
async function parseOnly(files: readonly Buffer[]): Promise<number> {
  let records = 0;
  for (const file of files) await readFlowText(chunks(file), { add: () => void records++, reject: () => undefined });
  return records;
}

/** The core without `finish()`: records folded into the hours' tables. */
async function fold(files: readonly Buffer[]): Promise<{ records: number; hours: Map<number, FlowHourAggregator> }> {
  // One aggregator per hour, as the compaction has (keyed by hour number: no date formatting per record).
  const hours = new Map<number, FlowHourAggregator>();
  let records = 0;
  for (const file of files) {
    await readFlowText(chunks(file), {
      add: (record) => {
        records++;
        const hourNumber = Math.floor(record.start / 3600);
        let aggregator = hours.get(hourNumber);
        if (!aggregator) hours.set(hourNumber, (aggregator = new FlowHourAggregator(record.accountId ?? ACCOUNT, new Date(hourNumber * 3_600_000).toISOString().slice(0, 13))));
        aggregator.add(record, ACCOUNT);
      },
      reject: () => undefined,
    });
  }
  return { records, hours };
}

/** The interface items and the peer index of each hour; returns how many items. */
function storedItems(results: readonly FlowHour[]): number {
  let items = 0;
  for (const hour of results) {
    for (const iface of hour.interfaces) items += interfaceItem(hour, iface, 0).body.length > 0 ? 1 : 0;
    items += peersItem(hour, 0).body.length > 0 ? 1 : 0;
  }
  return items;
}

/**
 * Wall time, and CPU time of the process (all its threads: gunzip runs on libuv's pool). On a shared
 * machine the wall time also counts the time other processes held the cores; the CPU time does not.
 */
async function timed(work: () => Promise<number>): Promise<{ count: number; seconds: number; cpuSeconds: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const count = await work();
  const used = process.cpuUsage(cpu);
  return { count, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function main(): Promise<void> {
  const [dir, runsText] = process.argv.slice(2);
  if (!dir) throw new Error('usage: flow-core-run.ts DIR [RUNS]');
  const runs = Number(runsText ?? 2);
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.log.gz'))
    .sort()
    .map((name) => readFileSync(join(dir, name)));
  const registered = await registrations(files);
  const core = (list: readonly Buffer[]) => compactionFold(list, registered, 'kernel');
  const javascript = (list: readonly Buffer[]) => compactionFold(list, registered, 'javascript');
  const rssBefore = process.memoryUsage.rss();
  const first = await timed(() => core(files));
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const seconds = { bare: Infinity, strings: Infinity, core: first.seconds, javascript: Infinity };
  const cpuSeconds = { bare: Infinity, strings: Infinity, core: first.cpuSeconds, javascript: Infinity };
  const counts = { bare: 0, strings: 0, core: first.count, javascript: 0 };
  for (let run = 0; run < runs; run++) {
    for (const [name, work] of [['bare', bareLines], ['strings', bareStrings], ['core', core], ['javascript', javascript]] as const) {
      const result = await timed(() => work(files));
      counts[name] = result.count;
      seconds[name] = Math.min(seconds[name], result.seconds);
      cpuSeconds[name] = Math.min(cpuSeconds[name], result.cpuSeconds);
    }
  }
  // Where the JavaScript core's CPU time goes: the parse alone, then the fold, then building the hours' results.
  const parse = await timed(() => parseOnly(files));
  let hours = new Map<number, FlowHourAggregator>();
  const folded = await timed(async () => {
    const result = await fold(files);
    hours = result.hours;
    return result.records;
  });
  let results: FlowHour[] = [];
  const finished = await timed(async () => (results = [...hours.values()].map((aggregator) => aggregator.finish())).length);
  const split = { parse: parse.cpuSeconds, fold: folded.cpuSeconds - parse.cpuSeconds, finish: finished.cpuSeconds };
  // After the core, the compaction encodes the stored items (JSON + gzip, halved until they fit): from the
  // tables, and by the reference path from the FlowRow lists (built here, as the earlier finish() did).
  const items = await timed(async () => storedItems(results));
  const reference = await timed(async () => storedItems(results.map((hour) => ({ ...hour, interfaces: hour.interfaces.map((iface) => ({ ...iface, rows: iface.rows })) }))));
  console.log(JSON.stringify({ counts, seconds, cpuSeconds, split, items: { tables: items.cpuSeconds, rows: reference.cpuSeconds }, peakRss, rssBefore }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
