import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { resetClients } from '../../lambdas/adapters/aws-clients';
import { HourCompactor } from '../../lambdas/core/storage/hour-compactor';
import { buildHourIndex, encodeHourIndex, indexSubject } from '../../lambdas/core/storage/hour-index';
import { hourSessions, issuerKey } from '../../lambdas/core/storage/session-packs';
import { activitySlot } from '../../lambdas/core/model/items';
import { buildGuardDutyHandler, productionDependencies, type GuardDutyFindingEvent } from '../../lambdas/guardduty-trigger/handler';
import { assumedRole, record } from '../helpers/records';
import { fakeContext } from '../logging/capture';
import { FIXTURES, WEB_SERVER_ROLE } from './fixtures';

/**
 * The production handler's wiring for EC2 findings (environment, SDK clients, the commands it sends), with
 * the AWS SDK mocked: the instance's hour index and session packs are the real items a compaction of the
 * instance's calls writes, served by the mocked Query.
 */
const WORKLOAD = '444455556666';
const WEB1 = 'i-02be3b22def5a73db';
const HOUR = '2026-10-22T16';
const ENV = {
  AWS_REGION: 'us-east-1',
  FINDINGS_TABLE: 'Findings',
  INVESTIGATIONS_TABLE: 'Investigations',
  INDICATORS_TABLE: 'Indicators',
  SESSIONS_TABLE: 'Sessions',
  ACTIVITY_TABLE: 'Activity',
  INDEX_BUCKET: 'index-bucket',
  RETENTION_DAYS: '365',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:444455556666:stateMachine:trailhound-investigation',
  INVESTIGATION_MAX_SCOPE_DAYS: '30',
  GUARDDUTY_MIN_SEVERITY: '4',
};

const events = readFileSync(join(FIXTURES, 'ec2-findings.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as GuardDutyFindingEvent & { detail: { type: string } });
const eventOf = (type: string) => events.find((e) => e.detail.type === type) as GuardDutyFindingEvent;

/** One hour of web-1's calls with its instance-profile credentials (session name = instance id), compacted. */
function compactedInstanceHour() {
  const compactor = new HourCompactor(WORKLOAD, HOUR);
  const identity = assumedRole('web-server-role', WEB1, 'ASIAWEBONE0000000001', { account: WORKLOAD, ec2: true, creationDate: '2026-10-22T13:37:22Z' });
  for (const [i, minute] of ['05', '20', '41'].entries()) {
    compactor.add(record({ userIdentity: identity, eventTime: `${HOUR}:${minute}:00Z`, sourceIPAddress: '3.91.102.44', eventSource: 'ssm.amazonaws.com', eventName: 'UpdateInstanceInformation', recipientAccountId: WORKLOAD }), 0, i);
  }
  return compactor.finish();
}

describe('GuardDuty trigger handler, EC2 findings (AWS SDK mocked)', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  /** The attributes the store SETs on the finding's own item (an update, so that the claim on it survives). */
  const findingItem = (): Record<string, unknown> | undefined => {
    const update = dynamo
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .find((input) => input.TableName === 'Findings' && input.UpdateExpression?.includes('firstReceivedAt'));
    if (!update) return undefined;
    const names = update.ExpressionAttributeNames ?? {};
    const values = update.ExpressionAttributeValues ?? {};
    return Object.fromEntries(Object.keys(names).filter((n) => n.startsWith('#s')).map((n) => [names[n], values[`:s${n.slice(2)}`]]));
  };
  const sfn = mockClient(SFNClient);
  const saved = { ...process.env };

  beforeEach(() => {
    Object.assign(process.env, ENV);
    resetClients();
    dynamo.reset();
    sfn.reset();
    const compacted = compactedInstanceHour();
    const indexItem = { subject: indexSubject(WORKLOAD), slot: activitySlot(HOUR, WORKLOAD), hour: HOUR, accountId: WORKLOAD, body: encodeHourIndex(buildHourIndex(compacted)) };
    const { packs } = hourSessions(compacted, 'g1', 365);
    dynamo.on(QueryCommand).callsFake((input: QueryCommandInput) => {
      const values = input.ExpressionAttributeValues ?? {};
      if (input.TableName === 'Activity' && values[':s'] === indexSubject(WORKLOAD)) {
        return { Items: String(values[':from']) <= HOUR && HOUR <= String(values[':to']) ? [indexItem] : [] };
      }
      if (input.TableName === 'Sessions') return { Items: packs.filter((p) => p.pk === values[':pk'] && String(values[':from']) <= p.sk && p.sk <= String(values[':to'])) };
      return { Items: [] };
    });
    dynamo.on(GetCommand).resolves({});
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ENV.STATE_MACHINE_ARN}:x`, startDate: new Date() });
  });

  afterAll(() => {
    process.env = saved;
    resetClients();
  });

  it('starts an execution for the role of the instance, read by key from the hour index and the role packs', async () => {
    const handler = buildGuardDutyHandler(() => productionDependencies());
    const outcome = await handler(eventOf('Backdoor:EC2/C&CActivity.B'), fakeContext('req-ec2'));
    expect(outcome).toMatchObject({ outcome: 'started' });

    const started = sfn.commandCalls(StartExecutionCommand);
    expect(started).toHaveLength(1);
    expect(JSON.parse(String(started[0].args[0].input.input))).toMatchObject({ entityArn: WEB_SERVER_ROLE, entityType: 'IAM_ROLE', scopeStartTime: '2026-10-22T15:41:12.000Z' });

    const queries = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    // The account's hour indexes (scope start − the longest session life … scope end), then web-server-role's packs.
    expect(queries.map((q) => [q.TableName, Object.values(q.ExpressionAttributeValues ?? {})[0]])).toEqual([
      ['Activity', indexSubject(WORKLOAD)],
      ['Sessions', issuerKey(WEB_SERVER_ROLE)],
    ]);
    expect(dynamo.commandCalls(ScanCommand)).toHaveLength(0);
    const recorded = findingItem();
    expect(recorded).toMatchObject({ entityArn: WEB_SERVER_ROLE, instance: { instanceId: WEB1 } });
  });

  it('records the finding with its skip reason when the instance has no session, and starts nothing', async () => {
    const handler = buildGuardDutyHandler(() => productionDependencies());
    const outcome = await handler(eventOf('CryptoCurrency:EC2/BitcoinTool.B'), fakeContext('req-miner'));
    expect(outcome).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('no instance-profile session of EC2 instance i-03f5f24e1dfcbe77b') });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const recorded = findingItem();
    expect(recorded).toMatchObject({ skipReason: expect.stringContaining('i-03f5f24e1dfcbe77b') });
    expect(recorded?.entityArn).toBeUndefined();
  });

  it('throws when the session read fails, so that Lambda retries the event', async () => {
    dynamo.on(QueryCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    const handler = buildGuardDutyHandler(() => productionDependencies());
    await expect(handler(eventOf('UnauthorizedAccess:EC2/TorClient'), fakeContext('req-tor'))).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
