import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ACTIVITY_TABLE } from '../lambdas/shared/table-design';
import type { DataTables } from './data-tables';
import { IAM_SNAPSHOT_ACCOUNT_ID_ENV } from './environment-names';
import { acknowledgeNag } from './nag';
import { trailhoundFunction } from './node-function';

/** Lambda retries of a failed run (IAM or DynamoDB errors the SDK's own retries did not absorb). */
export const IAM_SNAPSHOT_FUNCTION_RETRIES = 2;
/** EventBridge retries of a failed delivery of the schedule's event to the function. */
export const IAM_SNAPSHOT_TARGET_RETRIES = 10;
/** A snapshot's event older than this is dropped to the dead-letter queue: the next scheduled run replaces it. */
export const IAM_SNAPSHOT_MAX_EVENT_AGE = Duration.hours(6);
/** The key prefix of snapshot items in the Activity table (lambdas/core/iam/stored.ts `iamSnapshotSubject`). */
export const IAM_SNAPSHOT_SUBJECT_PREFIX = 'iam-snapshot#';

export interface IamSnapshotScheduleProps {
  readonly tables: DataTables;
  /**
   * When to take a snapshot: an EventBridge schedule expression, `rate(…)` or `cron(…)` (config.ts validates
   * the `iamSnapshotSchedule` context value). There is no default: the stack builds this construct only when
   * the setting is given.
   */
  readonly schedule: string;
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  /** Memory of the function; the whole output of a large account is held in memory while it is parsed. @default 1024 */
  readonly memorySize?: number;
  /** Longest run (IAM's throttling can slow a large account's pages). @default Duration.minutes(10) */
  readonly timeout?: Duration;
}

/**
 * The deployed IAM snapshot (issue 11): on a schedule, a function reads the deployment account's
 * `iam:GetAccountAuthorizationDetails` (users, roles, groups, customer-managed policies) and stores it as a
 * snapshot in the Activity table, the baseline of the permissions of entities created before the logs begin.
 *
 * Failures are never silent: a run that fails is retried by Lambda, then recorded in the dead-letter queue
 * (with the error), which the operational alarms watch; an event EventBridge cannot deliver goes there too.
 */
export class IamSnapshotSchedule extends Construct {
  readonly rule: events.Rule;
  readonly function: NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: IamSnapshotScheduleProps) {
    super(scope, id);
    const { tables } = props;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // SSE-SQS: EventBridge cannot deliver to a queue encrypted with the AWS managed KMS key.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue (of the schedule target and the Lambda on-failure destination), which cdk-nag cannot tell from a redrive policy.',
    );

    this.function = trailhoundFunction(new Construct(this, 'Handler'), {
      description: 'Trailhound: scheduled snapshot of the account IAM (GetAccountAuthorizationDetails)',
      entry: 'lambdas/iam-snapshot/handler.ts',
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(10),
      removalPolicy: props.removalPolicy,
      // One run at a time: overlapping runs would only double IAM's throttling.
      reservedConcurrentExecutions: 1,
      environment: {
        ...tables.environmentFor([ACTIVITY_TABLE]),
        [IAM_SNAPSHOT_ACCOUNT_ID_ENV]: Aws.ACCOUNT_ID,
      },
    });
    this.function.configureAsyncInvoke({
      retryAttempts: IAM_SNAPSHOT_FUNCTION_RETRIES,
      maxEventAge: IAM_SNAPSHOT_MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    // GetAccountAuthorizationDetails is read-only and supports no resource-level permission (the Service
    // Authorization Reference lists no resource type for it), hence `*`.
    const readIam = new iam.PolicyStatement({ actions: ['iam:GetAccountAuthorizationDetails'], resources: ['*'] });
    this.function.addToRolePolicy(readIam);
    // lambdas/adapters/iam-store.ts putSnapshot: BatchWriteItem (puts) of the snapshot's chunks, and nothing
    // else: the partition keys are limited to this account's snapshot subject, so the function can neither
    // read the trail nor overwrite an entity's history or an hour's activity.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:BatchWriteItem'],
        resources: [tables.table(ACTIVITY_TABLE).tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [`${IAM_SNAPSHOT_SUBJECT_PREFIX}${Aws.ACCOUNT_ID}`] } },
      }),
    );
    acknowledgeNag(
      this.function.role ?? this.function,
      'AwsSolutions-IAM5[Resource::*]',
      'iam:GetAccountAuthorizationDetails (the only action on *) has no resource-level permission: IAM authorizes it on the account as a whole. It is read-only; the statement grants nothing else.',
    );

    this.rule = new events.Rule(this, 'Rule', {
      description: `Trailhound: IAM snapshot (${props.schedule})`,
      schedule: events.Schedule.expression(props.schedule),
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: IAM_SNAPSHOT_TARGET_RETRIES,
        maxEventAge: IAM_SNAPSHOT_MAX_EVENT_AGE,
      }),
    );
  }
}
