import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { mapFindingToEntity } from '../../lambdas/core/guardduty/entity';
import type { GuardDutyFindingEvent } from '../../lambdas/core/guardduty/event';
import { parseFinding } from '../../lambdas/core/guardduty/finding';
import { instanceOf, instanceToResolve, roleOfInstanceSessions } from '../../lambdas/core/guardduty/instance';
import { processFindingEvent, type GuardDutyTriggerDependencies } from '../../lambdas/guardduty-trigger/process-finding';
import { MemoryFindings, MemoryInstanceSessions, MemoryInvestigations, RecordingRunner } from './fakes';
import { FINDING_IDS, FIXTURES, fixtureFinding, WEB_SERVER_ROLE, withAccessKey } from './fixtures';

/** EC2 findings (test/fixtures/guardduty/ec2-findings.jsonl): the instance's role, found through its sessions. */
const EC2_FILE = join(FIXTURES, 'ec2-findings.jsonl');
const ec2Events = readFileSync(EC2_FILE, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as GuardDutyFindingEvent & { detail: Record<string, unknown> });
const byType = (type: string) => {
  const event = ec2Events.find((e) => e.detail.type === type);
  if (!event) throw new Error(`no ${type} in ${EC2_FILE}`);
  return structuredClone(event);
};

const WEB1 = 'i-02be3b22def5a73db';
const WEB2 = 'i-0cfa6f0016d5dc959';
const MINER = 'i-03f5f24e1dfcbe77b';
const WORKLOAD = '444455556666';
const OTHER_ROLE = 'arn:aws:iam::444455556666:role/web-server-role-v2';

function setup(sessions: ConstructorParameters<typeof MemoryInstanceSessions>[0] = {}, overrides: Partial<GuardDutyTriggerDependencies> = {}) {
  const findings = new MemoryFindings();
  const runner = new RecordingRunner();
  const instanceSessions = new MemoryInstanceSessions(sessions);
  const deps: GuardDutyTriggerDependencies = {
    findings,
    investigations: new MemoryInvestigations(),
    runner,
    instanceSessions,
    maxScopeDays: 30,
    minSeverity: 0,
    now: () => Date.parse('2026-10-23T00:00:00Z'),
    ...overrides,
  };
  return { deps, findings, runner, instanceSessions };
}

/** The web servers' instance-profile sessions of 2026-10-22 as the sample trail has them (AssumeRole by ec2.amazonaws.com). */
const WEB_SESSIONS = {
  [`${WORKLOAD}/${WEB1}`]: ['01:40:57', '07:39:28', '13:37:22', '19:39:45'].map((t) => ({ issuerArn: WEB_SERVER_ROLE, createdAt: `2026-10-22T${t}.000Z`, accountId: WORKLOAD })),
  [`${WORKLOAD}/${WEB2}`]: ['03:14:29', '09:14:46', '15:12:27', '21:14:43'].map((t) => ({ issuerArn: WEB_SERVER_ROLE, createdAt: `2026-10-22T${t}.000Z`, accountId: WORKLOAD })),
};

describe('instanceOf', () => {
  it('reads the instance, its profile and its ENIs from resource.instanceDetails', () => {
    expect(parseFinding(byType('Backdoor:EC2/C&CActivity.B').detail).instance).toEqual({
      instanceId: WEB1,
      instanceProfileArn: 'arn:aws:iam::444455556666:instance-profile/web-server-profile',
      networkInterfaceIds: ['eni-02ae2a3af09daf39b'],
    });
    // The attacker's miner has no instance profile.
    expect(parseFinding(byType('CryptoCurrency:EC2/BitcoinTool.B').detail).instance).toEqual({ instanceId: MINER, networkInterfaceIds: ['eni-0046d3d827f8da0f4'] });
  });

  it('ignores what is not an instance id, a profile ARN or an ENI id', () => {
    const details = (instanceDetails: unknown) => instanceOf({ instanceDetails });
    expect(details({ instanceId: 'i-02be3b22def5a73db\u001b[2J' })).toBeUndefined();
    expect(details({ instanceId: 'i-0123' })).toBeUndefined();
    expect(details({ instanceId: 42 })).toBeUndefined();
    expect(details({ instanceId: 'i-0123abcd', iamInstanceProfile: { arn: 'arn:aws:iam::444455556666:instance-profile/web\u001b]0;pwned\u0007' } })?.instanceProfileArn).toBeUndefined();
    expect(details({ instanceId: 'i-0123abcd', iamInstanceProfile: { arn: 'arn:aws:iam::444455556666:role/web-server-role' } })?.instanceProfileArn).toBeUndefined();
    expect(details({ instanceId: 'i-0123abcd', iamInstanceProfile: { arn: 'web-server-profile' }, networkInterfaces: [{ networkInterfaceId: 'eni-x' }, 'eni-0123abcd', null] })).toEqual({
      instanceId: 'i-0123abcd',
      networkInterfaceIds: [],
    });
  });

  it('never throws and only keeps well-formed ids, whatever the JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (instanceDetails, interfaces) => {
        const withInterfaces = typeof instanceDetails === 'object' && instanceDetails !== null && !Array.isArray(instanceDetails) ? { ...instanceDetails, networkInterfaces: interfaces } : instanceDetails;
        for (const input of [instanceDetails, withInterfaces]) {
          const instance = instanceOf({ instanceDetails: input });
          if (instance === undefined) continue;
          expect(instance.instanceId).toMatch(/^i-[0-9a-f]+$/);
          for (const eni of instance.networkInterfaceIds) expect(eni).toMatch(/^eni-[0-9a-f]+$/);
        }
      }),
    );
  });
});

describe('instanceToResolve', () => {
  const resolve = (finding: unknown) => {
    const record = parseFinding(finding);
    return instanceToResolve(record.type, record.instance, mapFindingToEntity(record));
  };

  it.each(['Backdoor:EC2/C&CActivity.B', 'Trojan:EC2/DropPoint', 'UnauthorizedAccess:EC2/TorClient', 'CryptoCurrency:EC2/BitcoinTool.B'])('looks up the instance of %s', (type) => {
    expect(resolve(byType(type).detail)?.instanceId).toMatch(/^i-/);
  });

  it('does not look up the target of a port probe: the instance did nothing', () => {
    expect(resolve(fixtureFinding(FINDING_IDS.portProbe))).toBeUndefined();
  });

  it('resolves instance-credential exfiltration through the role it names, and through the instance when the role name is missing', () => {
    const exfiltration = fixtureFinding(FINDING_IDS.webServerExfiltration);
    expect(resolve(exfiltration)).toBeUndefined();
    expect(mapFindingToEntity(parseFinding(exfiltration))).toMatchObject({ kind: 'entity', entityArn: WEB_SERVER_ROLE });
    const withoutName = withAccessKey(exfiltration, { accessKeyId: 'ASIA54F53WJHH2DQC2TX', principalId: `AROAEHB7J4MSHUQ3LL6OV:${WEB1}`, userType: 'AssumedRole' });
    expect(resolve(withoutName)?.instanceId).toBe(WEB1);
  });
});

describe('roleOfInstanceSessions', () => {
  const instance = { instanceId: WEB1, instanceProfileArn: 'arn:aws:iam::444455556666:instance-profile/web-server-profile', networkInterfaceIds: [] };
  const scope = { from: '2026-10-22T15:00:00.000Z', to: '2026-10-22T18:00:00.000Z' };

  it('names the role, path-less, of the sessions', () => {
    const sessions = [{ issuerArn: 'arn:aws:iam::444455556666:role/web/web-server-role', createdAt: '2026-10-22T13:37:22.000Z' }];
    expect(roleOfInstanceSessions(instance, sessions, scope)).toEqual({ kind: 'entity', entityArn: WEB_SERVER_ROLE, entityType: 'IAM_ROLE' });
  });

  it('prefers the role of the latest session when the profile changed role within the scope', () => {
    const sessions = [
      { issuerArn: OTHER_ROLE, createdAt: '2026-10-22T16:10:00.000Z' },
      { issuerArn: WEB_SERVER_ROLE, createdAt: '2026-10-22T13:37:22.000Z' },
    ];
    expect(roleOfInstanceSessions(instance, sessions, scope)).toMatchObject({ entityArn: OTHER_ROLE });
  });

  it('says which instance, profile and window had no session', () => {
    const none = roleOfInstanceSessions(instance, [{ issuerArn: 'arn:aws:iam::444455556666:user/mallory', createdAt: '2026-10-22T16:00:00.000Z' }], scope);
    expect(none).toEqual({ kind: 'none', reason: expect.stringContaining(`EC2 instance ${WEB1} (instance profile ${instance.instanceProfileArn})`) });
    expect(none.kind === 'none' && none.reason).toContain(`between ${scope.from} and ${scope.to}`);
  });
});

describe('EC2 findings through the trigger', () => {
  it('starts an investigation of the instance-profile role, with the finding scope, for C&C, drop point and Tor findings', async () => {
    const { deps, runner, instanceSessions } = setup(WEB_SESSIONS);
    for (const type of ['Backdoor:EC2/C&CActivity.B', 'Trojan:EC2/DropPoint', 'UnauthorizedAccess:EC2/TorClient']) {
      expect(await processFindingEvent(byType(type), deps)).toMatchObject({ outcome: 'started' });
    }
    expect(runner.started.map((s) => [s.entityArn, s.entityType, s.scopeStartTime, s.scopeEndTime])).toEqual([
      // eventFirstSeen − 1 h … eventLastSeen + 1 h, as for every finding (scope.ts).
      [WEB_SERVER_ROLE, 'IAM_ROLE', '2026-10-22T15:41:12.000Z', '2026-10-22T17:58:40.000Z'],
      [WEB_SERVER_ROLE, 'IAM_ROLE', '2026-10-22T17:31:27.000Z', '2026-10-22T19:44:09.000Z'],
      [WEB_SERVER_ROLE, 'IAM_ROLE', '2026-10-22T18:02:18.000Z', '2026-10-22T20:20:51.000Z'],
    ]);
    // Each instance was looked up once, in its own account, over the finding's scope.
    expect(instanceSessions.lookups).toEqual([
      { accountId: WORKLOAD, instanceId: WEB1, from: '2026-10-22T15:41:12.000Z', to: '2026-10-22T17:58:40.000Z' },
      { accountId: WORKLOAD, instanceId: WEB1, from: '2026-10-22T17:31:27.000Z', to: '2026-10-22T19:44:09.000Z' },
      { accountId: WORKLOAD, instanceId: WEB2, from: '2026-10-22T18:02:18.000Z', to: '2026-10-22T20:20:51.000Z' },
    ]);
  });

  it('records a finding whose instance has no session with the reason, and starts nothing', async () => {
    const { deps, runner, findings } = setup(WEB_SESSIONS);
    const outcome = await processFindingEvent(byType('CryptoCurrency:EC2/BitcoinTool.B'), deps);
    expect(outcome).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining(`no instance-profile session of EC2 instance ${MINER} (the finding names no instance profile)`) });
    const recorded = findings.findings.get(String(byType('CryptoCurrency:EC2/BitcoinTool.B').detail.id));
    expect(recorded).toMatchObject({ skipReason: expect.stringContaining(MINER), instance: { instanceId: MINER }, remoteIps: ['203.0.113.50'] });
    expect(recorded?.entityArn).toBeUndefined();
    expect(runner.started).toHaveLength(0);
  });

  it('reads nothing for a finding that starts nothing anyway (below the threshold, archived, sample)', async () => {
    const { deps, runner, instanceSessions } = setup(WEB_SESSIONS, { minSeverity: 7 });
    expect(await processFindingEvent(byType('Trojan:EC2/DropPoint'), deps)).toMatchObject({ outcome: 'skipped', reason: 'severity 5 is below the threshold 7' });
    const archived = byType('Backdoor:EC2/C&CActivity.B');
    (archived.detail.service as Record<string, unknown>).archived = true;
    expect(await processFindingEvent(archived, deps)).toMatchObject({ outcome: 'skipped', reason: 'the finding is archived' });
    const sample = byType('UnauthorizedAccess:EC2/TorClient');
    (sample.detail.service as Record<string, unknown>).additionalInfo = { value: '{"sample":true}', type: 'default' };
    expect(await processFindingEvent(sample, deps)).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('sample') });
    expect(instanceSessions.lookups).toEqual([]);
    expect(runner.started).toHaveLength(0);
  });

  it('starts one investigation per EC2 finding, whatever the number of deliveries', async () => {
    const { deps, runner } = setup(WEB_SESSIONS);
    const event = byType('Backdoor:EC2/C&CActivity.B');
    await processFindingEvent(event, deps);
    expect(await processFindingEvent(event, deps)).toMatchObject({ outcome: 'already-started' });
    expect(runner.started).toHaveLength(1);
  });

  it('lets a failing session read fail the delivery, so that Lambda retries it', async () => {
    const { deps, runner } = setup(WEB_SESSIONS, {
      instanceSessions: {
        instanceSessions: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      },
    });
    await expect(processFindingEvent(byType('Backdoor:EC2/C&CActivity.B'), deps)).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(runner.started).toHaveLength(0);
  });
});
