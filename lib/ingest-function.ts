import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { HOUR_OBJECTS_TABLE, INGESTED_OBJECTS_TABLE } from '../lambdas/shared/table-design';
import type { ActivityStore } from './activity-store';
import type { DataTables } from './data-tables';
import type { LogSource } from './log-source';
import { trailhoundFunction } from './node-function';
import { grantTableAccess, type TableAccess } from './table-grants';

/**
 * Exactly what the ingest function does on its tables (CDK's grantWriteData would add DeleteItem, UpdateItem
 * and DescribeTable, grantReadWriteData also Scan and the stream actions):
 * - Sessions and Activity: lambdas/adapters/batch-writer.ts writes aggregates with BatchWriteItem (puts only);
 * - IngestedObjects: lambdas/adapters/ingested-objects.ts reads an object's record (GetItem, strongly
 *   consistent: an object already ingested with the same ETag is skipped) and writes it back (PutItem).
 */
export const INGEST_TABLE_ACCESS: readonly TableAccess[] = [
  // Registrations of objects under their account-hours, and the hour's "compaction requested" mark.
  { design: HOUR_OBJECTS_TABLE, actions: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'] },
  // Read before write: an object already ingested with the same ETag is skipped.
  { design: INGESTED_OBJECTS_TABLE, actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] },
];

/** Long enough for a 100 MB log file streamed through a 512 MB function (see `npm run bench`). */
export const INGEST_TIMEOUT = Duration.minutes(5);
/** Lambda's guidance for SQS sources: a visibility timeout of at least six times the function timeout. */
export const INGEST_QUEUE_VISIBILITY_TIMEOUT = Duration.minutes(INGEST_TIMEOUT.toMinutes() * 6);

export interface IngestFunctionProps {
  readonly logSource: LogSource;
  readonly tables: DataTables;
  /** Where ingested objects' hours are sent for compaction. */
  readonly activityStore: ActivityStore;
  /** Caps the function's concurrency (and so the write rate on the tables); unreserved by default. */
  readonly reservedConcurrency?: number;
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
}

/**
 * The ingest-cloudtrail function: consumes the log source's queue, registers each log object under the
 * account-hours its events belong to, records the outcome, and asks for those hours to be compacted. It may
 * read log objects under the prefix, write those two tables and send to the compaction queue, nothing else.
 */
export class IngestFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: IngestFunctionProps) {
    super(scope, id);
    const { logSource, tables } = props;

    this.function = trailhoundFunction(this, {
      description: 'Trailhound: ingests CloudTrail log objects announced through SQS into DynamoDB',
      entry: path.join('lambdas', 'ingest-cloudtrail', 'handler.ts'),
      // Memory holds one record, one chunk and the aggregates of one file: 512 MB covers 100 MB logs.
      memorySize: 512,
      timeout: INGEST_TIMEOUT,
      removalPolicy: props.removalPolicy,
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      environment: tables.environmentFor(INGEST_TABLE_ACCESS.map((access) => access.design)),
    });
    for (const [name, value] of Object.entries(props.activityStore.grantRequestCompaction(this.function))) this.function.addEnvironment(name, value);

    // The event source also grants the function consume rights on this queue (and on no other).
    this.function.addEventSource(
      new SqsEventSource(logSource.queue, {
        // Objects in a batch are ingested one after another and a timeout retries the whole batch: a small
        // batch keeps even several very large files within the timeout.
        batchSize: 5,
        // CloudTrail delivers every ~5 minutes per region and account: wait a little to fill batches.
        maxBatchingWindow: Duration.seconds(10),
        // Only the failed messages are retried, the others are deleted.
        reportBatchItemFailures: true,
        // With reserved concurrency, the poller must not outrun it: throttled receives count towards
        // maxReceiveCount and would push healthy messages to the dead-letter queue. (2 is the smallest cap.)
        ...(props.reservedConcurrency !== undefined && props.reservedConcurrency >= 2 ? { maxConcurrency: props.reservedConcurrency } : {}),
      }),
    );

    logSource.grantReadLogs(this.function);
    if (this.function.role) logSource.acknowledgeReadLogsWildcard(this.function.role);
    grantTableAccess(this.function, tables, INGEST_TABLE_ACCESS);
  }
}
