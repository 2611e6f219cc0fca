import { createReadStream, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readLogRecords } from '../lambdas/core/cloudtrail/read-log';
import { ObjectScan } from '../lambdas/core/storage/object-scan';

/**
 * Child process of the benchmark: reads one log file in the given mode under the heap limit the parent
 * sets, and prints peak memory as JSON. `stream` is what ingestion does (the streamed reader into an
 * ObjectScan); `whole` is gunzip + JSON.parse of the whole document, the obvious alternative.
 */
async function main(): Promise<void> {
  const [file, mode] = process.argv.slice(2);
  if (!file || !mode) throw new Error('usage: memory-probe.ts FILE stream|whole');
  let peakRss = 0;
  const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const timer = setInterval(sample, 5);
  let records: number;
  if (mode === 'stream') {
    const scan = new ObjectScan({ retainedFrom: '1970-01-01T00:00:00Z' });
    await readLogRecords(createReadStream(file, { highWaterMark: 64 * 1024 }), scan);
    records = scan.counts.accepted;
  } else {
    const document = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { Records: unknown[] };
    sample();
    records = document.Records.length;
  }
  sample();
  clearInterval(timer);
  console.log(JSON.stringify({ mode, records, peakRssMb: Math.round(peakRss / 2 ** 20) }));
}

main().catch((error: unknown) => {
  console.error(String(error));
  process.exit(1);
});
