import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient, s3 } from '../lambdas/adapters/aws-clients';
import { itemSize } from '../lambdas/core/storage/item-size';
import { setLogSink } from '../lambdas/shared/log';
import { ALL_TABLES, INGESTION_TABLES, type TableDesign } from '../lambdas/shared/table-design';
import { LOCAL_INDEX_BUCKET, LocalStack } from '../local/local-stack';
import type { LogFile } from '../local/log-files';
import { Meter, addS3, indexCopy, isHourIndexKey, noS3 } from './meter';

/**
 * One metered run of the real local pipeline (local/local-stack.ts): upload the files, drain ingestion and
 * compaction, then read back what was stored. Everything the handlers ask of DynamoDB and S3 goes through
 * the meter; the uploads themselves (CloudTrail's deliveries) are not counted.
 */
export const DYNAMODB_ITEM_OVERHEAD = 100;
/** Memory assumed for the ingest and compaction functions (lib/ingest-function.ts sets 512 MB for ingestion). */
export const FUNCTION_MEMORY_GB = 0.5;

export interface TableStorage {
  items: number;
  bytes: number;
  indexCopies: number;
  indexBytes: number;
}

export interface PipelineMeasure {
  objects: number;
  compactionMessages: number;
  accountHours: number;
  ingestSeconds: number;
  compactSeconds: number;
  meter: Meter;
  storage: Record<string, TableStorage>;
  indexObjects: number;
  indexBytes: number;
  deadLetters: { ingest: number; compaction: number };
  errorLogs: number;
}

export interface PipelineSession {
  stack: LocalStack;
  meter: Meter;
  errorLogs: () => number;
  close(): Promise<void>;
}

/** Starts a fresh in-memory stack with every client metered. */
export async function startMeteredStack(retentionDays: number): Promise<PipelineSession> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trailhound-bench-stack-'));
  process.env.LOG_LEVEL = 'warn';
  let errors = 0;
  setLogSink((line) => {
    errors++;
    if (errors <= 3) console.error(`  [pipeline log] ${line.slice(0, 300)}`);
  });
  // One batch at a time: a stage's wall time is then the handlers' time, which prices Lambda's GB-seconds.
  const stack = await LocalStack.start({ dataDir, inMemory: true, fresh: true, retentionDays, concurrency: 1 });
  const tables = new Map<string, TableDesign>(ALL_TABLES.map((design) => [stack.tableNames[design.envVar] as string, design]));
  const meter = new Meter(tables);
  // The document clients share their base client's middleware stack.
  meter.attachDynamo(stack.documents.middlewareStack as never);
  meter.attachDynamo(dynamoDocumentClient().middlewareStack as never);
  meter.attachS3(stack.s3.middlewareStack as never, 'local');
  meter.attachS3(s3().middlewareStack as never, 'pipeline');
  return {
    stack,
    meter,
    errorLogs: () => errors,
    async close() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Uploads and drains; returns what the pipeline did for these files (the meter is reset first). */
export async function ingestFiles(session: PipelineSession, files: readonly LogFile[]): Promise<Omit<PipelineMeasure, 'storage' | 'indexObjects' | 'indexBytes'>> {
  const { stack, meter } = session;
  await stack.upload(files);
  meter.reset();
  const stageTime = { ingest: 0, compact: 0 };
  const delivered = { ingest: 0, compact: 0 };
  let last = process.hrtime.bigint();
  await stack.drain((progress) => {
    const now = process.hrtime.bigint();
    stageTime[progress.stage] += Number(now - last) / 1e9;
    delivered[progress.stage] = progress.delivered + progress.deadLettered;
    last = now;
  });
  const hourKeys = new Set<string>();
  for (const item of await scanAll(session, "HourObjects")) hourKeys.add(item.hourKey as string);
  return {
    objects: delivered.ingest,
    compactionMessages: delivered.compact,
    accountHours: hourKeys.size,
    ingestSeconds: stageTime.ingest,
    compactSeconds: stageTime.compact,
    meter,
    deadLetters: stack.deadLetters,
    errorLogs: session.errorLogs(),
  };
}

async function scanAll(session: PipelineSession, tableId: string): Promise<Record<string, unknown>[]> {
  const design = ALL_TABLES.find((t) => t.id === tableId) as TableDesign;
  const name = session.stack.tableNames[design.envVar];
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  // Read through a second, unmetered client: this is the benchmark looking, not the pipeline.
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: session.stack.services.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  try {
    do {
      const page = await client.send(new ScanCommand({ TableName: name, ExclusiveStartKey }));
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  } finally {
    client.destroy();
  }
  return items;
}

/** What DynamoDB and the index bucket hold now, by DynamoDB's storage rule. */
export async function storedBytes(session: PipelineSession): Promise<{ storage: Record<string, TableStorage>; indexObjects: number; indexBytes: number }> {
  const storage: Record<string, TableStorage> = {};
  for (const design of INGESTION_TABLES) {
    const entry: TableStorage = { items: 0, bytes: 0, indexCopies: 0, indexBytes: 0 };
    const hourIndex: TableStorage = { items: 0, bytes: 0, indexCopies: 0, indexBytes: 0 };
    for (const item of await scanAll(session, design.id)) {
      if (design.id === 'Activity' && isHourIndexKey(item)) {
        hourIndex.items++;
        hourIndex.bytes += itemSize(item) + DYNAMODB_ITEM_OVERHEAD;
      }
      entry.items++;
      entry.bytes += itemSize(item) + DYNAMODB_ITEM_OVERHEAD;
      for (const index of design.globalSecondaryIndexes) {
        const copy = indexCopy(design, index, item);
        if (!copy) continue;
        entry.indexCopies++;
        entry.indexBytes += itemSize(copy) + DYNAMODB_ITEM_OVERHEAD;
      }
    }
    storage[design.id] = entry;
    // Part of Activity, shown on its own: what the reverse lookups store.
    if (design.id === 'Activity') storage.HourIndex = hourIndex;
  }
  let indexObjects = 0;
  let indexBytes = 0;
  let ContinuationToken: string | undefined;
  const before = session.meter.s3.local ? { ...session.meter.s3.local } : undefined;
  do {
    const page = await session.stack.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_INDEX_BUCKET, ContinuationToken }));
    for (const object of page.Contents ?? []) {
      indexObjects++;
      indexBytes += object.Size ?? 0;
    }
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  // The listing above is the benchmark looking: take it back out of the counts.
  if (before) session.meter.s3.local = before;
  else delete session.meter.s3.local;
  return { storage, indexObjects, indexBytes };
}

/** S3 requests made by the pipeline's handlers. */
export function pipelineS3(meter: Meter) {
  return addS3(noS3(), meter.s3.pipeline);
}
