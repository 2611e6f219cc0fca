import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { MiddlewareStack } from '@smithy/types';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient, s3 } from '../lambdas/adapters/aws-clients';
import type { IngestedObjectItem } from '../lambdas/core/model/items';
import { setLogSink } from '../lambdas/shared/log';
import { LOCAL_BUCKET, LOCAL_CONCURRENCY, LocalStack } from '../local/local-stack';
import { mapWithConcurrency } from '../lambdas/shared/concurrency';
import { HOUR_OBJECTS_TABLE } from '../lambdas/shared/table-design';
import { listLogFiles } from '../local/log-files';
import { buildSummary } from '../local/summary';

/**
 * Times `npm start -- --no-serve --fresh` stage by stage, as the CLI runs it (same LocalStack, data on disk),
 * and breaks each stage's time down by SDK call: every command the local clients and the handlers' clients
 * send is timed from the client's side (signing, HTTP, the embedded server's work and parsing the answer).
 * Also reports the process's CPU time and how busy its event loop was in each stage.
 *
 *   npm run bench:local -- [--logs DIR] [--again] [--in-memory] [--cpu-prof FILE]
 *
 * --again      a second run on the same data folder (every object a duplicate delivery), as a later `npm start`
 * --in-memory  dynalite keeps its tables in memory instead of LevelDB (as the tests do; npm start persists them)
 * --cpu-prof   writes a V8 CPU profile of the upload, ingest and compact stages (open it in Chrome DevTools)
 *              and prints self time by package
 */
interface CallStats {
  calls: number;
  ms: number;
}

type Stage = 'start' | 'upload' | 'ingest' | 'compact' | 'summary' | 'baseline' | 'stop';

let stage: Stage = 'start';
const calls = new Map<string, CallStats>();

function timeCommands(stack: MiddlewareStack<object, object>, label: string): void {
  stack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        const key = `${stage}\t${label} ${(context as { commandName?: string }).commandName ?? '?'}`;
        const entry = calls.get(key) ?? { calls: 0, ms: 0 };
        entry.calls++;
        entry.ms += performance.now() - started;
        calls.set(key, entry);
      }
    },
    { step: 'initialize', name: 'benchLocalPipelineTimer', override: true },
  );
}

interface StageStats {
  ms: number;
  cpuMs: number;
  loopBusy: number;
}

async function measured<T>(name: Stage, results: Map<Stage, StageStats>, run: () => Promise<T>): Promise<T> {
  stage = name;
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  const value = await run();
  const used = process.cpuUsage(cpu);
  results.set(name, { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, loopBusy: performance.eventLoopUtilization(loop).utilization });
  return value;
}

/** Self time by package (node_modules name, or the project's folder), from a V8 CPU profile. */
function selfTimeByPackage(profile: { nodes: { id: number; callFrame: { url: string; functionName: string } }[]; samples: number[]; timeDeltas: number[] }): [string, number][] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { url, functionName } = nodes.get(id)?.callFrame ?? { url: '', functionName: '' };
    const modules = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/g);
    const where = modules
      ? (modules.at(-1) as string).slice('node_modules/'.length)
      : url.startsWith('node:')
        ? 'node (JavaScript)'
        : url
          ? (/\/(lambdas\/[^/]+|local|bench)\//.exec(url)?.[1] ?? url)
          : `(${functionName.replace(/[()]/g, '') || 'native'})`;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    byPackage.set(where, (byPackage.get(where) ?? 0) + ms);
    total += ms;
  });
  return [...byPackage].sort((a, b) => b[1] - a[1]).map(([where, ms]) => [where, ms / total]);
}

const pad = (text: string | number, width: number) => String(text).padStart(width);

const BASELINE_CALLS = 400;

/**
 * The bare baseline, in the same run and on the same servers: the cheapest round trips the handlers make
 * (GetItem of a missing key, GetObject of a 100-byte object), with the handlers' own clients, as many in flight as
 * the event sources keep (LOCAL_CONCURRENCY). What a pipeline stage takes beyond its calls × this floor is the
 * handlers' own work; the floor itself is SDK, HTTP and embedded-server overhead, which machine load inflates alike.
 */
async function roundTripFloor(stack: LocalStack): Promise<{ dynamoMs: number; s3Ms: number }> {
  const key = 'AWSLogs/baseline/probe.json';
  await stack.s3.send(new PutObjectCommand({ Bucket: LOCAL_BUCKET, Key: `baseline-${key}`, Body: 'x'.repeat(100) }));
  const perCall = async (call: () => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    await mapWithConcurrency(Array.from({ length: BASELINE_CALLS }), LOCAL_CONCURRENCY, call);
    return (performance.now() - started) / BASELINE_CALLS;
  };
  const table = stack.tableNames[HOUR_OBJECTS_TABLE.envVar];
  const dynamoMs = await perCall(() => dynamoDocumentClient().send(new GetCommand({ TableName: table, Key: { hourKey: 'baseline', objectId: 'probe' }, ConsistentRead: true })));
  const s3Ms = await perCall(() => s3().send(new GetObjectCommand({ Bucket: LOCAL_BUCKET, Key: `baseline-${key}` })).then((o) => o.Body?.transformToString()));
  return { dynamoMs, s3Ms };
}

async function run(logsDir: string, dataDir: string, options: { fresh: boolean; inMemory: boolean; profile?: string }): Promise<void> {
  const files = listLogFiles(logsDir);
  const stages = new Map<Stage, StageStats>();
  calls.clear();
  const stack = await measured('start', stages, () => LocalStack.start({ dataDir, fresh: options.fresh, inMemory: options.inMemory }));
  // The handlers' clients (built once, as in a Lambda container) and the local mode's own.
  timeCommands(stack.s3.middlewareStack as never, 'local S3');
  timeCommands(stack.dynamo.middlewareStack as never, 'local DynamoDB');
  timeCommands(s3().middlewareStack as never, 'handler S3');
  timeCommands(dynamoDocumentClient().middlewareStack as never, 'handler DynamoDB');
  const session = options.profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  try {
    await measured('upload', stages, () => stack.upload(files));
    const notifications = stack.eventSource.pending;
    await measured('ingest', stages, () => stack.eventSource.drain());
    const hourRequests = stack.compactionSource.pending;
    await measured('compact', stages, () => stack.compactionSource.drain());
    if (session && options.profile) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(options.profile, JSON.stringify(profile));
      console.log(`CPU profile of upload, ingest and compact: ${options.profile}`);
      console.log('  self time by package:');
      for (const [where, share] of selfTimeByPackage(profile as never).slice(0, 16)) console.log(`  ${pad((share * 100).toFixed(1), 6)}%  ${where}`);
    }
    await measured('summary', stages, () =>
      buildSummary({
        documents: stack.documents,
        queries: stack.queries,
        tables: { ingestedObjects: stack.ingestedObjectsTable },
        objectKeys: files.map((file) => `s3://${LOCAL_BUCKET}/${file.key}`),
        deadLettered: stack.deadLetteredNames(),
      }),
    );
    const floor = await measured('baseline', stages, () => roundTripFloor(stack));
    stages.delete('baseline');
    stage = 'stop';
    const scanned = await stack.documents.send(new ScanCommand({ TableName: stack.ingestedObjectsTable }));
    const ingested = (scanned.Items ?? []) as IngestedObjectItem[];
    if (scanned.LastEvaluatedKey) console.log('(ingested objects: first page only)');
    const records = ingested.reduce((n, item) => n + (item.accepted ?? 0), 0);
    const dead = stack.deadLetters;

    const total = [...stages.values()].reduce((n, s) => n + s.ms, 0);
    const work = ['ingest', 'compact'].reduce((n, s) => n + (stages.get(s as Stage)?.ms ?? 0), 0);
    console.log(`${files.length} files, ${notifications} notifications, ${hourRequests} compaction requests, ${records} records in the ingested-objects table; dead letters: ingest ${dead.ingest}, compaction ${dead.compaction}`);
    console.log(`\n  stage     wall ms   CPU ms  loop busy  ms/file`);
    for (const [name, s] of stages) console.log(`  ${name.padEnd(8)} ${pad(s.ms.toFixed(0), 8)} ${pad(s.cpuMs.toFixed(0), 8)} ${pad((s.loopBusy * 100).toFixed(0), 8)}%  ${pad((s.ms / files.length).toFixed(1), 7)}`);
    console.log(`  total    ${pad(total.toFixed(0), 8)}  (upload to compaction: ${((stages.get('upload')?.ms ?? 0) + work).toFixed(0)} ms)`);
    console.log(`\n  ${(records / (total / 1000)).toFixed(0)} records/s overall; ingest and compaction alone: ${(records / (work / 1000)).toFixed(0)} records/s`);

    console.log(`\n  stage     SDK call                                calls  total ms  ms/call  per file`);
    const rows = [...calls].filter(([key]) => !key.startsWith('stop') && !key.startsWith('baseline'));
    for (const [key, s] of rows.sort((a, b) => a[0].localeCompare(b[0]))) {
      const [name, call] = key.split('\t');
      console.log(`  ${name.padEnd(8)}  ${call.padEnd(38)} ${pad(s.calls, 6)} ${pad(s.ms.toFixed(0), 9)} ${pad((s.ms / s.calls).toFixed(2), 8)} ${pad((s.ms / files.length).toFixed(2), 9)}`);
    }

    // Side by side with the bare baseline: each stage's wall time against its round trips at the floor's price.
    console.log(`\n  bare baseline, same run: ${floor.dynamoMs.toFixed(2)} ms per DynamoDB GetItem, ${floor.s3Ms.toFixed(2)} ms per S3 GetObject (${LOCAL_CONCURRENCY} in flight)`);
    console.log(`  stage     calls/file  at the floor ms  wall ms  wall ÷ floor`);
    for (const name of ['ingest', 'compact'] as const) {
      const stageCalls = rows.filter(([key]) => key.startsWith(`${name}\t`));
      const count = stageCalls.reduce((n, [, c]) => n + c.calls, 0);
      const atFloor = stageCalls.reduce((n, [key, c]) => n + c.calls * (key.includes(' S3 ') ? floor.s3Ms : floor.dynamoMs), 0);
      const wall = stages.get(name)?.ms ?? 0;
      console.log(`  ${name.padEnd(8)} ${pad((count / files.length).toFixed(2), 11)} ${pad(atFloor.toFixed(0), 16)} ${pad(wall.toFixed(0), 8)} ${pad((wall / atFloor).toFixed(2), 12)}`);
    }
  } finally {
    stage = 'stop';
    await stack.stop();
  }
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({
    options: { logs: { type: 'string' }, again: { type: 'boolean', default: false }, 'in-memory': { type: 'boolean', default: false }, 'cpu-prof': { type: 'string' }, data: { type: 'string' } },
  });
  const logsDir = resolve(values.logs ?? join(__dirname, '..', 'examples', 'cloudtrail'));
  const dataDir = values.data ? resolve(values.data) : mkdtempSync(join(tmpdir(), 'trailhound-bench-local-'));
  // Handler logs are what a run writes to trailhound.log: kept off the terminal, as the CLI does.
  setLogSink(() => undefined);
  try {
    console.log(`Local pipeline on ${logsDir}, data in ${dataDir} (fresh${values['in-memory'] ? ', DynamoDB in memory' : ''})\n`);
    const inMemory = values['in-memory'];
    await run(logsDir, dataDir, { fresh: true, inMemory, ...(values['cpu-prof'] ? { profile: resolve(values['cpu-prof']) } : {}) });
    if (values.again) {
      console.log(`\nAgain, on the same data (every object delivered before)\n`);
      await run(logsDir, dataDir, { fresh: false, inMemory });
    }
  } finally {
    if (!values.data) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
