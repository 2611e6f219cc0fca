import * as path from 'node:path';
import { CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ACTIVITY_TABLE, COMPACTION_QUEUE_ENV, HOUR_OBJECTS_TABLE, INDEX_BUCKET_ENV, SESSIONS_TABLE } from '../lambdas/shared/table-design';
import type { DataTables } from './data-tables';
import type { LogSource } from './log-source';
import { trailhoundFunction } from './node-function';
import { grantTableActions } from './table-grants';
import { acknowledgeNag } from './nag';
import { iamSnapshotSubject } from '../lambdas/core/iam/stored';

/** Long enough to re-read and merge a busy account's hour of logs (see `npm run bench`). */
export const COMPACTION_TIMEOUT = Duration.minutes(10);

export interface ActivityStoreProps {
  readonly logSource: LogSource;
  readonly tables: DataTables;
  readonly retentionDays: number;
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  /**
   * Memory of the compaction function: it holds one account-hour's compact events.
   * @default 1769 (one full vCPU)
   */
  readonly compactionMemoryMb?: number;
}

/**
 * Storage v2's second stage. The index bucket holds each compacted hour's compact events; the FIFO queue
 * carries the account-hours to compact (one message group per hour, so one compaction of an hour at a time);
 * the compaction function merges an hour's log objects into the Activity and Sessions tables.
 */
export class ActivityStore extends Construct {
  readonly indexBucket: s3.Bucket;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly compactionFunction: NodejsFunction;

  constructor(scope: Construct, id: string, props: ActivityStoreProps) {
    super(scope, id);
    const retained = props.removalPolicy === RemovalPolicy.RETAIN;
    this.indexBucket = new s3.Bucket(this, 'IndexBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Each hour's events live as long as its items (they expire by TTL one retention period after the hour).
      lifecycleRules: [{ expiration: Duration.days(props.retentionDays + 1), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: !retained,
    });
    acknowledgeNag(
      this.indexBucket,
      'AwsSolutions-S1',
      'Derived data written only by the compaction function and read only by the investigation stages, whose roles are the only grants; its access is auditable with CloudTrail data events, and server access logs would add a log object per request.',
    );

    this.deadLetterQueue = new sqs.Queue(this, 'CompactionDeadLetterQueue', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    this.queue = new sqs.Queue(this, 'CompactionQueue', {
      fifo: true,
      // SQS drops a message for an object already announced within five minutes (the same object, twice).
      contentBasedDeduplication: false,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.minutes(COMPACTION_TIMEOUT.toMinutes() * 6),
      retentionPeriod: Duration.days(14),
      // An unsettled hour is hidden until it settles (about one receive per 15 minutes while waiting).
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 12 },
      removalPolicy: props.removalPolicy,
    });

    this.compactionFunction = trailhoundFunction(this, {
      description: 'Trailhound: compacts an account-hour of CloudTrail logs into one item per principal',
      entry: path.join('lambdas', 'compact-hour', 'handler.ts'),
      memorySize: props.compactionMemoryMb ?? 1769,
      timeout: COMPACTION_TIMEOUT,
      removalPolicy: props.removalPolicy,
      environment: {
        ...props.tables.environmentFor([SESSIONS_TABLE, ACTIVITY_TABLE, HOUR_OBJECTS_TABLE]),
        [INDEX_BUCKET_ENV]: this.indexBucket.bucketName,
        // To hide a message of an hour that has not settled (ChangeMessageVisibility takes the queue's URL).
        [COMPACTION_QUEUE_ENV]: this.queue.queueUrl,
      },
    });
    this.compactionFunction.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
    // An unsettled hour's message is hidden until the hour settles.
    this.compactionFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:ChangeMessageVisibility'], resources: [this.queue.queueArn] }));

    props.logSource.grantReadLogs(this.compactionFunction);
    if (this.compactionFunction.role) {
      props.logSource.acknowledgeReadLogsWildcard(this.compactionFunction.role);
      this.acknowledgeEventsWildcard(this.compactionFunction.role);
    }
    this.compactionFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], resources: [this.indexBucket.arnForObjects('events/*')] }),
    );
    // Compaction lists nothing, but without ListBucket S3 answers a missing key with 403 AccessDenied instead of
    // 404 NoSuchKey, and a header that is gone must read as none (compact-hour/handler.ts readHeader).
    this.compactionFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.indexBucket.bucketArn] }));
    // Query the hour's objects; delete its pending mark before listing them.
    grantTableActions(this.compactionFunction, props.tables, HOUR_OBJECTS_TABLE, ['dynamodb:Query', 'dynamodb:DeleteItem']);
    grantTableActions(this.compactionFunction, props.tables, ACTIVITY_TABLE, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem']);
    // Folding an IAM history into a checkpoint reads the account's IAM snapshot before it (IamStore.mergeChanges):
    // Query, on the snapshot partitions only, never the trail's activity.
    this.compactionFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [props.tables.table(ACTIVITY_TABLE).tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [iamSnapshotSubject('*')] } },
      }),
    );
    // Session packs and parent pointers are written, never read, by the compaction.
    grantTableActions(this.compactionFunction, props.tables, SESSIONS_TABLE, ['dynamodb:BatchWriteItem']);
  }

  /** What the ingest function needs to ask for compactions. */
  grantRequestCompaction(grantee: iam.IGrantable): Record<string, string> {
    this.queue.grantSendMessages(grantee);
    return { [COMPACTION_QUEUE_ENV]: this.queue.queueUrl };
  }

  /** Acknowledges the events prefix wildcard on a role that is granted it. */
  acknowledgeEventsWildcard(role: iam.IRole): void {
    const bucket = Stack.of(this).getLogicalId(this.indexBucket.node.defaultChild as CfnElement);
    acknowledgeNag(
      role,
      `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/events/*]`,
      'The compacted hours under events/: their keys name an account, an hour and a compaction generation known only at run time.',
    );
  }

  /** What a reader of compacted activity needs: the index bucket's name and read access to its events. */
  grantReadEvents(grantee: iam.IGrantable): Record<string, string> {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.indexBucket.arnForObjects('events/*')] }));
    if (grantee instanceof Construct && 'role' in grantee && (grantee as { role?: iam.IRole }).role) this.acknowledgeEventsWildcard((grantee as { role: iam.IRole }).role);
    return { [INDEX_BUCKET_ENV]: this.indexBucket.bucketName };
  }
}
