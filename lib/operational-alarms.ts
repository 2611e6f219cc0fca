import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OperationalAlarmsProps {
  /** The queue of S3 notifications the ingest function consumes. */
  readonly ingestQueue: sqs.IQueue;
  /** Notifications that failed ingestion maxReceiveCount times. */
  readonly ingestDeadLetterQueue: sqs.IQueue;
  /** GuardDuty findings that could not start an investigation; no alarm without the trigger. @default none */
  readonly triggerDeadLetterQueue?: sqs.IQueue;
  /** Scheduled IAM snapshots that failed (lib/iam-snapshot.ts); no alarm without the schedule. @default none */
  readonly iamSnapshotDeadLetterQueue?: sqs.IQueue;
  /** Account-hours whose compaction failed maxReceiveCount times. */
  readonly compactionDeadLetterQueue: sqs.IQueue;
  /** Errors of the compaction function. */
  readonly compactionFunction: lambda.IFunction;
  readonly ingestFunction: lambda.IFunction;
  readonly api: apigateway.RestApi;
  readonly stateMachine: sfn.IStateMachine;
  /** Notified when an alarm fires and when it recovers. @default no notification (alarms show in the console only) */
  readonly topic?: sns.ITopic;
  /** Period over which each metric is evaluated. @default Duration.minutes(5) */
  readonly period?: Duration;
  /**
   * Messages in a dead-letter queue that raise its alarm. Every message there is a log file not ingested or a
   * finding not investigated, and waits for a human: one is enough. @default 1
   */
  readonly deadLetterMessages?: number;
  /**
   * Age of the oldest ingest message that raises the alarm. CloudTrail delivers every ~5 minutes and a healthy
   * function keeps the queue near empty; a failed message comes back only after the 30 minute visibility
   * timeout, so an hour means repeated failures or a backlog the function does not keep up with. @default 1 hour
   */
  readonly ingestMaxMessageAge?: Duration;
  /**
   * Ingest function errors per period that raise the alarm. A failed message is reported as a partial batch
   * failure and is not an error: errors are crashes, timeouts and throttles of whole invocations. @default 1
   */
  readonly ingestErrors?: number;
  /** API 5xx answers per period that raise the alarm. The API answers bad input with 4xx: any 5xx is a fault. @default 1 */
  readonly apiServerErrors?: number;
  /**
   * Investigations that failed, timed out or were aborted per period that raise the alarm (a failed
   * investigation is marked FAILED with its cause, which GetInvestigation shows). @default 1
   */
  readonly failedInvestigations?: number;
}

/**
 * CloudWatch alarms on what needs a human: messages in dead-letter queues, an ingest queue falling behind,
 * ingest function errors, API 5xx answers and failed investigations. Missing data is "not breaching": Lambda,
 * API Gateway and Step Functions publish nothing while idle, and idle is healthy.
 */
export class OperationalAlarms extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const alarms: cloudwatch.Alarm[] = [];
    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric, threshold: number) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (props.topic) {
        created.addAlarmAction(new actions.SnsAction(props.topic));
        created.addOkAction(new actions.SnsAction(props.topic));
      }
      alarms.push(created);
    };

    const deadLetterMessages = positive('deadLetterMessages', props.deadLetterMessages ?? 1);
    alarm(
      'IngestDeadLetters',
      'Log objects could not be ingested after 5 attempts; their notifications wait in the ingest dead-letter queue (see the ingest function logs, then redrive).',
      props.ingestDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
      deadLetterMessages,
    );
    alarm(
      'CompactionDeadLetters',
      'Account-hours could not be compacted after 12 attempts: their activity is not readable. The compaction function logs name the hour (correlationId); redrive once fixed.',
      props.compactionDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
      deadLetterMessages,
    );
    alarm(
      'CompactionErrors',
      'The compaction function failed (the hour is retried by SQS; see its logs).',
      props.compactionFunction.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
      positive('ingestErrors', props.ingestErrors ?? 1),
    );
    if (props.triggerDeadLetterQueue) {
      alarm(
        'GuardDutyDeadLetters',
        'GuardDuty findings could not start an investigation; they wait in the trigger dead-letter queue with the error.',
        props.triggerDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        deadLetterMessages,
      );
    }
    if (props.iamSnapshotDeadLetterQueue) {
      alarm(
        'IamSnapshotDeadLetters',
        'A scheduled IAM snapshot failed after its retries; the dead-letter queue holds the error (see the IAM snapshot function logs). The previous snapshot stays in use.',
        props.iamSnapshotDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        deadLetterMessages,
      );
    }
    const maxAge = props.ingestMaxMessageAge ?? Duration.hours(1);
    alarm(
      'IngestFallingBehind',
      `The oldest log notification has waited ${maxAge.toHumanString()} or more: ingestion is failing or falling behind.`,
      props.ingestQueue.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM }),
      positive('ingestMaxMessageAge', maxAge.toSeconds()),
    );
    alarm(
      'IngestErrors',
      'Ingest function invocations failed (crash, timeout or throttle); their whole batch is retried.',
      props.ingestFunction.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
      positive('ingestErrors', props.ingestErrors ?? 1),
    );
    alarm(
      'ApiServerErrors',
      'The Investigation API answered with 5xx errors (see the API function logs and the access log).',
      props.api.metricServerError({ period, statistic: cloudwatch.Stats.SUM }),
      positive('apiServerErrors', props.apiServerErrors ?? 1),
    );
    alarm(
      'FailedInvestigations',
      'Investigations failed, timed out or were aborted (GetInvestigation shows the cause; the state machine log group has the failing event).',
      new cloudwatch.MathExpression({
        // FILL: each metric is only published for periods with such executions; a gap must count as 0, not void the sum.
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: props.stateMachine.metricFailed({ period, statistic: cloudwatch.Stats.SUM }),
          timedOut: props.stateMachine.metricTimedOut({ period, statistic: cloudwatch.Stats.SUM }),
          aborted: props.stateMachine.metricAborted({ period, statistic: cloudwatch.Stats.SUM }),
        },
        label: 'Failed, timed out or aborted executions',
        period,
      }),
      positive('failedInvestigations', props.failedInvestigations ?? 1),
    );
    this.alarms = alarms;
  }
}

/** A threshold of 0 would keep an alarm firing forever (every metric is >= 0). */
function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`alarm threshold ${name} must be a positive number, got ${value}`);
  return value;
}
