import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ACTIVITY_TABLE } from '../../lambdas/shared/table-design';
import { readConfig } from '../../lib/config';
import { IAM_SNAPSHOT_FUNCTION_RETRIES, IAM_SNAPSHOT_TARGET_RETRIES, type IamSnapshotSchedule } from '../../lib/iam-snapshot';
import { TrailhoundStack } from '../../lib/trailhound-stack';
import { actionsOf, allFunctionStatements, allIdentityStatements, arnOf, CDK_JSON_CONTEXT, functionResource, isOwnLogWrite, logicalId, resourcesOf, synth, type Synthesized } from './synth';

const SCHEDULE = { iamSnapshotSchedule: 'cron(0 3 * * ? *)' };

function present(snapshot: IamSnapshotSchedule | undefined): IamSnapshotSchedule {
  if (!snapshot) throw new Error('the stack has no IAM snapshot');
  return snapshot;
}

describe('scheduled IAM snapshot (CDK)', () => {
  let off: Synthesized;
  let on: Synthesized;
  beforeAll(() => {
    off = synth();
    on = synth(SCHEDULE);
  });

  it('is off by default: no schedule, no function, nobody may read IAM', () => {
    expect(off.stack.iamSnapshot).toBeUndefined();
    const scheduled = Object.values(off.template.findResources('AWS::Events::Rule')).filter((rule) => (rule as { Properties: Record<string, unknown> }).Properties.ScheduleExpression !== undefined);
    expect(scheduled).toEqual([]);
    expect(allIdentityStatements(off.template).flatMap(actionsOf).filter((action) => action.startsWith('iam:'))).toEqual([]);
  });

  it('runs on the schedule from the context, delivering to the function with retries and the dead-letter queue', () => {
    const snapshot = present(on.stack.iamSnapshot);
    const rule = on.template.toJSON().Resources[logicalId(snapshot.rule)] as { Properties: { ScheduleExpression: string; Targets: Array<Record<string, unknown>> } };
    expect(rule.Properties.ScheduleExpression).toBe(SCHEDULE.iamSnapshotSchedule);
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: arnOf(logicalId(snapshot.function)),
        DeadLetterConfig: { Arn: arnOf(logicalId(snapshot.deadLetterQueue)) },
        RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: IAM_SNAPSHOT_TARGET_RETRIES }),
      }),
    ]);
    on.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(snapshot.function) },
      MaximumRetryAttempts: IAM_SNAPSHOT_FUNCTION_RETRIES,
      DestinationConfig: { OnFailure: { Destination: arnOf(logicalId(snapshot.deadLetterQueue)) } },
    });
    const variables = functionResource(on, snapshot.function).Properties.Environment.Variables;
    expect(variables.IAM_SNAPSHOT_ACCOUNT_ID).toEqual({ Ref: 'AWS::AccountId' });
    expect(Object.keys(variables).sort()).toEqual(['ACTIVITY_TABLE', 'IAM_SNAPSHOT_ACCOUNT_ID', 'NODE_OPTIONS', 'RETENTION_DAYS']);
  });

  it('grants exactly: its log group, its dead-letter queue, the IAM read on *, and batch puts of this account’s snapshot items', () => {
    const snapshot = present(on.stack.iamSnapshot);
    const statements = allFunctionStatements(on, snapshot.function);
    const rest = statements.filter((statement) => !isOwnLogWrite(statement, snapshot.function));
    expect(rest).toHaveLength(statements.length - 1);
    const byAction = (action: string) => rest.filter((statement) => actionsOf(statement).includes(action));

    const iamRead = byAction('iam:GetAccountAuthorizationDetails');
    expect(iamRead).toHaveLength(1);
    expect(actionsOf(iamRead[0])).toEqual(['iam:GetAccountAuthorizationDetails']);
    expect(resourcesOf(iamRead[0])).toEqual(['*']);

    const writes = rest.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(writes).toHaveLength(1);
    expect(actionsOf(writes[0])).toEqual(['dynamodb:BatchWriteItem']);
    expect(resourcesOf(writes[0])).toEqual([arnOf(logicalId(on.stack.tables.table(ACTIVITY_TABLE)))]);
    expect(writes[0].Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [{ 'Fn::Join': ['', ['iam-snapshot#', { Ref: 'AWS::AccountId' }]] }] } });

    const queue = rest.filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')));
    expect(queue).toHaveLength(1);
    expect(resourcesOf(queue[0])).toEqual([arnOf(logicalId(snapshot.deadLetterQueue))]);
    expect(actionsOf(queue[0]).sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(rest).toHaveLength(3);
  });

  it('raises an alarm on a failed run (its dead-letter queue), and none without the schedule', () => {
    const alarmsOn = (synthesized: Synthesized) =>
      Object.values(synthesized.template.findResources('AWS::CloudWatch::Alarm')).filter((alarm) => String((alarm as { Properties: { AlarmDescription?: string } }).Properties.AlarmDescription).includes('IAM snapshot'));
    expect(alarmsOn(off)).toHaveLength(0);
    const alarms = alarmsOn(on) as Array<{ Properties: { Dimensions: Array<{ Name: string; Value: unknown }> } }>;
    expect(alarms).toHaveLength(1);
    expect(alarms[0].Properties.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(present(on.stack.iamSnapshot).deadLetterQueue), 'QueueName'] } }]);
  });

  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, [BUNDLING_STACKS]: [], ...SCHEDULE, removalPolicy: 'destroy' } });
    const stack = new TrailhoundStack(app, 'Trailhound');
    Template.fromStack(stack);
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath ?? resource.resourceLogicalId}`))).toEqual([]);
  });

  it.each(['rate(1 day)', 'rate(12 hours)', 'cron(0 3 * * ? *)', 'cron(15 2 ? * MON-FRI *)'])('accepts the schedule %s', (schedule) => {
    expect(readConfig((key) => (key === 'iamSnapshotSchedule' ? schedule : undefined)).iamSnapshotSchedule).toBe(schedule);
  });

  it.each(['', 'daily', 'rate(0 days)', 'rate(1 week)', 'cron(0 3 * * ?)', 'cron(0 3 * * ? *) ', 'rate(1 day); cron(1 2 3 4 5 6)'])('refuses the schedule %j', (schedule) => {
    expect(() => readConfig((key) => (key === 'iamSnapshotSchedule' ? schedule : undefined))).toThrow('iamSnapshotSchedule');
  });
});
