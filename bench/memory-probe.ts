import { createReadStream, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readCloudTrailLog } from '../lambdas/core/cloudtrail/read-log';

/**
 * Child process of the benchmark: reads one log file in the given mode under the heap limit the parent
 * sets, and prints peak memory as JSON. `stream` is Trailhound's reader; `whole` is gunzip + JSON.parse of
 * the whole document, the obvious alternative.
 */
async function main(): Promise<void> {
  const [file, mode] = process.argv.slice(2);
  let peakRss = 0;
  const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const timer = setInterval(sample, 5);
  let records: number;
  if (mode === 'stream') {
    const { digest } = await readCloudTrailLog(createReadStream(file, { highWaterMark: 64 * 1024 }));
    records = digest.counts.accepted;
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
