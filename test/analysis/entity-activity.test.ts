import { analyzeTtps } from '../../lambdas/core/analysis/ttp';
import { analyzeInstanceCredentialUse, INSTANCE_CREDENTIALS_TECHNIQUE } from '../../lambdas/core/analysis/instance-credentials';
import { isIpAddress } from '../../lambdas/core/analysis/ip-address';
import { subtractActivity, userActivity } from '../../lambdas/core/queries/entity-activity';
import type { ActivityItem } from '../../lambdas/core/model/items';
import type { SessionView } from '../../lambdas/core/queries/session-view';

const item = (subject: string, sk: string, apis: Record<string, [number, number]>, sourceIps: Record<string, number>, firstEvent = '2026-10-22T10:00:00Z'): ActivityItem => {
  const total = Object.values(apis).reduce((s, [c]) => s + c, 0);
  return {
    subject,
    hour: sk.slice(0, 13),
    slot: `${sk.slice(0, 13)}#111122223333`,
    accountId: '111122223333',
    minutes: {},
    sessions: {},
    expiresAt: 0,
    principalType: 'iam-user',
    principalName: 'alice',
    total,
    failures: Object.values(apis).reduce((s, [, f]) => s + f, 0),
    apis: Object.fromEntries(Object.entries(apis).map(([api, [calls, failures]]) => [api, { calls, failures }])),
    errorCodes: {},
    sourceIps,
    userAgents: {},
    resources: {},
    regions: {},
    firstEvent,
    lastEvent: firstEvent,
    overflow: {},
  };
};
const session = (sessionId: string, kind: SessionView['kind'], issuerName: string, sessionName = 's'): SessionView => ({
  sessionId,
  kind,
  issuerArn: `arn:aws:iam::111122223333:role/${issuerName}`,
  issuerName,
  sessionName,
  createdAt: '2026-10-22T10:00:00Z',
  createdAtSource: 'creation-event',
  creationEventSeen: true,
  eventCount: 1,
});

describe('isIpAddress', () => {
  it.each(['192.0.2.1', '2001:db8::1', '::ffff:198.51.100.7'])('%s is an address', (s) => expect(isIpAddress(s)).toBe(true));
  it.each(['AWS Internal', 'secretsmanager.amazonaws.com', '', '1', '0x7f000001', '999.1.1.1', undefined])('%s is not', (s) => expect(isIpAddress(s)).toBe(false));
});

describe("a user's activity", () => {
  const HOUR = '2026-10-22T10#obj';
  const own = item('iam-user#alice', HOUR, { 'iam:CreateUser': [2, 0], 'secretsmanager:GetSecretValue': [3, 0] }, { '203.0.113.5': 2, 'secretsmanager.amazonaws.com': 3 });
  const forward = item('session#ASIAF', HOUR, { 'secretsmanager:GetSecretValue': [3, 0] }, { 'secretsmanager.amazonaws.com': 3 });
  const chained = item('session#ASIAR', HOUR, { 'ec2:GetPasswordData': [29, 29] }, { '203.0.113.5': 29 });

  it('takes the calls of its own sessions out of its items, so each call counts once and keeps its address', () => {
    const rest = subtractActivity(own, [forward]);
    expect(rest).toMatchObject({ total: 2, apis: { 'iam:CreateUser': { calls: 2, failures: 0 } }, sourceIps: { '203.0.113.5': 2 } });
    expect(subtractActivity(forward, [forward])).toBeUndefined();
  });

  it('includes chained role sessions, labelled with the role and session, and TTPs name them', () => {
    // Storage v2 reads the user's own items per hour and source address.
    const ownByIp = item('iam-user#alice', HOUR, { 'iam:CreateUser': [2, 0] }, { '203.0.113.5': 2 });
    const ownByService = item('iam-user#alice', HOUR, { 'secretsmanager:GetSecretValue': [3, 0] }, { 'secretsmanager.amazonaws.com': 3 });
    const activity = userActivity({
      ownItems: [ownByIp, ownByService],
      sessions: [
        { session: session('ASIAF', 'forward-access', 'alice'), items: [forward] },
        { session: session('ASIAR', 'assumed-role', 'pw-role', 'go-sdk-1'), items: [chained] },
      ],
    });
    expect(activity.reduce((s, i) => s + i.total, 0)).toBe(2 + 3 + 29);
    const ttps = analyzeTtps({ activity }).map((i) => i.IndicatorDetail.TTPsObservedDetail);
    const password = ttps.find((t) => t.APIName === 'ec2:GetPasswordData');
    expect(password).toMatchObject({ IpAddress: '203.0.113.5', APIFailureCount: 29 });
    expect(password?.Procedure).toContain('Called through role pw-role (session go-sdk-1).');
    expect(ttps.find((t) => t.APIName === 'iam:CreateUser')).toMatchObject({ IpAddress: '203.0.113.5', APISuccessCount: 2 });
    // A service calling on the user's behalf is a source but not an address.
    const secret = ttps.find((t) => t.APIName === 'secretsmanager:GetSecretValue');
    expect(secret).toMatchObject({ APISuccessCount: 3 });
    expect(secret?.IpAddress).toBeUndefined();
  });
});

describe('EC2 instance credentials used away from the instance', () => {
  const instance = (sessionId: string) => ({ sessionId, origin: { type: 'ec2-instance', name: 'i-0123456789abcdef0' }, issuerName: 'app-role' });

  it('reports the calls made from an address the instance does not call from', () => {
    const indicators = analyzeInstanceCredentialUse({
      sessions: [instance('ASIA1'), instance('ASIA2')],
      activity: [
        item('session#ASIA1', 'a', { 'ssm:UpdateInstanceInformation': [10, 0] }, { '3.225.16.109': 10 }),
        item('session#ASIA2', 'b', { 'sts:GetCallerIdentity': [1, 0], 'ec2:DescribeInstances': [1, 0] }, { '192.168.10.20': 2 }),
      ],
    }).map((i) => i.IndicatorDetail.TTPsObservedDetail);
    expect(indicators.map((d) => [d.APIName, d.IpAddress, d.Technique])).toEqual([
      ['ec2:DescribeInstances', '192.168.10.20', INSTANCE_CREDENTIALS_TECHNIQUE],
      ['sts:GetCallerIdentity', '192.168.10.20', INSTANCE_CREDENTIALS_TECHNIQUE],
    ]);
    expect(indicators[0].Procedure).toContain('3.225.16.109');
  });

  it('says nothing with one address, service sources, or sessions that are not an instance\'s', () => {
    expect(analyzeInstanceCredentialUse({ sessions: [instance('ASIA1')], activity: [item('session#ASIA1', 'a', { 'x:Y': [3, 0] }, { '3.225.16.109': 2, 'AWS Internal': 1 })] })).toEqual([]);
    expect(
      analyzeInstanceCredentialUse({
        sessions: [{ sessionId: 'ASIA1', issuerName: 'r' }, { sessionId: 'ASIA2', issuerName: 'r' }],
        activity: [item('session#ASIA1', 'a', { 'x:Y': [3, 0] }, { '3.225.16.109': 3 }), item('session#ASIA2', 'b', { 'x:Y': [1, 0] }, { '192.168.10.20': 1 })],
      }),
    ).toEqual([]);
  });
});
