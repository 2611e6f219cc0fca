import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { FlowHourAggregator } from '../lambdas/core/flowlogs/flow-aggregate';
import { readFlowText, splitLines } from '../lambdas/core/flowlogs/read-text';
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

async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) yield chunk as Buffer;
}

async function bare(paths: readonly string[]): Promise<number> {
  let lines = 0;
  for (const path of paths) {
    const inflater = createReadStream(path, { highWaterMark: 64 * 1024 }).pipe(createGunzip());
    for await (const line of splitLines(inflater as AsyncIterable<Buffer>, () => undefined)) if (line.length >= 0) lines++;
  }
  return lines - paths.length;
}

async function parseAndAggregate(paths: readonly string[]): Promise<number> {
  // One aggregator per hour, as the compaction has (keyed by hour number: no date formatting per record).
  const hours = new Map<number, FlowHourAggregator>();
  let records = 0;
  for (const path of paths) {
    await readFlowText(fileChunks(path), {
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
  for (const aggregator of hours.values()) aggregator.finish();
  return records;
}

async function best(runs: number, work: () => Promise<number>): Promise<{ records: number; seconds: number }> {
  let fastest = Infinity;
  let records = 0;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    records = await work();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return { records, seconds: fastest };
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
  const runs = quick ? 1 : 2;
  const dir = mkdtempSync(join(tmpdir(), 'trailhound-flow-bench-'));
  const files: { key: string; body: Buffer }[] = [];
  const paths: string[] = [];
  for (let i = 0; i < filesPerHour * 2; i++) {
    const windowStart = HOUR_START + i * 300;
    const body = flowLogFile({ accountId: ACCOUNT, windowStart, records: recordsPerFile, interfaces: 120, peers: 5_000, seed: i + 1, shape });
    const key = flowLogKey(ACCOUNT, windowStart, `b${i}`);
    const path = join(dir, `f${i}.log.gz`);
    writeFileSync(path, body);
    files.push({ key, body });
    paths.push(path);
  }
  print(`\nVPC Flow Logs, ${shape} peers (${files.length} files, ${fmt(files.length * recordsPerFile)} records, default format, 120 interfaces, 5,000 peers, best of ${runs})`);
  const bareRun = await best(runs, () => bare(paths));
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5);
  const rssBefore = process.memoryUsage.rss();
  const coreRun = await best(runs, () => parseAndAggregate(paths));
  clearInterval(timer);
  const bareRate = bareRun.records / bareRun.seconds;
  const coreRate = coreRun.records / coreRun.seconds;
  print(`  bare gunzip + line splitting        ${fmt(bareRate).padStart(12)} lines/s`);
  print(`  parse + check + aggregate (core)    ${fmt(coreRate).padStart(12)} records/s  (${fmt((coreRate / bareRate) * 100)}% of bare; target 50%)`);
  print(`  peak RSS while aggregating          ${fmt(peakRss / 2 ** 20)} MB (${fmt((peakRss - rssBefore) / 2 ** 20)} MB above the process before it)`);
  const writes = await writesPerMillion(files, coreRun.records);
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
