import type { GuardDutyTrigger } from '../../lib/guardduty-trigger';
import { actionsOf, allFunctionStatements, allIdentityStatements, functionResource, functionStatements, isOwnLogWrite, LOG_DELIVERY_ACTIONS, logicalId, resourcesOf, roleStatements, synth, XRAY_ACTIONS, type Statement, type Synthesized } from './synth';

function present(trigger: GuardDutyTrigger | undefined): GuardDutyTrigger {
  if (!trigger) throw new Error('the GuardDuty trigger is on by default');
  return trigger;
}

/**
 * Statements allowed on `*`, each because AWS offers no resource-level permission for the action. Anything
 * else on `*` is a finding.
 */
const ALLOWED_ON_EVERY_RESOURCE = new Set(['guardduty:ListDetectors', ...LOG_DELIVERY_ACTIONS, ...XRAY_ACTIONS]);

// Each synth costs about a second: the modes combine settings rather than trying each one alone.
const MODES: Array<[string, Record<string, unknown> | undefined]> = [
  ['defaults', undefined],
  ['existing bucket with a KMS key', { logBucketName: 'acme-cloudtrail-logs', logBucketKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }],
  [
    'test deployment with threat intel, no GuardDuty trigger, no account log role',
    { removalPolicy: 'destroy', threatIntelS3Uris: 's3://acme-intel/list.txt', guardDutyTrigger: 'false', apiGatewayCloudWatchRole: 'false' },
  ],
  ['full state machine logs, X-Ray and an alarm topic', { stateMachineLogLevel: 'ALL', stateMachineTracing: 'true', alarmEmail: 'secops@example.com' }],
];

describe('least privilege, whole template', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth();
  });

  it.each(MODES)('grants no wildcard action, and nothing on every resource but what AWS requires (%s)', (_mode, context) => {
    const statements = allIdentityStatements((context ? synth(context) : synthesized).template).filter((s) => s.Effect === 'Allow');
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*/);
      if (resourcesOf(statement).includes('*')) expect(actionsOf(statement).filter((action) => !ALLOWED_ON_EVERY_RESOURCE.has(action))).toEqual([]);
    }
  });

  it('grants states:StartExecution on the investigation state machine only, and only to the API and the trigger', () => {
    const { stack } = synthesized;
    const starting = (statements: Statement[]) => statements.filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('states:')));
    // The backfill state machine runs its Distributed Map's children itself (see test/backfill): set apart.
    const backfillRole = logicalId(stack.backfill.stateMachine.role);
    const backfillStatements = JSON.stringify(roleStatements(synthesized.template, backfillRole));
    const all = starting(allIdentityStatements(synthesized.template)).filter((s) => !backfillStatements.includes(JSON.stringify(s)));
    expect(all).toHaveLength(2);
    for (const statement of all) {
      expect(actionsOf(statement)).toEqual(['states:StartExecution']);
      expect(resourcesOf(statement)).toEqual([{ Ref: logicalId(stack.investigation.stateMachine) }]);
    }
    expect(starting(functionStatements(synthesized, stack.investigationApi.function))).toHaveLength(1);
    expect(starting(functionStatements(synthesized, present(stack.guardDutyTrigger).function))).toHaveLength(1);
  });

  it('lets every function write to its own log group only, with no AWS managed policy', () => {
    const { stack } = synthesized;
    const functions = [stack.ingest.function, stack.investigationApi.function, present(stack.guardDutyTrigger).function, ...Object.values(stack.investigation.stageFunctions)];
    for (const fn of functions) {
      const logStatements = allFunctionStatements(synthesized, fn).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      expect(logStatements).toHaveLength(1);
      expect(isOwnLogWrite(logStatements[0], fn)).toBe(true);
      const role = synthesized.template.toJSON().Resources[functionResource(synthesized, fn).Properties.Role['Fn::GetAtt'][0]] as { Properties: Record<string, unknown> };
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('never lets an investigation function Scan or delete', () => {
    const { stack } = synthesized;
    const functions = [stack.investigationApi.function, present(stack.guardDutyTrigger).function, ...Object.values(stack.investigation.stageFunctions)];
    for (const fn of functions) {
      for (const action of functionStatements(synthesized, fn).flatMap(actionsOf)) expect(action).not.toMatch(/^dynamodb:(Scan|DeleteItem|DeleteTable)$/);
    }
  });
});
