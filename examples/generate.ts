import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, generateFlowLogs, generateScenario } from './generator';

/**
 * `npx tsx examples/generate.ts [--out DIR] [--seed N]`: writes the sample organisation's CloudTrail bucket
 * content (log files and digest files under AWSLogs/) and its VPC Flow Logs (AWSLogs/<account>/vpcflowlogs/)
 * into DIR, by default examples/cloudtrail.
 */

const usage = 'usage: npx tsx examples/generate.ts [--out DIR] [--seed N]';

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(usage);
    return;
  }
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer\n${usage}`);
  const out = resolve(values.out ?? join(__dirname, 'cloudtrail'));

  const scenario = generateScenario(seed);
  const flowLogs = generateFlowLogs(scenario, seed);
  // Files of an earlier run (another seed) would otherwise linger beside the new ones.
  rmSync(join(out, 'AWSLogs'), { recursive: true, force: true });
  let bytes = 0;
  for (const object of [...scenario.objects, ...flowLogs.objects]) {
    const path = join(out, ...object.key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, object.body);
    bytes += object.body.length;
  }
  const records = scenario.logFiles.reduce((sum, file) => sum + file.records.length, 0);
  console.log(`Wrote ${scenario.objects.length + flowLogs.objects.length} files to ${out} (seed ${seed}):`);
  console.log(`  ${scenario.logFiles.length} log files with ${records} records`);
  console.log(`  ${scenario.digestFiles.length} digest files`);
  const flows = flowLogs.files.reduce((sum, file) => sum + file.lines.length, 0);
  console.log(`  ${flowLogs.files.length} VPC Flow Log files with ${flows} records`);
  console.log(`  ${(bytes / 1024).toFixed(0)} KiB gzipped`);
}

main();
