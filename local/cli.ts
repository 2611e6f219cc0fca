import { appendFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { setLogSink } from '../lambdas/shared/log';
import { ACTIVITY_TABLE, SESSIONS_TABLE } from '../lambdas/shared/table-design';
import { LocalStack } from './local-stack';
import { listLogFiles } from './log-files';
import { buildSummary } from './summary';

/**
 * `npm start [-- --logs DIR] [--fresh] [--data DIR]`: runs the whole ingestion pipeline on embedded
 * servers and prints what it found. Handler logs go to <data>/ingest.log so the terminal stays readable.
 */
const USAGE = `Usage: npm start -- [options]

Runs Trailhound locally: embedded S3 and DynamoDB servers, the same ingest handler as in AWS.

Options:
  --logs DIR    CloudTrail logs to ingest (default: the bundled sample in examples/cloudtrail)
  --data DIR    where local data persists between runs (default: .trailhound)
  --fresh       start from empty tables and bucket
  -h, --help    this text`;

async function main(): Promise<void> {
  // Local mode runs on the machine's Node (20+); deployed functions run on Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({
    options: {
      logs: { type: 'string' },
      data: { type: 'string', default: '.trailhound' },
      fresh: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const logsDir = resolve(values.logs ?? join(__dirname, '..', 'examples', 'cloudtrail'));
  if (!existsSync(logsDir) || !statSync(logsDir).isDirectory()) throw new UsageError(`--logs ${logsDir} is not a folder`);
  const dataDir = resolve(values.data);
  const files = listLogFiles(logsDir);
  if (files.length === 0) throw new UsageError(`no files under ${logsDir}`);

  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, 'ingest.log');
  setLogSink((line) => appendFileSync(logFile, `${line}\n`));

  console.log(`Trailhound local mode — data in ${dataDir}${values.fresh ? ' (fresh)' : ''}`);
  const stack = await LocalStack.start({ dataDir, fresh: values.fresh });
  try {
    console.log(`  DynamoDB (dynalite) ${stack.services.dynamoEndpoint}   S3 (s3rver) ${stack.services.s3Endpoint}`);
    const bar = new SingleBar({ format: '  {stage} [{bar}] {value}/{total} {unit}', hideCursor: true, stream: process.stderr }, Presets.shades_classic);
    bar.start(files.length, 0, { stage: 'upload', unit: 'files' });
    await stack.upload(files, ({ uploaded }) => bar.update(uploaded));
    const messages = stack.eventSource.pending;
    bar.setTotal(messages);
    bar.update(0, { stage: 'ingest', unit: 'S3 notifications' });
    await stack.eventSource.drain(({ delivered, deadLettered }) => bar.update(delivered + deadLettered));
    bar.stop();
    console.log(`  ${files.length} files from ${logsDir} uploaded and delivered; handler log: ${logFile}\n`);

    const lines = await buildSummary({
      documents: stack.documents,
      queries: stack.queries,
      tables: {
        sessions: stack.tableNames[SESSIONS_TABLE.envVar],
        activity: stack.tableNames[ACTIVITY_TABLE.envVar],
        ingestedObjects: stack.ingestedObjectsTable,
      },
      deadLettered: stack.eventSource.deadLetters.length,
    });
    console.log(lines.join('\n'));
  } finally {
    await stack.stop();
  }
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
