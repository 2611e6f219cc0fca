import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactFlowHour, type FlowCompactionDependencies } from '../lambdas/compact-hour/compact-flow-hour';
import { ingestObject, type IngestDependencies } from '../lambdas/ingest-cloudtrail/ingest-object';
import { PENDING_MARK, type HourObjectItem } from '../lambdas/core/model/items';
import { itemSize, writeUnits } from '../lambdas/core/storage/item-size';
import { flowLogFile, flowLogKey } from '../test/helpers/flow-logs';

/**
 * The flow-log part of `npm run bench`: flow records per second of the parse-and-aggregate core (the
 * compaction's work: gunzip, split, check, fold into interface-hours and the peer index) beside bare gunzip
 * plus line splitting of the same files, DynamoDB writes per million flow records through ingestion and
 * compaction, and peak memory. Synthetic default-format files: 2 hours, 12 files an hour (5-minute windows).
 */
const ACCOUNT = '111122223333';
const HOUR_START = Date.parse('2026-03-01T10:00:00Z') / 1000;

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

interface CoreRun {
  /** bare and strings: lines; core (the compaction's fold: the WebAssembly kernel) and javascript (its fallback): records. */
  counts: { bare: number; strings: number; core: number; javascript: number };
  seconds: { bare: number; strings: number; core: number; javascript: number };
  cpuSeconds: { bare: number; strings: number; core: number; javascript: number };
  /** The JavaScript core's CPU seconds of one run: gunzip + split + parse (parse), folding (fold), building the hours' results (finish). */
  split: { parse: number; fold: number; finish: number };
  /** CPU seconds of one run of encoding the stored items after the core: from the tables, and from FlowRow lists. */
  items: { tables: number; rows: number };
  peakRss: number;
  rssBefore: number;
}

/** Times and peak memory of one shape, in a fresh process (bench/flow-core-run.ts). */
function coreRun(dir: string, runs: number): CoreRun {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'flow-core-run.ts'), dir, String(runs)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], cwd: join(__dirname, '..') });
  return JSON.parse(out.trim().split('\n').pop() as string) as CoreRun;
}

/** Ingests and compacts the files against in-memory tables, counting every item written and its write units. */
async function writesPerMillion(files: { key: string; body: Buffer }[], records: number): Promise<{ items: number; units: number; batchRequests: number; byKind: Record<string, number> }> {
  const hourObjects = new Map<string, Map<string, unknown>>();
  const ingested = new Map<string, unknown>();
  const byKey = new Map(files.map((file) => [file.key, file.body]));
  const byKind: Record<string, number> = {};
  let units = 0;
  let batchRequests = 0;
  const count = (kind: string, items: readonly object[]) => {
    byKind[kind] = (byKind[kind] ?? 0) + items.length;
    for (const item of items) units += writeUnits(itemSize(item));
    batchRequests += Math.ceil(items.length / 25);
  };
  const requests = new Set<string>();
  const open = async (_bucket: string, key: string) => ({
    format: 'text' as const,
    body: (async function* () {
      yield byKey.get(key) as Buffer;
    })(),
    etag: `e-${key}`,
  });
  const ingest: IngestDependencies = {
    openObject: async () => {
      throw new Error('no CloudTrail here');
    },
    openFlowObject: open,
    getIngested: async () => undefined,
    putIngested: async (item) => {
      ingested.set(item.objectKey, item);
      count('IngestedObjects status', [item]);
    },
    registerHours: async (items) => {
      for (const item of items) (hourObjects.get(item.hourKey) ?? hourObjects.set(item.hourKey, new Map()).get(item.hourKey))?.set(item.objectId, item);
      count('HourObjects registrations', items);
    },
    markCompactionPending: async (hourKey, at, objectKey) => {
      const hour = hourObjects.get(hourKey) ?? new Map();
      hourObjects.set(hourKey, hour);
      const mark = hour.get(PENDING_MARK) as { pendingSince: string } | undefined;
      if (mark) return mark;
      hour.set(PENDING_MARK, { pendingSince: at, pendingBy: objectKey });
      count('HourObjects pending marks', [{ hourKey, objectId: PENDING_MARK, pendingSince: at }]);
      return undefined;
    },
    requestCompaction: async (list) => void list.forEach((request) => requests.add(request.hourKey)),
    retentionDays: 36500,
    settleMs: 0,
    now: () => new Date('2026-03-02T00:00:00Z'),
  };
  for (const file of files) await ingestObject({ bucket: 'logs', key: file.key, etag: `e-${file.key}` }, ingest);
  const compaction: FlowCompactionDependencies = {
    listHourObjects: async (hourKey) => [...(hourObjects.get(hourKey)?.entries() ?? [])].filter(([id]) => id !== PENDING_MARK).map(([, item]) => item as HourObjectItem),
    clearCompactionPending: async (hourKey) => void hourObjects.get(hourKey)?.delete(PENDING_MARK),
    getFlowManifest: async () => undefined,
    openFlowObject: open,
    putItems: async (items) => count('Activity flow items', items),
    deleteItems: async (keys) => count('Activity flow deletes', keys),
    getItem: async () => undefined,
    instanceInterfaces: async () => [],
    retentionDays: 36500,
    settleMs: 0,
    now: () => new Date('2026-03-02T00:00:00Z'),
  };
  for (const hourKey of requests) await compactFlowHour(hourKey, compaction);
  const items = Object.values(byKind).reduce((a, b) => a + b, 0);
  const scale = 1e6 / records;
  return { items: items * scale, units: units * scale, batchRequests: batchRequests * scale, byKind: Object.fromEntries(Object.entries(byKind).map(([kind, n]) => [kind, n * scale])) };
}

type Shape = 'heavy-tail' | 'uniform';

export async function flowBench(quick: boolean): Promise<{ lines: string[] }> {
  // The ingestion pass logs a line per object: not what the benchmark prints.
  const logLevel = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'silent';
  const lines: string[] = [];
  const print = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  // The realistic shape first; the uniform one (every peer × interface pair alike) is the aggregation's worst case.
  for (const shape of ['heavy-tail', 'uniform'] as const) await shapeBench(quick, shape, print);
  if (logLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = logLevel;
  return { lines };
}

async function shapeBench(quick: boolean, shape: Shape, print: (line: string) => void): Promise<void> {
  const filesPerHour = 12;
  const recordsPerFile = quick ? 8_000 : 42_000;
  const runs = quick ? 2 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'trailhound-flow-bench-'));
  const files: { key: string; body: Buffer }[] = [];
  for (let i = 0; i < filesPerHour * 2; i++) {
    const windowStart = HOUR_START + i * 300;
    const body = flowLogFile({ accountId: ACCOUNT, windowStart, records: recordsPerFile, interfaces: 120, peers: 5_000, seed: i + 1, shape });
    const key = flowLogKey(ACCOUNT, windowStart, `b${i}`);
    const path = join(dir, `f${String(i).padStart(3, '0')}.log.gz`);
    writeFileSync(path, body);
    files.push({ key, body });
  }
  print(`\nVPC Flow Logs, ${shape} peers (${files.length} files, ${fmt(files.length * recordsPerFile)} records, default format, 120 interfaces, 5,000 peers, best of ${runs}, load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`);
  const run = coreRun(dir, runs);
  // Wall-clock rates, and rates per CPU-second (what the process itself used: less sensitive to other load).
  const rate = (name: keyof CoreRun['counts'], clock: 'seconds' | 'cpuSeconds') => run.counts[name] / run[clock][name];
  const both = (name: keyof CoreRun['counts']) => `${fmt(rate(name, 'seconds')).padStart(12)} /s wall ${fmt(rate(name, 'cpuSeconds')).padStart(12)} /s CPU`;
  const ratio = (name: 'core' | 'javascript', clock: 'seconds' | 'cpuSeconds') => `${fmt((rate(name, clock) / rate('bare', clock)) * 100)}%`;
  print(`  bare gunzip + line splitting        ${both('bare')}  lines (the core's splitter: byte ranges, no string)`);
  print(`  bare gunzip + a string per line     ${both('strings')}  lines (the earlier runs' baseline)`);
  print(`  parse + check + aggregate (core)    ${both('core')}  records (${ratio('core', 'seconds')} of bare wall, ${ratio('core', 'cpuSeconds')} CPU; target 50%)`);
  print(`    the compaction's fold per account-hour: the WebAssembly kernel, gunzip included, results read as the item encoders do`);
  print(`  JavaScript core (the fallback)      ${both('javascript')}  records (${ratio('javascript', 'seconds')} of bare wall, ${ratio('javascript', 'cpuSeconds')} CPU: custom formats, IPv6, Parquet)`);
  const { parse, fold, finish } = run.split;
  print(`  JavaScript core CPU split (one run) gunzip + split ${fmt(run.cpuSeconds.bare)} s, parse + check ${fmt(parse - run.cpuSeconds.bare)} s, fold ${fmt(fold)} s, finish() ${fmt(finish)} s`);
  print(`  stored items after the core        ${fmt(run.items.tables)} s CPU from the tables (${fmt(run.items.rows)} s from FlowRow lists, the reference path; JSON + gzip, not in the rates)`);
  print(`  peak RSS, fresh process per shape   ${fmt(run.peakRss / 2 ** 20)} MB (${fmt((run.peakRss - run.rssBefore) / 2 ** 20)} MB above the process with the files loaded)`);
  const writes = await writesPerMillion(files, run.counts.core);
  print(`  DynamoDB per 1 million flow records ${fmt(writes.items)} items written (${fmt(writes.units)} write units, ${fmt(writes.batchRequests)} BatchWriteItem requests)`);
  for (const [kind, n] of Object.entries(writes.byKind)) print(`    ${kind.padEnd(32)} ${fmt(n)}`);
  rmSync(dir, { recursive: true, force: true });
}

if (require.main === module) {
  flowBench(process.argv.includes('--quick')).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
