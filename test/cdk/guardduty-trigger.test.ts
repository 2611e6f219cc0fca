import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ACTIVITY_TABLE, FINDINGS_TABLE, INDICATORS_TABLE, INVESTIGATIONS_TABLE, SESSIONS_TABLE } from '../../lambdas/shared/table-design';
import { DataTables } from '../../lib/data-tables';
import { GUARDDUTY_FUNCTION_RETRIES, GUARDDUTY_MAX_EVENT_AGE, GUARDDUTY_TARGET_RETRIES, GuardDutyTrigger } from '../../lib/guardduty-trigger';
import { actionsOf, actionsOn, arnOf, functionResource, functionStatements, logicalId, synth, type Synthesized } from './synth';

type RuleResource = {
  Properties: {
    EventPattern: Record<string, unknown>;
    Targets: Array<{ Arn: unknown; DeadLetterConfig?: { Arn: unknown }; RetryPolicy?: Record<string, number> }>;
  };
};

function trigger(synthesized: Synthesized): GuardDutyTrigger {
  const found = synthesized.stack.guardDutyTrigger;
  if (!found) throw new Error('the stack has no GuardDuty trigger');
  return found;
}

function rule(synthesized: Synthesized): RuleResource {
  const rules = Object.values(synthesized.template.findResources('AWS::Events::Rule')) as RuleResource[];
  expect(rules).toHaveLength(1);
  return rules[0];
}

describe('GuardDuty trigger', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth();
  });

  it('matches GuardDuty findings of severity 4 (MEDIUM) or more by default', () => {
    expect(rule(synthesized).Properties.EventPattern).toEqual({
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', 4] }] },
    });
  });

  it('takes guardDutyMinSeverity as the threshold, and tells the handler; honours investigationMaxScopeDays', () => {
    const custom = synth({ guardDutyMinSeverity: '5.5', investigationMaxScopeDays: 7 });
    expect(rule(custom).Properties.EventPattern.detail).toEqual({ severity: [{ numeric: ['>=', 5.5] }] });
    const variables = functionResource(custom, trigger(custom).function).Properties.Environment.Variables;
    expect(variables.GUARDDUTY_MIN_SEVERITY).toBe('5.5');
    expect(variables.INVESTIGATION_MAX_SCOPE_DAYS).toBe('7');
  });

  it('targets the trigger function, with retries and the dead-letter queue', () => {
    const target = rule(synthesized).Properties.Targets;
    expect(target).toEqual([
      expect.objectContaining({
        Arn: arnOf(logicalId(trigger(synthesized).function)),
        DeadLetterConfig: { Arn: arnOf(logicalId(trigger(synthesized).deadLetterQueue)) },
        RetryPolicy: { MaximumRetryAttempts: GUARDDUTY_TARGET_RETRIES, MaximumEventAgeInSeconds: GUARDDUTY_MAX_EVENT_AGE.toSeconds() },
      }),
    ]);
  });

  it('sends findings the function failed on to the same queue, after Lambda retries', () => {
    synthesized.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(trigger(synthesized).function) },
      MaximumRetryAttempts: GUARDDUTY_FUNCTION_RETRIES,
      MaximumEventAgeInSeconds: GUARDDUTY_MAX_EVENT_AGE.toSeconds(),
      DestinationConfig: { OnFailure: { Destination: arnOf(logicalId(trigger(synthesized).deadLetterQueue)) } },
    });
  });

  it('lets only this rule send to the dead-letter queue, which is encrypted and TLS-only', () => {
    const queueId = logicalId(trigger(synthesized).deadLetterQueue);
    synthesized.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const policies = Object.values(synthesized.template.findResources('AWS::SQS::QueuePolicy', { Properties: { Queues: [{ Ref: queueId }] } })) as Array<{
      Properties: { PolicyDocument: { Statement: Array<{ Effect: string; Principal?: { Service?: string }; Condition?: Record<string, Record<string, unknown>> }> } };
    }>;
    expect(policies).toHaveLength(1);
    const deny = policies[0].Properties.PolicyDocument.Statement.filter((s) => s.Effect === 'Deny');
    expect(deny.some((s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
    const events = policies[0].Properties.PolicyDocument.Statement.filter((s) => s.Effect === 'Allow');
    expect(events).toEqual([
      expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': arnOf(logicalId(trigger(synthesized).rule)) } } }),
    ]);
  });

  it('gives the function its tables, the state machine, the retention and the threshold', () => {
    const { stack } = synthesized;
    expect(functionResource(synthesized, trigger(synthesized).function).Properties.Environment.Variables).toEqual({
      INVESTIGATIONS_TABLE: { Ref: logicalId(stack.table(INVESTIGATIONS_TABLE)) },
      INDICATORS_TABLE: { Ref: logicalId(stack.table(INDICATORS_TABLE)) },
      FINDINGS_TABLE: { Ref: logicalId(stack.table(FINDINGS_TABLE)) },
      SESSIONS_TABLE: { Ref: logicalId(stack.table(SESSIONS_TABLE)) },
      ACTIVITY_TABLE: { Ref: logicalId(stack.table(ACTIVITY_TABLE)) },
      INDEX_BUCKET: { Ref: logicalId(stack.activityStore.indexBucket) },
      RETENTION_DAYS: '365',
      STATE_MACHINE_ARN: { Ref: logicalId(stack.investigation.stateMachine) },
      GUARDDUTY_MIN_SEVERITY: '4',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('reads and writes findings, creates and updates investigations, queries the trail tables, starts the state machine, and nothing else', () => {
    const { stack } = synthesized;
    const statements = functionStatements(synthesized, trigger(synthesized).function);
    expect(actionsOn(statements, arnOf(logicalId(stack.table(FINDINGS_TABLE))))).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(actionsOn(statements, arnOf(logicalId(stack.table(INVESTIGATIONS_TABLE))))).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    // EC2 findings: the instance's sessions, by key (no Scan, no GetItem, no access to the index bucket).
    expect(actionsOn(statements, arnOf(logicalId(stack.table(SESSIONS_TABLE))))).toEqual(['dynamodb:Query']);
    expect(actionsOn(statements, arnOf(logicalId(stack.table(ACTIVITY_TABLE))))).toEqual(['dynamodb:Query']);
    expect(actionsOn(statements, { Ref: logicalId(stack.investigation.stateMachine) })).toEqual(['states:StartExecution']);
    const queueActions = actionsOn(statements, arnOf(logicalId(trigger(synthesized).deadLetterQueue)));
    expect(queueActions).toContain('sqs:SendMessage');
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('sqs:')).sort()).toEqual(queueActions);
    expect(statements.flatMap(actionsOf).filter((a) => !a.startsWith('sqs:')).sort()).toEqual(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'states:StartExecution'].sort(),
    );
  });

  it('outputs the rule and its dead-letter queue', () => {
    synthesized.template.hasOutput('GuardDutyRuleName', { Value: { Ref: logicalId(trigger(synthesized).rule) } });
    synthesized.template.hasOutput('GuardDutyDeadLetterQueueUrl', { Value: { Ref: logicalId(trigger(synthesized).deadLetterQueue) } });
  });

  it('is left out with guardDutyTrigger=false', () => {
    const off = synth({ guardDutyTrigger: 'false' });
    expect(off.stack.guardDutyTrigger).toBeUndefined();
    off.template.resourceCountIs('AWS::Events::Rule', 0);
    off.template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
    expect(Object.keys(off.template.toJSON().Outputs)).not.toEqual(expect.arrayContaining(['GuardDutyRuleName']));
    // The investigation API still works without it.
    expect(off.stack.investigationApi).toBeDefined();
  });

  it.each([[-1], [10.5], [Number.NaN]])('refuses a threshold of %p when built directly', (minSeverity) => {
    const stack = new Stack(new App(), 'Direct');
    const tables = new DataTables(stack, 'Tables', { removalPolicy: RemovalPolicy.DESTROY, retentionDays: 30 });
    const stateMachine = sfn.StateMachine.fromStateMachineArn(stack, 'Machine', 'arn:aws:states:eu-west-1:111122223333:stateMachine:x');
    expect(() => new GuardDutyTrigger(stack, 'Trigger', { tables, stateMachine, indexBucketName: 'index', minSeverity, removalPolicy: RemovalPolicy.DESTROY })).toThrow('from 0 to 10');
  });
});
