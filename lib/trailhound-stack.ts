import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { TableDesign } from '../lambdas/shared/table-design';
import { ActivityStore } from './activity-store';
import { Backfill } from './backfill';
import { AlarmTopic } from './alarm-topic';
import { contextOf, readConfig, type TrailhoundConfig } from './config';
import { DataTables } from './data-tables';
import { GuardDutyTrigger } from './guardduty-trigger';
import { IamSnapshotSchedule } from './iam-snapshot';
import { INGEST_QUEUE_VISIBILITY_TIMEOUT, IngestFunction } from './ingest-function';
import { InvestigationApi } from './investigation-api';
import { InvestigationStateMachine } from './investigation-state-machine';
import { LogSource } from './log-source';
import { OperationalAlarms } from './operational-alarms';

export interface TrailhoundStackProps extends StackProps {
  /** Settings; read from the CDK context (see lib/config.ts) when not given. */
  readonly config?: TrailhoundConfig;
}

/**
 * Trailhound. Ingestion: log bucket → S3 notifications → SQS → ingest function → DynamoDB. Investigation:
 * the Investigation API (API Gateway, AWS_IAM) and the GuardDuty trigger start executions of the investigation
 * state machine, whose stage functions read the ingested data and record indicators. Every part grants itself
 * what it uses on the shared tables, and nothing more.
 */
export class TrailhoundStack extends Stack {
  readonly config: TrailhoundConfig;
  readonly logSource: LogSource;
  readonly tables: DataTables;
  readonly activityStore: ActivityStore;
  readonly ingest: IngestFunction;
  readonly backfill: Backfill;
  readonly investigation: InvestigationStateMachine;
  readonly investigationApi: InvestigationApi;
  /** Undefined with `guardDutyTrigger=false`. */
  readonly guardDutyTrigger?: GuardDutyTrigger;
  /** Undefined unless `iamSnapshotSchedule` is set. */
  readonly iamSnapshot?: IamSnapshotSchedule;
  /** Undefined unless `alarmTopic` or `alarmEmail` is set. */
  readonly alarmTopic?: AlarmTopic;
  readonly alarms: OperationalAlarms;

  constructor(scope: Construct, id: string, props: TrailhoundStackProps = {}) {
    super(scope, id, props);
    // Read from the stack's own node, so context given to the App (cdk.json, -c) is seen here.
    this.config = props.config ?? readConfig(contextOf(this.node));
    const { config } = this;

    this.logSource = new LogSource(this, 'LogSource', {
      ...(config.logBucketName !== undefined ? { existingBucketName: config.logBucketName } : {}),
      prefix: config.logPrefix,
      ...(config.logBucketKmsKeyArn !== undefined ? { kmsKeyArn: config.logBucketKmsKeyArn } : {}),
      sourceAccounts: config.logSourceAccounts,
      removalPolicy: config.removalPolicy,
      visibilityTimeout: INGEST_QUEUE_VISIBILITY_TIMEOUT,
    });
    this.tables = new DataTables(this, 'Tables', { removalPolicy: config.removalPolicy, retentionDays: config.retentionDays });
    this.activityStore = new ActivityStore(this, 'ActivityStore', {
      logSource: this.logSource,
      tables: this.tables,
      retentionDays: config.retentionDays,
      removalPolicy: config.removalPolicy,
    });
    this.ingest = new IngestFunction(this, 'Ingest', {
      logSource: this.logSource,
      tables: this.tables,
      activityStore: this.activityStore,
      removalPolicy: config.removalPolicy,
      ...(config.ingestReservedConcurrency !== undefined ? { reservedConcurrency: config.ingestReservedConcurrency } : {}),
    });

    this.backfill = new Backfill(this, 'Backfill', {
      logSource: this.logSource,
      tables: this.tables,
      activityStore: this.activityStore,
      removalPolicy: config.removalPolicy,
    });

    this.investigation = new InvestigationStateMachine(this, 'Investigation', {
      tables: this.tables,
      activityStore: this.activityStore,
      threatIntelLists: config.threatIntelLists,
      removalPolicy: config.removalPolicy,
      logLevel: config.stateMachineLogLevel,
      logExecutionData: config.stateMachineLogExecutionData,
      tracing: config.stateMachineTracing,
    });
    this.investigationApi = new InvestigationApi(this, 'InvestigationApi', {
      tables: this.tables,
      stateMachine: this.investigation.stateMachine,
      activityStore: this.activityStore,
      logSource: this.logSource,
      threatIntelLists: config.threatIntelLists,
      ...(config.investigationMaxScopeDays !== undefined ? { maxScopeDays: config.investigationMaxScopeDays } : {}),
      cloudWatchRole: config.apiGatewayCloudWatchRole,
      ...(config.apiWebAcl !== undefined ? { webAcl: config.apiWebAcl } : {}),
      removalPolicy: config.removalPolicy,
    });
    if (config.guardDutyTrigger) {
      this.guardDutyTrigger = new GuardDutyTrigger(this, 'GuardDutyTrigger', {
        tables: this.tables,
        stateMachine: this.investigation.stateMachine,
        indexBucketName: this.activityStore.indexBucket.bucketName,
        minSeverity: config.guardDutyMinSeverity,
        ...(config.investigationMaxScopeDays !== undefined ? { maxScopeDays: config.investigationMaxScopeDays } : {}),
        removalPolicy: config.removalPolicy,
      });
    }

    if (config.iamSnapshotSchedule !== undefined) {
      this.iamSnapshot = new IamSnapshotSchedule(this, 'IamSnapshot', { tables: this.tables, schedule: config.iamSnapshotSchedule, removalPolicy: config.removalPolicy });
    }

    if (config.alarmTopic) this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { emails: config.alarmEmails, removalPolicy: config.removalPolicy });
    this.alarms = new OperationalAlarms(this, 'Alarms', {
      ingestQueue: this.logSource.queue,
      ingestDeadLetterQueue: this.logSource.deadLetterQueue,
      ...(this.guardDutyTrigger ? { triggerDeadLetterQueue: this.guardDutyTrigger.deadLetterQueue } : {}),
      ...(this.iamSnapshot ? { iamSnapshotDeadLetterQueue: this.iamSnapshot.deadLetterQueue } : {}),
      ingestFunction: this.ingest.function,
      compactionDeadLetterQueue: this.activityStore.deadLetterQueue,
      compactionFunction: this.activityStore.compactionFunction,
      api: this.investigationApi.api,
      stateMachine: this.investigation.stateMachine,
      ...(this.alarmTopic ? { topic: this.alarmTopic.topic } : {}),
    });

    Tags.of(this).add('application', 'trailhound');
    this.addOutputs();
  }

  /** The table built from a design. */
  table(design: TableDesign): dynamodb.Table {
    return this.tables.table(design);
  }

  get ingestFunction(): lambda.IFunction {
    return this.ingest.function;
  }

  private addOutputs(): void {
    new CfnOutput(this, 'LogBucketName', { value: this.logSource.bucket.bucketName, description: 'Bucket whose log objects are ingested' });
    new CfnOutput(this, 'LogPrefix', { value: this.logSource.prefix === '' ? '(whole bucket)' : this.logSource.prefix, description: 'Key prefix of the ingested objects' });
    new CfnOutput(this, 'IngestQueueUrl', { value: this.logSource.queue.queueUrl, description: 'Queue of S3 ObjectCreated notifications' });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.logSource.deadLetterQueue.queueUrl, description: 'Notifications that failed 5 times' });
    new CfnOutput(this, 'IngestFunctionName', { value: this.ingest.function.functionName });
    new CfnOutput(this, 'BackfillStateMachineArn', { value: this.backfill.stateMachine.stateMachineArn, description: 'Ingests logs already in the bucket: npm run backfill -- --state-machine <this>' });
    new CfnOutput(this, 'IndexBucketName', { value: this.activityStore.indexBucket.bucketName, description: 'Compacted hours: compact events, read by investigations' });
    new CfnOutput(this, 'CompactionQueueUrl', { value: this.activityStore.queue.queueUrl, description: 'FIFO queue of account-hours to compact' });
    new CfnOutput(this, 'CompactionDeadLetterQueueUrl', { value: this.activityStore.deadLetterQueue.queueUrl, description: 'Account-hours whose compaction failed 12 times' });
    new CfnOutput(this, 'InvestigationApiEndpoint', {
      value: this.investigationApi.endpoint,
      description: "Detective's Investigation API: the `endpoint` of a Detective SDK client (sign for execute-api)",
    });
    new CfnOutput(this, 'InvestigationApiId', { value: this.investigationApi.api.restApiId, description: 'REST API id, for execute-api:Invoke policies' });
    new CfnOutput(this, 'InvestigationStateMachineArn', { value: this.investigation.stateMachine.stateMachineArn, description: 'Step Functions state machine that runs investigations' });
    if (this.guardDutyTrigger) {
      new CfnOutput(this, 'GuardDutyRuleName', { value: this.guardDutyTrigger.rule.ruleName, description: `EventBridge rule: GuardDuty findings of severity >= ${this.config.guardDutyMinSeverity}` });
      new CfnOutput(this, 'GuardDutyDeadLetterQueueUrl', { value: this.guardDutyTrigger.deadLetterQueue.queueUrl, description: 'GuardDuty findings that could not start an investigation' });
    }
    if (this.iamSnapshot) {
      new CfnOutput(this, 'IamSnapshotFunctionName', { value: this.iamSnapshot.function.functionName, description: `Scheduled IAM snapshot (${this.config.iamSnapshotSchedule ?? ''}); invoke it to take one now` });
      new CfnOutput(this, 'IamSnapshotDeadLetterQueueUrl', { value: this.iamSnapshot.deadLetterQueue.queueUrl, description: 'IAM snapshot runs that failed after their retries' });
    }
    if (this.alarmTopic) new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topic.topicArn, description: 'SNS topic the alarms notify (subscribe more endpoints here)' });
    new CfnOutput(this, 'InvestigationLogGroupName', { value: this.investigation.logGroup.logGroupName, description: 'State machine execution events (failures unless stateMachineLogLevel=ALL)' });
    for (const { design, table } of this.tables.all) {
      new CfnOutput(this, `${design.id}TableName`, { value: table.tableName, description: `DynamoDB table ${design.id} (functions read its name from ${design.envVar})` });
    }
  }
}
