import { Aws, Duration, RemovalPolicy, Stack, type CfnElement } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeNag, LAMBDA_BASIC_EXECUTION_POLICY } from './nag';

export interface LogSourceProps {
  /** Ingest from this existing bucket; when undefined a log bucket is created. */
  readonly existingBucketName?: string;
  /** Only objects under this key prefix are announced ('' = the whole bucket). */
  readonly prefix: string;
  /** Customer managed KMS key of an existing SSE-KMS bucket; readers are granted kms:Decrypt on it. */
  readonly kmsKeyArn?: string;
  /** Accounts besides this stack's whose trails and flow logs may write into a created bucket. */
  readonly sourceAccounts: readonly string[];
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  /** Visibility timeout of the queue: at least 6x the consumer's timeout, as Lambda recommends for SQS sources. */
  readonly visibilityTimeout: Duration;
  /** Receives before a message goes to the dead-letter queue. */
  readonly maxReceiveCount?: number;
  /**
   * How long S3 server access logs of a created log bucket are kept. They record every request made to the
   * evidence (who read or deleted which log object), which CloudTrail data events would cost far more for.
   * @default Duration.days(365)
   */
  readonly accessLogRetention?: Duration;
}

/** The same retention for both queues: a failed message must outlive a long weekend of nobody looking. */
const MESSAGE_RETENTION = Duration.days(14);

/**
 * Where logs come from and how new objects are announced: the log bucket (created, or an existing one
 * imported by name) and its ObjectCreated notifications under the prefix, delivered to an SQS queue with a
 * dead-letter queue. The queue, not a direct S3 → Lambda trigger, is what gives retries, partial batch
 * failures and a place where poison messages wait for a human.
 */
export class LogSource extends Construct {
  readonly bucket: s3.IBucket;
  /** Where S3 writes the server access logs of a created log bucket; undefined for an existing bucket (yours to configure). */
  readonly accessLogBucket?: s3.Bucket;
  /** True when the stack created the bucket (and owns its policy). */
  readonly bucketCreated: boolean;
  readonly prefix: string;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  private readonly kmsKeyArn: string | undefined;

  constructor(scope: Construct, id: string, props: LogSourceProps) {
    super(scope, id);
    this.prefix = props.prefix;
    this.kmsKeyArn = props.kmsKeyArn;
    this.bucketCreated = props.existingBucketName === undefined;
    if (props.existingBucketName === undefined) {
      this.accessLogBucket = createAccessLogBucket(this, props);
      this.bucket = createLogBucket(this, props, this.accessLogBucket);
    } else {
      // An imported bucket is assumed to be in the stack's region: S3 only notifies queues in its own region.
      this.bucket = s3.Bucket.fromBucketName(this, 'LogBucket', props.existingBucketName);
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: MESSAGE_RETENTION,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      // SSE-SQS rather than KMS: S3 can publish to it without a key policy granting s3.amazonaws.com.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: MESSAGE_RETENTION,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    // CloudFormation cannot add notifications to a bucket it does not manage, so CDK provisions them through a
    // custom resource (Custom::S3BucketNotifications) for created and imported buckets alike. For an imported
    // bucket it runs unmanaged: it reads the bucket's current configuration and adds or removes only the
    // notification this stack owns, leaving the user's other notifications alone. S3 rejects overlapping
    // configurations, so an existing ObjectCreated notification on the same prefix makes the deployment fail.
    // The handler's role may only Get/PutBucketNotification on this one bucket.
    const filters: s3.NotificationKeyFilter[] = props.prefix === '' ? [] : [{ prefix: props.prefix }];
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), ...filters);
    // CDK's notifications handler is a singleton of the stack, created by the call above.
    const notificationsHandler = Stack.of(this).node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
    if (notificationsHandler) {
      acknowledgeNag(
        notificationsHandler,
        `AwsSolutions-IAM4[${LAMBDA_BASIC_EXECUTION_POLICY}]`,
        "CDK's own S3 notifications handler (a custom resource run at deployment): the managed policy only lets it write its logs; its only other permission is Get/PutBucketNotification on this bucket.",
      );
    }
  }

  /**
   * Acknowledges the wildcard in the grant of `grantReadLogs` on a grantee's policy: the objects under the prefix
   * are exactly the log files the grantee ingests, and their keys are only known when they arrive.
   */
  acknowledgeReadLogsWildcard(grantee: Construct): void {
    const bucket = this.bucketCreated
      ? `<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>`
      : `arn:<AWS::Partition>:s3:::${this.bucket.bucketName}`;
    acknowledgeNag(
      grantee,
      `AwsSolutions-IAM5[Resource::${bucket}/${this.prefix}*]`,
      'GetObject under the log prefix: the log files to ingest, whose keys are only known when S3 announces them.',
    );
  }

  /**
   * Lets a consumer read the announced objects: s3:GetObject under the prefix only, plus s3:ListBucket on the
   * bucket. Without ListBucket S3 answers 403 instead of 404 for an object deleted before ingestion, and the
   * ingester can then not tell "gone" (recorded as FAILED) from a transient error (retried until the DLQ).
   * Key names in a log bucket reveal no more than the objects the function may read anyway.
   */
  grantReadLogs(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${this.prefix}*`)] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    if (this.kmsKeyArn !== undefined) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [this.kmsKeyArn],
          // Only for S3's decryption of the bucket's objects, not for arbitrary ciphertext.
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
        }),
      );
    }
  }
}

/**
 * The destination of the log bucket's S3 server access logs: SSE-S3 (the only encryption S3 log delivery
 * supports), TLS-only, private, and emptied by a lifecycle rule. S3 delivers with the logging service
 * principal, which CDK allows in this bucket's policy (scoped to the source bucket and account). The bucket
 * has no access logs of its own: logging it into itself would log its own log writes forever.
 */
function createAccessLogBucket(scope: Construct, props: LogSourceProps): s3.Bucket {
  return new s3.Bucket(scope, 'AccessLogBucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: props.accessLogRetention ?? Duration.days(365), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    removalPolicy: props.removalPolicy,
    autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
  });
}

/**
 * A bucket CloudTrail trails and VPC flow logs can deliver to, with the bucket policy AWS documents for both
 * (GetBucketAcl on the bucket, PutObject with the bucket-owner-full-control ACL under the prefix), restricted to
 * the allowed source accounts to prevent the confused-deputy problem.
 */
function createLogBucket(scope: Construct, props: LogSourceProps, accessLogBucket: s3.Bucket): s3.Bucket {
  const destroy = props.removalPolicy === RemovalPolicy.DESTROY;
  const bucket = new s3.Bucket(scope, 'LogBucket', {
    serverAccessLogsBucket: accessLogBucket,
    serverAccessLogsPrefix: 'log-bucket/',
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    // ACLs disabled; the bucket-owner-full-control ACL the log services send is still accepted.
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // Versioning keeps evidence that is overwritten or deleted; old versions go after 90 days.
    versioned: true,
    lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    removalPolicy: props.removalPolicy,
    // Test deployments must be deletable; a non-empty bucket cannot be.
    autoDeleteObjects: destroy,
  });

  const partition = Stack.of(scope).partition;
  const accounts = [Aws.ACCOUNT_ID, ...props.sourceAccounts];
  const logObjects = bucket.arnForObjects(`${props.prefix}*`);
  const writeCondition = { 's3:x-amz-acl': 'bucket-owner-full-control' };

  const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
  const trailArns = accounts.map((account) => `arn:${partition}:cloudtrail:*:${account}:trail/*`);
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AWSCloudTrailAclCheck',
      principals: [cloudTrail],
      actions: ['s3:GetBucketAcl'],
      resources: [bucket.bucketArn],
      conditions: { ArnLike: { 'aws:SourceArn': trailArns } },
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AWSCloudTrailWrite',
      principals: [cloudTrail],
      actions: ['s3:PutObject'],
      resources: [logObjects],
      conditions: { StringEquals: writeCondition, ArnLike: { 'aws:SourceArn': trailArns } },
    }),
  );

  const logDelivery = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
  const deliverySource = {
    StringEquals: { 'aws:SourceAccount': accounts },
    ArnLike: { 'aws:SourceArn': accounts.map((account) => `arn:${partition}:logs:*:${account}:*`) },
  };
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AWSLogDeliveryAclCheck',
      principals: [logDelivery],
      actions: ['s3:GetBucketAcl'],
      resources: [bucket.bucketArn],
      conditions: deliverySource,
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AWSLogDeliveryWrite',
      principals: [logDelivery],
      actions: ['s3:PutObject'],
      resources: [logObjects],
      conditions: { ...deliverySource, StringEquals: { ...deliverySource.StringEquals, ...writeCondition } },
    }),
  );
  return bucket;
}
