import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { flowBench } from './flow-bench';
import { gunzipSync, gzipSync } from 'node:zlib';
import { costOf, GB, lambdaInvocations, perGb, PRICES, sqsRequests, tableStorageDollars, tableWriteDollars, type RunUsage } from './cost-model';
import { defaultRealCorpusDir, generatedCorpus, realCorpus, type NamedCorpus } from './corpora';
import { investigate, type InvestigationMeasure } from './investigation-latency';
import { measureGraphReads, type GraphMeasure } from './graph-latency';
import { HOUR_START, memberAccount } from './org-corpus';
import { FUNCTION_MEMORY_GB, ingestFiles, pipelineS3, startMeteredStack, storedBytes } from './pipeline-run';
import { measureThroughput, type LoadedFile, type Throughput } from './throughput';

/**
 * `npm run bench`: in one run, for generated organizations at 50, 500 and 5,000 records per file and for a
 * real corpus, side by side: records/s of the ingest and compaction cores beside the streaming floor; what
 * the real local pipeline asks of DynamoDB (write and read units as billed), S3, SQS and Lambda; what it
 * stores; the first-year cost per GB of raw CloudTrail by service; then the latency of one investigation at
 * one and at ten times the total volume, and the peak memory of the streamed reader. Every figure is
 * measured in this run and printed; nothing is asserted.
 */
const usage =
  'npm run bench -- [--quick] [--sizes 50,500,5000] [--records 7200,24000,60000] [--runs 5] [--corpus DIR] [--no-investigation] [--graph-records 120000] [--no-graph] [--only-graph] [--heap-mb 256]';
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '50,500,5000' },
    records: { type: 'string' },
    runs: { type: 'string' },
    corpus: { type: 'string' },
    'no-investigation': { type: 'boolean', default: false },
    'graph-records': { type: 'string' },
    'no-graph': { type: 'boolean', default: false },
    'only-graph': { type: 'boolean', default: false },
    'heap-mb': { type: 'string', default: '256' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const REPO = resolve(__dirname, '..');
const quick = values.quick === true;
const sizes = (values.sizes as string).split(',').map(Number);
/** Records per generated corpus: a whole number of account-region-hours (12 files each) is generated. */
const recordTargets = (values.records ?? (quick ? '1200,6000,60000' : '7200,24000,60000')).split(',').map(Number);
const runs = Number(values.runs ?? (quick ? 1 : 5));
const heapMb = Number(values['heap-mb']);

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const money = (n: number) => `$${n.toFixed(n < 0.01 ? 4 : 3)}`;

function shapeFor(recordsPerFile: number, target: number): { accounts: number; regions: number } {
  const accountRegions = Math.max(1, Math.round(target / (12 * recordsPerFile)));
  const regions = accountRegions >= 2 ? 2 : 1;
  return { accounts: Math.ceil(accountRegions / regions), regions };
}

function load(corpus: NamedCorpus): LoadedFile[] {
  return corpus.files.map((file) => ({ key: file.key, gz: readFileSync(file.path) }));
}

function retentionFor(corpus: NamedCorpus): number {
  return Math.max(365, Math.ceil((Date.now() - Date.parse(corpus.oldestEvent)) / 86_400_000) + 2);
}

function retainedFrom(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString();
}

interface CorpusResult {
  corpus: NamedCorpus;
  throughput: Throughput;
  usage: RunUsage;
  perRecord: (n: number) => number;
  storage: Awaited<ReturnType<typeof storedBytes>>;
  drainSeconds: number;
  problems: string;
}

async function measureCorpus(corpus: NamedCorpus): Promise<CorpusResult> {
  const retention = retentionFor(corpus);
  process.stdout.write(`  ${corpus.name}: throughput…`);
  const throughput = await measureThroughput(load(corpus), retainedFrom(retention), runs);
  process.stdout.write(' pipeline…');
  const session = await startMeteredStack(retention);
  try {
    const run = await ingestFiles(session, corpus.files);
    const dynamo = { ...run.meter.dynamo, requests: { ...run.meter.dynamo.requests } };
    const s3 = pipelineS3(run.meter);
    const storage = await storedBytes(session);
    const dynamoStoredBytes = Object.values(storage.storage).reduce((sum, t) => sum + t.bytes + t.indexBytes, 0);
    const usage: RunUsage = {
      rawBytes: corpus.rawBytes,
      records: corpus.records,
      objects: run.objects,
      accountHours: run.accountHours,
      compactionMessages: run.compactionMessages,
      dynamo,
      s3,
      dynamoStoredBytes,
      dynamoStoredBytesByTable: Object.fromEntries(Object.entries(storage.storage).map(([id, t]) => [id, t.bytes + t.indexBytes])),
      s3StoredBytes: storage.indexBytes,
      lambdaGbSeconds: (run.ingestSeconds + run.compactSeconds) * FUNCTION_MEMORY_GB,
      stepFunctionTransitions: 0,
    };
    const problems = [
      run.deadLetters.ingest + run.deadLetters.compaction > 0 ? `${run.deadLetters.ingest}+${run.deadLetters.compaction} dead letters` : '',
      run.errorLogs > 0 ? `${run.errorLogs} warning/error log lines` : '',
      run.meter.unpriced.size > 0 ? `unpriced: ${[...run.meter.unpriced].map(([k, v]) => `${k}×${v}`).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    console.log(' done');
    return { corpus, throughput, usage, perRecord: (n) => (n * 1000) / corpus.records, storage, drainSeconds: run.ingestSeconds + run.compactSeconds, problems };
  } finally {
    await session.close();
  }
}

function table(header: string[], rows: (string | number)[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells: (string | number)[]) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i] as number) : String(c).padStart(widths[i] as number))).join('  ');
  console.log(`  ${line(header)}`);
  for (const row of rows) console.log(`  ${line(row)}`);
}

function printResults(results: CorpusResult[]): void {
  const header = ['', ...results.map((r) => r.corpus.name)];
  const col = (fn: (r: CorpusResult) => string | number) => results.map(fn);
  console.log('\nCorpora');
  table(header, [
    ['records', ...col((r) => fmt(r.corpus.records))],
    ['log files', ...col((r) => fmt(r.corpus.files.length))],
    ['records per file (mean)', ...col((r) => fmt(r.corpus.records / r.corpus.files.length))],
    ['account-hours', ...col((r) => fmt(r.usage.accountHours))],
    ['raw MB (gzip MB)', ...col((r) => `${fmt(r.corpus.rawBytes / 2 ** 20, 1)} (${fmt(r.corpus.gzipBytes / 2 ** 20, 1)})`)],
    ['bytes per record', ...col((r) => fmt(r.corpus.rawBytes / r.corpus.records))],
  ]);

  console.log(`\nThroughput, records/s (best of ${runs} run(s) after a warm-up; every path streams the gzip bytes in 64 KB chunks)`);
  const rate = (t: Throughput, ms: number) => fmt((t.records / ms) * 1000);
  table(header, [
    ['records timed', ...col((r) => fmt(r.throughput.records))],
    ['floor: gunzip + splitter + JSON.parse', ...col((r) => rate(r.throughput, r.throughput.floorMs))],
    ['  (below it: gunzip + JSON.parse, records pre-cut)', ...col((r) => rate(r.throughput, r.throughput.parseOnlyMs))],
    ['ingest core: readLogRecords + ObjectScan', ...col((r) => rate(r.throughput, r.throughput.ingestMs))],
    ['  ingest / floor', ...col((r) => `${fmt(r.throughput.floorMs / r.throughput.ingestMs, 2)}×`)],
    ['  ingest / pre-cut parse', ...col((r) => `${fmt(r.throughput.parseOnlyMs / r.throughput.ingestMs, 2)}×`)],
    ['compaction core: re-read + HourCompactor', ...col((r) => rate(r.throughput, r.throughput.compactMs))],
    ['  compaction / floor', ...col((r) => `${fmt(r.throughput.floorMs / r.throughput.compactMs, 2)}×`)],
  ]);

  console.log('\nWhat the local pipeline asked of AWS services, per 1,000 records (metered on the SDK clients)');
  table(header, [
    ['DynamoDB item writes', ...col((r) => fmt(r.perRecord(r.usage.dynamo.itemWrites), 1))],
    ['DynamoDB WRU, tables', ...col((r) => fmt(r.perRecord(r.usage.dynamo.writeUnits), 1))],
    ['DynamoDB WRU, index copies', ...col((r) => fmt(r.perRecord(r.usage.dynamo.gsiWriteUnits), 1))],
    ['DynamoDB WRU, total', ...col((r) => fmt(r.perRecord(r.usage.dynamo.writeUnits + r.usage.dynamo.gsiWriteUnits), 1))],
    ['DynamoDB RRU (ingest + compaction reads)', ...col((r) => fmt(r.perRecord(r.usage.dynamo.readUnits), 1))],
    ['S3 PUT / LIST', ...col((r) => `${fmt(r.perRecord(r.usage.s3.put), 2)} / ${fmt(r.perRecord(r.usage.s3.list), 2)}`)],
    ['S3 GET', ...col((r) => fmt(r.perRecord(r.usage.s3.get), 2))],
    ['SQS messages: ingest / compaction', ...col((r) => `${fmt(r.perRecord(r.usage.objects), 2)} / ${fmt(r.perRecord(r.usage.compactionMessages), 2)}`)],
    ['SQS requests (AWS model)', ...col((r) => fmt(r.perRecord(sqsRequests(r.usage).ingest + sqsRequests(r.usage).compaction), 2))],
    ['Lambda invocations (AWS model)', ...col((r) => fmt(r.perRecord(lambdaInvocations(r.usage)), 2))],
    ['Lambda GB-s (local wall time × 0.5 GB)', ...col((r) => fmt(r.perRecord(r.usage.lambdaGbSeconds), 3))],
    ['Step Functions transitions', ...col(() => '0')],
    ['local drain, s (ingest + compaction)', ...col((r) => fmt(r.drainSeconds, 1))],
  ]);

  console.log('\nStored, per raw CloudTrail byte (DynamoDB: item size + 100 B per item and per index copy)');
  const storedRow = (id: string) => [`DynamoDB ${id}`, ...col((r) => { const t = r.storage.storage[id]; return t ? `${fmt((t.bytes + t.indexBytes) / r.corpus.rawBytes, 4)} (${fmt(t.items)} items)` : '-'; })];
  table(header, [
    ...['Activity', 'Sessions', 'HourObjects', 'IngestedObjects'].map(storedRow),
    ['DynamoDB total', ...col((r) => fmt(r.usage.dynamoStoredBytes / r.corpus.rawBytes, 4))],
    ['S3 index bucket', ...col((r) => `${fmt(r.usage.s3StoredBytes / r.corpus.rawBytes, 4)} (${fmt(r.storage.indexObjects)} objects)`)],
  ]);

  console.log('\nFirst-year cost per GB of raw CloudTrail (share of the total)');
  const perGbLines = results.map((r) => perGb(costOf(r.usage), r.corpus.rawBytes));
  const services = (perGbLines[0] ?? []).map((l) => l.service);
  const totals = perGbLines.map((lines) => lines.reduce((sum, l) => sum + l.dollars, 0));
  table(header, [
    ...services.map((service, i) => [service, ...perGbLines.map((lines, c) => `${money(lines[i]?.dollars ?? 0)} ${fmt((100 * (lines[i]?.dollars ?? 0)) / (totals[c] || 1)).padStart(3)}%`)]),
    ['total', ...totals.map((t) => money(t))],
    ['vs the $0.20/GB goal', ...totals.map((t) => (t <= 0.2 ? 'within' : `+${money(t - 0.2)}`))],
  ]);
  for (const r of results) if (r.problems) console.log(`  ! ${r.corpus.name}: ${r.problems}`);

  console.log('\nWhere it comes from, per GB of raw CloudTrail: count per GB × first-year cost of each');
  const drivers = results.map(costDrivers);
  const driverRow = (name: string, pick: (d: Drivers) => Driver) => [name, ...drivers.map((d) => { const x = pick(d); return `${fmt(x.perGb)} × $${(x.dollarsPerGb / x.perGb).toExponential(2)} = ${money(x.dollarsPerGb)}`; })];
  table(header, [
    driverRow('log objects (bookkeeping, SQS, Lambda, GETs)', (d) => d.objects),
    driverRow('Activity items (per principal-hour + account)', (d) => d.activity),
    driverRow('Sessions items (packs, parent pointers)', (d) => d.sessions),
    driverRow('account-hours (events object in S3)', (d) => d.hours),
  ]);

  // The hour index (reverse lookups by address, agent, bucket, session, instance) is part of Activity above.
  console.log('\nReverse lookups (issue "Explore the graph"): the hour index, one compressed item per account-hour');
  const indexDollars = results.map((r) => {
    const stored = r.storage.storage.HourIndex;
    return (tableWriteDollars('Activity', r.usage.dynamo.hourIndexWriteUnits) + (stored ? tableStorageDollars('Activity', stored.bytes) : 0)) * (GB / r.corpus.rawBytes);
  });
  table(header, [
    ['DynamoDB WRU per 1,000 records, index', ...col((r) => fmt(r.perRecord(r.usage.dynamo.hourIndexWriteUnits), 1))],
    ['DynamoDB WRU per 1,000 records, without it', ...col((r) => fmt(r.perRecord(r.usage.dynamo.writeUnits + r.usage.dynamo.gsiWriteUnits - r.usage.dynamo.hourIndexWriteUnits), 1))],
    ['first-year $/GB of the index', ...indexDollars.map((d) => money(d))],
    ['total $/GB with the index / without', ...totals.map((t, i) => `${money(t)} / ${money(t - (indexDollars[i] ?? 0))}`)],
  ]);
}

interface Driver {
  perGb: number;
  dollarsPerGb: number;
}

interface Drivers {
  objects: Driver;
  activity: Driver;
  sessions: Driver;
  hours: Driver;
}

/** Splits the cost by what drives it: per log object, per principal-hour, per session, per account-hour. */
function costDrivers(r: CorpusResult): Drivers {
  const scale = GB / r.corpus.rawBytes;
  const wru = (id: string) => tableWriteDollars(id, r.usage.dynamo.writeUnitsByTable[id] ?? 0);
  const stored = (id: string) => {
    const t = r.storage.storage[id];
    return t ? tableStorageDollars(id, t.bytes + t.indexBytes) : 0;
  };
  const lines = Object.fromEntries(costOf(r.usage).map((l) => [l.service, l.dollars]));
  const s3Gets = (r.usage.s3.get / 1000) * PRICES.s3GetPer1000;
  const s3Puts = ((r.usage.s3.put + r.usage.s3.list) / 1000) * PRICES.s3PutPer1000;
  const objectDollars = wru('IngestedObjects') + wru('HourObjects') + stored('IngestedObjects') + stored('HourObjects') + (lines['DynamoDB reads'] ?? 0) + s3Gets + (lines.SQS ?? 0) + (lines.Lambda ?? 0);
  return {
    objects: { perGb: r.usage.objects * scale, dollarsPerGb: objectDollars * scale },
    activity: { perGb: (r.storage.storage.Activity?.items ?? 0) * scale, dollarsPerGb: (wru('Activity') + stored('Activity')) * scale },
    sessions: { perGb: (r.storage.storage.Sessions?.items ?? 0) * scale, dollarsPerGb: (wru('Sessions') + stored('Sessions')) * scale },
    hours: { perGb: r.usage.accountHours * scale, dollarsPerGb: (s3Puts + (lines['S3 storage'] ?? 0)) * scale },
  };
}

async function investigationLatency(): Promise<void> {
  const recordsPerFile = quick ? 50 : 500;
  const base = generatedCorpus('investigation ×1', { recordsPerFile, accounts: 1, regions: 1, seed: 7 });
  const others = generatedCorpus('others', { recordsPerFile, accounts: 9, firstAccount: 1, regions: 1, seed: 7 });
  const target = memberAccount(0);
  const entity = `arn:aws:iam::${target}:role/DeployRole`;
  const from = new Date(HOUR_START - 3600_000);
  const to = new Date(HOUR_START + 2 * 3600_000);
  console.log(`\nInvestigation latency: ${entity}, scope ${from.toISOString()} – ${to.toISOString()}`);
  console.log(`  ×1: ${fmt(base.records)} records in 1 member account (+ the security account); ×10: plus ${fmt(others.records)} records in 9 other accounts`);
  const session = await startMeteredStack(retentionFor(base));
  try {
    await ingestFiles(session, base.files);
    // The first investigation loads the stage handlers, the geolocation databases and the catalogs: not timed.
    await investigate(session, entity, from, to);
    const one: InvestigationMeasure = await investigate(session, entity, from, to);
    await ingestFiles(session, others.files);
    const ten: InvestigationMeasure = await investigate(session, entity, from, to);
    table(['', '×1', '×10'], [
      ['records stored', fmt(base.records), fmt(base.records + others.records)],
      ['status', one.status, ten.status],
      ['wall time, ms (StartInvestigation → end)', fmt(one.ms), fmt(ten.ms)],
      ['DynamoDB items read', fmt(one.itemsRead), fmt(ten.itemsRead)],
      ['DynamoDB RRU', fmt(one.readUnits, 1), fmt(ten.readUnits, 1)],
      ['DynamoDB requests', fmt(one.dynamoRequests), fmt(ten.dynamoRequests)],
      ['S3 GET (ranged event reads)', fmt(one.s3Gets), fmt(ten.s3Gets)],
    ]);
  } finally {
    await session.close();
  }
}

/**
 * The graph routes on one entity (a member account's DeployRole) at two total volumes: its account's data
 * alone (×1), then with nine other accounts' data as large (×10). `--graph-records` is the total at ×10
 * (rounded to whole account-hours: 12 files per account and hour); the others are generated and ingested one
 * account at a time, so the generator never holds more than one account's records.
 */
async function graphReadLatency(): Promise<void> {
  const total = Number(values['graph-records'] ?? (quick ? 12_000 : 120_000));
  const recordsPerFile = Math.max(1, Math.round(total / 10 / 12));
  const base = generatedCorpus('graph ×1', { recordsPerFile, accounts: 1, regions: 1, seed: 11 });
  const target = memberAccount(0);
  const roleArn = `arn:aws:iam::${target}:role/DeployRole`;
  // Searched by its ARN: the same single answer at both volumes (every account has a DeployRole).
  const graphTarget = { roleArn, roleName: roleArn, from: new Date(HOUR_START - 3600_000).toISOString(), to: new Date(HOUR_START + 2 * 3600_000).toISOString() };
  console.log(`\nGraph read latency: ${roleArn}, scope ${graphTarget.from} – ${graphTarget.to} (local API, dynalite and the local S3; best of 3 after a warm-up)`);
  const session = await startMeteredStack(retentionFor(base));
  try {
    await ingestFiles(session, base.files);
    const one = await measureGraphReads(session, graphTarget);
    let records = base.records;
    for (let a = 1; a < 10; a++) {
      const other = generatedCorpus(`graph other ${a}`, { recordsPerFile, accounts: 1, firstAccount: a, regions: 1, seed: 11 });
      await ingestFiles(session, other.files);
      records += other.records;
    }
    const ten = await measureGraphReads(session, graphTarget);
    console.log(`  ×1: ${fmt(base.records)} records in 1 member account (+ the security account); ×10: ${fmt(records)} records in 10 member accounts`);
    table(
      ['', '×1 ms', '×10 ms', '×1 items/RRU/req/GET', '×10 items/RRU/req/GET', 'answer ×1 | ×10'],
      one.map((m, i) => {
        const t = ten[i] as GraphMeasure;
        const reads = (g: GraphMeasure) => `${fmt(g.itemsRead)}/${fmt(g.readUnits, 1)}/${fmt(g.dynamoRequests)}/${fmt(g.s3Gets)}`;
        return [m.route, m.status === 200 ? fmt(m.ms) : `HTTP ${m.status}`, t.status === 200 ? fmt(t.ms) : `HTTP ${t.status}`, reads(m), reads(t), `${m.answer} | ${t.answer}`];
      }),
    );
  } finally {
    await session.close();
  }
}

function memoryProbe(corpus: NamedCorpus): void {
  const dir = mkdtempSync(join(tmpdir(), 'trailhound-bench-memory-'));
  const file = join(dir, 'big.json.gz');
  const records = corpus.files.flatMap((f) => (JSON.parse(gunzipSync(readFileSync(f.path)).toString('utf8')) as { Records: unknown[] }).Records);
  const json = JSON.stringify({ Records: records });
  writeFileSync(file, gzipSync(json));
  console.log(`\nPeak memory reading one file of ${fmt(records.length)} records (${fmt(Buffer.byteLength(json) / 2 ** 20)} MB raw) with the heap capped at ${heapMb} MB`);
  for (const mode of ['stream', 'whole']) {
    const label = mode === 'stream' ? 'streamed reader + ObjectScan' : 'gunzip + JSON.parse, whole   ';
    try {
      const out = execFileSync(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', join(__dirname, 'memory-probe.ts'), file, mode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { records: number; peakRssMb: number };
      console.log(`  ${label}  peak RSS ${fmt(result.peakRssMb)} MB, ${fmt(result.records)} records`);
    } catch {
      console.log(`  ${label}  ran out of memory under a ${heapMb} MB heap`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (values.help) return console.log(usage);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const started = Date.now();
  console.log(`Trailhound benchmark (${quick ? 'quick' : 'default'} run, ${new Date().toISOString()}, node ${process.version})`);
  if (values['only-graph']) return graphReadLatency();
  const corpora: NamedCorpus[] = sizes.map((size, i) => {
    const shape = shapeFor(size, recordTargets[i] ?? recordTargets[recordTargets.length - 1] ?? 12 * size);
    return generatedCorpus(`${fmt(size)}/file`, { recordsPerFile: size, ...shape });
  });
  const realDir = values.corpus ? resolve(values.corpus) : defaultRealCorpusDir(REPO);
  if (realDir) corpora.push(realCorpus(realDir));
  for (const corpus of corpora) console.log(`  ${corpus.name.padEnd(10)} ${corpus.shape}`);
  if (!realDir) console.log('  (no real corpus found: pass --corpus DIR)');

  console.log('\nMeasuring');
  const results: CorpusResult[] = [];
  for (const corpus of corpora) results.push(await measureCorpus(corpus));
  printResults(results);
  if (!values['no-investigation']) await investigationLatency();
  if (!values['no-graph']) await graphReadLatency();
  const largest = corpora.filter((c) => c.name !== 'real').sort((a, b) => b.records - a.records)[0];
  if (largest) memoryProbe(largest);
  await flowBench(quick);
  console.log(`\nTotal ${fmt((Date.now() - started) / 1000)} s. Prices: see bench/cost-model.ts; ${fmt(GB)} bytes per GB.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
