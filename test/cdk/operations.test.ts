import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { OperationalAlarms, type OperationalAlarmsProps } from '../../lib/operational-alarms';
import { arnOf, logicalId, synth, type Synthesized } from './synth';

type Resource = { Properties: Record<string, unknown> };

function alarms(synthesized: Synthesized): Resource[] {
  return Object.values(synthesized.template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
}

/** The alarm on a metric of the given name (a metric math alarm is found by one of its metrics). */
function alarmOn(synthesized: Synthesized, metricName: string): Resource {
  const found = alarms(synthesized).filter((alarm) => alarm.Properties.MetricName === metricName || JSON.stringify(alarm.Properties.Metrics ?? []).includes(`"MetricName":"${metricName}"`));
  if (found.length !== 1) throw new Error(`${found.length} alarms on ${metricName}`);
  return found[0];
}

describe('alarms', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth();
  });

  it('watches the dead-letter queues, the age of the oldest ingest message, ingest and compaction errors, API 5xx and failed investigations', () => {
    const { stack } = synthesized;
    const queueName = (queue: sqs.IQueue) => [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } }];
    expect(alarms(synthesized)).toHaveLength(8);
    const compactionDlq = alarms(synthesized).filter((a) => JSON.stringify(a.Properties.Dimensions) === JSON.stringify(queueName(stack.activityStore.deadLetterQueue)));
    expect(compactionDlq).toEqual([expect.objectContaining({ Properties: expect.objectContaining({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 }) })]);
    const errors = alarms(synthesized).filter((a) => a.Properties.MetricName === 'Errors');
    expect(errors.map((a) => JSON.stringify(a.Properties.Dimensions)).sort()).toEqual(
      [stack.ingest.function, stack.activityStore.compactionFunction].map((fn) => JSON.stringify([{ Name: 'FunctionName', Value: { Ref: logicalId(fn) } }])).sort(),
    );
    const ingestDlq = alarms(synthesized).filter((a) => JSON.stringify(a.Properties.Dimensions) === JSON.stringify(queueName(stack.logSource.deadLetterQueue)));
    expect(ingestDlq).toEqual([expect.objectContaining({ Properties: expect.objectContaining({ MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum', Threshold: 1 }) })]);
    const triggerDlq = alarms(synthesized).filter((a) => JSON.stringify(a.Properties.Dimensions) === JSON.stringify(queueName(stack.guardDutyTrigger!.deadLetterQueue)));
    expect(triggerDlq).toEqual([expect.objectContaining({ Properties: expect.objectContaining({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 }) })]);
    expect(alarmOn(synthesized, 'ApproximateAgeOfOldestMessage').Properties).toMatchObject({ Dimensions: queueName(stack.logSource.queue), Threshold: 3600, Statistic: 'Maximum' });
    expect(errors[0].Properties).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 1, Statistic: 'Sum' });
    expect(alarmOn(synthesized, '5XXError').Properties).toMatchObject({ Namespace: 'AWS/ApiGateway', Threshold: 1, Statistic: 'Sum' });
    const failed = alarmOn(synthesized, 'ExecutionsFailed').Properties;
    const metrics = JSON.stringify(failed.Metrics);
    for (const name of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) expect(metrics).toContain(`"MetricName":"${name}"`);
    expect(metrics).toContain(JSON.stringify({ Ref: logicalId(stack.investigation.stateMachine) }));
    expect(failed.Threshold).toBe(1);
  });

  it('raises on the threshold itself, treats idle (missing data) as healthy, and notifies nobody without a topic', () => {
    for (const alarm of alarms(synthesized)) {
      expect(alarm.Properties).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', EvaluationPeriods: 1 });
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
    synthesized.template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('has no trigger dead-letter alarm without the trigger', () => {
    expect(alarms(synth({ guardDutyTrigger: 'false' }))).toHaveLength(7);
  });
});

describe('alarm topic', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth({ alarmEmail: 'secops@example.com,oncall@example.com' });
  });

  it('notifies the topic when an alarm fires and when it recovers', () => {
    const topic = { Ref: logicalId(synthesized.stack.alarmTopic!.topic) };
    expect(alarms(synthesized)).toHaveLength(8);
    for (const alarm of alarms(synthesized)) expect(alarm.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
    synthesized.template.hasOutput('AlarmTopicArn', { Value: topic });
  });

  it('subscribes each email', () => {
    const subscriptions = Object.values(synthesized.template.findResources('AWS::SNS::Subscription')) as Resource[];
    expect(subscriptions.map((s) => [s.Properties.Protocol, s.Properties.Endpoint]).sort()).toEqual([
      ['email', 'oncall@example.com'],
      ['email', 'secops@example.com'],
    ]);
  });

  it('is encrypted with a rotated customer managed key that CloudWatch alarms of this account may use', () => {
    const { alarmTopic } = synthesized.stack;
    synthesized.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(logicalId(alarmTopic!.key)) });
    const key = synthesized.template.toJSON().Resources[logicalId(alarmTopic!.key)] as Resource;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect((key.Properties.KeyPolicy as { Statement: unknown[] }).Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { ArnLike: { 'aws:SourceArn': expect.anything() } },
      }),
    );
  });

  it('refuses requests without TLS and lets only CloudWatch alarms of this account publish', () => {
    const policy = Object.values(synthesized.template.findResources('AWS::SNS::TopicPolicy'))[0] as Resource;
    const statements = (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Condition: { ArnLike: { 'aws:SourceArn': expect.anything() } } }),
    ]);
  });

  it('can exist without emails (alarmTopic=true), for subscribers added outside the stack', () => {
    const topicOnly = synth({ alarmTopic: 'true' });
    topicOnly.template.resourceCountIs('AWS::SNS::Topic', 1);
    topicOnly.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('alarm thresholds (construct props)', () => {
  function alarmsWith(overrides: Partial<OperationalAlarmsProps>): Template {
    const stack = new Stack(new App(), 'Test');
    const queue = new sqs.Queue(stack, 'Queue');
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
    const api = new apigateway.RestApi(stack, 'Api');
    api.root.addMethod('GET', new apigateway.MockIntegration());
    const stateMachine = new sfn.StateMachine(stack, 'StateMachine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    new OperationalAlarms(stack, 'Alarms', { ingestQueue: queue, ingestDeadLetterQueue: queue, compactionDeadLetterQueue: queue, compactionFunction: fn, ingestFunction: fn, api, stateMachine, ...overrides });
    return Template.fromStack(stack);
  }

  it('takes each threshold and the period from its prop', () => {
    const template = alarmsWith({ period: Duration.minutes(15), deadLetterMessages: 10, ingestMaxMessageAge: Duration.hours(3), ingestErrors: 5, apiServerErrors: 20, failedInvestigations: 2 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 10, Period: 900 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 10_800 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 5 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5XXError', Threshold: 20 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 2, Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('FILL') })]) });
  });

  it.each([['deadLetterMessages', 0], ['ingestErrors', -1], ['apiServerErrors', Number.NaN]])('rejects %s=%p: a threshold must be positive (0 would keep the alarm firing)', (name, value) => {
    expect(() => alarmsWith({ [name]: value })).toThrow(`alarm threshold ${name} must be a positive number`);
  });
});

describe('state machine logging and tracing', () => {
  type StateMachine = { Properties: { LoggingConfiguration: Record<string, unknown>; TracingConfiguration?: { Enabled: boolean } } };
  const stateMachineOf = (synthesized: Synthesized) => synthesized.template.toJSON().Resources[logicalId(synthesized.stack.investigation.stateMachine)] as StateMachine;

  it('logs failures, without execution data, to its own log group with a bounded retention; no X-Ray by default', () => {
    const synthesized = synth();
    const logGroup = synthesized.stack.investigation.logGroup;
    const resource = stateMachineOf(synthesized);
    expect(resource.Properties.LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: arnOf(logicalId(logGroup)) } }],
    });
    expect(resource.Properties.TracingConfiguration).toEqual({ Enabled: false });
    synthesized.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/Trailhound-investigations', RetentionInDays: 90 });
  });

  it('logs every event, with execution data, and traces when asked', () => {
    const synthesized = synth({ stateMachineLogLevel: 'ALL', stateMachineLogExecutionData: 'true', stateMachineTracing: 'true' });
    const resource = stateMachineOf(synthesized);
    expect(resource.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    expect(resource.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });
});

describe('S3 server access logs of the created log bucket', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth();
  });

  it('go to a separate bucket', () => {
    const { logSource } = synthesized.stack;
    const accessLogBucket = logSource.accessLogBucket!;
    const logBucket = synthesized.template.toJSON().Resources[logicalId(logSource.bucket)] as Resource;
    expect(logBucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logicalId(accessLogBucket) }, LogFilePrefix: 'log-bucket/' });
    // S3 delivers with its logging service principal, allowed for the log bucket of this account only.
    const policies = Object.values(synthesized.template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: logicalId(accessLogBucket) } } })) as Resource[];
    expect(JSON.stringify(policies)).toContain('logging.s3.amazonaws.com');
    expect(JSON.stringify(policies)).toContain(JSON.stringify(arnOf(logicalId(logSource.bucket))));
  });

  it('which is encrypted, private, TLS-only and expires them', () => {
    const accessLogBucket = synthesized.stack.logSource.accessLogBucket!;
    const bucket = synthesized.template.toJSON().Resources[logicalId(accessLogBucket)] as Resource;
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 365, Status: 'Enabled' })] },
    });
    expect(bucket.Properties.LoggingConfiguration).toBeUndefined();
    const policy = Object.values(synthesized.template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: logicalId(accessLogBucket) } } }))[0] as Resource;
    expect((policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('are not configured for an existing bucket (its logging is the owner\'s)', () => {
    const existing = synth({ logBucketName: 'acme-cloudtrail-logs' });
    expect(existing.stack.logSource.accessLogBucket).toBeUndefined();
    // Only the activity store's index bucket, which the stack always owns.
    expect(Object.keys(existing.template.findResources('AWS::S3::Bucket'))).toEqual([logicalId(existing.stack.activityStore.indexBucket)]);
  });

  it('are deleted with a test deployment', () => {
    const destroyed = synth({ removalPolicy: 'destroy' });
    const bucket = destroyed.template.toJSON().Resources[logicalId(destroyed.stack.logSource.accessLogBucket!)] as { DeletionPolicy: string };
    expect(bucket.DeletionPolicy).toBe('Delete');
  });
});
