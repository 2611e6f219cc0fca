import { readFileSync } from 'node:fs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { resetClients } from '../lambdas/adapters/aws-clients';
import { mapWithConcurrency } from '../lambdas/shared/concurrency';
import { resetStageDependencies } from '../lambdas/investigation-stages/stage-context';
import { handler as ingestHandler } from '../lambdas/ingest-cloudtrail/handler';
import { handler as compactionHandler } from '../lambdas/compact-hour/handler';
import { compactionMessageBody, parseCompactionMessage, useLocalCompactionQueue } from '../lambdas/adapters/compaction-queue';
import { objectKeysInMessage } from '../lambdas/ingest-cloudtrail/s3-notifications';
import { EventsStore } from '../lambdas/adapters/events-store';
import { TrailQueries } from '../lambdas/queries/trail-queries';
import { dynamoFlowItems, FlowQueries } from '../lambdas/queries/flow-queries';
import { COMPACTION_SETTLE_MINUTES_ENV } from '../lambdas/shared/config';
import { ACTIVITY_TABLE, COMPACTION_QUEUE_ENV, INDEX_BUCKET_ENV, INGESTED_OBJECTS_TABLE, RETENTION_DAYS_ENV, SESSIONS_TABLE } from '../lambdas/shared/table-design';
import { startEmbeddedServices, type EmbeddedOptions, type EmbeddedServices } from './embedded-services';
import { createLocalTables } from './local-tables';
import type { LogFile } from './log-files';
import { LocalSqsEventSource } from './sqs-event-source';

/**
 * The whole pipeline in one process: embedded S3 and DynamoDB servers (in a worker thread of their own, see
 * embedded-services.ts), the stack's tables, a bucket whose object-created notifications (emitted by the S3
 * server itself) go through an SQS-like event source to the SAME ingest handler that runs in Lambda.
 */
export const LOCAL_BUCKET = 'trailhound-local-logs';
/** Local mode keeps logs of any age (the largest retention the setting allows). */
export const LOCAL_RETENTION_DAYS = 36500;
/** The stack's index bucket: compacted hours' events. */
export const LOCAL_INDEX_BUCKET = 'trailhound-local-index';
export const LOG_PREFIX = 'AWSLogs/';
const TABLE_PREFIX = 'trailhound-local';

/**
 * The event source mappings as deployed (lib/ingest-function.ts, lib/activity-store.ts): messages per batch
 * (test/local/event-sources.test.ts holds them to the synthesized stack) and receives before the dead-letter list.
 */
export const INGEST_EVENT_SOURCE = { batchSize: 5, maxReceiveCount: 5 } as const;
export const COMPACTION_EVENT_SOURCE = { batchSize: 10, maxReceiveCount: 5 } as const;
/**
 * Batches in flight at once, as Lambda runs several invocations of a function at once: while one waits for
 * the servers' thread, another runs here, so a machine's second core is used. Measured on 2 cores with
 * bench/local-pipeline.ts: 1 leaves a core idle; beyond 4 nothing more is gained.
 */
export const LOCAL_CONCURRENCY = 4;

export interface LocalStackOptions extends EmbeddedOptions {
  /**
   * Batches each event source keeps in flight. The cost benchmark uses 1, so that a stage's wall time is the
   * sum of its invocations' durations.
   * @default LOCAL_CONCURRENCY
   */
  concurrency?: number;
  /**
   * Days after an event that its data is kept. Deployed, DynamoDB TTL enforces it and events older than it are
   * not ingested; locally nothing expires, and logs of any age are there to be analysed.
   * @default 36500
   */
  retentionDays?: number;
}

export interface UploadProgress {
  uploaded: number;
  total: number;
}

/** S3 URL-encodes keys in notifications (spaces as '+'); s3rver does not, so the local bucket does it. */
function encodeKeyAsS3Does(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export interface PipelineProgress {
  stage: 'ingest' | 'compact';
  delivered: number;
  pending: number;
  deadLettered: number;
}

export class LocalStack {
  readonly queries: TrailQueries;
  /** The VPC flow logs' items (the summary's traffic section). */
  readonly flows: FlowQueries;
  readonly eventSource: LocalSqsEventSource;
  /** The compaction queue (FIFO by account-hour in AWS); drained after ingestion, as the schedule would. */
  readonly compactionSource: LocalSqsEventSource;
  /** Aborted when the embedded servers fail: no further batch is delivered to the handlers. */
  private readonly serversFailed = new AbortController();

  private constructor(
    readonly services: EmbeddedServices,
    readonly dynamo: DynamoDBClient,
    readonly documents: DynamoDBDocumentClient,
    readonly s3: S3Client,
    readonly tableNames: Record<string, string>,
    concurrency: number,
  ) {
    this.queries = new TrailQueries(documents, { sessions: tableNames[SESSIONS_TABLE.envVar], activity: tableNames[ACTIVITY_TABLE.envVar] }, new EventsStore(s3, LOCAL_INDEX_BUCKET));
    this.flows = new FlowQueries(dynamoFlowItems(documents, tableNames[ACTIVITY_TABLE.envVar]));
    this.eventSource = new LocalSqsEventSource((event, context) => ingestHandler(event, context) as Promise<SQSBatchResponse>, {
      ...INGEST_EVENT_SOURCE,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:trailhound-local-ingest',
      concurrency,
    });
    // FIFO with one message group per account-hour, as deployed: one compaction of an hour at a time.
    this.compactionSource = new LocalSqsEventSource((event, context) => compactionHandler(event, context) as Promise<SQSBatchResponse>, {
      ...COMPACTION_EVENT_SOURCE,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:trailhound-local-compaction.fifo',
      concurrency,
      messageGroup: (body) => parseCompactionMessage(body)?.hourKey ?? body,
    });
    useLocalCompactionQueue((requests) => {
      for (const request of requests) this.compactionSource.send(compactionMessageBody(request));
    });
    services.failed.catch((error: unknown) => this.serversFailed.abort(error));
    services.onS3Event((event) => {
      // The stack's notification configuration: ObjectCreated under the log prefix.
      const records = event.Records.filter((r) => r.eventName.startsWith('ObjectCreated:') && r.s3.object.key.startsWith(LOG_PREFIX));
      for (const record of records) record.s3.object.key = encodeKeyAsS3Does(record.s3.object.key);
      if (records.length > 0) this.eventSource.send(JSON.stringify({ Records: records }));
    });
  }

  static async start(options: LocalStackOptions): Promise<LocalStack> {
    const services = await startEmbeddedServices(options);
    try {
      return await LocalStack.connect(services, options);
    } catch (error) {
      await services.stop();
      throw error;
    }
  }

  private static async connect(services: EmbeddedServices, options: LocalStackOptions): Promise<LocalStack> {
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    const region = 'us-east-1';
    const dynamo = new DynamoDBClient({ endpoint: services.dynamoEndpoint, region, credentials });
    const tableNames = await createLocalTables(dynamo, TABLE_PREFIX);
    // The handlers read the same variables in Lambda; here they point at the embedded servers.
    Object.assign(process.env, {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: services.dynamoEndpoint,
      AWS_ENDPOINT_URL_S3: services.s3Endpoint,
      TRAILHOUND_S3_FORCE_PATH_STYLE: 'true',
      // s3rver predates the SDK's default CRC checksums on uploads.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      [RETENTION_DAYS_ENV]: String(options.retentionDays ?? LOCAL_RETENTION_DAYS),
      [INDEX_BUCKET_ENV]: LOCAL_INDEX_BUCKET,
      [COMPACTION_QUEUE_ENV]: 'local',
      // Local logs are all there when ingested: compact each hour once ingestion drains, without waiting.
      [COMPACTION_SETTLE_MINUTES_ENV]: 'immediate',
      ...tableNames,
    });
    delete process.env.AWS_PROFILE;
    resetClients();
    resetStageDependencies();
    const s3 = new S3Client({ endpoint: services.s3Endpoint, region, credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    for (const Bucket of [LOCAL_BUCKET, LOCAL_INDEX_BUCKET]) {
      await s3.send(new CreateBucketCommand({ Bucket })).catch((error: { name?: string }) => {
        if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
      });
    }
    const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
    return new LocalStack(services, dynamo, documents, s3, tableNames, options.concurrency ?? LOCAL_CONCURRENCY);
  }

  get ingestedObjectsTable(): string {
    return this.tableNames[INGESTED_OBJECTS_TABLE.envVar];
  }

  /** Uploads files to the local bucket; each upload enqueues its notification. */
  async upload(files: readonly LogFile[], onProgress?: (progress: UploadProgress) => void): Promise<void> {
    let uploaded = 0;
    await this.unlessServersFail(
      mapWithConcurrency(files, 4, async (file) => {
        this.serversFailed.signal.throwIfAborted();
        await this.s3.send(new PutObjectCommand({ Bucket: LOCAL_BUCKET, Key: file.key, Body: readFileSync(file.path) }));
        onProgress?.({ uploaded: ++uploaded, total: files.length });
      }),
    );
    // The notifications come from the servers' thread: wait until those of every upload are queued.
    await this.services.settled();
  }

  /** Runs the queued work to the end: ingestion, then the compaction of every hour it touched. */
  async drain(onProgress?: (progress: PipelineProgress) => void): Promise<void> {
    const { signal } = this.serversFailed;
    await this.unlessServersFail(this.eventSource.drain((p) => onProgress?.({ stage: 'ingest', ...p }), signal));
    await this.unlessServersFail(this.compactionSource.drain((p) => onProgress?.({ stage: 'compact', ...p }), signal));
  }

  /**
   * The work's result, or the servers' error as soon as they fail: not the SDK's retries against a closed port,
   * nor the "socket hang up" of a call that was in flight when they failed.
   */
  private async unlessServersFail<T>(work: Promise<T>): Promise<T> {
    // Whatever the work does after a failure, it is no longer awaited: it must not become an unhandled rejection.
    work.catch(() => undefined);
    try {
      return await Promise.race([work, this.services.failed]);
    } catch (error) {
      // Rejects with the servers' error if they failed (their thread's end is reported if it has not been yet).
      await this.services.settled();
      throw error;
    }
  }

  /** Messages that exhausted their receives, by queue. */
  get deadLetters(): { ingest: number; compaction: number } {
    return { ingest: this.eventSource.deadLetters.length, compaction: this.compactionSource.deadLetters.length };
  }

  /** What the dead-lettered messages were about: the objects an ingest message announced, the hour of a compaction. */
  deadLetteredNames(): string[] {
    const ingest = this.eventSource.deadLetters.flatMap((m) => {
      const keys = objectKeysInMessage(m.body);
      return keys.length > 0 ? keys : [`message ${m.messageId} (not an S3 notification)`];
    });
    const compaction = this.compactionSource.deadLetters.map((m) => `compaction of ${parseCompactionMessage(m.body)?.hourKey ?? `message ${m.messageId}`}`);
    return [...ingest, ...compaction];
  }

  async stop(): Promise<void> {
    useLocalCompactionQueue(undefined);
    resetClients();
    resetStageDependencies();
    this.s3.destroy();
    this.dynamo.destroy();
    await this.services.stop();
  }
}
