import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ACTIVITY_TABLE, FINDINGS_TABLE, INDEX_BUCKET_ENV, INDICATORS_TABLE, INVESTIGATIONS_TABLE, SESSIONS_TABLE } from '../lambdas/shared/table-design';
import type { DataTables } from './data-tables';
import { GUARDDUTY_MIN_SEVERITY_ENV, MAX_SCOPE_DAYS_ENV, STATE_MACHINE_ARN_ENV } from './environment-names';
import { acknowledgeNag } from './nag';
import { trailhoundFunction } from './node-function';
import { grantTableActions } from './table-grants';

/** How long a finding may wait for delivery (EventBridge) or a retry (Lambda) before it goes to the dead-letter queue. */
export const GUARDDUTY_MAX_EVENT_AGE = Duration.hours(6);
/** EventBridge retries of a failed delivery to the function (throttling, service errors); 185 by default. */
export const GUARDDUTY_TARGET_RETRIES = 10;
/** Lambda retries of a failed invocation (the handler threw); the handler is idempotent per finding id. */
export const GUARDDUTY_FUNCTION_RETRIES = 2;

export interface GuardDutyTriggerProps {
  readonly tables: DataTables;
  readonly stateMachine: sfn.IStateMachine;
  /**
   * The activity store's index bucket. Only its name is passed on (the trail queries the handler builds need one);
   * EC2 findings find their instance's role with DynamoDB queries alone, so the function gets no access to it.
   */
  readonly indexBucketName: string;
  /** Lowest GuardDuty severity (0–10) that starts an investigation. */
  readonly minSeverity: number;
  /** Longest investigation scope in days (the API's setting, which the trigger also honours); 30 when undefined. */
  readonly maxScopeDays?: number;
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
}

/**
 * Starts investigations from GuardDuty findings, as Detective does from its own: an EventBridge rule on the
 * default bus matches findings of at least `minSeverity` and invokes the trigger function, which records the
 * finding (Findings table: de-duplication and related-finding lookups) and starts an investigation of the IAM
 * principal it names, or, for EC2 findings, of the instance's role found through its sessions (trail tables).
 *
 * Failures are never silent. A finding EventBridge cannot deliver is retried, then sent to the dead-letter
 * queue; a finding the function fails on is retried by Lambda, then sent to the same queue (as an on-failure
 * destination record, which includes the error). One queue, so that there is one place to look and replay.
 */
export class GuardDutyTrigger extends Construct {
  readonly rule: events.Rule;
  readonly function: NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: GuardDutyTriggerProps) {
    super(scope, id);
    const { tables } = props;
    // config.ts validates context values; this guards other callers of the construct.
    if (!Number.isFinite(props.minSeverity) || props.minSeverity < 0 || props.minSeverity > 10) {
      throw new Error(`GuardDuty minimum severity must be a number from 0 to 10, got ${props.minSeverity}`);
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // SSE-SQS: EventBridge cannot deliver to a queue encrypted with the AWS managed KMS key.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue (of the EventBridge target and the Lambda on-failure destination), which cdk-nag cannot tell from a redrive policy; a dead-letter queue of a dead-letter queue would only hide messages further.',
    );

    this.function = trailhoundFunction(new Construct(this, 'Handler'), {
      description: 'Trailhound: starts investigations from GuardDuty findings',
      entry: 'lambdas/guardduty-trigger/handler.ts',
      memorySize: 256,
      timeout: Duration.minutes(1),
      removalPolicy: props.removalPolicy,
      environment: {
        // Indicators too: the investigation store the handler shares with the API needs both table names.
        // Sessions and Activity: EC2 findings name an instance, whose role is read from its sessions.
        ...tables.environmentFor([INVESTIGATIONS_TABLE, INDICATORS_TABLE, FINDINGS_TABLE, SESSIONS_TABLE, ACTIVITY_TABLE]),
        [INDEX_BUCKET_ENV]: props.indexBucketName,
        [STATE_MACHINE_ARN_ENV]: props.stateMachine.stateMachineArn,
        // The handler checks the threshold again, so that a rule edited by hand cannot widen what it acts on.
        [GUARDDUTY_MIN_SEVERITY_ENV]: String(props.minSeverity),
        ...(props.maxScopeDays !== undefined ? { [MAX_SCOPE_DAYS_ENV]: String(props.maxScopeDays) } : {}),
      },
    });
    this.function.configureAsyncInvoke({
      retryAttempts: GUARDDUTY_FUNCTION_RETRIES,
      maxEventAge: GUARDDUTY_MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    // What lambdas/adapters/findings/findings-store.ts and core/investigation/start-investigation.ts do:
    // Findings: strongly consistent gets, conditional puts (newer versions only) and updates (the claim that
    // makes one finding start at most one investigation). Investigations: a conditional put (create), a get
    // (resuming a start an earlier delivery did not finish), an update (FAILED when the start fails).
    grantTableActions(this.function, tables, FINDINGS_TABLE, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    grantTableActions(this.function, tables, INVESTIGATIONS_TABLE, ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']);
    // EC2 findings (lambdas/queries/trail-queries.ts instanceProfileSessions): Query on the account's hour
    // indexes (Activity) and on the packs of the roles they name (Sessions). Keys only, never Scan, no index.
    grantTableActions(this.function, tables, SESSIONS_TABLE, ['dynamodb:Query']);
    grantTableActions(this.function, tables, ACTIVITY_TABLE, ['dynamodb:Query']);
    props.stateMachine.grantStartExecution(this.function);

    this.rule = new events.Rule(this, 'Rule', {
      description: `Trailhound: GuardDuty findings of severity ${props.minSeverity} or more start an investigation`,
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        // A numeric match: GuardDuty severities are decimals (e.g. 5.3), so no list of values would do.
        detail: { severity: events.Match.greaterThanOrEqual(props.minSeverity) },
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: GUARDDUTY_TARGET_RETRIES,
        maxEventAge: GUARDDUTY_MAX_EVENT_AGE,
      }),
    );
  }
}
